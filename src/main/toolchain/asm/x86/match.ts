/**
 * Operand matching: does an operand fit a row's operand kind at a given operand size? The
 * answer has a "penalty" so the encoder can prefer exact fits (0) over fits that overflow
 * with a warning (1, nasm's "signed dword immediate exceeds bounds"), and never choose a form
 * that cannot hold the value (no match). Immediate-size rules follow nasm 2.16 (checked by the
 * differential tests): only sign-extended byte (`simm8`) and sign-extended dword (`immz` at
 * operand size 64) are fit-checked; other immediate fields take any value and warn.
 * Relocatable values fit no sign-extended byte; nasm lets them fit a sign-extended dword only
 * when nothing else matches, GNU as always.
 */
import type { OperandKind, X86Mode, X86Operand, X86Register, X86Row } from '../../../../shared/isa/x86'

/** What a kind means at one operand size. */
export interface KindInfo {
  /** Where the operand goes. */
  slot: 'reg' | 'rm' | 'opreg' | 'imm' | 'fixed' | 'rel' | 'far' | 'moffs' | 'sti' | 'one'
  /** Register class/size accepted (size 0 = any). */
  cls?: X86Register['cls']
  regSize?: number
  /** Memory accepted in the rm slot, and its size (0 = any). */
  mem?: boolean
  memSize?: number
  /** Register accepted in the rm slot. */
  reg?: boolean
  /** A far pointer in memory (m16:16/32/64). */
  far?: boolean
  /** A fixed register name (al, cl, dx, es…). */
  fixed?: string
  /** Immediate/relative field width in bytes. */
  bytes?: number
  /** Immediate checks: 'sbyte' sign-extended byte, 'sdword' sign-extended dword, 'plain' anything. */
  check?: 'sbyte' | 'sdword' | 'plain'
}

const GPR_RM: Record<string, number> = { 'r/m8': 8, 'r/m16': 16, 'r/m32': 32, 'r/m64': 64 }
const GPR_REG: Record<string, number> = { r8: 8, r16: 16, r32: 32, r64: 64 }
const MEM: Record<string, number> = { m: 0, m8: 8, m16: 16, m32: 32, m64: 64, m80: 80, m128: 128, m512: 512 }
const FIXED_SIZE: Record<string, number> = { al: 8, ax: 16, eax: 32, rax: 64, cl: 8, dx: 16, st0: 80 }

const ROW_INFOS: (readonly KindInfo[] | undefined)[] = []
const OSZ_SLOT = (osz: number | undefined): number => (osz === undefined ? 0 : osz === 16 ? 1 : osz === 32 ? 2 : 3)

/** The meaning of every operand kind of `row` at operand size `osz`; computed once, shared, read-only. */
export function rowInfos(row: X86Row, osz: number | undefined): readonly KindInfo[] {
  const slot = row.id * 4 + OSZ_SLOT(osz)
  let infos = ROW_INFOS[slot]
  if (!infos) ROW_INFOS[slot] = infos = Object.freeze(row.operands.map((k) => Object.freeze(kindInfo(k, osz, row))))
  return infos
}

/** The kind's meaning at operand size `osz` (undefined for rows without an operand-size attribute). */
function kindInfo(kind: OperandKind, osz: number | undefined, row: X86Row): KindInfo {
  const v = osz ?? 32
  if (kind in GPR_RM) return { slot: 'rm', cls: 'gpr', regSize: GPR_RM[kind], reg: true, mem: true, memSize: GPR_RM[kind] }
  if (kind in GPR_REG) return { slot: row.plusReg ? 'opreg' : 'reg', cls: 'gpr', regSize: GPR_REG[kind] }
  if (kind in MEM) return { slot: 'rm', mem: true, memSize: MEM[kind] }
  if (kind in FIXED_SIZE) return { slot: 'fixed', fixed: kind }
  switch (kind) {
    case 'rv': return { slot: row.plusReg ? 'opreg' : 'reg', cls: 'gpr', regSize: v }
    case 'r/mv': return { slot: 'rm', cls: 'gpr', regSize: v, reg: true, mem: true, memSize: v }
    case 'rv/m16': return { slot: 'rm', cls: 'gpr', regSize: v, reg: true, mem: true, memSize: 16 }
    case 'rv/m8': return { slot: 'rm', cls: 'gpr', regSize: v, reg: true, mem: true, memSize: 8 }
    case 'r32/m16': return { slot: 'rm', cls: 'gpr', regSize: 32, reg: true, mem: true, memSize: 16 }
    case 'r32/m8': return { slot: 'rm', cls: 'gpr', regSize: 32, reg: true, mem: true, memSize: 8 }
    case 'r32.rm': return { slot: 'rm', cls: 'gpr', regSize: 32, reg: true }
    case 'r64.rm': return { slot: 'rm', cls: 'gpr', regSize: 64, reg: true }
    case 'rv.rm': return { slot: 'rm', cls: 'gpr', regSize: v, reg: true }
    case 'mv': return { slot: 'rm', mem: true, memSize: v }
    case 'mfar': return { slot: 'rm', mem: true, memSize: v, far: true }
    case 'accv': return { slot: 'fixed', fixed: ['ax', 'eax', 'rax'][[16, 32, 64].indexOf(v)] }
    case 'es': case 'cs': case 'ss': case 'ds': case 'fs': case 'gs': return { slot: 'fixed', fixed: kind }
    case 'sreg': return { slot: 'reg', cls: 'seg' }
    case 'cr': return { slot: 'reg', cls: 'cr' }
    case 'dr': return { slot: 'reg', cls: 'dr' }
    case 'xmm': return { slot: 'reg', cls: 'xmm' }
    case 'mm': return { slot: 'reg', cls: 'mm' }
    case 'xmm.rm': return { slot: 'rm', cls: 'xmm', reg: true }
    case 'mm.rm': return { slot: 'rm', cls: 'mm', reg: true }
    case 'xmm/m16': return { slot: 'rm', cls: 'xmm', reg: true, mem: true, memSize: 16 }
    case 'xmm/m32': return { slot: 'rm', cls: 'xmm', reg: true, mem: true, memSize: 32 }
    case 'xmm/m64': return { slot: 'rm', cls: 'xmm', reg: true, mem: true, memSize: 64 }
    case 'xmm/m128': return { slot: 'rm', cls: 'xmm', reg: true, mem: true, memSize: 128 }
    case 'mm/m32': return { slot: 'rm', cls: 'mm', reg: true, mem: true, memSize: 32 }
    case 'mm/m64': return { slot: 'rm', cls: 'mm', reg: true, mem: true, memSize: 64 }
    case 'st(i)': return { slot: 'sti', cls: 'st' }
    case '1': return { slot: 'one' }
    case 'imm8': return { slot: 'imm', bytes: 1, check: 'plain' }
    case 'imm16': return { slot: 'imm', bytes: 2, check: 'plain' }
    case 'imm32': return { slot: 'imm', bytes: 4, check: 'plain' }
    case 'imm64': return { slot: 'imm', bytes: 8, check: 'plain' }
    case 'immz': return { slot: 'imm', bytes: v === 16 ? 2 : 4, check: v === 64 ? 'sdword' : 'plain' }
    case 'immv': return { slot: 'imm', bytes: v / 8, check: 'plain' }
    case 'simm8': return { slot: 'imm', bytes: 1, check: 'sbyte' }
    case 'rel8': return { slot: 'rel', bytes: 1 }
    case 'relz': return { slot: 'rel', bytes: v === 16 ? 2 : 4 }
    case 'ptr16:z': return { slot: 'far', bytes: v === 16 ? 2 : 4 }
    case 'moffs8': case 'moffsv': return { slot: 'moffs' }
  }
  throw new Error(`x86 encoder: no meaning for operand kind ${kind}`)
}

