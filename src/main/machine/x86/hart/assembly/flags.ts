/**
 * Lazy arithmetic flags. An instruction that sets CF/PF/AF/ZF/SF/OF records what it did (the
 * operation and operand size in S_FL_OP, the result and operands in S_FL_RES/A/B/C) instead of
 * computing six flags; they are computed only when something reads them (jcc, setcc, cmovcc,
 * adc/sbb, pushf, an interrupt frame, the host). Conditions after cmp/sub/test — nearly every
 * branch — are evaluated straight from the operands without building EFLAGS.
 *
 * Where the SDM leaves a flag undefined we produce what QEMU 7.2 (the differential oracle)
 * produces: AF = 0 after logic, shifts and multiplies; OF after multi-bit shifts = MSB(a ^ result)
 * of the last one-bit step; SF/ZF/PF after mul/imul from the low half of the product.
 */
import { S_FLAGS, S_FL_OP, S_FL_RES, S_FL_A, S_FL_B, S_FL_C } from './layout'
import { EFLAGS_CF, EFLAGS_PF, EFLAGS_AF, EFLAGS_ZF, EFLAGS_SF, EFLAGS_OF } from './spec.generated'

// S_FL_OP = operation << 2 | log2(operand size in bytes).
/** S_FLAGS holds every flag. */
export const FL_EAGER: u64 = 0
/** res = a + b. */
export const FL_ADD: u64 = 1
/** res = a + b + c (c = carry in). */
export const FL_ADC: u64 = 2
/** res = a − b (sub, cmp, neg with a = 0). */
export const FL_SUB: u64 = 3
/** res = a − b − c. */
export const FL_SBB: u64 = 4
/** and/or/xor/test (and bsf/bsr on their source): CF = OF = AF = 0. */
export const FL_LOGIC: u64 = 5
/** res = a + 1; c = CF before (inc keeps CF). */
export const FL_INC: u64 = 6
/** res = a − 1; c = CF before. */
export const FL_DEC: u64 = 7
/** Left shift: a = the value shifted by count − 1 (CF = its MSB). */
export const FL_SHL: u64 = 8
/** Right shift (shr and sar): a = the value shifted by count − 1 (CF = its bit 0). */
export const FL_SAR: u64 = 9
/** mul/imul: res = low half, b = non-zero when the high half is significant (CF = OF). */
export const FL_MUL: u64 = 10

export const ARITH_FLAGS: u64 = EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF

@inline export function sizeIdx(size: u64): u64 {
  return ctz<u64>(size) // 1, 2, 4, 8 → 0 … 3
}

/** Records a flag-setting operation (res, a, b already masked to the operand size). */
@inline export function setLazy(op: u64, size: u64, res: u64, a: u64, b: u64): void {
  store<u64>(S_FL_OP, (op << 2) | sizeIdx(size))
  store<u64>(S_FL_RES, res)
  store<u64>(S_FL_A, a)
  store<u64>(S_FL_B, b)
}

@inline function msb(v: u64, bits: u64): u64 { return (v >> (bits - 1)) & 1 }
@inline function parity(v: u64): u64 { return (popcnt<u64>(v & 0xff) & 1) == 0 ? EFLAGS_PF : 0 }

/** The six arithmetic flags as EFLAGS bits, computed from the lazy state. */
export function arithFlags(): u64 {
  const opw = load<u64>(S_FL_OP)
  const op = opw >> 2
  if (op == FL_EAGER) return load<u64>(S_FLAGS) & ARITH_FLAGS
  const bits: u64 = (<u64>8) << (opw & 3)
  const mask: u64 = bits == 64 ? <u64>-1 : ((<u64>1) << bits) - 1
  const res = load<u64>(S_FL_RES) & mask
  const a = load<u64>(S_FL_A) & mask
  const b = load<u64>(S_FL_B) & mask
  let f: u64 = parity(res) | (res == 0 ? EFLAGS_ZF : 0) | (msb(res, bits) ? EFLAGS_SF : 0)
  switch (<i32>op) {
    case <i32>FL_ADD:
      if (res < a) f |= EFLAGS_CF
      f |= (a ^ b ^ res) & EFLAGS_AF
      if (msb((a ^ res) & (b ^ res), bits)) f |= EFLAGS_OF
      break
    case <i32>FL_ADC: {
      const c = load<u64>(S_FL_C)
      if (res < a || (c != 0 && res == a)) f |= EFLAGS_CF
      f |= (a ^ b ^ res) & EFLAGS_AF
      if (msb((a ^ res) & (b ^ res), bits)) f |= EFLAGS_OF
      break
    }
    case <i32>FL_SUB:
      if (a < b) f |= EFLAGS_CF
      f |= (a ^ b ^ res) & EFLAGS_AF
      if (msb((a ^ b) & (a ^ res), bits)) f |= EFLAGS_OF
      break
    case <i32>FL_SBB: {
      const c = load<u64>(S_FL_C)
      if (a < b || (c != 0 && a == b)) f |= EFLAGS_CF
      f |= (a ^ b ^ res) & EFLAGS_AF
      if (msb((a ^ b) & (a ^ res), bits)) f |= EFLAGS_OF
      break
    }
    case <i32>FL_LOGIC: break
    case <i32>FL_INC:
      f |= load<u64>(S_FL_C) & EFLAGS_CF
      f |= (a ^ 1 ^ res) & EFLAGS_AF
      if (res == ((<u64>1) << (bits - 1))) f |= EFLAGS_OF
      break
    case <i32>FL_DEC:
      f |= load<u64>(S_FL_C) & EFLAGS_CF
      f |= (a ^ 1 ^ res) & EFLAGS_AF
      if (res == ((<u64>1) << (bits - 1)) - 1) f |= EFLAGS_OF
      break
    case <i32>FL_SHL:
      if (msb(a, bits)) f |= EFLAGS_CF
      if (msb(a ^ res, bits)) f |= EFLAGS_OF
      break
    case <i32>FL_SAR:
      if (a & 1) f |= EFLAGS_CF
      if (msb(a ^ res, bits)) f |= EFLAGS_OF
      break
    case <i32>FL_MUL:
      if (b != 0) f |= EFLAGS_CF | EFLAGS_OF
      break
    default: break
  }
  return f
}

