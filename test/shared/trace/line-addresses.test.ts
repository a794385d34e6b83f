/**
 * A source line to the addresses a breakpoint on it stops at (the editor's gutter breakpoints):
 * on the C test kernel built with riscv64-unknown-elf-gcc -g -O1, the same addresses as
 * gdb-multiarch's `break main.c:N` (one per function and inlined copy, a line without code moved to
 * the next one with code); a higher-half kernel's line also at its load address; none for a line
 * after the file's last code.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { kernelDebugInfoOf } from '../../../src/main/trace/kernel-debug-info'
import { LineIndex } from '../../../src/shared/trace/line-addresses'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')

/** gdb's breakpoint locations for `break main.c:LINE`, as hex. */
function gdbBreak(elf: string, line: number): string[] {
  const out = execFileSync(gdb.path!, ['-batch', '-ex', `break main.c:${line}`, '-ex', 'info breakpoints', elf], { encoding: 'utf8' })
  return [...out.matchAll(/^\S+\s+(?:breakpoint\s+keep\s+)?y\s+0x0*([0-9a-f]+) in /gm)].map((m) => `0x${m[1]}`)
}

describe.skipIf(make.missing || gcc.missing || gdb.missing)('line addresses of a C kernel (gcc -g -O1)', () => {
  it('are where gdb breaks on the line: one per function and inlined copy, a line without code moved on', () => {
    const elf = join(mkdtempSync(join(tmpdir(), 'bootscope-lines-')), 'kernel.elf')
    execFileSync(make.path!, ['-s', '-B', '-C', C_KERNEL, `OUT=${elf}`], { stdio: 'pipe' })
    const debug = kernelDebugInfoOf(readFileSync(elf))!
    const index = new LineIndex(debug.lines, [], debug.functions)
    const mainC = (f: string) => f.endsWith('/main.c')
    // 19: uart_puts's loop test, inlined twice into kernel_main (gdb: 2 locations); 30: '{' (no code: line 31's).
    for (const line of [19, 30, 31, 43, 44, 46, 48, 49]) {
      const ours = index.addressesOf(mainC, line)
      expect(ours?.addresses, `main.c:${line}`).toEqual(gdbBreak(elf, line))
    }
    expect(index.addressesOf(mainC, 19)!.addresses).toHaveLength(2)
    expect(index.addressesOf(mainC, 30)!.line).toBe(31)
    expect(index.addressesOf(mainC, 52)).toBeUndefined() // after the last line of code
    expect(index.addressesOf((f) => f.endsWith('/other.c'), 31)).toBeUndefined()
  }, 60_000)
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
})
