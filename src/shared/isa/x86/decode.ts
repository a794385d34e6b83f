/**
 * The reference x86 decoder: instruction bytes + mode → the table row and its operands in the
 * operand model, following SDM Vol. 2 chapter 2 (prefixes, REX, opcode maps, ModRM/SIB,
 * displacement, immediates) and the row-selection rules of /work/coord/x86-isa.md §3. The
 * disassembler prints what it returns; the x86 hart's generated decoder can be tested against it.
 */
import { gpr, X86_REGISTERS, type X86Register } from './registers'
import { MODE_BIT, type OperandKind, type X86Map, type X86Mode, type X86Row } from './types'
import { x86DecodeCandidates, x86HasModrm } from './table'
import type { X86Operand } from './operands'

export interface X86Decoded {
  row: X86Row
  length: number
  /** Operands in Intel order, with relative targets already made absolute (`value` = target address). */
  operands: X86Operand[]
  /** Operand and address size in effect. */
  osz: 16 | 32 | 64
  asz: 16 | 32 | 64
  /** Legacy prefixes that were not consumed as mandatory prefixes (for printing `rep`, `lock`, `data16` …). */
  prefixes: number[]
  rex: number
  /** Segment override byte, if any. */
  segment?: number
  /** Kinds of the row's operands (to print sizes). */
  kinds: readonly OperandKind[]
}

