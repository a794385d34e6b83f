/**
 * Generates the x86 hart's decoder tables (`assembly/decode.generated.ts`) from THE x86
 * instruction table in `src/shared/isa/x86` (ARCHITECTURE.md: "generate the AssemblyScript
 * decoder from it"; v86 generates its interpreter's dispatch from `x86_table` the same way).
 * The hand-written part of the decoder (`assembly/decode.ts`) only knows the instruction format
 * — prefixes, REX, the 0F/0F38/0F3A escapes, ModRM/SIB/displacement — and asks the generated
 * code which row the bytes are and what that row's operands and immediates look like:
 *
 * - `X_*`: one execute-op id per instruction family (`execName`: condition-code families,
 *   string sizes and operand-size spellings fold into one op; the row's operand kinds say the rest).
 * - `rowOf(map, opcode, modrm, ...)`: the matching row id, candidates in the table's order (most
 *   specific first, `x86DecodeCandidates`), each guarded by its mandatory prefix, ModRM fields,
 *   fixed operand/address size and modes; -1 when no row matches (#UD).
 * - `ROW_SHAPE` / `ROW_EXEC`: per row, packed operand kinds, immediate kind, ModRM use, d64/f64,
 *   size class — and its execute op.
 * - `HAS_MODRM`: per map × opcode, whether a ModRM byte follows.
 *
 * `scripts/build-wasm.mjs` regenerates the file before compiling; a test proves the checked-in
 * copy is current.
 */
import { X86_ROWS, MAP_INDEX, isDecodable, x86DecodeCandidates, x86HasModrm } from '../../../../shared/isa/x86/index'
import type { X86Row, OperandKind, X86Map } from '../../../../shared/isa/x86/index'

/** Immediate kinds (shape bits 0-3); decode.ts reads the bytes. */
export const IMM = {
  NONE: 0, IMM8: 1, IMM16: 2, IMM32: 3, IMMZ: 4, IMMV: 5, SIMM8: 6, REL8: 7, RELZ: 8, PTR16Z: 9, MOFFS: 10, ENTER: 11,
} as const

/** Operand kinds (6 bits in the shape: kind | BYTE for 8-bit general registers). */
export const KIND = {
  NONE: 0, G: 1, E: 2, M: 3, ER: 4, ACC: 5, CL: 6, DX: 7, IMM: 8, ONE: 9, SREG: 10, CR: 11, DR: 12,
  XG: 13, XE: 14, XR: 15, MMG: 16, MME: 17, MMR: 18, ES: 19, CS: 20, SS: 21, DS: 22, FS: 23, GS: 24,
  ST0: 25, STI: 26, MOFFS: 27, IMM2: 28, PLUSREG: 29,
} as const
export const KIND_BYTE = 32

/** Size classes (shape bits 8-10). */
export const SIZE = { V: 0, B8: 1, B16: 2, B32: 3, B64: 4, B128: 5, B80: 6 } as const

const CC_FAMILIES: readonly [RegExp, string][] = [[/^j(?!mp|cxz|ecxz|rcxz)/, 'jcc'], [/^set/, 'setcc'], [/^cmov/, 'cmovcc'], [/^fcmov/, 'fcmovcc']]
const STRING_OPS = ['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs']

/** The execute-op family of a row (lower case; `X_` + upper case in the generated file). */
export function execName(r: X86Row): string {
  const m = r.mnemonic
  const ops = r.operands
  for (const [re, fam] of CC_FAMILIES) if (re.test(m) && (fam !== 'jcc' || ops[0]?.startsWith('rel'))) return fam
  if (ops.length === 0) {
    const s = STRING_OPS.find((p) => m.length === p.length + 1 && m.startsWith(p) && 'bwdq'.includes(m[p.length]))
    if (s && (r.flags.rep || r.flags.repe)) return s
  }
  const has = (k: OperandKind): boolean => ops.includes(k)
  if (m === 'mov') {
    if (has('sreg')) return ops[0] === 'sreg' ? 'mov_to_sreg' : 'mov_from_sreg'
    if (has('cr')) return ops[0] === 'cr' ? 'mov_to_cr' : 'mov_from_cr'
    if (has('dr')) return ops[0] === 'dr' ? 'mov_to_dr' : 'mov_from_dr'
    return 'mov'
  }
  if ((m === 'push' || m === 'pop') && ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].includes(ops[0])) return m + '_sreg'
  if (m === 'jmp' || m === 'call') {
    if (ops[0] === 'ptr16:z') return m + '_far'
    if (ops[0] === 'mfar') return m + '_far_mem'
    if (ops[0] === 'r/mv') return m + '_indirect'
    return m
  }
  if (m === 'imul') return ops.length === 1 ? 'imul1' : 'imul'
  if (m === 'sal') return 'shl'
  if (/^(iret|pushf|popf|pusha|popa)[wdq]?$/.test(m)) return m.replace(/[wdq]$/, '')
  if (m === 'cwde' || m === 'cdqe') return 'cbw'
  if (m === 'cdq' || m === 'cqo') return 'cwd'
  if (m === 'sysretq' || m === 'sysexitq' || m === 'fxsave64' || m === 'fxrstor64') return m.replace(/q$|64$/, '')
  if (m === 'xlatb') return 'xlat'
  if (m === 'icebp') return 'int1'
  if (m === 'movd' || m === 'movq') {
    const gpr = ops.some((o) => o === 'r/m32' || o === 'r/m64')
    const mmx = ops.some((o) => o.startsWith('mm'))
    return (mmx ? 'mmx_' : '') + (gpr ? 'movd' : 'movq')
  }
  return m
}

