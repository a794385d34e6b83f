/**
 * Debug triggers (RISC-V Debug Specification 0.13.2, §5.2 "Trigger Module"; privileged spec
 * table 2.5, CSRs tselect 0x7a0, tdata1–tdata3 0x7a1–0x7a3, tinfo 0x7a4), as QEMU 7.2 has them:
 * TRIGGER_COUNT address-match triggers (mcontrol, type 2) that raise a breakpoint exception
 * (action 0) before an instruction fetch, load or store touches tdata2, in the privilege modes
 * their m/s/u bits select (mtval 0, as QEMU 7.2 leaves it). What kernels and riscv-tests'
 * breakpoint test rely on; the rest of
 * mcontrol is legalised to zero (WARL): no debug mode (dmode), no chaining, no masks, match = 0
 * ("equal"), timing = 0 ("before").
 *
 * How the hart sees them without slowing its loop: a fetch trigger is checked per instruction only
 * while one is armed for the current privilege (`fetchTriggerArmed`, re-derived at every entry of
 * the inner loop, which CSR writes and privilege changes end); a load/store trigger keeps its pages
 * out of the TLB (`dataTriggerPage`), so accesses there take the slow path, which checks them.
 * A load or store matches when it overlaps [tdata2, tdata2 + 8), QEMU's watchpoint width for
 * mcontrol without a size.
 */
import { S_TSELECT, S_TDATA1, S_TDATA2, PRV_M, PRV_S, PRV_U } from './layout'

export const TRIGGER_COUNT: u64 = 2
/** mcontrol.type (tdata1 bits XLEN-1..XLEN-4) = 2: address/data match. */
export const TDATA1_TYPE_MCONTROL: u64 = (<u64>2) << 60
export const MCONTROL_M: u64 = 1 << 6
export const MCONTROL_S: u64 = 1 << 4
export const MCONTROL_U: u64 = 1 << 3
export const MCONTROL_EXECUTE: u64 = 1 << 2
export const MCONTROL_STORE: u64 = 1 << 1
export const MCONTROL_LOAD: u64 = 1 << 0
/** mcontrol.sizelo (bits 17:16): kept as written, as QEMU does; matching ignores it (8-byte window). */
export const MCONTROL_SIZELO: u64 = 3 << 16
/** The tdata1 bits software may set; every other field reads as zero. */
export const MCONTROL_WMASK: u64 = MCONTROL_M | MCONTROL_S | MCONTROL_U | MCONTROL_EXECUTE | MCONTROL_STORE | MCONTROL_LOAD | MCONTROL_SIZELO
/** tinfo: one bit per trigger type supported (Debug spec §5.2.7): mcontrol only. */
export const TINFO_TYPES: u64 = 1 << 2
/** Bytes an access trigger watches from tdata2 (QEMU 7.2 type2_breakpoint_insert without sizelo). */
export const DATA_TRIGGER_BYTES: u64 = 8

@inline function slot(base: usize, i: u64): usize { return base + <usize>(i << 3) }

export function readTselect(): u64 { return load<u64>(S_TSELECT) }
/** WARL: only existing triggers can be selected; other values leave tselect as it was (QEMU). */
export function writeTselect(v: u64): void { if (v < TRIGGER_COUNT) store<u64>(S_TSELECT, v) }

export function readTdata1(): u64 { return TDATA1_TYPE_MCONTROL | load<u64>(slot(S_TDATA1, load<u64>(S_TSELECT))) }
export function writeTdata1(v: u64): void { store<u64>(slot(S_TDATA1, load<u64>(S_TSELECT)), v & MCONTROL_WMASK) }
export function readTdata2(): u64 { return load<u64>(slot(S_TDATA2, load<u64>(S_TSELECT))) }
export function writeTdata2(v: u64): void { store<u64>(slot(S_TDATA2, load<u64>(S_TSELECT)), v) }

/** The mcontrol bit that enables a trigger in privilege `priv`. */
@inline function privBit(priv: u64): u64 {
  return priv == PRV_M ? MCONTROL_M : priv == PRV_S ? MCONTROL_S : priv == PRV_U ? MCONTROL_U : 0
}

/** Some trigger watches instruction fetches in privilege `priv`. */
export function fetchTriggerArmed(priv: u64): bool {
  const want = privBit(priv) | MCONTROL_EXECUTE
  for (let i: u64 = 0; i < TRIGGER_COUNT; i++) {
    if ((load<u64>(slot(S_TDATA1, i)) & want) == want) return true
  }
  return false
}

/** An armed fetch trigger for `priv` matches the instruction at `pc`. */
export function fetchTriggerHit(pc: u64, priv: u64): bool {
  const want = privBit(priv) | MCONTROL_EXECUTE
  for (let i: u64 = 0; i < TRIGGER_COUNT; i++) {
    if ((load<u64>(slot(S_TDATA1, i)) & want) == want && load<u64>(slot(S_TDATA2, i)) == pc) return true
  }
  return false
}

/** An armed load (`kind` = MCONTROL_LOAD) or store trigger for `priv` overlaps [va, va + size). */
export function dataTriggerHit(va: u64, size: u64, kind: u64, priv: u64): bool {
  const want = privBit(priv) | kind
  for (let i: u64 = 0; i < TRIGGER_COUNT; i++) {
    if ((load<u64>(slot(S_TDATA1, i)) & want) != want) continue
    const at = load<u64>(slot(S_TDATA2, i))
    if (va < at + DATA_TRIGGER_BYTES && at < va + size) return true
  }
  return false
}

/** The page of `va` holds bytes some load/store trigger watches: keep it out of the TLB. */
export function dataTriggerPage(va: u64): bool {
  const page = va & ~(<u64>0xfff)
  for (let i: u64 = 0; i < TRIGGER_COUNT; i++) {
    if ((load<u64>(slot(S_TDATA1, i)) & (MCONTROL_LOAD | MCONTROL_STORE)) == 0) continue
    const at = load<u64>(slot(S_TDATA2, i))
    if (page <= at + DATA_TRIGGER_BYTES - 1 && at < page + 4096) return true
  }
  return false
}
