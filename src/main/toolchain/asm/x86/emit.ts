/**
 * Emits one chosen table form (row + operand size) with its operands as bytes and fixups, in
 * the order of SDM Vol. 2, 2.1 "Instruction Format": legacy prefixes, mandatory prefix, REX,
 * opcode (escape bytes, opcode, `+r`), ModRM, SIB, displacement, immediates. Legacy prefixes
 * come in the order each reference assembler writes them (nasm: rep, lock, segment, 66, 67;
 * GNU as: segment, 67, 66, rep, lock), so the bytes are the same as theirs.
 */
import type { X86FarOperand, X86ImmOperand, X86MemOperand, X86Mode, X86Operand, X86Prefix, X86Register, X86Row, X86Value } from '../../../../shared/isa/x86'
import { encodeAddress, type EncodedAddress } from './address'
import type { KindInfo } from './match'

export type X86Dialect = 'nasm' | 'gas'

export interface X86Fixup<E> {
  /** Byte offset of the field in the instruction. */
  offset: number
  size: 1 | 2 | 4 | 8
  /** Relative to the field's own address (R_X86_64_PC32 …); the addend is `value.value − toEnd`. */
  pcrel: boolean
  /** A 32-bit field the CPU sign-extends to 64 bits (R_X86_64_32S). */
  signed: boolean
  value: X86Value<E>
  /** Bytes from the field to the end of the instruction (what a PC-relative addend subtracts). */
  toEnd: number
}

export interface Emitted<E> {
  bytes: number[]
  fixups: X86Fixup<E>[]
  warnings: string[]
  /** Relative fields to patch once the length is known: [offset, size, target]. */
  relPatches: [number, number, bigint][]
}

const SEG_PREFIX: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 }
const ESCAPE: Record<X86Row['map'], number[]> = { legacy: [], '0F': [0x0f], '0F38': [0x0f, 0x38], '0F3A': [0x0f, 0x3a] }

export interface EmitContext {
  mode: X86Mode
  dialect: X86Dialect
  prefixes: readonly X86Prefix[]
  /** Address size from an `a16/a32/a64` prefix. */
  prefixAsz?: 16 | 32 | 64
  ip?: bigint
}

export type EmitResult<E> = { ok: true; out: Emitted<E> } | { ok: false; message: string; operand?: number }

/** Appends the low `n` bytes of `v`, little-endian (32-bit halves as numbers: no BigInt per byte). */
function writeLE(out: number[], v: bigint, n: number): void {
  if (v === 0n) {
    for (let i = 0; i < n; i++) out.push(0)
    return
  }
  let lo = Number(BigInt.asUintN(32, v))
  for (let i = 0; i < n && i < 4; i++, lo >>>= 8) out.push(lo & 0xff)
  if (n <= 4) return
  let hi = Number(BigInt.asUintN(32, v >> 32n))
  for (let i = 4; i < n; i++, hi >>>= 8) out.push(hi & 0xff)
}

/** Bounds of a field of 1, 2, 4 or 8 bytes: [lowest signed, highest signed + 1, highest unsigned + 1]. */
const BOUNDS: Record<number, readonly [bigint, bigint, bigint]> = Object.fromEntries(
  [1, 2, 4, 8].map((n) => [n, [-(1n << BigInt(8 * n - 1)), 1n << BigInt(8 * n - 1), 1n << BigInt(8 * n)] as const]),
)

/** nasm's overflow warning for a field of `n` bytes (it accepts signed and unsigned ranges). */
function overflowWarning(v: bigint, n: number, signedOnly: boolean): string | undefined {
  const [lo, sHi, uHi] = BOUNDS[n]
  if (v >= lo && v < (signedOnly ? sHi : uHi)) return undefined
  const name = n === 1 ? 'byte' : n === 2 ? 'word' : n === 4 ? 'dword' : 'qword'
  return signedOnly ? `signed ${name} value exceeds bounds` : `${name} data exceeds bounds`
}

