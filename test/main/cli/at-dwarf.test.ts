/**
 * A C kernel built elsewhere (make + riscv64-unknown-elf-gcc -g): its recording keeps the DWARF
 * line table and functions, and `bootscope at` names the C line and the inlined call at a step —
 * also once the ELF file is gone. The kept line table has DWARF's is_stmt (where a statement begins:
 * breakpoints on a C line stop where gdb's do, from the recording alone).
 */
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { oracle } from '../../support/oracles'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { kernelDebugInfoOf } from '../../../src/main/trace/kernel-debug-info'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const C_KERNEL = fileURLToPath(new URL('../../fixtures/c-kernel', import.meta.url))
const run = (args: string[], cwd: string) => execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')

describe.skipIf(make.missing || gcc.missing)('bootscope at on a C kernel built with gcc -g', () => {
  it('shows the C line and the inlined function at the satp write, from the recording alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-at-c-'))
    const elf = join(dir, 'kernel.elf')
    execFileSync(make.path!, ['-s', '-B', '-C', C_KERNEL, `OUT=${elf}`], { stdio: 'pipe' })
    run(['record', 'kernel.elf', '-o', 'rec.sqlite'], dir)
    const fromElf = kernelDebugInfoOf(readFileSync(elf))!
    rmSync(elf)
    const opened = RecordingReader.open(join(dir, 'rec.sqlite'))
    if (!opened.ok) throw new Error(opened.error.message)
    expect(opened.value.sourceLines().some((l) => l.file.endsWith('/main.c'))).toBe(true)
    expect(opened.value.functions().map((f) => f.name)).toEqual(expect.arrayContaining(['kernel_main', 'map_gigapage', 'write_satp']))
    const kept = opened.value.sourceLines()
    expect(kept).toEqual(fromElf.lines)
    expect(kept.some((l) => l.stmt === false)).toBe(true) // line 20's first instructions are no statement
    expect(kept.some((l) => l.size === 0 && l.line === 42)).toBe(true) // line 42's statement, hidden by the inlined line 19
    opened.value.close()

    const satp = JSON.parse(run(['events', 'rec.sqlite', '--kind', 'satp_write', '--json'], dir).trim().split('\n')[0]).step as number
    const text = run(['at', 'rec.sqlite', String(satp)], dir)
    expect(text).toMatch(/csrw\tsatp,\w+ {2}\[kernel_main\+0x[0-9a-f]+, \S+\/c-kernel\/main\.c:25, write_satp \(inlined into kernel_main\)\]/)
    const state = JSON.parse(run(['at', 'rec.sqlite', String(satp), '--json'], dir))
    expect(state.instruction.loc).toMatchObject({ line: 25 })
    expect(state.instruction.function).toBe('write_satp (inlined into kernel_main)')
    const first = JSON.parse(run(['at', 'rec.sqlite', '0', '--json'], dir))
    expect(first.instruction.loc.file).toMatch(/\/c-kernel\/start\.S$/)
    expect(first.instruction.function).toBeUndefined() // assembly: no DWARF function
  })
})
