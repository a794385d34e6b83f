/**
 * Test helper: builds an assembly program, loads it into a fresh hart (M-mode, RAM at
 * 0x8000_0000), runs until `ebreak` halts it, and returns the hart for assertions. Programs end
 * with `ebreak`; `haltOnEbreak` is on unless a test turns it off to see the breakpoint trap.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Hart } from '../../../../src/main/machine/hart/hart'
import { HartExit } from '../../../../src/main/machine/hart/hart-api'
import { buildProgram, loadProgram, type Program } from '../../../support/build-program'

let built = false
/** Builds the wasm once per test process (idempotent and fast when up to date). */
export function ensureWasm(): void {
  if (built) return
  execFileSync(process.execPath, [fileURLToPath(new URL('../../../../scripts/build-wasm.mjs', import.meta.url))], { stdio: 'pipe' })
  built = true
}

export interface RunOptions {
  maxSteps?: number
  trace?: boolean
  ramSize?: number
  /** Called after loading, before running (set CSRs, firmwareTraps, …). */
  setup?: (hart: Hart, prog: Program) => void
  /** Expected exit (default Halt). */
  expectExit?: HartExit
}

export interface RunResult {
  hart: Hart
  prog: Program
  exit: HartExit
  /** Reads a u64 at a symbol's physical address. */
  u64(sym: string, offset?: number): bigint
}

export async function runAsm(source: string, opts: RunOptions = {}): Promise<RunResult> {
  ensureWasm()
  const prog = await buildProgram(source)
  const hart = new Hart({ ramSize: opts.ramSize ?? 4 * 1024 * 1024, trace: opts.trace })
  loadProgram(hart, prog)
  hart.haltOnEbreak = true
  opts.setup?.(hart, prog)
  const exit = hart.run(opts.maxSteps ?? 1_000_000)
  const u64 = (sym: string, offset = 0): bigint => {
    const a = prog.symbols.get(sym)
    if (a === undefined) throw new Error(`no symbol ${sym}`)
    const off = Number(a - 0x8000_0000n) + offset
    return new DataView(hart.ram.buffer, hart.ram.byteOffset).getBigUint64(off, true)
  }
  return { hart, prog, exit, u64 }
}

/** Wraps a code fragment as a program: `_start:` + body + `ebreak`, with a data section. */
export function program(body: string, data = ''): string {
  return `
  .section .text.init
  .globl _start
_start:
${body}
  ebreak
  .data
  .align 3
${data}
`
}
