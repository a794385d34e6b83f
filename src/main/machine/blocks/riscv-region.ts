/**
 * The RISC-V translator: finds the basic blocks of one 4 KiB code page reachable from a set of
 * entry pcs, and emits them as one wasm function over the hart's memory (docs/block-compiler.md).
 *
 * What it compiles (RV64IM + the C forms the decoder expands to them): integer ALU, M, loads and
 * stores through the hart's data TLBs, branches and jumps, fences. Anything else — CSRs, system
 * instructions, atomics, floating point, illegal words — ends its block with a "slow" exit: the
 * function returns before it and the interpreter runs exactly that instruction. Every load or
 * store whose TLB entry misses does the same, so traps, MMIO, watched pages, triggers and page
 * walks all happen in the interpreter, where they are exact by construction.
 *
 * The function: `(entry: i32, limit: i64, dctx: i64) → i32`. Guest registers live in wasm locals
 * for the whole call (loaded at entry, written back at exit). Blocks are laid out in address order
 * inside a `loop` with a `br_table` dispatch. Blocks that follow each other in the page run as one
 * straight line (a superblock: no dispatch, no budget check between them); the budget is checked
 * where control is dispatched — `instret + the target's straight-line length ≤ limit` at each jump
 * inside the region, by the hart before it enters (the entry map holds each entry's length), else
 * the function returns BUDGET — so compiled code never passes the budget and the step count at
 * every exit is exact. A load or store whose TLB entry misses asks the hart to refill it
 * (`env.refill`, the hart's blockRefill) and goes on when it could; a jalr whose target is a
 * return site of the same function (a call into the same page returning) dispatches without leaving.
 */
import { Code, I32, I64, ModuleBuilder, type Label, type MemOp } from './wasm-emitter'

/** Return codes (the hart's B_* in assembly/blocks.ts). */
export const EXIT_LEFT = 1
export const EXIT_SLOW = 2
export const EXIT_BUDGET = 3

/** Longest block (instructions). */
export const MAX_BLOCK_INSTRUCTIONS = 48
/** Longest straight line of blocks between two budget checks: bounds how far a slice can end before its budget. */
export const MAX_CHAIN_INSTRUCTIONS = 64
/** Most instructions one region compiles (bounds module size and compile time). */
export const MAX_REGION_INSTRUCTIONS = 768

const PAGE = 4096n

/** One decoded guest instruction (compressed ones already expanded by the hart's decoder). */
export interface GuestInstruction {
  pc: bigint
  /** Table name of the op it executes as (`addi` for `c.addi`), or '' when illegal. */
  op: string
  /** Register numbers; rd 32 = x0 as a destination (the hart's dummy slot, never read). */
  rd: number
  rs1: number
  rs2: number
  imm: bigint
  len: number
}

export type Tail =
  | { kind: 'fall'; to: bigint }
  | { kind: 'slow'; at: bigint }
  | { kind: 'branch'; ins: GuestInstruction; taken: bigint; next: bigint }
  | { kind: 'jal'; ins: GuestInstruction; to: bigint }
  /** `to`: the target when the block computes it from constants (`call`'s auipc + jalr, `la` + jalr). */
  | { kind: 'jalr'; ins: GuestInstruction; to?: bigint }

export interface Block {
  start: bigint
  /** Straight-line instructions (ALU, M, loads, stores, fences). */
  body: GuestInstruction[]
  tail: Tail
}

/** Retired instructions when a block runs to its end (the tail's branch or jump retires too). */
export function blockLength(b: Block): number {
  return b.body.length + (b.tail.kind === 'branch' || b.tail.kind === 'jal' || b.tail.kind === 'jalr' ? 1 : 0)
}

export interface RegionLayout {
  /** Byte address of x0 in wasm memory (x_i at regs + 8i). */
  regs: number
  pc: number
  instret: number
  lastPc: number
  tlbLoad: number
  tlbStore: number
  /** Where the hart's blockCsrRead leaves the value. */
  csrValue: number
}

const ALU = new Set([
  'lui', 'auipc', 'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai', 'add', 'sub', 'sll', 'slt', 'sltu',
  'xor', 'srl', 'sra', 'or', 'and', 'addiw', 'slliw', 'srliw', 'sraiw', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw', 'fence', 'fence.tso',
])
const LOADS: Record<string, MemOp> = {
  lb: 'i64.load8_s', lh: 'i64.load16_s', lw: 'i64.load32_s', ld: 'i64.load', lbu: 'i64.load8_u', lhu: 'i64.load16_u', lwu: 'i64.load32_u',
}
const STORES: Record<string, MemOp> = { sb: 'i64.store8', sh: 'i64.store16', sw: 'i64.store32', sd: 'i64.store' }
const BRANCHES: Record<string, 'i64.eq' | 'i64.ne' | 'i64.lt_s' | 'i64.ge_s' | 'i64.lt_u' | 'i64.ge_u'> = {
  beq: 'i64.eq', bne: 'i64.ne', blt: 'i64.lt_s', bge: 'i64.ge_s', bltu: 'i64.lt_u', bgeu: 'i64.ge_u',
}