/** Full EFLAGS (arithmetic flags materialised). */
export function getFlags(): u64 {
  return (load<u64>(S_FLAGS) & ~ARITH_FLAGS) | arithFlags() | 2
}

/** Sets every flag eagerly (popf, iret, sahf, the host …); callers mask what the instruction may change. */
export function setFlags(v: u64): void {
  store<u64>(S_FLAGS, v | 2)
  store<u64>(S_FL_OP, FL_EAGER)
}

/** Replaces only the arithmetic flags given in `bits` (others keep their computed values). */
export function setArith(bits: u64, values: u64): void {
  const f = getFlags()
  setFlags((f & ~bits) | (values & bits))
}

/** CF as 0/1, without computing the other flags. */
export function carry(): u64 {
  const opw = load<u64>(S_FL_OP)
  const op = opw >> 2
  if (op == FL_EAGER) return load<u64>(S_FLAGS) & EFLAGS_CF
  const bits: u64 = (<u64>8) << (opw & 3)
  const mask: u64 = bits == 64 ? <u64>-1 : ((<u64>1) << bits) - 1
  const a = load<u64>(S_FL_A) & mask
  switch (<i32>op) {
    case <i32>FL_ADD: return (load<u64>(S_FL_RES) & mask) < a ? 1 : 0
    case <i32>FL_SUB: return a < (load<u64>(S_FL_B) & mask) ? 1 : 0
    case <i32>FL_INC: case <i32>FL_DEC: return load<u64>(S_FL_C) & 1
    case <i32>FL_LOGIC: return 0
    case <i32>FL_ADC: {
      const r = load<u64>(S_FL_RES) & mask
      return r < a || (load<u64>(S_FL_C) != 0 && r == a) ? 1 : 0
    }
    case <i32>FL_SBB: {
      const b = load<u64>(S_FL_B) & mask
      return a < b || (load<u64>(S_FL_C) != 0 && a == b) ? 1 : 0
    }
    case <i32>FL_SHL: return (a >> (bits - 1)) & 1
    case <i32>FL_SAR: return a & 1
    default: return (load<u64>(S_FL_B) & mask) != 0 ? 1 : 0 // FL_MUL
  }
}

/**
 * Condition code cc (the low 4 bits of jcc/setcc/cmovcc, SDM vol. 1 appendix B): O NO B AE E NE
 * BE A S NS P NP L GE LE G. ZF and SF come straight from the recorded result, CF from `carry`,
 * the compares after cmp/sub from the operands; only OF and PF need the full computation.
 */
export function cond(cc: u32): bool {
  const opw = load<u64>(S_FL_OP)
  const op = opw >> 2
  let r: bool
  if (op == FL_EAGER) {
    r = condFromFlags(cc >> 1, load<u64>(S_FLAGS))
  } else {
    const bits: u64 = (<u64>8) << (opw & 3)
    const mask: u64 = bits == 64 ? <u64>-1 : ((<u64>1) << bits) - 1
    const res = load<u64>(S_FL_RES) & mask
    switch (cc >> 1) {
      case 1: r = carry() != 0; break
      case 2: r = res == 0; break
      case 3: r = res == 0 || carry() != 0; break
      case 4: r = ((res >> (bits - 1)) & 1) != 0; break
      default: {
        if (op == FL_SUB && cc >= 12) {
          const sh = 64 - bits
          const sa = (<i64>(load<u64>(S_FL_A) << sh)) >> sh
          const sb = (<i64>(load<u64>(S_FL_B) << sh)) >> sh
          r = cc < 14 ? sa < sb : sa <= sb
        } else if (op == FL_LOGIC && cc >= 12) {
          const neg = ((res >> (bits - 1)) & 1) != 0
          r = cc < 14 ? neg : (neg || res == 0)
        } else r = condFromFlags(cc >> 1, arithFlags())
      }
    }
  }
  return (cc & 1) != 0 ? !r : r
}

/** The un-negated condition `half` (cc >> 1) from materialised flags. */
function condFromFlags(half: u32, f: u64): bool {
  switch (half) {
    case 0: return (f & EFLAGS_OF) != 0
    case 1: return (f & EFLAGS_CF) != 0
    case 2: return (f & EFLAGS_ZF) != 0
    case 3: return (f & (EFLAGS_CF | EFLAGS_ZF)) != 0
    case 4: return (f & EFLAGS_SF) != 0
    case 5: return (f & EFLAGS_PF) != 0
    case 6: return ((f & EFLAGS_SF) != 0) != ((f & EFLAGS_OF) != 0)
    default: return (f & EFLAGS_ZF) != 0 || (((f & EFLAGS_SF) != 0) != ((f & EFLAGS_OF) != 0))
  }
}
