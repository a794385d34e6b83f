/**
 * Fixed offsets in wasm linear memory for everything the x86 hart touches: general registers,
 * XMM and x87 registers, segment registers with their descriptor caches, the state block
 * (control registers, MSRs, lazy flags, pending exits, the triple-fault chain), the TLBs, the
 * pre-decoded instruction cache, per-page flags, the trace ring and guest RAM. Fixed offsets let
 * the hot loop use constant-offset loads (ARCHITECTURE.md, "The machine") and let the host read
 * and snapshot state as plain byte ranges; the host (`../hart.ts`) reads slot numbers through
 * exported getters and a test checks its names against these.
 */

/** Start of our fixed region; AssemblyScript's own static data must end below it (checked in init). */
export const BASE: usize = 0x10000

/** RAX..R15 as u64 in encoding order, then ZERO (always 0: the "no base/index" register of an address). */
export const REGS: usize = BASE
export const REG_ZERO: u8 = 16 * 8
/** XMM0..XMM15, 16 bytes each. */
export const XMM: usize = BASE + 0x100
/** x87 physical registers R0..R7 as f64 (8 bytes each; 80-bit precision is not kept, see fpu.ts). */
export const FPR: usize = BASE + 0x200
/** Segment registers ES CS SS DS FS GS LDTR TR (Sreg order), SEG_BYTES each, fields SEG_*. */
export const SEGS: usize = BASE + 0x300
export const SEG_BYTES: usize = 64
export const SEG_SEL: usize = 0
/** Base as loaded (FS/GS: the MSR in 64-bit mode). */
export const SEG_BASE: usize = 8
/** Limit in bytes (G applied). */
export const SEG_LIMIT: usize = 16
/** Access rights (SDM/VMX layout, hart-api SEG_ATTR). */
export const SEG_ATTRS: usize = 24
/** Fast-path bound for reads: an access [off, off + size) is fast when off + size <= this (0 = always slow). */
export const SEG_RD_LIM1: usize = 32
export const SEG_WR_LIM1: usize = 40
/** Base the address computation uses: 0 for ES/CS/SS/DS in 64-bit mode. */
export const SEG_EBASE: usize = 48
export const SEG_ES: u32 = 0
export const SEG_CS: u32 = 1
export const SEG_SS: u32 = 2
export const SEG_DS: u32 = 3
export const SEG_FS: u32 = 4
export const SEG_GS: u32 = 5
export const SEG_LDTR: u32 = 6
export const SEG_TR: u32 = 7

/** The state block: one u64 per slot. Snapshot copies [STATE_START, STATE_START + STATE_BYTES). */
export const STATE: usize = BASE + 0x800
export const STATE_START: usize = BASE
export const STATE_BYTES: usize = 0x2000