/** Whether the translator compiles `ins` inside a block (else it ends the block with a slow exit). */
export function compiles(ins: GuestInstruction): boolean {
  const op = ins.op
  return ALU.has(op) || op in LOADS || op in STORES || op in BRANCHES || op === 'jal' || op === 'jalr' || isCsrRead(ins)
}

/** A CSR access that only reads (csrrs/csrrc with rs1 = x0, csrrsi/csrrci with uimm 0): compiled through the hart's blockCsrRead. */
function isCsrRead(ins: GuestInstruction): boolean {
  return ins.rs1 === 0 && (ins.op === 'csrrs' || ins.op === 'csrrc' || ins.op === 'csrrsi' || ins.op === 'csrrci')
}

// ---- discovery -------------------------------------------------------------------------------------

/**
 * The blocks of the page holding `roots` (all in one page, virtual pcs). `decode(pc)` gives the
 * instruction at a pc of the page, or undefined when it cannot be compiled from here (a 4-byte
 * instruction straddling the page end). Leaders: the roots, branch and jump targets inside the
 * page, the instruction after a call (where its return lands), and the instruction after anything
 * that can leave compiled code (a slow instruction, a load or store whose TLB entry may miss), so
 * the next entry after the interpreter's step exists. `stops` (a debugger's breakpoint pcs) end
 * blocks with a slow exit before their instruction.
 */
export function discoverBlocks(
  roots: readonly bigint[],
  decode: (pc: bigint) => GuestInstruction | undefined,
  stops: ReadonlySet<bigint> = new Set(),
): Block[] {
  // A debugger's breakpoint pc is compiled as a stop before its instruction, like an instruction only the interpreter runs.
  const compilesHere = (ins: GuestInstruction): boolean => compiles(ins) && !stops.has(ins.pc)
  const page = roots[0] & ~(PAGE - 1n)
  const inPage = (pc: bigint): boolean => (pc & ~(PAGE - 1n)) === page
  const leaders = new Set<bigint>()
  const work: bigint[] = []
  const addLeader = (pc: bigint): void => {
    if (inPage(pc) && !leaders.has(pc)) {
      leaders.add(pc)
      work.push(pc)
    }
  }
  roots.forEach(addLeader)
  // Pass 1: every leader, following straight-line code from each.
  let seen = 0
  while (work.length > 0 && seen < MAX_REGION_INSTRUCTIONS) {
    let pc = work.pop()!
    const line: GuestInstruction[] = []
    for (;;) {
      const ins = decode(pc)
      seen++
      if (!ins || !compilesHere(ins)) {
        // After an instruction the interpreter runs (a CSR access, an ecall…), compiled code may go on.
        const after = ins && ins.op !== '' ? decode(pc + BigInt(ins.len)) : undefined
        if (ins && after && compilesHere(after)) addLeader(after.pc)
        break
      }
      const next = pc + BigInt(ins.len)
      if (ins.op in BRANCHES) {
        addLeader(pc + ins.imm)
        addLeader(next)
        break
      }
      // A call's return lands after it: make that an entry too.
      if ((ins.op === 'jal' || ins.op === 'jalr') && ins.rd !== 32) addLeader(next)
      if (ins.op === 'jal') {
        addLeader(pc + ins.imm)
        break
      }
      if (ins.op === 'jalr') {
        const to = constantTarget(line, ins)
        if (to !== undefined) addLeader(to)
        break
      }
      if (ins.op in LOADS || ins.op in STORES) {
        addLeader(next)
        break
      }
      if (!inPage(next) || leaders.has(next) || seen >= MAX_REGION_INSTRUCTIONS) break
      line.push(ins)
      pc = next
    }
  }
  // Pass 2: one block per leader, cut at the next leader (a block cut at its length cap makes the next pc one).
  const blocks: Block[] = []
  let total = 0
  const order = [...leaders].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (let li = 0; li < order.length; li++) {
    const start = order[li]
    const body: GuestInstruction[] = []
    let pc = start
    let tail: Tail
    for (;;) {
      const ins = decode(pc)
      if (!ins || !compilesHere(ins) || total >= MAX_REGION_INSTRUCTIONS) {
        tail = { kind: 'slow', at: pc }
        break
      }
      const next = pc + BigInt(ins.len)
      if (ins.op in BRANCHES) { tail = { kind: 'branch', ins, taken: pc + ins.imm, next }; total++; break }
      if (ins.op === 'jal') { tail = { kind: 'jal', ins, to: pc + ins.imm }; total++; break }
      if (ins.op === 'jalr') { tail = { kind: 'jalr', ins, to: constantTarget(body, ins) }; total++; break }
      body.push(ins)
      total++
      if (ins.op in LOADS || ins.op in STORES || !inPage(next) || leaders.has(next) || body.length >= MAX_BLOCK_INSTRUCTIONS) {
        tail = { kind: 'fall', to: next }
        if (inPage(next) && !leaders.has(next) && total < MAX_REGION_INSTRUCTIONS) {
          leaders.add(next)
          order.splice(li + 1, 0, next)
        }
        break
      }
      pc = next
    }
    blocks.push({ start, body, tail })
  }
  return blocks
}

