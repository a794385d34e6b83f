/**
 * Effective addresses: a memory operand → ModRM mod/rm, SIB and displacement bytes, following
 * SDM Vol. 2, 2.1.5 (Tables 2-1 "16-Bit Addressing Forms with the ModR/M Byte", 2-2 "32-Bit
 * Addressing Forms with the ModR/M Byte", 2-3 "32-Bit Addressing Forms with the SIB Byte") and
 * 2.2.1.6 "RIP-Relative Addressing". Registers are encoded exactly as the operand gives them —
 * choosing base vs index (nasm's `[eax*2]` → `[eax+eax]`) is the front end's business.
 */
import type { X86MemOperand, X86Mode, X86Value } from '../../../../shared/isa/x86'

export interface EncodedAddress<E> {
  /** 16, 32 or 64: decides the 67 prefix. */
  addrSize: 16 | 32 | 64
  mod: number
  rm: number
  sib?: number
  /** REX.X and REX.B contributions (bit 3 of index and base). */
  rexX: number
  rexB: number
  /** Any register of the address needs a REX prefix. */
  needsRex: boolean
  dispBytes: 0 | 1 | 2 | 4
  /** The displacement value: a constant, a relocatable value, or RIP-relative. */
  disp?: X86Value<E>
  /** The displacement is relative to the end of the instruction (RIP-relative). */
  ripRelative: boolean
  /** A 32-bit displacement in 64-bit addressing is sign-extended (R_X86_64_32S for a symbol). */
  dispSigned: boolean
  /** Warning about the displacement (e.g. a forced `byte` displacement that does not fit). */
  warning?: string
}

export type AddressResult<E> = { ok: true; addr: EncodedAddress<E> } | { ok: false; error: string }

const fitsS8 = (v: bigint): boolean => v >= -128n && v <= 127n

/** The address size of a memory operand: from its registers, else from the written prefix/size, else the mode's. */
export function addressSize(mem: X86MemOperand<unknown>, mode: X86Mode, prefixSize?: 16 | 32 | 64): 16 | 32 | 64 | string {
  let size: number | undefined
  for (let k = 0; k < 2; k++) {
    const r = k === 0 ? mem.base : mem.index
    if (r === undefined) continue
    if (r.cls !== 'gpr' && r.cls !== 'ip') return `\`${r.name}\` cannot be used in an address`
    if (r.size === 8) return `\`${r.name}\` is a byte register: addresses use 16-, 32- or 64-bit registers`
    if (size !== undefined && size !== r.size) return `\`${mem.base!.name}\` and \`${r.name}\` have different sizes in one address`
    size = r.size
  }
  if (size === undefined) {
    // In 64-bit code `[dword x]` only sizes the displacement (64-bit addressing, disp32 via SIB),
    // and no 16-bit address exists (nasm: "impossible combination of address sizes").
    if (mode === 64 && mem.dispSize === 16) return 'impossible combination of address sizes: 16-bit addressing is not available in `bits 64`'
    if ((mem.dispSize === 16 || mem.dispSize === 32) && mode !== 64) size = mem.dispSize
    else size = prefixSize ?? mode
  }
  if (prefixSize !== undefined && (mem.base || mem.index) && prefixSize !== size) return `the address uses ${size}-bit registers but the prefix asks for ${prefixSize}-bit addressing`
  if (size === 64 && mode !== 64) return `64-bit addressing is not available in \`bits ${mode}\``
  if (size === 16 && mode === 64) return '16-bit addressing is not available in `bits 64`'
  return size as 16 | 32 | 64
}

/** Encodes a memory operand for ModRM.rm. */
export function encodeAddress<E>(mem: X86MemOperand<E>, mode: X86Mode, prefixSize?: 16 | 32 | 64): AddressResult<E> {
  const size = addressSize(mem, mode, prefixSize)
  if (typeof size === 'string') return { ok: false, error: size }
  if (mem.dispSize === 64) return { ok: false, error: 'a 64-bit displacement is only possible in `mov` to or from the accumulator' }
  return size === 16 ? address16(mem) : address32(mem, size, mode)
}