export const signedFits = (v: bigint, bits: number): boolean => v >= -(1n << BigInt(bits - 1)) && v < 1n << BigInt(bits - 1)

/** nasm's sign-extended-byte test: the value, truncated to the operand size (32 at most), as a signed byte. */
export function fitsSbyte(v: bigint, osz: number | undefined): boolean {
  const bits = Math.min(osz ?? 32, 32)
  return signedFits(BigInt.asIntN(bits, v), 8)
}

/**
 * Whether `op` fits kind `info`: undefined = no, otherwise the penalty (0 exact, 1 overflows
 * with a warning). Relative and far operands are checked by the encoder, which knows lengths.
 */
export function operandFits(info: KindInfo, op: X86Operand<unknown>, osz: number | undefined, mode: X86Mode, dialect: 'nasm' | 'gas' = 'nasm'): number | undefined {
  switch (info.slot) {
    case 'reg': case 'opreg':
      return op.kind === 'reg' && op.reg.cls === info.cls && (!info.regSize || op.reg.size === info.regSize) ? 0 : undefined
    case 'fixed':
      return op.kind === 'reg' && op.reg.name === info.fixed ? 0 : undefined
    case 'sti':
      return op.kind === 'reg' && op.reg.cls === 'st' ? 0 : undefined
    case 'rm':
      if (op.kind === 'reg') return info.reg && op.reg.cls === info.cls && (!info.regSize || op.reg.size === info.regSize) ? 0 : undefined
      if (op.kind !== 'mem' || !info.mem) return undefined
      if (!!op.far !== !!info.far) return undefined
      return op.size === undefined || !info.memSize || op.size === info.memSize ? 0 : undefined
    case 'moffs':
      // (`[dword x]` in 64-bit code is a ModRM+SIB address with a dword displacement, not moffs32.)
      return op.kind === 'mem' && !op.base && !op.index && !op.rel && !op.far && op.disp !== undefined && op.dispSize !== 8 && !(mode === 64 && op.dispSize === 32) ? 0 : undefined
    case 'one':
      return op.kind === 'imm' && !op.value.sym && op.value.value === 1n && op.size === undefined ? 0 : undefined
    case 'imm': {
      if (op.kind !== 'imm' || op.jump) return undefined
      const v = op.value
      if (info.check === 'sbyte') {
        if (op.size === 8) return 0
        if (op.strict || v.sym) return undefined
        return fitsSbyte(v.value, osz) ? 0 : undefined
      }
      if (op.size === 8 && info.bytes !== 1) return undefined
      if (op.strict && op.size !== undefined && op.size !== info.bytes! * 8) return undefined
      if (info.check === 'sdword' && !v.sym && !signedFits(v.value, 32)) return 1
      // nasm never proves that an address fits a sign-extended dword: `mov rax, label` is
      // B8 imm64; where no 64-bit form exists (`push label`, `add rax, label`) it uses the dword.
      if (info.check === 'sdword' && v.sym !== undefined && dialect === 'nasm') return 1
      return 0
    }
    case 'rel':
      // A size on a relative target picks the field (`call dword x` / GNU `calll x` in 16-bit code: 66 E8 rel32).
      return op.kind === 'imm' && (op.size === undefined || op.size === info.bytes! * 8) ? 0 : undefined
    case 'far':
      return op.kind === 'far' ? 0 : undefined
  }
}