/**
 * The target of `jalr` when the straight line before it (`line`, in order, ending right before it)
 * computes rs1 from constants — `call f` (auipc ra + jalr ra), `la t0, f` + `jalr t0` — else undefined.
 */
export function constantTarget(line: readonly GuestInstruction[], jalr: GuestInstruction): bigint | undefined {
  const known = new Map<number, bigint>()
  for (const ins of line) {
    const base = ins.rs1 === 0 ? 0n : known.get(ins.rs1)
    let v: bigint | undefined
    if (ins.op === 'auipc') v = ins.pc + ins.imm
    else if (ins.op === 'lui') v = ins.imm
    else if (ins.op === 'addi' && base !== undefined) v = base + ins.imm
    if (ins.rd !== 0 && ins.rd !== 32) {
      if (v === undefined) known.delete(ins.rd)
      else known.set(ins.rd, BigInt.asUintN(64, v))
    }
  }
  const base = known.get(jalr.rs1)
  return base === undefined ? undefined : BigInt.asUintN(64, base + jalr.imm) & ~1n
}

// ---- emission -----------------------------------------------------------------------------------------

/** Locals of the region function (after the params entry = 0, limit = 1, dctx = 2). */
interface Locals { next: number; ic: number; va: number; t: number; status: number; lastPc: number; a: number; b: number; x: number[] }

/**
 * Where each block's straight line ends: `falls[i]` when block i continues into block i + 1 (the
 * next in address order) without a dispatch, and `lengths[i]` the most instructions that run from
 * block i's start before the next budget check (at most MAX_CHAIN_INSTRUCTIONS).
 */
export function straightLines(blocks: readonly Block[]): { falls: boolean[]; lengths: number[] } {
  const falls: boolean[] = []
  const lengths: number[] = []
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i]
    const n = blockLength(b)
    const after = blocks[i + 1]?.start
    const t = b.tail
    const edge = after !== undefined && ((t.kind === 'fall' && t.to === after) || (t.kind === 'branch' && t.next === after) || ((t.kind === 'jal' || t.kind === 'jalr') && t.to === after))
    falls[i] = edge && n + lengths[i + 1] <= MAX_CHAIN_INSTRUCTIONS
    lengths[i] = n + (falls[i] ? lengths[i + 1] : 0)
  }
  return { falls, lengths }
}

/** Where entry i (blocks[i]) is: function `fn` of the module (export `run<fn>`), its block `index` there, and its straight-line `length` (the hart checks it against the budget). */
export interface RegionEntry { fn: number; index: number; length: number }

/**
 * The blocks of a region grouped by the control flow between them (fall-throughs, branches and
 * jumps inside the page, a call with its return site): each group becomes its own function, so an entry loads and stores only
 * the registers of the code it can reach (a page often holds several small guest functions).
 */
export function components(blocks: readonly Block[]): number[][] {
  const index = new Map(blocks.map((b, i) => [b.start, i]))
  const parent = blocks.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])))
  const join = (i: number, pc: bigint): void => {
    const j = index.get(pc)
    if (j !== undefined) parent[find(i)] = find(j)
  }
  blocks.forEach((b, i) => {
    const t = b.tail
    if (t.kind === 'fall') join(i, t.to)
    else if (t.kind === 'branch') { join(i, t.taken); join(i, t.next) }
    else if (t.kind === 'jal') join(i, t.to)
    else if (t.kind === 'jalr' && t.to !== undefined) join(i, t.to)
    // A call and the code its return lands on belong to the same guest function (a `ret` there dispatches: returnSites).
    if ((t.kind === 'jal' || t.kind === 'jalr') && t.ins.rd !== 32 && t.ins.rd !== 0) join(i, t.ins.pc + BigInt(t.ins.len))
  })
  const groups = new Map<number, number[]>()
  blocks.forEach((_, i) => {
    const root = find(i)
    const g = groups.get(root)
    if (g) g.push(i)
    else groups.set(root, [i])
  })
  return [...groups.values()]
}

