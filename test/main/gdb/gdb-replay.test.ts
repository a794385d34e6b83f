/**
 * `bootscope gdb` over a recording, driven by Debian's gdb-multiarch in batch mode on the C test
 * kernel (make + riscv64-unknown-elf-gcc -g): break at a C function and at a C line, step over
 * the satp write and reverse-stepi back over it, read registers and CSRs, x/2gx through the
 * higher half, and a watchpoint on a page-table entry that stops at the store that wrote it —
 * forward, and again with reverse-continue from the end of the recording.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gdbAgainst } from '../../support/gdb-batch'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { RiscvReplayTarget } from '../../../src/main/gdb/riscv64/replay-target'
import { readElf } from '../../../src/shared/elf/reader'

const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')
const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-'))
const elfPath = join(dir, 'kernel.elf')
const recPath = join(dir, 'rec.sqlite')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs gdb-multiarch in batch mode against a fresh stub over the recording; returns gdb's output. */
async function gdbSession(commands: string[]): Promise<string> {
  const session = await ReplaySession.open(recPath)
  if (!session.ok) throw new Error(session.error.message)
  return gdbAgainst(new RiscvReplayTarget(session.value, recPath), { gdb: gdb.path!, dir, elf: elfPath }, commands)
}

describe.skipIf(gdb.missing || make.missing || gcc.missing)('bootscope gdb over a recording, with gdb-multiarch', () => {
  let sym: (name: string) => bigint
  /** The `csrw satp, rs` (csrrw x0, satp, rs: imm 0x180, funct3 1, rd 0, SYSTEM) in .text. */
  let csrwSatp: bigint
  beforeAll(async () => {
    execFileSync(make.path!, ['-s', '-B', '-C', C_KERNEL, `OUT=${elfPath}`], { stdio: 'pipe' })
    const bytes = readFileSync(elfPath)
    const elf = readElf(bytes)
    if (!elf.ok) throw new Error(elf.error.message)
    sym = (name) => elf.value.symbols.find((s) => s.name === name)!.value
    const text = elf.value.sections.find((s) => s.name === '.text')!
    const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength)
    let at = 0
    while ((view.getUint32(at, true) & 0xfff07fff) !== 0x18001073) at += 2
    csrwSatp = text.addr + BigInt(at)
    const rec = await Recorder.start({ recordingPath: recPath, kernel: { file: 'kernel.elf', bytes }, writtenBy: 'test' })
    if (!rec.ok) throw new Error(rec.error.message)
    const done = await rec.value.run()
    expect(done.stop.reason).toBe('shutdown')
  })

  it('breaks at a C function and a C line, steps over the satp write and back, and reads the higher half', async () => {
    const marker = sym('marker')
    const high = 0xffffffffc0000000n + (marker - 0x80000000n)
    const out = await gdbSession([
      'break kernel_main',
      'continue',
      'break main.c:25',
      'continue',
      `break *0x${csrwSatp.toString(16)}`,
      'continue',
      'x/i $pc',
      'p/x $satp',
      'stepi',
      'p/x $satp',
      'reverse-stepi',
      'p/x $satp',
      'x/i $pc',
      'stepi',
      `x/2gx 0x${high.toString(16)}`,
      'info registers sp',
      'p/x $priv',
      'monitor where',
    ])
    expect(out).toMatch(/Breakpoint 1, kernel_main \(\) at \S*main\.c:41/)
    expect(out).toMatch(/Breakpoint 2, (write_satp|kernel_main) \(.*\) at \S*main\.c:25/)
    expect(out).toMatch(/Breakpoint 3, (0x0*8020[0-9a-f]+ in )?(write_satp|kernel_main) \(.*\) at \S*main\.c:25/)
    expect(out).toMatch(/=> 0x[0-9a-f]+ <kernel_main\+\d+>:\s+csrw\s+satp,\w+/)
    const satps = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1])
    const on = `0x${((8n << 60n) | (sym('root_table') >> 12n)).toString(16)}`
    expect(satps.slice(0, 3)).toEqual(['0x0', on, '0x0']) // before, after stepi, after reverse-stepi
    expect(out).toMatch(new RegExp(`0x${high.toString(16)}:\\s+0x1122334455667788\\s+0x0+`))
    expect(out).toMatch(/^sp\s+0x8020[0-9a-f]{4}\s/m)
    expect(satps[3]).toBe('0x1') // S-mode
    expect(out).toMatch(/step \d+ of \d+, S-mode, satp Sv39 root 0x[0-9a-f]+/)
  })

  it('stops a watchpoint on a page-table entry at the store that wrote it, forward and in reverse', async () => {
    const pte = sym('root_table') + 2n * 8n // the entry mapping 0x80000000 (VPN[2] = 2)
    const out = await gdbSession([
      `watch *(unsigned long *)0x${pte.toString(16)}`,
      'continue',
      'x/i $pc',
      'delete',
      'break sbi_shutdown',
      'continue',
      'delete',
      `watch *(unsigned long *)0x${pte.toString(16)}`,
      'reverse-continue',
      'x/i $pc',
      'info registers pc',
    ])
    // Forward: after the store, in map_gigapage, 0 → the gigapage PTE (PPN 0x80000, V R W X A D).
    expect(out).toMatch(/Hardware watchpoint 1: \*\(unsigned long \*\)0x[0-9a-f]+\s+Old value = 0\s+New value = 536871119/)
    // Reverse: gdb stops at the store itself, about to run, with the values the other way round.
    expect(out).toMatch(/Hardware watchpoint \d+: \*\(unsigned long \*\)0x[0-9a-f]+\s+Old value = 536871119\s+New value = 0/)
    expect(out).toMatch(/=> 0x[0-9a-f]+ <map_gigapage\+\d+>:\s+sd\s/)
  })

  it('stops read and access watchpoints at the load through the higher half, and gives gdb the memory map', async () => {
    const marker = sym('marker')
    const out = await gdbSession([
      'info mem',
      `rwatch *(unsigned long *)0x${marker.toString(16)}`,
      'continue',
      'x/i $pc',
      'p/x $satp',
      'delete',
      'break sbi_shutdown',
      'continue',
      'delete',
      `awatch *(unsigned long *)0x${marker.toString(16)}`,
      'reverse-continue',
      'x/i $pc',
    ])
    // The memory map: the boot ROM, RAM, and every other address readable (virtual addresses).
    expect(out).toMatch(/^\d+\s+y\s+0x0*1000 0x0*10000 ro nocache\s*$/m)
    expect(out).toMatch(/^\d+\s+y\s+0x0*80000000 0x0*88000000 rw nocache\s*$/m)
    // The load reads marker through its higher-half alias: the watch is on its physical bytes.
    expect(out).toMatch(/Hardware read watchpoint 1: \*\(unsigned long \*\)0x[0-9a-f]+\s+Value = 1234605616436508552/)
    const satps = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1])
    expect(satps[0]).toBe(`0x${((8n << 60n) | (sym('root_table') >> 12n)).toString(16)}`)
    expect(out).toMatch(/Hardware access \(read\/write\) watchpoint 3: \*\(unsigned long \*\)0x[0-9a-f]+\s+Value = 1234605616436508552/)
    expect([...out.matchAll(/=> 0x[0-9a-f]+ <kernel_main\+(\d+)>/g)].map((m) => m[1])).toHaveLength(2)
  })

  it('goes back to an earlier breakpoint hit, reverse-finish / reverse-next through C calls, and monitor commands', async () => {
    const out = await gdbSession([
      'break map_gigapage',
      'continue',
      'continue',
      'reverse-continue',
      'reverse-finish',
      'next',
      'reverse-next',
      'monitor events satp_write',
      'monitor step 100',
      'maintenance flush register-cache',
      'monitor where',
      'monitor translate 0xffffffffc0000000',
      'x/4gx $sp',
    ])
    const hits = [...out.matchAll(/Breakpoint 1, map_gigapage \(table=[^)]*va=va@entry=(\d+), /g)].map((m) => m[1])
    expect(hits.slice(0, 3)).toEqual(['0', '2147483648', '0']) // continue, continue, reverse-continue
    expect(out).toMatch(/^0x[0-9a-f]+ in kernel_main \(\) at \S*main\.c:43$/m) // reverse-finish: at the call
    expect(out).toMatch(/^kernel_main \(\) at \S*main\.c:43$/m) // reverse-next
    expect(out).toMatch(/^\s+95\s+satp_write\s+satp ← Sv39, root at PA 0x[0-9a-f]+/m)
    expect(out).toMatch(/step 100 of \d+, S-mode, satp Sv39 root 0x[0-9a-f]+\npc 0x[0-9a-f]+ .*\[kernel_main, \S*main\.c:47, kernel_main\+0x[0-9a-f]+\]/)
    expect(out).toContain('0xffffffffc0000000 -> 0x80000000 (1 GiB page, RWXAD)')
    expect(out).toMatch(/^0x8020[0-9a-f]{4}:\s+0x[0-9a-f]{16}\s+0x[0-9a-f]{16}$/m)
  })
})