/** Kind code of an operand in a row. */
function kindOf(o: OperandKind, r: X86Row): number {
  const byte = ['r8', 'r/m8', 'al', 'moffs8'].includes(o) ? KIND_BYTE : 0
  switch (o) {
    case 'r8': case 'r16': case 'r32': case 'r64': case 'rv': return (r.plusReg ? KIND.PLUSREG : KIND.G) | byte
    case 'r/m8': case 'r/m16': case 'r/m32': case 'r/m64': case 'r/mv': case 'r32/m8': case 'r32/m16': case 'rv/m8': case 'rv/m16':
      return (r.flags.nomod ? KIND.ER : KIND.E) | byte
    case 'r32.rm': case 'r64.rm': case 'rv.rm': return KIND.ER
    case 'm': case 'm8': case 'm16': case 'm32': case 'm64': case 'm80': case 'm128': case 'm512': case 'mv': case 'mfar': return KIND.M
    case 'al': return KIND.ACC | KIND_BYTE
    case 'ax': case 'eax': case 'rax': case 'accv': return KIND.ACC
    case 'cl': return KIND.CL | KIND_BYTE
    case 'dx': return KIND.DX
    case 'es': return KIND.ES
    case 'cs': return KIND.CS
    case 'ss': return KIND.SS
    case 'ds': return KIND.DS
    case 'fs': return KIND.FS
    case 'gs': return KIND.GS
    case 'sreg': return KIND.SREG
    case 'cr': return KIND.CR
    case 'dr': return KIND.DR
    case 'xmm': return KIND.XG
    case 'xmm.rm': return KIND.XR
    case 'xmm/m16': case 'xmm/m32': case 'xmm/m64': case 'xmm/m128': return KIND.XE
    case 'mm': return KIND.MMG
    case 'mm.rm': return KIND.MMR
    case 'mm/m32': case 'mm/m64': return KIND.MME
    case 'st0': return KIND.ST0
    case 'st(i)': return KIND.STI
    case '1': return KIND.ONE
    case 'moffs8': return KIND.MOFFS | byte
    case 'moffsv': return KIND.MOFFS
    case 'imm8': case 'imm16': case 'imm32': case 'imm64': case 'immz': case 'immv': case 'simm8': case 'rel8': case 'relz': case 'ptr16:z':
      return KIND.IMM
  }
  throw new Error(`gen-decoder: no operand kind for \`${o}\` in \`${r.name}\``)
}

function immKind(r: X86Row): number {
  const ops = r.operands
  if (r.mnemonic === 'enter') return IMM.ENTER
  if (ops.includes('moffs8') || ops.includes('moffsv')) return IMM.MOFFS
  for (const o of ops) {
    switch (o) {
      case 'imm8': return IMM.IMM8
      case 'imm16': return IMM.IMM16
      case 'imm32': return IMM.IMM32
      case 'immz': return IMM.IMMZ
      case 'immv': case 'imm64': return IMM.IMMV
      case 'simm8': return IMM.SIMM8
      case 'rel8': return IMM.REL8
      case 'relz': return IMM.RELZ
      case 'ptr16:z': return IMM.PTR16Z
    }
  }
  return IMM.NONE
}

const SIZE_OF: Partial<Record<OperandKind, number>> = {
  r8: SIZE.B8, 'r/m8': SIZE.B8, al: SIZE.B8, m8: SIZE.B8, moffs8: SIZE.B8,
  rv: SIZE.V, 'r/mv': SIZE.V, accv: SIZE.V, mv: SIZE.V, moffsv: SIZE.V, 'rv.rm': SIZE.V, 'rv/m16': SIZE.V, 'rv/m8': SIZE.V,
  r16: SIZE.B16, 'r/m16': SIZE.B16, ax: SIZE.B16, m16: SIZE.B16,
  r32: SIZE.B32, 'r/m32': SIZE.B32, eax: SIZE.B32, m32: SIZE.B32, 'r32.rm': SIZE.B32, 'r32/m16': SIZE.B32, 'r32/m8': SIZE.B32,
  r64: SIZE.B64, 'r/m64': SIZE.B64, rax: SIZE.B64, m64: SIZE.B64, 'r64.rm': SIZE.B64,
  m80: SIZE.B80, m128: SIZE.B128, xmm: SIZE.B128, 'xmm/m128': SIZE.B128,
}