/** The wasm module for `blocks`: one exported function `run<k>` per component; `entries[i]` says where blocks[i] is. */
export function emitRegion(blocks: readonly Block[], layout: RegionLayout, traced: boolean): { bytes: Uint8Array; functions: number; entries: RegionEntry[] } {
  const mod = new ModuleBuilder().importMemory('env', 'memory')
  const refill = mod.importFunc('env', 'refill', [I64, I32], [I32])
  const csrRead = mod.importFunc('env', 'csrRead', [I32], [I32])
  const mmioRead = mod.importFunc('env', 'mmioRead', [I64], [I32])
  const mulhu = emitMulhu(mod)
  const entries: RegionEntry[] = []
  const groups = components(blocks)
  groups.forEach((group, fn) => {
    const own = group.map((i) => blocks[i])
    const lengths = emitFunction(mod, `run${fn}`, own, { layout, traced, refill, csrRead, mmioRead, mulhu })
    group.forEach((i, k) => { entries[i] = { fn, index: k, length: lengths[k] } })
  })
  return { bytes: mod.bytes(), functions: groups.length, entries }
}

/** One region function over `blocks` (in address order; entry k = blocks[k]); returns each entry's straight-line length. */
function emitFunction(
  mod: ModuleBuilder, name: string, blocks: readonly Block[],
  shared: { layout: RegionLayout; traced: boolean; refill: number; csrRead: number; mmioRead: number; mulhu: number },
): number[] {
  const { layout, traced } = shared
  const { code } = mod.func([I32, I64, I64], [I32], name)
  const L: Locals = {
    next: code.local(I32), ic: code.local(I64), va: code.local(I64), t: code.local(I32), status: code.local(I32),
    lastPc: code.local(I64), a: code.local(I64), b: code.local(I64), x: [],
  }
  const used = new Set<number>()
  const written = new Set<number>()
  for (const b of blocks) {
    const all = [...b.body, ...('ins' in b.tail ? [b.tail.ins] : [])]
    for (const ins of all) {
      for (const r of [ins.rs1, ins.rs2]) if (r !== 0) used.add(r)
      if (writesRd(ins)) { used.add(ins.rd); written.add(ins.rd) }
    }
  }
  for (let r = 0; r <= 32; r++) L.x.push(used.has(r) ? code.local(I64) : -1)

  // Prologue: step counter, last pc (traced build), registers.
  code.i32(0).mem('i64.load', layout.instret).set(L.ic)
  if (traced) code.i32(0).mem('i64.load', layout.lastPc).set(L.lastPc)
  for (const r of used) code.i32(0).mem('i64.load', layout.regs + 8 * r).set(L.x[r])
  code.get(0).set(L.next)

  const index = new Map(blocks.map((b, i) => [b.start, i]))
  const exit = code.block()
  const dispatch = code.loop()
  const bad = code.block()
  const labels: Label[] = []
  for (let i = blocks.length - 1; i >= 0; i--) labels[i] = code.block()
  code.get(L.next).brTable(labels, bad)
  const { falls, lengths } = straightLines(blocks)
  const ctx: EmitContext = { ...shared, code, L, exit, dispatch, index, falls, lengths, blockIndex: 0, returnSites: returnSites(blocks) }
  for (let i = 0; i < blocks.length; i++) {
    code.end(labels[i])
    ctx.blockIndex = i
    emitBlock(ctx, blocks[i])
  }
  code.end(bad).op('unreachable')
  code.end(dispatch).op('unreachable')
  code.end(exit)
  // Epilogue: written registers back to the hart's register file.
  for (const r of written) code.i32(0).get(L.x[r]).mem('i64.store', layout.regs + 8 * r)
  code.get(L.status)
  return lengths
}

interface EmitContext {
  code: Code
  L: Locals
  layout: RegionLayout
  traced: boolean
  exit: Label
  dispatch: Label
  index: Map<bigint, number>
  mulhu: number
  refill: number
  csrRead: number
  mmioRead: number
  falls: boolean[]
  lengths: number[]
  blockIndex: number
  /** Block starts where a call of this function returns: a jalr to one of them dispatches without leaving. */
  returnSites: bigint[]
}

/** Most return sites a jalr compares its target with before it leaves the function (each is a compare and a branch). */
export const MAX_RETURN_SITES = 8

/**
 * The block starts of `blocks` right after a call (jal/jalr writing a link register): where a
 * `ret` of a callee compiled in the same function lands. At most MAX_RETURN_SITES, in address order.
 */