export function emitForm<E>(row: X86Row, osz: number | undefined, ops: readonly X86Operand<E>[], infos: readonly KindInfo[], ctx: EmitContext): EmitResult<E> {
  const { mode } = ctx
  const warnings: string[] = []
  const fixups: X86Fixup<E>[] = []
  const relPatches: [number, number, bigint][] = []
  let regOp: X86Register | undefined
  let rmIndex = -1
  let moffsIndex = -1
  let opreg = false
  let stiReg: X86Register | undefined
  let memOp: X86MemOperand<E> | undefined
  const regs: X86Register[] = []
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]
    const op = ops[i]
    if (op.kind === 'reg') regs.push(op.reg)
    else if (op.kind === 'mem') memOp ??= op
    if (info.slot === 'reg' || info.slot === 'opreg') {
      regOp = (op as { reg: X86Register }).reg
      opreg ||= info.slot === 'opreg'
    } else if (info.slot === 'rm') rmIndex = i
    else if (info.slot === 'sti') stiReg = (op as { reg: X86Register }).reg
    else if (info.slot === 'moffs') moffsIndex = i
  }
  const rmOp = rmIndex >= 0 ? ops[rmIndex] : undefined

  // Address (ModRM memory operand or moffs) and its size.
  let addr: EncodedAddress<E> | undefined
  let asz: number = row.addrSize ?? ctx.prefixAsz ?? mode
  let segment: X86Register | undefined
  if (rmOp?.kind === 'mem') {
    const r = encodeAddress(rmOp, mode, ctx.prefixAsz)
    if (!r.ok) return { ok: false, message: r.error, operand: rmIndex }
    addr = r.addr
    asz = addr.addrSize
    if (addr.warning) warnings.push(addr.warning)
  } else if (moffsIndex >= 0) {
    const m = ops[moffsIndex] as X86MemOperand<E>
    asz = m.dispSize === 16 || m.dispSize === 32 || m.dispSize === 64 ? m.dispSize : (ctx.prefixAsz ?? mode)
    if (asz === 16 && mode === 64) return { ok: false, message: '16-bit addressing is not available in `bits 64`', operand: moffsIndex }
    if (asz === 64 && mode !== 64) return { ok: false, message: `64-bit addressing is not available in \`bits ${mode}\``, operand: moffsIndex }
  }
  if (memOp?.seg) segment = memOp.seg

  // REX.
  let rexW = 0
  if ((osz === 64 && !row.flags.d64 && !row.flags.f64) || ctx.prefixes.includes('o64')) rexW = 1
  let rexR = 0
  let rexX = 0
  let rexB = 0
  if (regOp) {
    if (opreg) rexB = regOp.num >> 3
    else rexR = regOp.num >> 3
  }
  if (rmOp?.kind === 'reg') rexB = rmOp.reg.num >> 3
  if (addr) {
    rexX = addr.rexX
    rexB = addr.rexB
  }
  if (row.flags.dup && regOp) rexB = regOp.num >> 3
  const needRex = rexW || rexR || rexX || rexB || regs.some((r) => r.needsRex) || addr?.needsRex
  if (needRex) {
    if (mode !== 64) return { ok: false, message: `this form needs a REX prefix, which \`bits ${mode}\` does not have` }
    const high = regs.find((r) => r.noRex)
    if (high) return { ok: false, message: `\`${high.name}\` cannot be used in an instruction that needs a REX prefix`, operand: ops.findIndex((o) => o.kind === 'reg' && o.reg === high) }
  }

  const out: number[] = []
  if (row.flags.wait) out.push(0x9b)
  // Legacy prefixes.
  const rep = ctx.prefixes.find((p) => p.startsWith('rep'))
  const repByte = rep === undefined ? undefined : rep === 'repne' || rep === 'repnz' ? 0xf2 : 0xf3
  const lock = ctx.prefixes.includes('lock')
  const segName = segment?.name ?? ctx.prefixes.find((p) => p in SEG_PREFIX)
  const need66 = (osz !== undefined && (osz === 16) !== (mode === 16)) || (ctx.prefixes.includes('o16') && mode !== 16) || (ctx.prefixes.includes('o32') && mode === 16)
  const need67 = asz !== mode && !(mode === 64 && asz === 64)
  if (ctx.dialect === 'nasm') {
    if (repByte) out.push(repByte)
    if (lock) out.push(0xf0)
    if (segName) out.push(SEG_PREFIX[segName])
    if (need66) out.push(0x66)
    if (need67) out.push(0x67)
  } else {
    if (segName) out.push(SEG_PREFIX[segName])
    if (need67) out.push(0x67)
    if (need66) out.push(0x66)
    if (repByte) out.push(repByte)
    if (lock) out.push(0xf0)
  }
  if (row.prefix) out.push(row.prefix)
  if (needRex) out.push(0x40 | (rexW << 3) | (rexR << 2) | (rexX << 1) | rexB)
  for (const b of ESCAPE[row.map]) out.push(b)
  out.push(row.plusReg && regOp ? row.opcode | (regOp.num & 7) : row.opcode)
  if (row.tail) for (const b of row.tail) out.push(b)

  // ModRM, SIB, displacement.
  if (row.modrm) {
    const m = row.modrm
    const reg = m.reg === 'r' ? (regOp ? regOp.num & 7 : 0) : m.reg
    let modrm: number
    if (m.rmIsSti) modrm = 0xc0 | (reg << 3) | (stiReg ? stiReg.num : 0)
    else if (m.rm !== undefined) modrm = 0xc0 | (reg << 3) | m.rm
    else if (row.flags.dup && regOp) modrm = 0xc0 | (reg << 3) | (regOp.num & 7)
    else if (rmOp?.kind === 'reg') modrm = 0xc0 | (reg << 3) | (rmOp.reg.num & 7)
    else if (addr) modrm = (addr.mod << 6) | (reg << 3) | addr.rm
    else return { ok: false, message: `x86 table row \`${row.source}\` has a ModRM byte but no r/m operand` }
    out.push(modrm)
    if (addr) {
      if (addr.sib !== undefined) out.push(addr.sib)
      if (addr.dispBytes) {
        const d = addr.disp ?? { value: 0n }
        const at = out.length
        if (addr.ripRelative && d.sym !== undefined) {
          if (d.local && ctx.ip !== undefined) relPatches.push([at, 4, d.value])
          else fixups.push({ offset: at, size: 4, pcrel: true, signed: true, value: d, toEnd: 0 })
          writeLE(out, 0n, 4)
        } else if (d.sym !== undefined) {
          fixups.push({ offset: at, size: addr.dispBytes as 1 | 2 | 4, pcrel: false, signed: addr.dispSigned, value: d, toEnd: 0 })
          writeLE(out, 0n, addr.dispBytes)
        } else {
          if (addr.dispBytes > 1) {
            const w = overflowWarning(d.value, addr.dispBytes, false)
            if (w) warnings.push(w)
          }
          writeLE(out, d.value, addr.dispBytes)
        }
      }
    }
  }

  // Immediates, relative targets, far pointers, moffs — in operand order.
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]
    const op = ops[i]
    if (info.slot === 'imm') {
      const v = (op as X86ImmOperand<E>).value
      const n = info.bytes!
      if (v.sym !== undefined) {
        fixups.push({ offset: out.length, size: n as 1 | 2 | 4 | 8, pcrel: false, signed: info.check === 'sdword' || info.check === 'sbyte', value: v, toEnd: 0 })
        writeLE(out, 0n, n)
      } else {
        const w = info.check === 'sdword' ? overflowWarning(v.value, 4, true) : info.check === 'sbyte' ? overflowWarning(BigInt.asIntN(Math.min(osz ?? 32, 32), v.value), 1, true) : overflowWarning(v.value, n, false)
        if (w) warnings.push(w)
        writeLE(out, v.value, n)
      }
    } else if (info.slot === 'rel') {
      const v = (op as X86ImmOperand<E>).value
      const n = info.bytes!
      if (v.local && ctx.ip !== undefined) relPatches.push([out.length, n, v.value])
      else fixups.push({ offset: out.length, size: n as 1 | 2 | 4, pcrel: true, signed: true, value: v, toEnd: 0 })
      writeLE(out, 0n, n)
    } else if (info.slot === 'far') {
      const f = op as X86FarOperand<E>
      const n = info.bytes!
      for (const [v, size] of [[f.offset, n], [f.selector, 2]] as const) {
        if (v.sym !== undefined) fixups.push({ offset: out.length, size: size as 2 | 4, pcrel: false, signed: false, value: v, toEnd: 0 })
        else {
          const w = overflowWarning(v.value, size, false)
          if (w) warnings.push(w)
        }
        writeLE(out, v.sym !== undefined ? 0n : v.value, size)
      }
    } else if (info.slot === 'moffs') {
      const m = op as X86MemOperand<E>
      const n = asz / 8
      const d = m.disp!
      if (d.sym !== undefined) fixups.push({ offset: out.length, size: n as 2 | 4 | 8, pcrel: false, signed: false, value: d, toEnd: 0 })
      writeLE(out, d.sym !== undefined ? 0n : d.value, n)
    }
  }
  for (const f of fixups) f.toEnd = out.length - f.offset
  return { ok: true, out: { bytes: out, fixups, warnings, relPatches } }
}

/** Fills the relative fields of a local target once the instruction's length is final. */
export function patchRelative<E>(e: Emitted<E>, ip: bigint): string | undefined {
  if (e.relPatches.length === 0) return undefined
  const end = ip + BigInt(e.bytes.length)
  for (const [at, size, target] of e.relPatches) {
    const d = target - end
    const [lo, hi] = BOUNDS[size]
    if (d < lo || d >= hi) return size === 1 ? 'short jump is out of range' : 'relative target is out of range'
    let n = Number(BigInt.asIntN(32, d))
    for (let i = 0; i < size; i++, n >>= 8) e.bytes[at + i] = n & 0xff
  }
  return undefined
}