/** Size class: the row's fixed operand size, else the first sized operand (dest first), else v. */
function sizeClass(r: X86Row): number {
  if (typeof r.opsize === 'number') return r.opsize === 16 ? SIZE.B16 : r.opsize === 32 ? SIZE.B32 : SIZE.B64
  if (r.operands.length === 0 && /^(movs|cmps|stos|lods|scas|ins|outs)b$/.test(r.mnemonic)) return SIZE.B8
  for (const o of r.operands) {
    const s = SIZE_OF[o]
    if (s !== undefined) return s
  }
  return SIZE.V
}

/** The packed shape of a row: imm 0-3, modrm 4, d64 5, f64 6, nomod 7, size 8-10, kinds 11-16, 17-22, 23-28, lock 29. */
export function rowShape(r: X86Row): number {
  const k = r.operands.map((o) => kindOf(o, r))
  // A second immediate (enter's nesting level) is operand 2's own kind.
  if (r.mnemonic === 'enter') k[1] = KIND.IMM2
  return (immKind(r) | (r.modrm ? 16 : 0) | (r.flags.d64 ? 32 : 0) | (r.flags.f64 ? 64 : 0) | (r.flags.nomod ? 128 : 0) |
    (sizeClass(r) << 8) | ((k[0] ?? 0) << 11) | ((k[1] ?? 0) << 17) | ((k[2] ?? 0) << 23) | (r.flags.lock ? 1 << 29 : 0)) >>> 0
}

const hex = (n: number, w = 2): string => '0x' + (n >>> 0).toString(16).padStart(w, '0')
const MAPS: readonly X86Map[] = ['legacy', '0F', '0F38', '0F3A']

/** The AssemblyScript condition under which the decoder takes row r (opcode and map already matched). */
function condition(r: X86Row): string {
  const c: string[] = []
  if (r.modes !== 7) c.push(`(${r.modes} & modeBit) != 0`)
  if (r.prefix === 0xf3 || r.prefix === 0xf2) c.push(`rep == ${hex(r.prefix)}`)
  else if (r.prefix === 0x66) c.push('has66 && rep == 0')
  else if (r.map !== 'legacy' && r.operands.some((o) => o.startsWith('xmm'))) c.push('rep == 0')
  const m = r.modrm
  if (m) {
    if (m.rm !== undefined || m.rmIsSti) {
      c.push(`(modrm >> 3) == ${0x18 | (m.reg as number)}`)
      if (m.rm !== undefined) c.push(`(modrm & 7) == ${m.rm}`)
    } else {
      if (m.reg !== 'r' && !m.anyReg) c.push(`((modrm >> 3) & 7) == ${m.reg}`)
      if (!r.flags.nomod && m.mod === 'mem') c.push('(modrm >> 6) != 3')
      if (!r.flags.nomod && m.mod === 'reg') c.push('(modrm >> 6) == 3')
    }
  }
  if (typeof r.opsize === 'number') {
    const sz = r.prefix === 0x66 ? 'oszNo66' : r.flags.d64 ? 'oszD64' : 'osz'
    c.push(`${sz} == ${r.opsize}`)
  }
  if (r.addrSize) c.push(`asz == ${r.addrSize}`)
  return c.length ? c.join(' && ') : 'true'
}

/**
 * Execute ops the run loop runs inline (assembly/index.ts). They get the smallest ids, in this
 * order, so the loop's `switch` is a dense jump table; every other op is numbered after them
 * alphabetically and reaches the out-of-line executors through the switch's default.
 */
export const INLINE_OPS: readonly string[] = [
  'mov', 'add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'test', 'inc', 'dec', 'lea', 'jcc', 'jmp', 'call', 'ret',
  'push', 'pop', 'jmp_indirect', 'call_indirect', 'movzx', 'movsx', 'movsxd', 'cmovcc', 'setcc', 'nop', 'pause', 'fwait',
  'shl', 'shr', 'sar', 'imul', 'xchg', 'not', 'neg', 'cbw', 'cwd', 'leave',
]

/**
 * Hart-internal ops: register/immediate forms of the hottest inline ops, which decode.ts
 * substitutes for the general op when the operands allow (`mov_rr` = mov reg, reg). They follow
 * INLINE_OPS so the run loop's jump table stays dense; no table row maps to them directly.
 */