export function returnSites(blocks: readonly Block[]): bigint[] {
  const starts = new Set(blocks.map((b) => b.start))
  const sites: bigint[] = []
  for (const b of blocks) {
    const t = b.tail
    if ((t.kind === 'jal' || t.kind === 'jalr') && t.ins.rd !== 32 && t.ins.rd !== 0) {
      const after = t.ins.pc + BigInt(t.ins.len)
      if (starts.has(after) && !sites.includes(after)) sites.push(after)
    }
  }
  return sites.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_RETURN_SITES)
}

/** Leaves the function: pc (a constant, or the value `pcLocal` holds), instret = ic + k, the last pc (traced). */
function emitExit(c: EmitContext, status: number, pc: bigint | { local: number }, k: number, last: bigint | undefined): void {
  const { code, L, layout } = c
  code.i32(0)
  if (typeof pc === 'bigint') code.i64(pc)
  else code.get(pc.local)
  code.mem('i64.store', layout.pc)
  code.i32(0).get(L.ic)
  if (k !== 0) code.i64(k).op('i64.add')
  code.mem('i64.store', layout.instret)
  if (c.traced) {
    code.i32(0)
    if (last === undefined) code.get(L.lastPc)
    else code.i64(last)
    code.mem('i64.store', layout.lastPc)
  }
  code.i32(status).set(L.status).br(c.exit)
}

/**
 * Continues at `pc`: the next block in layout falls through (when its straight line allows), another
 * block dispatches when its straight line fits in the budget (else BUDGET), else the function returns.
 */
function emitGoto(c: EmitContext, pc: bigint, mayFall: boolean, last: bigint): void {
  const { code, L } = c
  const i = c.index.get(pc)
  if (i === undefined) return emitExit(c, EXIT_LEFT, pc, 0, last)
  if (mayFall && i === c.blockIndex + 1 && c.falls[c.blockIndex]) return
  if (c.lengths[i] > 0) {
    code.get(L.ic).i64(c.lengths[i]).op('i64.add').get(1).op('i64.gt_u').if_()
    emitExit(c, EXIT_BUDGET, pc, 0, last)
    code.end()
  }
  code.i32(i).set(L.next).br(c.dispatch)
}

function emitBlock(c: EmitContext, b: Block): void {
  const { code, L } = c
  const n = blockLength(b)
  b.body.forEach((ins, k) => emitInstruction(c, ins, k, k === 0 ? undefined : b.body[k - 1].pc))
  const lastIns = 'ins' in b.tail ? b.tail.ins : b.body[b.body.length - 1]
  const last = lastIns?.pc
  if (n > 0) {
    code.get(L.ic).i64(n).op('i64.add').set(L.ic)
    if (c.traced && last !== undefined) code.i64(last).set(L.lastPc)
  }
  const t = b.tail
  switch (t.kind) {
    case 'fall': return emitGoto(c, t.to, true, last!)
    case 'slow': return emitExit(c, EXIT_SLOW, t.at, 0, undefined)
    case 'jal':
      setReg(c, t.ins.rd, () => code.i64(t.ins.pc + BigInt(t.ins.len)))
      return emitGoto(c, t.to, true, t.ins.pc)
    case 'jalr':
      if (t.to !== undefined) {
        // rs1 holds a constant the block computed: a direct jump (the link register is written as jalr does).
        setReg(c, t.ins.rd, () => code.i64(t.ins.pc + BigInt(t.ins.len)))
        return emitGoto(c, t.to, true, t.ins.pc)
      }
      readReg(c, t.ins.rs1)
      code.i64(t.ins.imm).op('i64.add').i64(-2n).op('i64.and').set(L.a)
      setReg(c, t.ins.rd, () => code.i64(t.ins.pc + BigInt(t.ins.len)))
      // A return to a call site of this function (a call and its callee in the same page) continues here.
      for (const site of c.returnSites) {
        code.get(L.a).i64(site).op('i64.eq').if_()
        emitGoto(c, site, false, t.ins.pc)
        code.end()
      }
      return emitExit(c, EXIT_LEFT, { local: L.a }, 0, t.ins.pc)
    case 'branch':
      readReg(c, t.ins.rs1)
      readReg(c, t.ins.rs2)
      code.op(BRANCHES[t.ins.op]).if_()
      emitGoto(c, t.taken, false, t.ins.pc)
      code.end()
      return emitGoto(c, t.next, true, t.ins.pc)
  }
}

/**
 * Whether the instruction writes its rd slot. The decoder sends writes to x0 to a dummy slot, 32
 * (never read); compiled code writes it too, so the state block stays byte-identical.
 */
function writesRd(ins: GuestInstruction): boolean {
  return ins.rd !== 0 && !(ins.op in STORES) && !(ins.op in BRANCHES) && ins.op !== 'fence' && ins.op !== 'fence.tso'
}

