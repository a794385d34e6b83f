/**
 * `bootscope gdb` over an x86 recording, driven by Debian's gdb-multiarch in batch mode on a
 * `gcc -m32 -g` Multiboot kernel (test/fixtures/x86/mb1-info*): gdb reads the i386 target
 * description, the registers at the hand-off (EAX = the Multiboot magic, CS, CR0 with PE set),
 * breaks at a C function with its arguments read from the stack, steps one instruction and
 * reverse-steps back, and reads memory through `x`; continue and reverse-continue run to the x86
 * hart's own stops (read, write and access watchpoints, hardware breakpoints); a 64-bit recording
 * (seed 002) is served with the x86-64 description.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { buildX86Kernel, gasX86, gccMulti, ldX86 } from '../../support/x86-tools'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { X86ReplayTarget, isX86Replay } from '../../../src/main/gdb/x86/replay-target'
import { gdbAgainst } from '../../support/gdb-batch'
import { readElf } from '../../../src/shared/elf/reader'
import { targetXml } from '../../../src/main/gdb/target-xml'
import { X86_64_GDB } from '../../../src/main/gdb/x86/arch'

const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const tools = [gasX86(), ldX86(), gccMulti()]
const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-x86-'))
const recPath = join(dir, 'rec.sqlite')
let elfPath = ''
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function gdbSession(commands: string[]): Promise<string> {
  const session = await ReplaySession.open(recPath)
  if (!session.ok) throw new Error(session.error.message)
  expect(isX86Replay(session.value)).toBe(true)
  return gdbAgainst(new X86ReplayTarget(session.value, recPath), { gdb: gdb.path!, dir, elf: elfPath }, commands)
}

describe.skipIf(gdb.missing || tools.some((t) => t.missing))('bootscope gdb over an x86 recording, with gdb-multiarch', () => {
  let kmain: bigint
  beforeAll(async () => {
    const k = buildX86Kernel({ sources: ['mb1-info-entry.S', 'mb1-info.c'], bits: 32, script: 'link-1m.ld', debug: true })
    elfPath = k.path
    const elf = readElf(k.bytes)
    if (!elf.ok) throw new Error(elf.error.message)
    kmain = elf.value.symbols.find((s) => s.name === 'kmain')!.value
    const rec = await Recorder.start({ recordingPath: recPath, kernel: { file: 'kernel.elf', bytes: k.bytes }, maxSteps: 2_000_000n, writtenBy: 'test' })
    if (!rec.ok) throw new Error(rec.error.message)
    await rec.value.run()
  }, 120_000)

  it('describes i386, reads the hand-off registers, breaks in C, steps and reverse-steps', async () => {
    const out = await gdbSession([
      'show architecture',
      'p/x $eax',
      'p/x $eip',
      'p/x $cr0 & 1',
      'p/x $cs',
      'break kmain',
      'continue',
      'p/x $eip',
      'x/2xw $esp',
      'stepi',
      'p/x $eip',
      'reverse-stepi',
      'p/x $eip',
      'info registers eflags',
      'monitor where',
    ])
    expect(out).toMatch(/The target architecture is set to "auto" \(currently "i386"\)/)
    const values = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1])
    const entry = readElf(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(elfPath))))
    if (!entry.ok) throw new Error(entry.error.message)
    expect(values[0]).toBe('0x2badb002') // EAX at the hand-off: the Multiboot magic
    expect(values[1]).toBe(`0x${entry.value.header.entry.toString(16)}`)
    expect(values[2]).toBe('0x1') // protected mode
    expect(Number(values[3]) & 3).toBe(0) // ring 0
    expect(out).toMatch(/Breakpoint 1, kmain \(magic=732803074, info=0x[0-9a-f]+\) at \S*mb1-info\.c:26/)
    expect(values[4]).toBe(`0x${kmain.toString(16)}`)
    expect(out).toMatch(/0x[0-9a-f]+:\s+0x[0-9a-f]+\s+0x2badb002/) // the return address, then magic, on the stack
    expect(values[5]).not.toBe(values[4])
    expect(values[6]).toBe(values[4]) // back at kmain
    expect(out).toMatch(/^eflags\s+0x[0-9a-f]+\s/m)
    expect(out).not.toMatch(/warning|internal-error/)
    expect(out).toMatch(/^step 4 of \d+, ring 0, protected mode.*, cr3 Bare\s*$/m)
    expect(out).toMatch(/^pc 0x1000d0\s+push\s+ebp\s+\[kmain, \S*mb1-info\.c:25/m)
  }, 180_000)

  it('continues at hart speed with the x86 hart stops: a read watchpoint on the boot information, hardware breakpoints, a write watchpoint forward and in reverse, an access watchpoint', async () => {
    const session = await ReplaySession.open(recPath)
    if (!session.ok) throw new Error(session.error.message)
    // The x86 hart holds debug stops now: the session runs to them instead of answering undefined (step by step).
    expect(await session.value.runToStop(session.value.steps, { breakpoints: [kmain], watches: [] }, { breakpoint: false, watch: false })).toBe('stop')
    expect(session.value.machineAtStep.hart.pc).toBe(kmain)
    const out = await gdbSession([
      'break kmain',
      'continue',
      'set $info = (char *)info',
      'rwatch *(unsigned int *)($info + 8)',
      'continue',
      'p/x $eip',
      'delete',
      'hbreak hex',
      'continue',
      'p/x $eip',
      'continue',
      'p/x $eip',
      'delete',
      'watch *(unsigned int *)$esp',
      'continue',
      'p/x $eip',
      'reverse-continue',
      'p/x $eip',
      'delete',
      'awatch *(unsigned int *)($info + 20)',
      'continue',
      'p/x $eip',
    ])
    const values = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => BigInt(m[1]))
    // rwatch: the load of info[2] (mem_upper) in kmain, stopped after it as gdb expects (it steps the access).
    expect(out).toMatch(/Hardware read watchpoint 2: \*\(unsigned int \*\)\(\$info \+ 8\)\s+Value = \d+\s+0x[0-9a-f]+ in kmain \(.*mb1-info\.c:30\n30\s+kv\("mem_upper", info\[2\]\);/)
    // hbreak: stops at hex's entry at each call, with its argument.
    expect(out.match(/Breakpoint 3, hex \(v=\d+\)/g)?.length).toBe(2)
    expect(values[1]).toBe(values[2])
    // watch: the push that overwrites the slot, forward (just after it) and in reverse (just before it), old and new values swapped.
    const watch = [...out.matchAll(/Watchpoint 4: \*\(unsigned int \*\)\$esp\s+Old value = (\d+)\s+New value = (\d+)/g)].map((m) => [m[1], m[2]])
    expect(watch).toHaveLength(2)
    expect(watch[1]).toEqual([watch[0][1], watch[0][0]])
    expect(values[3]).toBe(values[4] + 1n) // `push ebp` is one byte
    expect(values[4]).toBe(values[1])
    // awatch: the read of mods_count.
    expect(out).toMatch(/Hardware access \(read\/write\) watchpoint 5: \*\(unsigned int \*\)\(\$info \+ 20\)\s+Value = 0\s+0x[0-9a-f]+ in kmain .*mb1-info\.c:35/)
    expect(values[5]).toBeGreaterThan(values[0])
    expect(out).not.toMatch(/warning|internal-error|Error/)
  }, 180_000)

  it('serves a 64-bit recording (seed 002, long mode via Multiboot 2) with the x86-64 description: break in C after the switch to long mode, registers, memory, reverse-stepi', async () => {
    const k = buildX86Kernel({ sources: ['seed-002/boot.asm', 'seed-002/kernel.c'], bits: 64, script: 'seed-002/linker.ld', debug: true })
    const elf = readElf(k.bytes)
    if (!elf.ok) throw new Error(elf.error.message)
    const kernelMain = elf.value.symbols.find((s) => s.name === 'kernel_main')!.value
    const path64 = join(dir, 'rec64.sqlite')
    const rec = await Recorder.start({ recordingPath: path64, kernel: { file: 'kernel64.elf', bytes: k.bytes }, maxSteps: 5_000_000n, writtenBy: 'test' })
    if (!rec.ok) throw new Error(rec.error.message)
    await rec.value.run()
    const session = await ReplaySession.open(path64)
    if (!session.ok) throw new Error(session.error.message)
    const out = await gdbAgainst(new X86ReplayTarget(session.value, path64), { gdb: gdb.path!, dir, elf: k.path }, [
      'show architecture',
      'p/x $rip',
      'break kernel_main',
      'continue',
      'p/x $rip',
      'p/x $efer',
      'p/x $cr0',
      'x/2gx $rsp',
      'stepi',
      'reverse-stepi',
      'p/x $rip',
    ])
    expect(out).toMatch(/currently "i386:x86-64"/)
    const values = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => BigInt(m[1]))
    expect(values[0]).toBe(elf.value.header.entry) // the Multiboot entry (32-bit code)
    expect(out).toMatch(/Breakpoint 1, kernel_main \(.*\) at \S*kernel\.c:\d+/)
    expect(values[1]).toBe(kernelMain)
    expect(values[2] & 0x500n).toBe(0x500n) // EFER.LME | LMA
    expect(values[3] & 0x80000001n).toBe(0x80000001n)
    expect(out).toMatch(/^0x[0-9a-f]+:\s+0x[0-9a-f]{16}\s+0x[0-9a-f]{16}$/m)
    expect(values[4]).toBe(kernelMain)
    expect(out).not.toMatch(/warning|internal-error|Cannot access memory/)
  }, 180_000)

  it('gives gdb an x86-64 description it takes: rip, the general registers r8–r15, cr3', async () => {
    const xml = join(dir, 'x86-64.xml')
    writeFileSync(xml, targetXml(X86_64_GDB))
    const r = await promisify(execFile)(gdb.path!, ['-batch', '-nx', '-ex', `set tdesc filename ${xml}`, '-ex', 'show architecture', '-ex', 'maint print registers'], { timeout: 60_000 }).catch((e: { stdout?: string; stderr?: string }) => e)
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`
    expect(out).toMatch(/currently "i386:x86-64"/)
    for (const reg of ['rip', 'rsp', 'r15', 'eflags', 'cs', 'st7', 'cr3', 'efer', 'fs_base']) expect(out).toMatch(new RegExp(`^ ${reg}\\s+\\d+`, 'm'))
    expect(out).not.toMatch(/internal-error|warning/)
  }, 60_000)
})
