/**
 * Control and status registers: read, write with the spec's WARL masks, and the access rules
 * (privilege in csr[9:8], read-only in csr[11:10] = 3, TVM for satp, counteren for the
 * counters, FS for the FP CSRs). Anything not implemented or not permitted is an illegal
 * instruction; the caller raises it with the instruction bits as tval.
 */
import {
  S_MSTATUS, S_MIE, S_MIP_SW, S_MIP_LINES, S_MEDELEG, S_MIDELEG, S_MTVEC, S_STVEC, S_MSCRATCH, S_SSCRATCH,
  S_MEPC, S_SEPC, S_MCAUSE, S_SCAUSE, S_MTVAL, S_STVAL, S_SATP, S_MCOUNTEREN, S_SCOUNTEREN, S_MENVCFG,
  S_SENVCFG, S_FCSR, S_INSTRET, S_MCYCLE_DELTA, S_MINSTRET_DELTA, S_PRIV, S_MHARTID, S_PMPCFG0, S_PMPADDR0,
  S_STRICT_TLB, PRV_M, PRV_S, PRV_U,
} from './layout'
import {
  MSTATUS_WMASK, SSTATUS_MASK, MSTATUS_FS, MSTATUS_SD, MSTATUS_UXL, MSTATUS_SXL, MSTATUS_MPP, MSTATUS_MPRV,
  MSTATUS_SUM, MSTATUS_MXR, MSTATUS_TVM, MIP_MTIP, MIP_MSIP, S_INTERRUPTS, ALL_INTERRUPTS, MEDELEG_MASK,
  MSTATUS_FS_DIRTY, MIP_SSIP,
} from './globals'
import { mtime, mtipPending, msipPending } from './timer'
import { tlbFlushAll, claimAsid } from './mmu'
import { readTselect, writeTselect, readTdata1, writeTdata1, readTdata2, writeTdata2, TINFO_TYPES } from './triggers'

/** misa: MXL = 2 (64-bit), extensions A C D F I M S U. */
export const MISA: u64 = ((<u64>2) << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)

export let csrOk: bool = true

export function mstatusRead(): u64 {
  let v = load<u64>(S_MSTATUS) | MSTATUS_UXL | MSTATUS_SXL
  if ((v & MSTATUS_FS) == MSTATUS_FS) v |= MSTATUS_SD
  return v
}

/** mip as software sees it: written bits, device lines, and the CLINT's MTIP/MSIP. */
export function mipRead(): u64 {
  let v = load<u64>(S_MIP_SW) | load<u64>(S_MIP_LINES)
  if (mtipPending()) v |= MIP_MTIP
  if (msipPending()) v |= MIP_MSIP
  return v
}

/** Reads CSR `num` (no privilege check). Sets csrOk = false when not implemented. */
export function csrRead(num: u32): u64 {
  csrOk = true
  switch (num) {
    case 0x001: return load<u64>(S_FCSR) & 0x1f
    case 0x002: return (load<u64>(S_FCSR) >> 5) & 7
    case 0x003: return load<u64>(S_FCSR) & 0xff
    case 0xc00: case 0xb00: return load<u64>(S_INSTRET) + load<u64>(S_MCYCLE_DELTA)
    case 0xc01: return mtime()
    case 0xc02: case 0xb02: return load<u64>(S_INSTRET) + load<u64>(S_MINSTRET_DELTA)
    case 0x100: return mstatusRead() & SSTATUS_MASK
    case 0x104: return load<u64>(S_MIE) & load<u64>(S_MIDELEG)
    case 0x105: return load<u64>(S_STVEC)
    case 0x106: return load<u64>(S_SCOUNTEREN)
    case 0x10a: return load<u64>(S_SENVCFG)
    case 0x140: return load<u64>(S_SSCRATCH)
    case 0x141: return load<u64>(S_SEPC)
    case 0x142: return load<u64>(S_SCAUSE)
    case 0x143: return load<u64>(S_STVAL)
    case 0x144: return mipRead() & load<u64>(S_MIDELEG)
    case 0x180: return load<u64>(S_SATP)
    case 0xf11: case 0xf12: case 0xf13: case 0xf15: return 0
    case 0xf14: return load<u64>(S_MHARTID)
    case 0x300: return mstatusRead()
    case 0x301: return MISA
    case 0x302: return load<u64>(S_MEDELEG)
    case 0x303: return load<u64>(S_MIDELEG)
    case 0x304: return load<u64>(S_MIE)
    case 0x305: return load<u64>(S_MTVEC)
    case 0x306: return load<u64>(S_MCOUNTEREN)
    case 0x30a: return load<u64>(S_MENVCFG)
    case 0x340: return load<u64>(S_MSCRATCH)
    case 0x341: return load<u64>(S_MEPC)
    case 0x342: return load<u64>(S_MCAUSE)
    case 0x343: return load<u64>(S_MTVAL)
    case 0x344: return mipRead()
    case 0x3a0: return load<u64>(S_PMPCFG0)
    case 0x3a2: return load<u64>(S_PMPCFG0 + 8)
    case 0x7a0: return readTselect()
    case 0x7a1: return readTdata1()
    case 0x7a2: return readTdata2()
    case 0x7a3: return 0 // tdata3: no textra conditions (WARL zero, as QEMU 7.2 for mcontrol)
    case 0x7a4: return TINFO_TYPES
    default:
      if (num >= 0x3b0 && num <= 0x3bf) return load<u64>(S_PMPADDR0 + (<usize>(num - 0x3b0) << 3))
      csrOk = false
      return 0
  }
}