/** Pushes register r (x0 reads as 0). */
function readReg(c: EmitContext, r: number): void {
  if (r === 0) c.code.i64(0)
  else c.code.get(c.L.x[r])
}
/** rd = value (rd 32: the dummy slot the interpreter writes for x0). */
function setReg(c: EmitContext, rd: number, value: () => void): void {
  if (rd === 0) return
  value()
  c.code.set(c.L.x[rd])
}

/** Instruction k of its block; `prevPc` is the pc of instruction k-1 (the last retired one if this leaves). */
function emitInstruction(c: EmitContext, ins: GuestInstruction, k: number, prevPc: bigint | undefined): void {
  if (ins.op in LOADS) return emitLoad(c, ins, k, prevPc)
  if (ins.op in STORES) return emitStore(c, ins, k, prevPc)
  if (isCsrRead(ins)) return emitCsrRead(c, ins, k, prevPc)
  const emit = ALU_EMITTERS[ins.op]
  if (!emit) throw new Error(`riscv-region: no emitter for ${ins.op}`)
  if (writesRd(ins)) setReg(c, ins.rd, () => emit(c, ins))
}

/**
 * va = rs1 + imm; t = the TLB entry for va; on a miss the hart refills the entry when the access is
 * plain RAM (`env.refill`), else the function stops before the instruction (k retired in its block).
 */
function emitTlb(c: EmitContext, ins: GuestInstruction, tlb: number, k: number, prevPc: bigint | undefined): void {
  const { code, L } = c
  emitTlbCheck(c, ins, tlb)
  code.op('i32.eqz').if_()
  code.get(L.va).i32(tlb === c.layout.tlbStore ? 1 : 0).call(c.refill).op('i32.eqz').if_()
  emitExit(c, EXIT_SLOW, ins.pc, k, prevPc)
  code.end()
  code.end()
}

/** va = rs1 + imm; t = the TLB entry for va; leaves the fast-path condition (i32) on the stack. */
function emitTlbCheck(c: EmitContext, ins: GuestInstruction, tlb: number): void {
  const { code, L } = c
  readReg(c, ins.rs1)
  code.i64(ins.imm).op('i64.add').set(L.va)
  code.get(L.va).i64(12).op('i64.shr_u').op('i32.wrap_i64').i32(255).op('i32.and').i32(5).op('i32.shl').i32(tlb).op('i32.add').set(L.t)
  // Tag = (va & ~0xfff) | ctx, and the access cannot straddle the page (offset ≤ 0xff8 covers every size).
  code.get(L.t).mem('i64.load', 0).get(L.va).i64(~0xfffn).op('i64.and').get(2).op('i64.or').op('i64.eq')
  code.get(L.va).i64(0xfff).op('i64.and').i64(0xff8).op('i64.le_u').op('i32.and')
}
/** The host address of va through entry t (va + addend, as i32). */
function emitHostAddress(c: EmitContext): void {
  c.code.get(c.L.va).get(c.L.t).mem('i64.load', 8).op('i64.add').op('i32.wrap_i64')
}

function emitLoad(c: EmitContext, ins: GuestInstruction, k: number, prevPc: bigint | undefined): void {
  const { code } = c
  const byte = ins.op === 'lb' || ins.op === 'lbu'
  if (!byte) {
    emitTlb(c, ins, c.layout.tlbLoad, k, prevPc)
    emitHostAddress(c)
    code.mem(LOADS[ins.op], 0)
    setLoaded(c, ins)
    return
  }
  // A byte load that is not RAM may be a UART register the hart's mirror serves (a line-status poll).
  const done = code.block()
  emitTlbCheck(c, ins, c.layout.tlbLoad)
  code.op('i32.eqz').if_()
  code.get(c.L.va).i32(0).call(c.refill).op('i32.eqz').if_()
  storeInstret(c, k)
  code.get(c.L.va).call(c.mmioRead).op('i32.eqz').if_()
  emitExit(c, EXIT_SLOW, ins.pc, k, prevPc)
  code.end()
  code.i32(0).mem(ins.op === 'lb' ? 'i64.load8_s' : 'i64.load8_u', c.layout.csrValue)
  setLoaded(c, ins)
  code.br(done)
  code.end()
  code.end()
  emitHostAddress(c)
  code.mem(LOADS[ins.op], 0)
  setLoaded(c, ins)
  code.end(done)
}

/** The loaded value on the stack into rd (rd 0 = no destination: dropped). */
function setLoaded(c: EmitContext, ins: GuestInstruction): void {
  if (ins.rd === 0) c.code.op('drop')
  else c.code.set(c.L.x[ins.rd])
}