export const FAST_FORMS: readonly string[] = [
  'mov_rr', 'mov_ri', 'mov_rm', 'mov_mr', 'add_rr', 'add_ri', 'sub_rr', 'sub_ri', 'and_rr', 'and_ri', 'or_rr', 'or_ri',
  'xor_rr', 'xor_ri', 'cmp_rr', 'cmp_ri', 'cmp_rm', 'test_rr', 'test_ri', 'inc_r', 'dec_r', 'push_r', 'pop_r', 'add_rm',
  'sub_rm', 'and_rm', 'or_rm', 'xor_rm', 'shl_ri', 'shr_ri', 'sar_ri', 'imul_rr', 'movzx_rr', 'movsx_rr',
]

/** The generated AssemblyScript source. Deterministic: same table → same text. */
export function generateDecoder(rows: readonly X86Row[] = X86_ROWS): string {
  const decodable = rows.filter(isDecodable)
  const all = new Set(decodable.map(execName))
  for (const n of INLINE_OPS) if (!all.has(n)) throw new Error(`gen-decoder: inline op \`${n}\` has no table row`)
  const names = [...INLINE_OPS, ...FAST_FORMS, ...[...all].filter((n) => !INLINE_OPS.includes(n)).sort()]
  const execId = new Map(names.map((n, i) => [n, i + 1]))
  const out: string[] = []
  out.push('// GENERATED by src/main/machine/x86/hart/gen-decoder.ts from src/shared/isa/x86 — do not edit.')
  out.push('// Regenerate: node scripts/build-wasm.mjs (a test fails when this file is stale).')
  out.push('')
  out.push('/** No table row matches: #UD. */')
  out.push('export const X_INVALID: u16 = 0')
  for (const n of names) {
    const examples = decodable.filter((r) => execName(r) === n).map((r) => r.mnemonic)
    out.push(FAST_FORMS.includes(n) ? `/** hart-internal: ${n.replace('_', ' ')} form (decode.ts) */` : `/** ${[...new Set(examples)].slice(0, 6).join(', ')} */`)
    out.push(`export const X_${n.toUpperCase()}: u16 = ${execId.get(n)}`)
  }
  out.push(`export const X_COUNT: u16 = ${names.length + 1}`)
  out.push(`export const ROW_COUNT: i32 = ${rows.length}`)
  out.push('')
  out.push('/** Execute op of each row (0 for rows the decoder never returns). */')
  out.push(`export const ROW_EXEC: StaticArray<u16> = [${rows.map((r) => (isDecodable(r) ? execId.get(execName(r)) : 0)).join(', ')}]`)
  out.push('')
  out.push('/** Packed shape of each row (see gen-decoder.ts rowShape). */')
  out.push(`export const ROW_SHAPE: StaticArray<u32> = [${rows.map((r) => hex(rowShape(r), 8)).join(', ')}]`)
  out.push('')
  const modrm: number[] = []
  for (const map of MAPS) for (let op = 0; op < 256; op++) modrm.push(x86HasModrm(map, op) ? 1 : 0)
  out.push('/** Whether a ModRM byte follows the opcode, by map × 256 + opcode. */')
  out.push(`export const HAS_MODRM: StaticArray<u8> = [${modrm.join(', ')}]`)
  out.push('')
  out.push('/**')
  out.push(' * The row for an opcode in a map, or -1. modeBit: 1 = 16-bit, 2 = 32-bit, 4 = 64-bit code; rep: the last F2/F3')
  out.push(' * prefix or 0; osz / oszD64 / oszNo66: the effective operand size for ordinary, d64 and mandatory-66 rows.')
  out.push(' */')
  out.push('export function rowOf(map: u32, opcode: u32, modrm: u32, modeBit: u32, rep: u32, has66: bool, osz: u32, oszD64: u32, oszNo66: u32, asz: u32): i32 {')
  out.push('  switch ((map << 8) | opcode) {')
  for (const map of MAPS) {
    for (let op = 0; op < 256; op++) {
      const cands = x86DecodeCandidates(map, op)
      if (cands.length === 0) continue
      out.push(`    case ${hex((MAP_INDEX[map] << 8) | op, 3)}: {`)
      let unconditional = false
      for (const r of cands) {
        const cond = condition(r)
        if (cond === 'true') {
          out.push(`      return ${r.id} // ${r.name}`)
          unconditional = true
          break
        }
        out.push(`      if (${cond}) return ${r.id} // ${r.name}`)
      }
      if (!unconditional) out.push('      return -1')
      out.push('    }')
    }
  }
  out.push('    default: return -1')
  out.push('  }')
  out.push('}')
  out.push('')
  return out.join('\n')
}

/** Every execute op the generated decoder can produce (upper case, without `X_`). */
export function executeOps(rows: readonly X86Row[] = X86_ROWS): string[] {
  return [...new Set(rows.filter(isDecodable).map((r) => execName(r).toUpperCase()))].sort()
}