/** mod and displacement size for a base register with a displacement. */
function dispMode<E>(mem: X86MemOperand<E>, wide: 2 | 4, mustHaveDisp: boolean): { mod: number; dispBytes: 0 | 1 | 2 | 4; warning?: string } {
  const d = mem.disp
  if (mem.dispSize === 8) {
    const warning = d && !d.sym && !fitsS8(d.value) ? 'signed byte displacement exceeds bounds' : undefined
    return { mod: 1, dispBytes: 1, warning }
  }
  if (mem.dispSize === 16 || mem.dispSize === 32) return { mod: 2, dispBytes: wide }
  if (!d || (!d.sym && d.value === 0n)) return mustHaveDisp ? { mod: 1, dispBytes: 1 } : { mod: 0, dispBytes: 0 }
  if (!d.sym && fitsS8(wide === 2 ? BigInt.asIntN(16, d.value) : d.value)) return { mod: 1, dispBytes: 1 }
  return { mod: 2, dispBytes: wide }
}

// SDM Table 2-1: rm for each 16-bit base/index combination.
const RM16: Record<string, number> = { 'bx+si': 0, 'bx+di': 1, 'bp+si': 2, 'bp+di': 3, si: 4, di: 5, bp: 6, bx: 7 }

/** An encoded address, every field present in one order (one object shape for the emitter's hot path). */
function address<E>(mem: X86MemOperand<E>, addrSize: 16 | 32 | 64, mod: number, rm: number, sib: number | undefined, rexX: number, rexB: number, needsRex: boolean, dispBytes: 0 | 1 | 2 | 4, ripRelative: boolean, dispSigned: boolean, warning: string | undefined): AddressResult<E> {
  return { ok: true, addr: { addrSize, mod, rm, sib, rexX, rexB, needsRex, dispBytes, disp: mem.disp, ripRelative, dispSigned, warning } }
}

function address16<E>(mem: X86MemOperand<E>): AddressResult<E> {
  if (mem.scale !== 1 && mem.index) return { ok: false, error: 'scaled indexes need 32-bit addressing' }
  const names = [mem.base?.name, mem.index?.name].filter((n): n is string => n !== undefined)
  if (names.length === 2 && (names[0] === 'si' || names[0] === 'di')) names.reverse()
  const key = names.join('+')
  if (names.length === 0) return address(mem, 16, 0, 6, undefined, 0, 0, false, 2, false, false, undefined)
  const rm = RM16[key]
  if (rm === undefined) return { ok: false, error: `\`${[mem.base?.name, mem.index?.name].filter(Boolean).join('+')}\` is not a valid 16-bit address (use bx or bp, plus si or di)` }
  const { mod, dispBytes, warning } = dispMode(mem, 2, key === 'bp')
  return address(mem, 16, mod, rm, undefined, 0, 0, false, dispBytes, false, false, warning)
}

const SCALE_BITS: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 }

function address32<E>(mem: X86MemOperand<E>, size: 32 | 64, mode: X86Mode): AddressResult<E> {
  const { base, index } = mem
  const needsRex = !!(base?.needsRex || index?.needsRex)
  const signed = size === 64
  if (base?.cls === 'ip' || (mem.rel && !base && !index && mode === 64)) {
    if (index) return { ok: false, error: 'a RIP-relative address cannot have an index register' }
    return address(mem, size, 0, 5, undefined, 0, 0, needsRex, 4, true, true, undefined)
  }
  if (index && index.num === 4) return { ok: false, error: `\`${index.name}\` cannot be an index register` }
  const ss = SCALE_BITS[mem.scale]
  if (!base) {
    if (!index) {
      // Displacement only: mod 00 rm 101 is disp32 in 32-bit mode but RIP-relative in 64-bit
      // mode, where an absolute address needs a SIB byte with no base and no index (0x25).
      if (mode === 64) return address(mem, size, 0, 4, 0x25, 0, 0, needsRex, 4, false, signed, undefined)
      return address(mem, size, 0, 5, undefined, 0, 0, needsRex, 4, false, signed, undefined)
    }
    return address(mem, size, 0, 4, (ss << 6) | ((index.num & 7) << 3) | 5, index.num >> 3, 0, needsRex, 4, false, signed, undefined)
  }
  const { mod, dispBytes, warning } = dispMode(mem, 4, (base.num & 7) === 5)
  const rexB = base.num >> 3
  if (!index && (base.num & 7) !== 4) return address(mem, size, mod, base.num & 7, undefined, 0, rexB, needsRex, dispBytes, false, signed, warning)
  const idx = index ? index.num & 7 : 4
  return address(mem, size, mod, 4, ((index ? ss : 0) << 6) | (idx << 3) | (base.num & 7), index ? index.num >> 3 : 0, rexB, needsRex, dispBytes, false, signed, warning)
}