// State slots. Order is part of the snapshot format; append only. The host names them in hart.ts SLOT.
export const S_RIP: usize = STATE + 0 * 8
/** EFLAGS without the arithmetic flags when FL_OP != FL_EAGER (then they come from the lazy state). */
export const S_FLAGS: usize = STATE + 1 * 8
export const S_INSTRET: usize = STATE + 2 * 8
/** Idle steps added while halted: time = instret + this. */
export const S_TIME_OFFSET: usize = STATE + 3 * 8
export const S_CR0: usize = STATE + 4 * 8
export const S_CR2: usize = STATE + 5 * 8
export const S_CR3: usize = STATE + 6 * 8
export const S_CR4: usize = STATE + 7 * 8
export const S_CR8: usize = STATE + 8 * 8
export const S_EFER: usize = STATE + 9 * 8
export const S_DR0: usize = STATE + 10 * 8
export const S_DR6: usize = STATE + 14 * 8
export const S_DR7: usize = STATE + 15 * 8
export const S_GDTR_BASE: usize = STATE + 16 * 8
export const S_GDTR_LIMIT: usize = STATE + 17 * 8
export const S_IDTR_BASE: usize = STATE + 18 * 8
export const S_IDTR_LIMIT: usize = STATE + 19 * 8
export const S_CPL: usize = STATE + 20 * 8
/** X86_MODE_CODE (trace-layout.ts): REAL16 … LONG64. */
export const S_MODE: usize = STATE + 21 * 8
// Lazy flags (flags.ts).
export const S_FL_OP: usize = STATE + 24 * 8
export const S_FL_RES: usize = STATE + 25 * 8
export const S_FL_A: usize = STATE + 26 * 8
export const S_FL_B: usize = STATE + 27 * 8
export const S_FL_C: usize = STATE + 28 * 8
// Hart-owned MSRs.
export const S_STAR: usize = STATE + 32 * 8
export const S_LSTAR: usize = STATE + 33 * 8
export const S_CSTAR: usize = STATE + 34 * 8
export const S_FMASK: usize = STATE + 35 * 8
export const S_KERNEL_GS_BASE: usize = STATE + 36 * 8
export const S_TSC_AUX: usize = STATE + 37 * 8
export const S_SYSENTER_CS: usize = STATE + 38 * 8
export const S_SYSENTER_ESP: usize = STATE + 39 * 8
export const S_SYSENTER_EIP: usize = STATE + 40 * 8
export const S_PAT: usize = STATE + 41 * 8
export const S_APIC_BASE: usize = STATE + 42 * 8
export const S_MISC_ENABLE: usize = STATE + 43 * 8
/** RDTSC = time + this (wrmsr IA32_TSC sets it). */
export const S_TSC_OFFSET: usize = STATE + 44 * 8
// x87 / SSE control state.
export const S_FCW: usize = STATE + 48 * 8
/** FSW without TOP (TOP lives in S_FTOP). */
export const S_FSW: usize = STATE + 49 * 8
/** Abridged tag word: bit i set = physical register i valid. */
export const S_FTW: usize = STATE + 50 * 8
export const S_FTOP: usize = STATE + 51 * 8
export const S_MXCSR: usize = STATE + 52 * 8
// Interrupts.
export const S_INTR_LINE: usize = STATE + 56 * 8
export const S_NMI_PENDING: usize = STATE + 57 * 8
/** NMIs blocked from NMI delivery until the next iret. */
export const S_NMI_BLOCKED: usize = STATE + 58 * 8
export const S_HALTED: usize = STATE + 59 * 8
/** Interrupts are inhibited before the instruction whose step equals this + 1 … i.e. while instret == S_SHADOW_AT. */
export const S_SHADOW_AT: usize = STATE + 60 * 8
/** Acknowledged external vector waiting for delivery, + 1 (0 = none). */
export const S_ACK_VECTOR: usize = STATE + 61 * 8
// The pending exit.
export const S_IO_PORT: usize = STATE + 64 * 8
export const S_IO_SIZE: usize = STATE + 65 * 8
export const S_IO_WRITE: usize = STATE + 66 * 8
export const S_IO_VALUE: usize = STATE + 67 * 8
export const S_IO_STRING: usize = STATE + 68 * 8
export const S_IO_REP: usize = STATE + 69 * 8
export const S_MMIO_ADDR: usize = STATE + 70 * 8
export const S_MMIO_SIZE: usize = STATE + 71 * 8
export const S_MMIO_WRITE: usize = STATE + 72 * 8
export const S_MMIO_VALUE: usize = STATE + 73 * 8
export const S_MMIO_FETCH: usize = STATE + 74 * 8
export const S_MSR_NUM: usize = STATE + 75 * 8
export const S_MSR_WRITE: usize = STATE + 76 * 8
export const S_MSR_VALUE: usize = STATE + 77 * 8
/** Answered outside accesses (MMIO, port I/O, MSR) of the instruction being re-executed: count and its step. */
export const S_ANS_COUNT: usize = STATE + 78 * 8
export const S_ANS_STEP: usize = STATE + 79 * 8
/** Which exit is waiting for its completion (EXIT_IO / EXIT_MMIO / EXIT_MSR), 0 none. */
export const S_EXIT_WAITING: usize = STATE + 80 * 8
// Options.
export const S_STOP_ON_UNIMPL: usize = STATE + 84 * 8
export const S_HALT_ON_INT3: usize = STATE + 85 * 8
export const S_STRICT_TLB: usize = STATE + 86 * 8
export const S_STOP_REQUESTED: usize = STATE + 87 * 8
export const S_RAM_SIZE: usize = STATE + 88 * 8
// Tracing.
export const S_TRACE_REGION_SHIFT: usize = STATE + 90 * 8
export const S_TRACE_WALKS: usize = STATE + 91 * 8
export const S_RING_HEAD: usize = STATE + 92 * 8
export const S_RING_TAIL: usize = STATE + 93 * 8
export const S_LAST_RIP: usize = STATE + 94 * 8
export const S_TRACE_REGION: usize = STATE + 95 * 8
/** Non-zero after a triple fault (the machine is in shutdown). */
export const S_SHUTDOWN: usize = STATE + 96 * 8
export const S_TF_STEP: usize = STATE + 97 * 8
/** Three fault records of FAULT_SLOTS slots each (deliver.ts FR_*). */
export const S_TF_CHAIN: usize = STATE + 98 * 8
export const FAULT_SLOTS: usize = 8
// The last #UD.
export const S_UD_VALID: usize = STATE + 124 * 8
export const S_UD_RIP: usize = STATE + 125 * 8
export const S_UD_REASON: usize = STATE + 126 * 8
export const S_UD_ROW: usize = STATE + 127 * 8
export const S_UD_STEP: usize = STATE + 128 * 8
export const S_UD_LEN: usize = STATE + 129 * 8
/** 16 bytes. */
export const S_UD_BYTES: usize = STATE + 130 * 8
/** Set when the Unimplemented exit was taken for the instruction at S_UD_STEP: the next run delivers #UD. */
export const S_UD_STOPPED: usize = STATE + 132 * 8
/** An exception to deliver before the next instruction (from a completion, e.g. completeMsr(null)): vector + 1, error code. */
export const S_PENDING_EXC: usize = STATE + 136 * 8
export const S_PENDING_ERR: usize = STATE + 137 * 8
/** Recent delivered events ring (8 records of FAULT_SLOTS), head index. */
export const S_RECENT_HEAD: usize = STATE + 140 * 8
export const S_RECENT: usize = STATE + 144 * 8
export const RECENT_RECORDS: usize = 8
/** Trace kinds the ring skips: bit k set = records of kind k are not written (0 = record every kind). Traced build only. */
export const S_TRACE_SKIP: usize = STATE + 208 * 8
/** Answer values of S_ANS_COUNT outside accesses (ANS_MAX u64). */
export const ANSWERS: usize = STATE + 0x1000
export const ANS_MAX: u64 = 32