/** S_INSTRET = ic + k (the hart reads it: the counters, mtime). */
function storeInstret(c: EmitContext, k: number): void {
  c.code.i32(0).get(c.L.ic)
  if (k !== 0) c.code.i64(k).op('i64.add')
  c.code.mem('i64.store', c.layout.instret)
}

/** instret = ic + k (the counters read it), then the hart checks and reads the CSR (else: stop before it). */
function emitCsrRead(c: EmitContext, ins: GuestInstruction, k: number, prevPc: bigint | undefined): void {
  const { code, L, layout } = c
  storeInstret(c, k)
  code.i32(Number(ins.imm & 0xfffn)).call(c.csrRead).op('i32.eqz').if_()
  emitExit(c, EXIT_SLOW, ins.pc, k, prevPc)
  code.end()
  // rd = x0 (slot 32): the interpreter's execCsr writes nothing.
  if (ins.rd !== 0 && ins.rd !== 32) code.i32(0).mem('i64.load', layout.csrValue).set(L.x[ins.rd])
}

function emitStore(c: EmitContext, ins: GuestInstruction, k: number, prevPc: bigint | undefined): void {
  const { code } = c
  emitTlb(c, ins, c.layout.tlbStore, k, prevPc)
  emitHostAddress(c)
  readReg(c, ins.rs2)
  code.mem(STORES[ins.op], 0)
}

// ---- ALU -------------------------------------------------------------------------------------------------

type AluEmitter = (c: EmitContext, ins: GuestInstruction) => void
type I64Op = 'i64.add' | 'i64.sub' | 'i64.mul' | 'i64.and' | 'i64.or' | 'i64.xor' | 'i64.shl' | 'i64.shr_u' | 'i64.shr_s'
type I32Op = 'i32.shl' | 'i32.shr_u' | 'i32.shr_s'

const rr = (op: I64Op): AluEmitter => (c, i) => { readReg(c, i.rs1); readReg(c, i.rs2); c.code.op(op) }
const ri = (op: I64Op): AluEmitter => (c, i) => { readReg(c, i.rs1); c.code.i64(i.imm).op(op) }
/** Sign-extends the low 32 bits of the i64 on the stack (RV64's *W results). */
const sextW = (c: EmitContext): void => { c.code.op('i32.wrap_i64').op('i64.extend_i32_s') }
const rrW = (op: I64Op): AluEmitter => (c, i) => { rr(op)(c, i); sextW(c) }
const riW = (op: I64Op): AluEmitter => (c, i) => { ri(op)(c, i); sextW(c) }
/** 32-bit shifts: wasm's i32 shifts take the count mod 32, as RV64's *W shifts do. */
const shiftW = (op: I32Op, imm: boolean): AluEmitter => (c, i) => {
  readReg(c, i.rs1)
  c.code.op('i32.wrap_i64')
  if (imm) c.code.i32(Number(i.imm))
  else { readReg(c, i.rs2); c.code.op('i32.wrap_i64') }
  c.code.op(op).op('i64.extend_i32_s')
}
const setLess = (signed: boolean, imm: boolean): AluEmitter => (c, i) => {
  readReg(c, i.rs1)
  if (imm) c.code.i64(i.imm)
  else readReg(c, i.rs2)
  c.code.op(signed ? 'i64.lt_s' : 'i64.lt_u').op('i64.extend_i32_u')
}

/** a, b = rs1, rs2 into the scratch locals. */
function operands(c: EmitContext, i: GuestInstruction): void {
  readReg(c, i.rs1)
  c.code.set(c.L.a)
  readReg(c, i.rs2)
  c.code.set(c.L.b)
}
/** mulh/mulhsu: mulhu(a, b) minus b when a < 0 (signed a), minus a when b < 0 (signed b). */
const mulHigh = (aSigned: boolean, bSigned: boolean): AluEmitter => (c, i) => {
  const { code, L } = c
  operands(c, i)
  code.get(L.a).get(L.b).call(c.mulhu)
  if (aSigned) code.get(L.b).i64(0).get(L.a).i64(0).op('i64.lt_s').op('select').op('i64.sub')
  if (bSigned) code.get(L.a).i64(0).get(L.b).i64(0).op('i64.lt_s').op('select').op('i64.sub')
}
/**
 * Division as the M extension defines it where wasm would trap: by zero → all ones (div) or the
 * dividend (rem); the signed overflow (MIN / −1) → MIN (div) or 0 (rem). `w`: 32-bit, result sign-extended.
 */
