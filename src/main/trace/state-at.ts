/**
 * The machine's state at a replay session's step as the inspectors show it (`MachineState`):
 * registers with what the last instruction changed, the instruction and the disassembly around
 * the PC (with source lines and functions), the address space, and memory, disk bytes, a page-table
 * page or the descriptor tables when asked. Reads the machine; never runs or changes it.
 */
import type { InstructionAt, MachineState, RegisterGroupValue, StateQuery } from '../../shared/api/replay'
import type { Result } from '../../shared/api/result'
import { hex } from '../../shared/trace/events'
import type { SourceMap } from '../../shared/trace/source-map'
import { describeFrames, type FunctionMap } from '../../shared/trace/function-map'
import { symbolAt } from '../../shared/elf/reader'
import type { BootMachine, RegisterGroup } from '../machine/core/boot-machine'
import { descriptorTablesAt } from './descriptor-tables-at'
import { readDiskBytes } from './disk-store'

/** Most bytes of memory or disk one state answers with. */
const MAX_MEMORY_READ = 4096

/** The PC and registers at one step (the state before the last instruction, to tell what changed). */
export interface Snapshot {
  pc: bigint
  registers: RegisterGroup[]
}

/** What the state is read from: the session's machine and the recording's line table and functions. */
export interface StateSource {
  machine: BootMachine
  sources: SourceMap
  functions: FunctionMap
}

export function snapshotOf(machine: BootMachine): Snapshot {
  return { pc: machine.hart.pc, registers: machine.view.registers() }
}

/** The state the inspectors show: registers (with what the last instruction changed), the instruction, the address space, and what `q` asks for. */
export function describeState(src: StateSource, now: Snapshot, before: Snapshot | undefined, q: Omit<StateQuery, 'path'>, endedAt?: { step: number; reason: string }): MachineState {
  const view = src.machine.view
  const mode = view.mode()
  const registers: RegisterGroupValue[] = now.registers.map((g, gi) => ({
    name: g.name,
    registers: g.registers.map((r, ri) => {
      const was = before?.registers[gi]?.registers[ri]
      return { name: r.name, value: hex(r.value), changed: !!was && was.name === r.name && was.value !== r.value, width: r.width, ...(r.fields ? { fields: r.fields } : {}), ...(r.text ? { text: r.text } : {}) }
    }),
  }))
  const walk = view.walk()
  const state: MachineState = {
    step: Number(src.machine.steps),
    arch: src.machine.arch,
    pc: hex(now.pc),
    priv: mode.privilege,
    modeLabel: mode.label,
    x: registers[0]?.registers.map(({ name, value, changed }) => ({ name, value, changed })) ?? [],
    csrs: registers.slice(1).flatMap((g) => g.registers.map(({ name, value, changed }) => ({ name, value, changed }))),
    registers,
    instruction: instructionAt(src, now.pc, q.disassembly?.syntax),
    rootRegister: view.rootRegister,
    satp: view.root(),
    addressSpace: {
      mappings: walk.mappings,
      tables: walk.tables.map((t) => ({ pa: hex(t.pa), level: t.level, vaBase: hex(t.vaBase) })),
      truncated: walk.truncated,
    },
  }
  if (q.translate !== undefined) state.translation = view.translate(BigInt(q.translate), 'load')
  if (q.memory) state.memory = readMemory(src.machine, BigInt(q.memory.address), q.memory.length, !!q.memory.physical)
  if (q.disk) state.disk = describeDisk(src.machine, BigInt(q.disk.offset), q.disk.length)
  if (q.table) state.tableEntries = view.tablePage(BigInt(q.table.pa), q.table.level, BigInt(q.table.vaBase))
  if (q.disassembly) state.disassembly = disassemblyAround(src, now.pc, q.disassembly)
  const tables = q.descriptorTables ? view.descriptorTableRegisters?.() : undefined
  if (tables) state.descriptorTables = descriptorTablesAt(tables, (a, n) => readBytesAt(src.machine, a, n), (a) => symbolName(src, a))
  if (endedAt) state.endedAt = endedAt
  return state
}

/** VA → PA as the hart fetches or loads at its privilege (RISC-V M-mode and paging off translate nothing). */
export function physicalOf(machine: BootMachine, va: bigint, access: 'fetch' | 'load'): { pa: bigint } | { fault: string } {
  const view = machine.view
  if (view.mode().untranslated || view.root().mode === 'Bare') return { pa: va }
  const t = view.translate(va, access)
  return t.ok ? { pa: BigInt(t.pa) } : { fault: t.reason }
}

/** `symbol+offset` of an address from the kernel's ELF symbols, or null. */
function symbolName(src: StateSource, pc: bigint): string | null {
  const elf = src.machine.images[0]?.elf
  const sym = elf ? symbolAt(elf, src.sources.linkAddress(pc)) : undefined
  return sym ? (sym.offset ? `${sym.symbol.name}+${hex(sym.offset)}` : sym.symbol.name) : null
}

