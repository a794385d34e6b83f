/**
 * Fixed offsets in wasm linear memory for everything the hart touches: registers, the state
 * block (CSRs, timer, pending exits), TLBs, the pre-decoded instruction cache, per-page flags,
 * the trace ring, the boot ROM and guest RAM. Fixed offsets let the hot loop use constant-offset
 * loads (ARCHITECTURE.md, "The machine"), and let the host read state and snapshot it as plain
 * byte ranges. The host mirror of these numbers lives in `../trace-layout.ts` / `../hart.ts`
 * and reads them through exported getters, so they cannot drift apart.
 */

/** Start of our fixed region; AssemblyScript's own static data must end below this (checked in init). */
export const BASE: usize = 0x10000

/** x0..x31 then one dummy slot (x32) that decode maps rd=x0 to, so x0 never needs re-zeroing. */
export const REGS: usize = BASE
/** f0..f31 as raw 64-bit patterns (singles NaN-boxed). */
export const FREGS: usize = BASE + 0x200
/** The state block: one u64 per slot, see the S_* names. Snapshot copies [STATE_START, STATE_END). */
export const STATE: usize = BASE + 0x400
export const STATE_START: usize = BASE
export const STATE_BYTES: usize = 0x1000

// State slots (byte offsets). Order is part of the snapshot format; append only.
export const S_PC: usize = STATE + 0 * 8
export const S_PRIV: usize = STATE + 1 * 8
export const S_INSTRET: usize = STATE + 2 * 8
export const S_MSTATUS: usize = STATE + 3 * 8
export const S_MIE: usize = STATE + 4 * 8
/** Software-written mip bits (SSIP, STIP, SEIP). */
export const S_MIP_SW: usize = STATE + 5 * 8
/** Interrupt lines driven by devices through setInterruptLine. */
export const S_MIP_LINES: usize = STATE + 6 * 8
export const S_MEDELEG: usize = STATE + 7 * 8
export const S_MIDELEG: usize = STATE + 8 * 8
export const S_MTVEC: usize = STATE + 9 * 8
export const S_STVEC: usize = STATE + 10 * 8
export const S_MSCRATCH: usize = STATE + 11 * 8
export const S_SSCRATCH: usize = STATE + 12 * 8
export const S_MEPC: usize = STATE + 13 * 8
export const S_SEPC: usize = STATE + 14 * 8
export const S_MCAUSE: usize = STATE + 15 * 8
export const S_SCAUSE: usize = STATE + 16 * 8
export const S_MTVAL: usize = STATE + 17 * 8
export const S_STVAL: usize = STATE + 18 * 8
export const S_SATP: usize = STATE + 19 * 8
export const S_MCOUNTEREN: usize = STATE + 20 * 8
export const S_SCOUNTEREN: usize = STATE + 21 * 8
export const S_MENVCFG: usize = STATE + 22 * 8
export const S_SENVCFG: usize = STATE + 23 * 8
/** fcsr: frm << 5 | fflags. */
export const S_FCSR: usize = STATE + 24 * 8
/** mtime = instret / TIME_RATIO + offset (two's complement). */
export const S_MTIME_OFFSET: usize = STATE + 25 * 8
export const S_MTIMECMP: usize = STATE + 26 * 8
export const S_MSIP: usize = STATE + 27 * 8
export const S_RES_VALID: usize = STATE + 28 * 8
export const S_RES_ADDR: usize = STATE + 29 * 8
/** mcycle/minstret = instret + delta, so writes to them never move the step counter. */
export const S_MCYCLE_DELTA: usize = STATE + 30 * 8
export const S_MINSTRET_DELTA: usize = STATE + 31 * 8
export const S_FIRMWARE_TRAPS: usize = STATE + 32 * 8
export const S_HALT_ON_EBREAK: usize = STATE + 33 * 8
export const S_STRICT_TLB: usize = STATE + 34 * 8
export const S_RAM_BASE: usize = STATE + 35 * 8
export const S_RAM_SIZE: usize = STATE + 36 * 8
// The trap that caused HartExit.FirmwareTrap.
export const S_TRAP_CAUSE: usize = STATE + 37 * 8
export const S_TRAP_TVAL: usize = STATE + 38 * 8
export const S_TRAP_EPC: usize = STATE + 39 * 8
export const S_TRAP_FROM_PRIV: usize = STATE + 40 * 8
// The access that caused HartExit.Mmio, and how to finish the instruction.
export const S_MMIO_ADDR: usize = STATE + 41 * 8
export const S_MMIO_SIZE: usize = STATE + 42 * 8
export const S_MMIO_IS_WRITE: usize = STATE + 43 * 8
export const S_MMIO_VALUE: usize = STATE + 44 * 8
export const S_MMIO_IS_FETCH: usize = STATE + 45 * 8
export const S_MMIO_RD: usize = STATE + 46 * 8
export const S_MMIO_KIND: usize = STATE + 47 * 8
export const S_MMIO_VA: usize = STATE + 48 * 8
export const S_MMIO_LEN: usize = STATE + 49 * 8
export const S_TRACE_REGION_SHIFT: usize = STATE + 50 * 8
export const S_TRACE_WALKS: usize = STATE + 51 * 8
/** Trace ring: next record index to write (hart) and next to read (host), both monotonically increasing. */
export const S_RING_HEAD: usize = STATE + 52 * 8
export const S_RING_TAIL: usize = STATE + 53 * 8
/** Trace build: pc of the last executed instruction (the "from" of a region change). */
export const S_LAST_PC: usize = STATE + 54 * 8
export const S_STOP_REQUESTED: usize = STATE + 55 * 8
export const S_MHARTID: usize = STATE + 56 * 8
/** Trace build: the region (pc >> shift) last recorded, so only changes are recorded. */
export const S_TRACE_REGION: usize = STATE + 57 * 8
/** Non-zero while an MMIO access is pending (completeMmio clears it). */
export const S_MMIO_PENDING: usize = STATE + 58 * 8
export const S_PMPCFG0: usize = STATE + 64 * 8
export const S_PMPCFG2: usize = STATE + 65 * 8
export const S_PMPADDR0: usize = STATE + 66 * 8
// Debug triggers (triggers.ts): tselect, then tdata1 and tdata2 of each trigger (slots 66..81 are pmpaddr0..15).
export const S_TSELECT: usize = STATE + 82 * 8
export const S_TDATA1: usize = STATE + 83 * 8
export const S_TDATA2: usize = STATE + 85 * 8
// The 16550 UART as its device publishes it (uart-mirror.ts): reads without side effects served in the hart.
/** Physical address of the UART's registers; 0 = no mirror (every access leaves the loop). */
export const S_UART_MIRROR_BASE: usize = STATE + 96 * 8
/** The byte each of the 8 registers would read now (register i in bits 8i..8i+7). */
export const S_UART_MIRROR_REGS: usize = STATE + 97 * 8
/** Bit i set: reading register i now changes nothing in the device, so the hart may serve it. */
export const S_UART_MIRROR_PURE: usize = STATE + 98 * 8
/** 1 while no input is pending: a line-status read is then a poll for input. */
export const S_UART_MIRROR_IDLE: usize = STATE + 99 * 8
/** Offset of the line status register (the register a driver polls). */
export const S_UART_POLL_REG: usize = STATE + 100 * 8
/** 1 while the guest is in a streak of input polls (nothing but line-status reads with no input pending)… */
export const S_UART_POLLING: usize = STATE + 101 * 8
/** …which began at this mtime. */
export const S_UART_POLL_SINCE: usize = STATE + 102 * 8
/** A poll that finds the streak this long (mtime ticks) leaves the loop, so the host judges it as it would every poll. */
export const S_UART_POLL_LIMIT: usize = STATE + 103 * 8