const SEG_BY_PREFIX: Record<number, string> = { 0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs' }
const BY_CLASS = new Map<string, X86Register>()
for (const r of X86_REGISTERS) BY_CLASS.set(`${r.cls}${r.cls === 'gpr' ? r.size : ''}:${r.num}`, r)
const reg = (cls: string, num: number, size = 0): X86Register => BY_CLASS.get(`${cls}${cls === 'gpr' ? size : ''}:${num}`)!

function s8(b: number): bigint {
  return BigInt((b << 24) >> 24)
}

/** Decodes one instruction at `at`; undefined when the bytes are not an instruction of the table (objdump's `(bad)`). */
export function decodeX86(bytes: Uint8Array, at: number, mode: X86Mode, address = 0n): X86Decoded | undefined {
  let i = at
  const end = Math.min(bytes.length, at + 15)
  const prefixes: number[] = []
  let segment: number | undefined
  let rex = 0
  for (; i < end; i++) {
    const b = bytes[i]
    if (b === 0xf0 || b === 0xf2 || b === 0xf3 || b === 0x66 || b === 0x67 || b in SEG_BY_PREFIX) {
      prefixes.push(b)
      if (b in SEG_BY_PREFIX) segment = b
      rex = 0
      continue
    }
    if (mode === 64 && b >= 0x40 && b <= 0x4f) {
      // A REX prefix only counts right before the opcode.
      rex = b
      if (i + 1 < end && (bytes[i + 1] >= 0x40 && bytes[i + 1] <= 0x4f)) continue
      i++
      break
    }
    break
  }
  if (i >= end) return undefined
  let map: X86Map = 'legacy'
  let op = bytes[i++]
  if (op === 0x0f) {
    if (i >= end) return undefined
    op = bytes[i++]
    map = '0F'
    if (op === 0x38 || op === 0x3a) {
      map = op === 0x38 ? '0F38' : '0F3A'
      if (i >= end) return undefined
      op = bytes[i++]
    }
  }
  const cands = x86DecodeCandidates(map, op)
  if (cands.length === 0) return undefined
  let modrm = -1
  if (x86HasModrm(map, op)) {
    if (i >= end) return undefined
    modrm = bytes[i++]
  }
  const has66 = prefixes.includes(0x66)
  const lastRep = [...prefixes].reverse().find((p) => p === 0xf2 || p === 0xf3)
  const mandatory = lastRep ?? (has66 ? 0x66 : 0)
  const rexW = (rex & 8) !== 0
  const asz: 16 | 32 | 64 = mode === 64 ? (prefixes.includes(0x67) ? 32 : 64) : (mode === 32) !== prefixes.includes(0x67) ? 32 : 16

  let row: X86Row | undefined
  let osz: 16 | 32 | 64 = 32
  for (const r of cands) {
    if (!(r.modes & MODE_BIT[mode])) continue
    if (r.prefix && r.prefix !== mandatory) continue
    const o66 = has66 && r.prefix !== 0x66
    let o: 16 | 32 | 64
    if (mode === 64) o = r.flags.f64 ? 64 : rexW ? 64 : o66 ? 16 : r.flags.d64 ? 64 : 32
    else o = (mode === 16) !== o66 ? 16 : 32
    if (typeof r.opsize === 'number' && r.opsize !== o) continue
    if (r.addrSize !== undefined && r.addrSize !== asz) continue
    if (r.modrm) {
      const mod = modrm >> 6
      const regf = (modrm >> 3) & 7
      if (r.modrm.reg !== 'r' && !r.modrm.anyReg && r.modrm.reg !== regf) continue
      if (!r.flags.nomod && r.modrm.mod === 'mem' && mod === 3) continue
      if (!r.flags.nomod && r.modrm.mod === 'reg' && mod !== 3) continue
      if (r.modrm.rm !== undefined && (modrm & 7) !== r.modrm.rm) continue
    }
    // 90 is nop unless REX.B names r8 (xchg r8, rax).
    if (r.mnemonic === 'nop' && r.opcode === 0x90 && (rex & 1)) continue
    row = r
    osz = o
    break
  }
  if (!row) return undefined
  const consumed = row.prefix
  const kept = prefixes.filter((p, k) => !(p === consumed && k === prefixes.lastIndexOf(consumed)))

  // Operands.
  const ops: X86Operand[] = []
  let memOp: X86Operand | undefined
  const regField = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0)
  const rmField = (modrm & 7) | (rex & 1 ? 8 : 0)
  const opReg = (op & 7) | (rex & 1 ? 8 : 0)
  const gp = (size: number, num: number): X86Register => (size === 8 ? gpr(8, num, rex !== 0) : gpr(size as 16, num))

  const readMem = (): X86Operand | undefined => {
    if (memOp) return memOp
    const mod = modrm >> 6
    const rm = modrm & 7
    if (asz === 16) {
      const combos: [string | undefined, string | undefined][] = [['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si', undefined], ['di', undefined], ['bp', undefined], ['bx', undefined]]
      let [b, x] = combos[rm]
      let dispBytes = mod === 1 ? 1 : mod === 2 ? 2 : 0
      if (mod === 0 && rm === 6) {
        b = undefined
        x = undefined
        dispBytes = 2
      }
      if (i + dispBytes > end) return undefined
      const disp = dispBytes === 1 ? s8(bytes[i]) : dispBytes === 2 ? BigInt((bytes[i] | (bytes[i + 1] << 8)) << 16 >> 16) : 0n
      i += dispBytes
      memOp = { kind: 'mem', base: b ? gpr(16, ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'].indexOf(b)) : undefined, index: x ? gpr(16, ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'].indexOf(x)) : undefined, scale: 1, disp: dispBytes ? { value: disp } : undefined, dispSize: dispBytes ? (dispBytes * 8) as 8 : undefined }
      return memOp
    }
    let base: X86Register | undefined
    let index: X86Register | undefined
    let scale: 1 | 2 | 4 | 8 = 1
    let dispBytes = mod === 1 ? 1 : mod === 2 ? 4 : 0
    let rip = false
    if (rm === 4) {
      if (i >= end) return undefined
      const sib = bytes[i++]
      scale = (1 << (sib >> 6)) as 1
      const idx = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0)
      const bse = (sib & 7) | (rex & 1 ? 8 : 0)
      if (idx !== 4) index = gpr(asz as 32, idx)
      if ((sib & 7) === 5 && mod === 0) dispBytes = 4
      else base = gpr(asz as 32, bse)
      if (!index) scale = 1
    } else if (rm === 5 && mod === 0) {
      dispBytes = 4
      if (mode === 64) rip = true
    } else base = gpr(asz as 32, rmField)
    if (i + dispBytes > end) return undefined
    let disp = 0n
    if (dispBytes === 1) disp = s8(bytes[i])
    else if (dispBytes === 4) disp = BigInt((bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) | 0)
    i += dispBytes
    if (rip) base = X86_REGISTERS.find((r) => r.name === (asz === 64 ? 'rip' : 'eip'))
    memOp = { kind: 'mem', base, index, scale, disp: dispBytes ? { value: disp } : undefined, dispSize: dispBytes ? (dispBytes * 8) as 8 : undefined, rel: rip || undefined }
    return memOp
  }

  const immPending: { kind: OperandKind; index: number }[] = []
  for (let k = 0; k < row.operands.length; k++) {
    const kind = row.operands[k]
    const v = osz
    const sizeOf: Record<string, number> = { r8: 8, r16: 16, r32: 32, r64: 64, rv: v, 'r/m8': 8, 'r/m16': 16, 'r/m32': 32, 'r/m64': 64, 'r/mv': v, 'r32/m16': 32, 'r32/m8': 32, 'rv/m16': v, 'rv/m8': v, 'r32.rm': 32, 'r64.rm': 64, 'rv.rm': v }
    switch (kind) {
      case 'r8': case 'r16': case 'r32': case 'r64': case 'rv':
        ops.push({ kind: 'reg', reg: gp(sizeOf[kind], row.plusReg ? opReg : regField) })
        break
      case 'r/m8': case 'r/m16': case 'r/m32': case 'r/m64': case 'r/mv': case 'r32/m16': case 'r32/m8': case 'rv/m16': case 'rv/m8':
      case 'r32.rm': case 'r64.rm': case 'rv.rm':
        if (modrm >> 6 === 3 || row.flags.nomod) ops.push({ kind: 'reg', reg: gp(sizeOf[kind], rmField) })
        else {
          const m = readMem()
          if (!m) return undefined
          ops.push(m)
        }
        break
      case 'm': case 'm8': case 'm16': case 'm32': case 'm64': case 'm80': case 'm128': case 'm512': case 'mv': case 'mfar': {
        const m = readMem()
        if (!m) return undefined
        ops.push(m)
        break
      }
      case 'xmm/m16': case 'xmm/m32': case 'xmm/m64': case 'xmm/m128': case 'mm/m32': case 'mm/m64': case 'xmm.rm': case 'mm.rm': {
        const cls = kind.startsWith('xmm') ? 'xmm' : 'mm'
        if (modrm >> 6 === 3) ops.push({ kind: 'reg', reg: reg(cls, cls === 'mm' ? modrm & 7 : rmField) })
        else {
          const m = readMem()
          if (!m) return undefined
          ops.push(m)
        }
        break
      }
      case 'xmm': ops.push({ kind: 'reg', reg: reg('xmm', regField) }); break
      case 'mm': ops.push({ kind: 'reg', reg: reg('mm', (modrm >> 3) & 7) }); break
      case 'sreg': {
        const n = (modrm >> 3) & 7
        if (n > 5) return undefined
        ops.push({ kind: 'reg', reg: reg('seg', n) })
        break
      }
      case 'cr': ops.push({ kind: 'reg', reg: reg('cr', regField) }); break
      case 'dr': ops.push({ kind: 'reg', reg: reg('dr', regField) }); break
      case 'st(i)': ops.push({ kind: 'reg', reg: reg('st', modrm & 7) }); break
      case 'st0': ops.push({ kind: 'reg', reg: reg('st', 0) }); break
      case 'al': case 'cl': ops.push({ kind: 'reg', reg: gpr(8, kind === 'al' ? 0 : 1) }); break
      case 'ax': case 'dx': ops.push({ kind: 'reg', reg: gpr(16, kind === 'ax' ? 0 : 2) }); break
      case 'eax': ops.push({ kind: 'reg', reg: gpr(32, 0) }); break
      case 'rax': ops.push({ kind: 'reg', reg: gpr(64, 0) }); break
      case 'accv': ops.push({ kind: 'reg', reg: gpr(v as 16, 0) }); break
      case 'es': case 'cs': case 'ss': case 'ds': case 'fs': case 'gs': ops.push({ kind: 'reg', reg: X86_REGISTERS.find((r) => r.name === kind)! }); break
      case '1': ops.push({ kind: 'imm', value: { value: 1n } }); break
      default:
        immPending.push({ kind, index: ops.length })
        ops.push({ kind: 'imm', value: { value: 0n } })
    }
  }
  if (row.tail) i += row.tail.length
  // Immediates follow the displacement, in operand order.
  for (const { kind, index } of immPending) {
    const read = (n: number, signed: boolean): bigint | undefined => {
      if (i + n > end) return undefined
      let v = 0n
      for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i + k])
      i += n
      return signed ? BigInt.asIntN(n * 8, v) : v
    }
    let value: bigint | undefined
    switch (kind) {
      case 'imm8': value = read(1, false); break
      case 'imm16': value = read(2, false); break
      case 'imm32': value = read(4, false); break
      case 'imm64': value = read(8, false); break
      case 'simm8': value = read(1, true); break
      case 'immz': value = osz === 16 ? read(2, false) : read(4, osz === 64); break
      case 'immv': value = read(osz / 8, false); break
      case 'rel8': case 'relz': {
        const n = kind === 'rel8' ? 1 : osz === 16 ? 2 : 4
        const d = read(n, true)
        if (d === undefined) return undefined
        const next = address + BigInt(i - at)
        value = mode === 64 ? BigInt.asUintN(64, next + d) : osz === 16 ? BigInt.asUintN(16, next + d) : BigInt.asUintN(32, next + d)
        break
      }
      case 'ptr16:z': {
        const off = read(osz === 16 ? 2 : 4, false)
        const sel = read(2, false)
        if (off === undefined || sel === undefined) return undefined
        ops[index] = { kind: 'far', selector: { value: sel }, offset: { value: off } }
        continue
      }
      case 'moffs8': case 'moffsv': {
        const d = read(asz / 8, false)
        if (d === undefined) return undefined
        ops[index] = { kind: 'mem', scale: 1, disp: { value: d }, dispSize: asz }
        continue
      }
    }
    if (value === undefined) return undefined
    ops[index] = { kind: 'imm', value: { value } }
  }
  if (segment !== undefined) for (const o of ops) if (o.kind === 'mem') o.seg = X86_REGISTERS.find((r) => r.name === SEG_BY_PREFIX[segment!])
  return { row, length: i - at, operands: ops, osz, asz, prefixes: kept, rex, segment, kinds: row.operands }
}