function instructionAt(src: StateSource, pc: bigint, syntax?: 'intel' | 'att'): InstructionAt {
  const at: InstructionAt = {
    address: hex(pc),
    pa: null,
    bytes: null,
    text: null,
    fault: null,
    loc: src.sources.locate(pc) ?? null,
    symbol: symbolName(src, pc),
  }
  const fn = describeFrames(src.functions.framesAt(pc))
  if (fn) at.function = fn
  const where = physicalOf(src.machine, pc, 'fetch')
  if ('fault' in where) {
    at.fault = where.fault
    return at
  }
  at.pa = hex(where.pa)
  const view = src.machine.view
  // The longest instruction may run past the page or RAM: take what can be read.
  let bytes: Uint8Array | undefined
  for (let n = view.maxInstructionBytes; n > 0 && !bytes; n--) bytes = view.readPhys(where.pa, n)
  if (!bytes) {
    at.fault = `${hex(where.pa)} is not in RAM`
    return at
  }
  const d = view.disassemble(bytes, pc, syntax)
  at.text = d.text
  at.bytes = d.bytes
  at.length = d.length
  return at
}

/**
 * Instructions around the PC. Only instruction boundaries are safe places to start decoding
 * (compressed instructions make the stream ambiguous backward): the build's line table gives
 * them, else the start of the PC's symbol when it is near; otherwise the window starts at the PC.
 */
function disassemblyAround(src: StateSource, pc: bigint, want: { before: number; after: number; syntax?: 'intel' | 'att' }): InstructionAt[] {
  const before = Math.max(0, Math.min(32, Math.floor(want.before)))
  const after = Math.max(0, Math.min(64, Math.floor(want.after)))
  const link = src.sources.linkAddress(pc)
  const delta = pc - link // the PC runs at its load address before paging
  let start = src.sources.startBefore(link, before)
  if (start === undefined) {
    const elf = src.machine.images[0]?.elf
    const sym = elf ? symbolAt(elf, link) : undefined
    start = sym && sym.offset <= BigInt(before * 4) ? sym.symbol.value : link
  }
  const window: InstructionAt[] = []
  let at = start + delta
  let afterPc = -1
  for (let guard = 0; guard < before * 4 + after + 8; guard++) {
    if (at === pc) afterPc = 0
    else if (at > pc && afterPc < 0) return disassemblyAround(src, pc, { before: 0, after, syntax: want.syntax }) // not on a boundary
    const ins = instructionAt(src, at, want.syntax)
    window.push(ins)
    if (afterPc >= 0 && afterPc++ >= after) break
    if (!ins.length) {
      if (afterPc >= 0) break
      // Unfetchable before the PC (the PC's page faults): start at the PC's own row, which says why.
      window.length = 0
      at = pc
      continue
    }
    at += BigInt(ins.length)
  }
  const pcIndex = window.findIndex((i) => i.address === hex(pc))
  return window.slice(Math.max(0, pcIndex - before))
}

/** Disk bytes at this step as the guest would read them (the image with the writes so far). */
export function readDiskAt(machine: BootMachine, offset: bigint, length: number): Result<Uint8Array> {
  return readDiskBytes(machine, offset, Math.min(length, MAX_MEMORY_READ))
}

function describeDisk(machine: BootMachine, offset: bigint, length: number): MachineState['disk'] {
  const r = readDiskAt(machine, offset, length)
  return r.ok ? { offset: hex(offset), bytes: Buffer.from(r.value).toString('hex') } : { offset: hex(offset), error: r.error.message }
}

function readMemory(machine: BootMachine, address: bigint, length: number, physical: boolean): MachineState['memory'] {
  const r = readBytesAt(machine, address, Math.min(MAX_MEMORY_READ, length), physical)
  return 'bytes' in r ? { address: hex(address), bytes: Buffer.from(r.bytes).toString('hex') } : { address: hex(address), error: r.error }
}

/** `length` bytes at `address` as the hart sees them at this step: virtual through the page table, or physical. */
export function readBytesAt(machine: BootMachine, address: bigint, length: number, physical = false): { bytes: Uint8Array } | { error: string } {
  const n = Math.max(0, Math.floor(length))
  const out = new Uint8Array(n)
  // Page by page: a virtual range may be scattered in physical memory.
  for (let i = 0; i < n; ) {
    const va = address + BigInt(i)
    const chunk = Math.min(n - i, 4096 - Number(va & 0xfffn))
    const where = physical ? { pa: va } : physicalOf(machine, va, 'load')
    if ('fault' in where) return { error: `${hex(va)}: ${where.fault}` }
    const bytes = machine.view.readPhys(where.pa, chunk)
    if (!bytes) return { error: `${hex(where.pa)} is not in RAM` }
    out.set(bytes, i)
    i += chunk
  }
  return { bytes: out }
}