/** Three direct-mapped TLBs (fetch, load, store) of TLB_ENTRIES entries of TLB_ENTRY_BYTES. */
export const TLB_ENTRIES: u64 = 256
export const TLB_ENTRY_BYTES: usize = 32
export const TLB_FETCH: usize = BASE + 0x1000
export const TLB_LOAD: usize = TLB_FETCH + 256 * 32
export const TLB_STORE: usize = TLB_LOAD + 256 * 32
// Entry: +0 tag = (va & ~0xfff) | ctx, +8 addend (host = va + addend), +16 pa of the page, +24 flags (bit0 global, bits 16.. asid)

/**
 * Pre-decoded instruction cache, keyed by physical address (so aliases share entries and the
 * MMU can change without flushing it). 64 Ki entries of 32 bytes, indexed by pa >> 1.
 * Entry: +0 tag (pa), +8 imm (i64), +16 op (u16), +18 rd×8, +20 rs1×8, +22 rs2×8 (u16), +24 raw bits (u32), +28 len, +29 rs3, +30 rm.
 */
export const DC_ENTRIES_LOG2: u64 = 16
export const DC_MASK: u64 = (1 << 16) - 1
export const DCACHE: usize = BASE + 0x10000
/** One extra entry, never tagged, for instructions that straddle a page boundary. */
export const DC_SCRATCH: usize = DCACHE + (1 << 16) * 32

