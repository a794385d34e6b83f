/**
 * A source line to the addresses a breakpoint on it stops at (the editor's gutter breakpoints):
 * on the C test kernel built with riscv64-unknown-elf-gcc -g (-O1 as its Makefile, also -O0 and
 * -O2; DWARF 4 and 5), the same line and addresses as gdb-multiarch's `break FILE:LINE` for every
 * line of main.c and start.S (statement rows only, one per function and inlined copy, a line
 * without code moved to the next one with code, a function's prologue skipped where gdb does);
 * a higher-half kernel's line also at its load address; none for a line after the file's last code.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { kernelDebugInfoOf } from '../../../src/main/trace/kernel-debug-info'
import { LineIndex } from '../../../src/shared/trace/line-addresses'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')

interface GdbBreak {
  /** The line gdb put the breakpoint on (the one asked for, or the next with code). */
  line: number
  addresses: string[]
}

/**
 * gdb's answer to `break FILE:LINE` for every line in `lines`, one gdb run: the line it chose and
 * its locations as hex, or undefined when it has no code there ("No line N in file").
 */
function gdbBreaks(elf: string, file: string, lines: number[]): Map<number, GdbBreak | undefined> {
  const args = ['-batch']
  for (const n of lines) args.push('-ex', `echo @@ ${n}\n`, '-ex', `break ${file}:${n}`, '-ex', 'info breakpoints', '-ex', 'delete')
  const out = execFileSync(gdb.path!, [...args, elf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const answers = new Map<number, GdbBreak | undefined>()
  for (const part of out.split('@@ ').slice(1)) {
    const asked = Number(part.slice(0, part.indexOf('\n')))
    const locations = [...part.matchAll(/\s0x0*([0-9a-f]+)\s+(?:in \S+ at )?\S+:(\d+)\s*$/gm)]
    answers.set(asked, locations.length ? { line: Number(locations[0][2]), addresses: locations.map((m) => `0x${m[1]}`) } : undefined)
  }
  return answers
}

const sourceLineCount = (path: string) => readFileSync(path, 'utf8').split('\n').length

/**
 * Expects our addresses for every line of `source` (and one after its end: no code there, gdb
 * says "No line") to be gdb's in `elf`; returns how many lines had code of their own.
 */
function expectEveryLineAsGdb(elf: string, index: LineIndex, source: string): number {
  const file = basename(source)
  const lines = Array.from({ length: sourceLineCount(source) + 1 }, (_, i) => i + 1)
  const gdbSays = gdbBreaks(elf, file, lines)
  let withCode = 0
  for (const n of lines) {
    const ours = index.addressesOf((f) => f.endsWith(`/${file}`), n)
    expect(ours, `${file}:${n}`).toEqual(gdbSays.get(n))
    if (ours?.line === n) withCode++
  }
  return withCode
}

describe.skipIf(make.missing || gcc.missing || gdb.missing)('line addresses of a C kernel (gcc -g)', () => {
  it.each([
    ['-gdwarf-4', '-O1'],
    ['-gdwarf-5', '-O1'],
    ['-gdwarf-5', '-O0'],
    ['-gdwarf-4', '-O2'],
  ])('are where gdb breaks on every line of main.c and start.S (%s %s)', (dwarf, opt) => {
    const elf = join(mkdtempSync(join(tmpdir(), 'bootscope-lines-')), 'kernel.elf')
    execFileSync(make.path!, ['-s', '-B', '-C', C_KERNEL, `OUT=${elf}`, `CFLAGS_DEBUG=${dwarf}`, `OPT=${opt}`], { stdio: 'pipe' })
    const debug = kernelDebugInfoOf(readFileSync(elf))!
    const index = new LineIndex(debug.lines, [], debug.functions)
    const withCode = expectEveryLineAsGdb(elf, index, join(C_KERNEL, 'main.c')) + expectEveryLineAsGdb(elf, index, join(C_KERNEL, 'start.S'))
    expect(withCode).toBeGreaterThanOrEqual(15) // the comparison covered the lines with code, not only moved ones
    const mainC = (f: string) => f.endsWith('/main.c')
    if (opt === '-O1') {
      // What is_stmt decides: line 20's first instructions are no statement (gdb breaks 4 bytes
      // on), line 42's statement row shares its address with the inlined line 19, and line 51
      // has only a non-statement row.
      expect(index.addressesOf(mainC, 20)!.addresses).toHaveLength(2)
      expect(index.addressesOf(mainC, 42)!.line).toBe(42)
      expect(index.addressesOf(mainC, 51)).toBeUndefined()
    }
    // gcc -O0 writes no location lists, so gdb skips a function's prologue: its '{' line stops on the first line of the body.
    if (opt === '-O0') expect(index.addressesOf(mainC, 30)!.line).toBe(31)
    expect(index.addressesOf((f) => f.endsWith('/other.c'), 31)).toBeUndefined()
  }, 120_000)
})

const hostGcc = oracle('gcc', 'gcc-multilib')
const LINES_C = join(__dirname, '../../fixtures/c-lines/lines.c')

describe.skipIf(gcc.missing || hostGcc.missing || gdb.missing)('line addresses of loops, blocks and inlined calls (gcc -g, RISC-V and x86)', () => {
  const riscv = ['-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany', '-Ttext=0x80200000']
  const x86 = ['-m32', '-fno-pie', '-no-pie', '-static', '-Ttext=0x100000']
  it.each([
    ['riscv64', '-O0'],
    ['riscv64', '-O1'],
    ['riscv64', '-O2'],
    ['riscv64', '-Og'],
    ['i386', '-O0'],
    ['i386', '-O1'],
    ['i386', '-O2'],
    ['i386', '-Og'],
  ])('are where gdb breaks on every line of lines.c (%s %s)', (arch, opt) => {
    const elf = join(mkdtempSync(join(tmpdir(), 'bootscope-lines-')), 'lines.elf')
    const cc = arch === 'i386' ? hostGcc.path! : gcc.path!
    execFileSync(cc, ['-g', opt, ...(arch === 'i386' ? x86 : riscv), '-ffreestanding', '-nostdlib', '-o', elf, LINES_C], { stdio: 'pipe' })
    const debug = kernelDebugInfoOf(readFileSync(elf))!
    const index = new LineIndex(debug.lines, [], debug.functions)
    expect(expectEveryLineAsGdb(elf, index, LINES_C)).toBeGreaterThanOrEqual(15)
  }, 120_000)
})

const rustc = oracle('rustc', 'rustc')
const LINES_RS = join(__dirname, '../../fixtures/rust-lines/lines.rs')

describe.skipIf(rustc.missing || gdb.missing)('line addresses of a Rust program (rustc -g, x86-64)', () => {
  it.each(['0', '1', '2'])('are where gdb breaks on every line of lines.rs (opt-level %s): prologue_end, collected functions', (opt) => {
    const elf = join(mkdtempSync(join(tmpdir(), 'bootscope-lines-')), 'lines.elf')
    const linkFlags = ['-C', 'link-arg=-nostartfiles', '-C', 'link-arg=-static', '-C', 'relocation-model=static']
    execFileSync(rustc.path!, ['-g', '-C', `opt-level=${opt}`, '-C', 'panic=abort', '--crate-type', 'bin', ...linkFlags, '-o', elf, LINES_RS], { stdio: 'pipe' })
    const debug = kernelDebugInfoOf(readFileSync(elf))!
    const index = new LineIndex(debug.lines, [], debug.functions)
    expect(expectEveryLineAsGdb(elf, index, LINES_RS)).toBeGreaterThanOrEqual(5)
  }, 120_000)
})

describe('line addresses', () => {
  it('give a higher-half line its load address too, and one address per stretch of a function', () => {
    const lines = [
      { address: '0xffffffffc0200000', size: 4, file: 'entry.S', line: 3 },
      { address: '0xffffffffc0200004', size: 4, file: 'entry.S', line: 4 },
      { address: '0xffffffffc0200008', size: 4, file: 'entry.S', line: 3 }, // the same line again: same function
      { address: '0xffffffffc020000c', size: 4, file: 'entry.S', line: 9 },
    ]
    const segments = [{ vaddr: 0xffffffffc0200000n, paddr: 0x80200000n, memsz: 0x1000n }]
    const index = new LineIndex(lines, segments)
    expect(index.addressesOf((f) => f === 'entry.S', 3)).toEqual({ line: 3, addresses: ['0xffffffffc0200000', '0x80200000'] })
    expect(index.addressesOf((f) => f === 'entry.S', 5)).toEqual({ line: 9, addresses: ['0xffffffffc020000c', '0x8020000c'] })
    expect(index.addressesOf((f) => f === 'entry.S', 10)).toBeUndefined()
  })

  it('stop only where a statement begins (is_stmt), and count every row of a table without the flag', () => {
    const lines = [
      { address: '0x1000', size: 0, file: 'a.c', line: 7 }, // a statement of 7 hidden by line 3's row at the same address
      { address: '0x1000', size: 4, file: 'a.c', line: 3 },
      { address: '0x1004', size: 4, file: 'a.c', line: 4, stmt: false as const }, // scheduled before line 4's statement
      { address: '0x1008', size: 4, file: 'a.c', line: 4 },
      { address: '0x100c', size: 4, file: 'a.c', line: 5, stmt: false as const }, // no statement of line 5 anywhere
      { address: '0x1010', size: 4, file: 'a.c', line: 6 },
    ]
    const index = new LineIndex(lines)
    const aC = (f: string) => f === 'a.c'
    expect(index.addressesOf(aC, 4)).toEqual({ line: 4, addresses: ['0x1008'] })
    expect(index.addressesOf(aC, 5)).toEqual({ line: 6, addresses: ['0x1010'] })
    expect(index.addressesOf(aC, 7)).toEqual({ line: 7, addresses: ['0x1000'] })
    // A recording written before the flag was kept: every row is a statement, as before.
    const old = new LineIndex(lines.filter((l) => l.size > 0).map(({ address, size, file, line }) => ({ address, size, file, line })))
    expect(old.addressesOf(aC, 4)).toEqual({ line: 4, addresses: ['0x1004'] })
    expect(old.addressesOf(aC, 5)).toEqual({ line: 5, addresses: ['0x100c'] })
    expect(old.addressesOf(aC, 7)).toBeUndefined()
  })
})