/** Whether a CSR write should make the run loop re-derive cached state (always true today: writes are rare). */
function pmpLocked(i: u32): bool {
  return ((load<u64>(S_PMPCFG0 + <usize>((i >> 3) << 3)) >> ((i & 7) << 3)) & 0x80) != 0
}

function writePmpCfg(slot: u32, v: u64): void {
  const addr = S_PMPCFG0 + <usize>(slot << 3)
  const old = load<u64>(addr)
  let nv: u64 = 0
  for (let b: u32 = 0; b < 8; b++) {
    const i = slot * 8 + b
    let byte = (v >> (b << 3)) & 0x9f // bits 6:5 are reserved zero
    if (pmpLocked(i)) byte = (old >> (b << 3)) & 0xff
    else if ((byte & 3) == 2) byte &= ~(<u64>2) // W without R is reserved: drop W
    nv |= byte << (b << 3)
  }
  store<u64>(addr, nv)
  tlbFlushAll()
}

/** Writes CSR `num` with WARL legalization. Sets csrOk = false when not implemented. */
export function csrWrite(num: u32, v: u64): void {
  csrOk = true
  switch (num) {
    case 0x001: store<u64>(S_FCSR, (load<u64>(S_FCSR) & ~(<u64>0x1f)) | (v & 0x1f)); dirtyFs(); return
    case 0x002: store<u64>(S_FCSR, (load<u64>(S_FCSR) & 0x1f) | ((v & 7) << 5)); dirtyFs(); return
    case 0x003: store<u64>(S_FCSR, v & 0xff); dirtyFs(); return
    case 0xb00: store<u64>(S_MCYCLE_DELTA, v - load<u64>(S_INSTRET)); return
    case 0xb02: store<u64>(S_MINSTRET_DELTA, v - load<u64>(S_INSTRET) - 1); return // the csr write itself retires
    case 0x100: writeMstatus((load<u64>(S_MSTATUS) & ~SSTATUS_MASK) | (v & SSTATUS_MASK)); return
    case 0x104: {
      const m = load<u64>(S_MIDELEG)
      store<u64>(S_MIE, (load<u64>(S_MIE) & ~m) | (v & m))
      return
    }
    case 0x105: writeTvec(S_STVEC, v); return
    case 0x106: store<u64>(S_SCOUNTEREN, v & 0xffffffff); return
    case 0x10a: store<u64>(S_SENVCFG, v & 1); return
    case 0x140: store<u64>(S_SSCRATCH, v); return
    case 0x141: store<u64>(S_SEPC, v & ~(<u64>1)); return
    case 0x142: store<u64>(S_SCAUSE, v); return
    case 0x143: store<u64>(S_STVAL, v); return
    case 0x144: {
      const m = load<u64>(S_MIDELEG) & MIP_SSIP
      store<u64>(S_MIP_SW, (load<u64>(S_MIP_SW) & ~m) | (v & m))
      return
    }
    case 0x180: {
      const mode = v >> 60
      if (mode != 0 && mode != 8 && mode != 9) return // unsupported MODE: the whole write has no effect
      // ASIDLEN = 16 (as QEMU), PPN 44 bits.
      store<u64>(S_SATP, v)
      if (load<u64>(S_STRICT_TLB) == 0) tlbFlushAll()
      else claimAsid((v >> 44) & 0xffff)
      return
    }
    case 0xf11: case 0xf12: case 0xf13: case 0xf14: case 0xf15: csrOk = false; return
    case 0x300: writeMstatus(v); return
    case 0x301: return // misa is read-only here (WARL)
    case 0x302: store<u64>(S_MEDELEG, v & MEDELEG_MASK); return
    case 0x303: store<u64>(S_MIDELEG, v & S_INTERRUPTS); return
    case 0x304: store<u64>(S_MIE, v & ALL_INTERRUPTS); return
    case 0x305: writeTvec(S_MTVEC, v); return
    case 0x306: store<u64>(S_MCOUNTEREN, v & 0xffffffff); return
    case 0x30a: store<u64>(S_MENVCFG, v & 1); return
    case 0x340: store<u64>(S_MSCRATCH, v); return
    case 0x341: store<u64>(S_MEPC, v & ~(<u64>1)); return
    case 0x342: store<u64>(S_MCAUSE, v); return
    case 0x343: store<u64>(S_MTVAL, v); return
    case 0x344: store<u64>(S_MIP_SW, (load<u64>(S_MIP_SW) & ~S_INTERRUPTS) | (v & S_INTERRUPTS)); return
    case 0x3a0: writePmpCfg(0, v); return
    case 0x3a2: writePmpCfg(1, v); return
    // Triggers: a data trigger's pages leave the TLB (triggers.ts), so flush on every change.
    case 0x7a0: writeTselect(v); return
    case 0x7a1: writeTdata1(v); tlbFlushAll(); return
    case 0x7a2: writeTdata2(v); tlbFlushAll(); return
    case 0x7a3: return
    case 0x7a4: return // tinfo is read-only in effect: writes are ignored (Debug spec §5.2.7)
    default:
      if (num >= 0x3b0 && num <= 0x3bf) {
        const i = num - 0x3b0
        // A locked entry, or the address below a locked TOR entry, ignores writes.
        if (pmpLocked(i)) return
        if (i < 15 && pmpLocked(i + 1) && ((load<u64>(S_PMPCFG0 + <usize>(((i + 1) >> 3) << 3)) >> (((i + 1) & 7) << 3)) & 0x18) == 0x08) return
        store<u64>(S_PMPADDR0 + (<usize>i << 3), v & 0x3fffffffffffff)
        tlbFlushAll()
        return
      }
      csrOk = false
  }
}