/** One flag byte per 4 KiB page of RAM (up to 4 GiB): PF_DIRTY, PF_CODE, PF_WATCHED, PF_EXIT, PF_DEBUG_WATCH. */
export const PAGE_FLAGS: usize = DC_SCRATCH + 0x10000
export const PAGE_FLAGS_BYTES: usize = 0x100000
export const PF_DIRTY: u8 = 1
export const PF_CODE: u8 = 2
export const PF_WATCHED: u8 = 4
/** Stores here end run() right after the storing instruction: the host watches a value there (tohost), exact to the step. */
export const PF_EXIT: u8 = 8
/** A debugger watches bytes in this page (debug-stops.ts): its accesses take the slow path, which checks them. */
export const PF_DEBUG_WATCH: u8 = 16
/** The host compiled code of this page and armed it (blocks.ts): cleared by any store to it or a decode flush. */
export const PF_COMPILED: u8 = 32

/** Which full 16-bit ASID currently owns each of the 2048 TLB context tags (tags keep the low 11 bits). */
/** Trace ring: RING_RECORDS fixed-size records of RING_RECORD_BYTES (see trace-layout.ts). */
export const RING: usize = PAGE_FLAGS + PAGE_FLAGS_BYTES
export const RING_RECORDS: u64 = 16384
export const RING_RECORD_BYTES: usize = 48
/** Leave the loop with TraceFull once fewer than this many records are free (one instruction writes at most a few). */
export const RING_SLACK: u64 = 64

/** Boot ROM at physical 0x1000, 0xf000 bytes (QEMU virt "mrom"). */
export const ROM_PA: u64 = 0x1000
export const ROM_SIZE: u64 = 0xf000
/** Which full 16-bit ASID currently owns each of the 2048 TLB context tags (tags keep the low 11 bits), u16 each. */
export const ASID_OWNERS: usize = RING + 16384 * 48
export const ROM: usize = ASID_OWNERS + 0x1000

// Compiled blocks (blocks.ts, docs/block-compiler.md). Outside the snapshot range on purpose: which
// engine runs is not guest state, so checkpoints and state comparisons are the same under both.
/** Control words, one u64 each. */
export const BLOCK_CTL: usize = ROM + 0x10000
/** 1 = enter compiled blocks and count hot pcs; 0 = interpreter only. */
export const BC_ON: usize = BLOCK_CTL + 0
/** Set when a store, fence.i or a host write disarmed a compiled page (the host re-validates). */
export const BC_CODE_WRITTEN: usize = BLOCK_CTL + 8
/** Sightings of a pc at a slice start before the host is asked to compile it. */
export const BC_THRESHOLD: usize = BLOCK_CTL + 16
/** Instructions retired by compiled code (stats). */
export const BC_COMPILED_STEPS: usize = BLOCK_CTL + 24
/** Calls into compiled code (stats). */
export const BC_ENTRIES: usize = BLOCK_CTL + 32
/** The value of the CSR compiled code last read through blockCsrRead. */
export const BC_CSR_VALUE: usize = BLOCK_CTL + 40
/** How compiled calls ended (stats): jumps out, stops before an interpreted instruction, budget. */
export const BC_EXITS_LEFT: usize = BLOCK_CTL + 48
export const BC_EXITS_SLOW: usize = BLOCK_CTL + 56
export const BC_EXITS_BUDGET: usize = BLOCK_CTL + 64
/**
 * Entry map: BLOCK_MAP_ENTRIES direct-mapped entries of 32 bytes, indexed by (pa >> 1):
 * +0 pa | 1 (0 = empty), +8 pc (virtual), +16 function index in the table (u32), +20 entry number (u32),
 * +24 most instructions the entry runs before its next budget check (u32).
 */
export const BLOCK_MAP: usize = BLOCK_CTL + 0x100
export const BLOCK_MAP_ENTRIES: u64 = 16384
/** Hot counters: one u32 per (pa >> 1) hash bucket. */
export const BLOCK_HOT: usize = BLOCK_MAP + 16384 * 32
/** Guest RAM starts here, 64 KiB aligned. */
export const RAM: usize = (BLOCK_HOT + 16384 * 4 + 0xffff) & ~0xffff

// Privilege levels.
export const S_PENDING_EXC: usize = STATE + 59 * 8
export const S_PENDING_CAUSE: usize = STATE + 60 * 8
export const S_PENDING_TVAL: usize = STATE + 61 * 8
/**
 * The first trap of the current chain — traps each taken at the previous one's handler address with
 * no instruction retired in between (a handler that cannot be fetched): where a fault loop began,
 * e.g. the instruction after `csrw satp` whose fetch faulted before stvec did. Then the handler
 * address of the last trap and the step it was taken at, to tell a chain from a new trap.
 */
export const S_CHAIN_EPC: usize = STATE + 120 * 8
export const S_CHAIN_CAUSE: usize = STATE + 121 * 8
export const S_CHAIN_TVAL: usize = STATE + 122 * 8
export const S_CHAIN_LAST_TARGET: usize = STATE + 123 * 8
export const S_CHAIN_LAST_STEP: usize = STATE + 124 * 8

export const PRV_U: u64 = 0
export const PRV_S: u64 = 1
export const PRV_M: u64 = 3