/**
 * Three direct-mapped TLBs (fetch, read, write) of TLB_ENTRIES entries of TLB_ENTRY_BYTES.
 * Entry: +0 tag = (linear & ~0xfff) | ctx (ctx bit 0 = CPL 3), +8 addend (host = linear + addend),
 * +16 physical page, +24 flags (bit 0 global). 4096 entries cover 16 MiB: a kernel touching a few
 * thousand pages in a loop (page tables, a buffer cache) hits, as QEMU's resizing TLB does.
 */
export const TLB_ENTRIES: u64 = 4096
export const TLB_INDEX_MASK: u64 = TLB_ENTRIES - 1
export const TLB_ENTRY_BYTES: usize = 32
export const TLB_FETCH: usize = BASE + 0x8000
export const TLB_READ: usize = TLB_FETCH + <usize>TLB_ENTRIES * 32
export const TLB_WRITE: usize = TLB_READ + <usize>TLB_ENTRIES * 32
/**
 * Second-level TLB of the strict teaching mode (one per kind, STRICT_ENTRIES each, same entry
 * layout): larger than the first level, so a translation the first level evicts stays stale here.
 */
export const STRICT_ENTRIES: u64 = 16384
export const TLB_STRICT: usize = TLB_WRITE + <usize>TLB_ENTRIES * 32

/**
 * Pre-decoded instruction cache, keyed by the physical address of the first byte and the code
 * size (tag = pa | mode << 56), DC_ENTRIES entries of DC_ENTRY_BYTES indexed by pa; fields in decode.ts.
 */
export const DC_ENTRIES_LOG2: u64 = 17
export const DC_MASK: u64 = (1 << 17) - 1
export const DC_ENTRY_BYTES: usize = 64
export const DCACHE: usize = TLB_STRICT + 3 * <usize>STRICT_ENTRIES * 32
/** One extra entry, never tagged, for instructions that straddle a page boundary. */
export const DC_SCRATCH: usize = DCACHE + (1 << 17) * 64
/** The bytes being decoded (up to 16) and how many are available. */
export const FETCH_BUF: usize = DC_SCRATCH + 64

/** One flag byte per 4 KiB page of RAM (up to 4 GiB): PF_DIRTY, PF_CODE, PF_WATCHED, PF_DEVICE. */
export const PAGE_FLAGS: usize = DC_SCRATCH + 0x1000
export const PAGE_FLAGS_BYTES: usize = 0x100000
export const PF_DIRTY: u8 = 1
export const PF_CODE: u8 = 2
export const PF_WATCHED: u8 = 4
export const PF_DEVICE: u8 = 8

/**
 * One byte per 4 KiB page of RAM: bit k set = a decoded instruction may start in bytes
 * [512k, 512k + 512) of the page. Only ever set (a superset is safe): a store into a code page
 * looks for decoded instructions to drop only when a bit near it is set — data sharing a page
 * with code (a kernel's .data after a short .text) is not searched on every store.
 */
export const CODE_MAP: usize = PAGE_FLAGS + PAGE_FLAGS_BYTES

/** Trace ring: RING_RECORDS fixed-size records of RING_RECORD_BYTES (see ../trace-layout.ts). */
export const RING: usize = CODE_MAP + PAGE_FLAGS_BYTES
export const RING_RECORDS: u64 = 65536
export const RING_RECORD_BYTES: usize = 48
/** Leave the loop with TraceFull once fewer than this many records are free (one instruction writes at most a few). */
export const RING_SLACK: u64 = 64

/** Guest RAM (physical 0 upward) starts here, 64 KiB aligned. */
export const RAM: usize = (RING + <usize>RING_RECORDS * RING_RECORD_BYTES + 0xffff) & ~0xffff