const divide = (kind: 'div' | 'divu' | 'rem' | 'remu', w: boolean): AluEmitter => (c, i) => {
  const { code, L } = c
  operands(c, i)
  const signed = kind === 'div' || kind === 'rem'
  const isDiv = kind === 'div' || kind === 'divu'
  const min = w ? -(1n << 31n) : -(1n << 63n)
  // Operands as the op sees them: 32-bit ones sign- or zero-extended to i64, so i64 arithmetic is exact.
  if (w) {
    code.get(L.a).op('i32.wrap_i64').op(signed ? 'i64.extend_i32_s' : 'i64.extend_i32_u').set(L.a)
    code.get(L.b).op('i32.wrap_i64').op(signed ? 'i64.extend_i32_s' : 'i64.extend_i32_u').set(L.b)
  }
  code.get(L.b).op('i64.eqz').if_(I64)
  if (isDiv) code.i64(-1)
  else code.get(L.a)
  code.else_()
  if (signed) {
    code.get(L.a).i64(min).op('i64.eq').get(L.b).i64(-1).op('i64.eq').op('i32.and').if_(I64)
    if (isDiv) code.i64(min)
    else code.i64(0)
    code.else_()
  }
  code.get(L.a).get(L.b).op(kind === 'div' ? 'i64.div_s' : kind === 'divu' ? 'i64.div_u' : kind === 'rem' ? 'i64.rem_s' : 'i64.rem_u')
  if (signed) code.end()
  code.end()
  if (w) sextW(c)
}

const ALU_EMITTERS: Record<string, AluEmitter> = {
  lui: (c, i) => { c.code.i64(i.imm) },
  auipc: (c, i) => { c.code.i64(i.pc + i.imm) },
  addi: ri('i64.add'), xori: ri('i64.xor'), ori: ri('i64.or'), andi: ri('i64.and'),
  slli: ri('i64.shl'), srli: ri('i64.shr_u'), srai: ri('i64.shr_s'),
  slti: setLess(true, true), sltiu: setLess(false, true), slt: setLess(true, false), sltu: setLess(false, false),
  add: rr('i64.add'), sub: rr('i64.sub'), xor: rr('i64.xor'), or: rr('i64.or'), and: rr('i64.and'),
  // wasm's i64 shifts take the count mod 64, as RV64's do.
  sll: rr('i64.shl'), srl: rr('i64.shr_u'), sra: rr('i64.shr_s'),
  addiw: riW('i64.add'), addw: rrW('i64.add'), subw: rrW('i64.sub'), mulw: rrW('i64.mul'),
  slliw: shiftW('i32.shl', true), srliw: shiftW('i32.shr_u', true), sraiw: shiftW('i32.shr_s', true),
  sllw: shiftW('i32.shl', false), srlw: shiftW('i32.shr_u', false), sraw: shiftW('i32.shr_s', false),
  mul: rr('i64.mul'),
  mulhu: (c, i) => { operands(c, i); c.code.get(c.L.a).get(c.L.b).call(c.mulhu) },
  mulh: mulHigh(true, true), mulhsu: mulHigh(true, false),
  div: divide('div', false), divu: divide('divu', false), rem: divide('rem', false), remu: divide('remu', false),
  divw: divide('div', true), divuw: divide('divu', true), remw: divide('rem', true), remuw: divide('remu', true),
}
// Fences order nothing on one in-order hart: they retire and write nothing (writesRd is false for them).
const NOTHING: AluEmitter = () => {}
ALU_EMITTERS.fence = NOTHING
ALU_EMITTERS['fence.tso'] = NOTHING

/** The high 64 bits of the unsigned 128-bit product, from 32-bit halves (wasm has no 64×64→128). */
function emitMulhu(mod: ModuleBuilder): number {
  const { index, code } = mod.func([I64, I64], [I64])
  const [a0, a1, b0, b1, p01, p10, mid] = Array.from({ length: 7 }, () => code.local(I64))
  const lo = 0xffffffffn
  code.get(0).i64(lo).op('i64.and').set(a0).get(0).i64(32).op('i64.shr_u').set(a1)
  code.get(1).i64(lo).op('i64.and').set(b0).get(1).i64(32).op('i64.shr_u').set(b1)
  code.get(a0).get(b1).op('i64.mul').set(p01).get(a1).get(b0).op('i64.mul').set(p10)
  // mid = (a0·b0 >> 32) + (p01 & lo) + (p10 & lo)
  code.get(a0).get(b0).op('i64.mul').i64(32).op('i64.shr_u').get(p01).i64(lo).op('i64.and').op('i64.add')
  code.get(p10).i64(lo).op('i64.and').op('i64.add').set(mid)
  // a1·b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)
  code.get(a1).get(b1).op('i64.mul').get(p01).i64(32).op('i64.shr_u').op('i64.add')
  code.get(p10).i64(32).op('i64.shr_u').op('i64.add').get(mid).i64(32).op('i64.shr_u').op('i64.add')
  return index
}