function writeTvec(slot: usize, v: u64): void {
  if ((v & 3) >= 2) return // reserved modes: keep the old value (QEMU does the same)
  store<u64>(slot, v)
}

export function dirtyFs(): void {
  store<u64>(S_MSTATUS, load<u64>(S_MSTATUS) | MSTATUS_FS_DIRTY)
}

export function writeMstatus(v: u64): void {
  const old = load<u64>(S_MSTATUS)
  let nv = (old & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK)
  if ((nv & MSTATUS_MPP) == (<u64>2 << 11)) nv = (nv & ~MSTATUS_MPP) | (old & MSTATUS_MPP) // MPP=2 is reserved
  store<u64>(S_MSTATUS, nv)
  const permBits = MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR
  if (((old ^ nv) & permBits) != 0) tlbFlushAll()
}

/**
 * Access rules for csrrw & co. (privileged spec 2.1 "CSR Address Mapping Conventions" plus the
 * per-CSR ones): false means illegal instruction.
 */
export function csrAllowed(num: u32, writes: bool): bool {
  const priv = load<u64>(S_PRIV)
  if (<u64>((num >> 8) & 3) > priv) return false
  if (writes && (num >> 10) == 3) return false
  if (num == 0x180 && priv == PRV_S && (load<u64>(S_MSTATUS) & MSTATUS_TVM) != 0) return false
  if (num <= 3 && (load<u64>(S_MSTATUS) & MSTATUS_FS) == 0) return false
  if (num >= 0xc00 && num <= 0xc1f) {
    const bit = (<u64>1) << (num - 0xc00)
    if (priv < PRV_M && (load<u64>(S_MCOUNTEREN) & bit) == 0) return false
    if (priv == PRV_U && (load<u64>(S_SCOUNTEREN) & bit) == 0) return false
  }
  return true
}
