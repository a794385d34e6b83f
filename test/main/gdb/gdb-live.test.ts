/**
 * `bootscope boot|record KERNEL --gdb`: a live boot served to Debian's gdb-multiarch in batch mode,
 * on the C test kernel (make + riscv64-unknown-elf-gcc -g): stopped at the first instruction,
 * break at a C function, step over the satp write and reverse-stepi back over it, a watchpoint on
 * a page-table entry stopping at the store (forward, and in reverse once the boot has run on),
 * info registers, x/4gx at a higher-half address; with `record`, the recording is the boot's as
 * usual. Ctrl-C (a 0x03 byte) interrupts a continue on a kernel that runs for a long time.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gdbBatch as batch } from '../../support/gdb-batch'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { buildProgram } from '../../support/build-program'
import { debugLoopKernel } from '../../../bench/debug-kernels'
import { liveBoot, rspClient } from '../../support/gdb-live'
import { Recorder } from '../../../src/main/trace/recorder'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { readElf } from '../../../src/shared/elf/reader'

const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')
const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-live-'))
const elfPath = join(dir, 'kernel.elf')
afterAll(() => rmSync(dir, { recursive: true, force: true }))


const gdbBatch = (port: number, commands: string[]) => batch({ gdb: gdb.path!, dir, port, elf: elfPath }, commands)

describe.skipIf(gdb.missing || make.missing || gcc.missing)('a live boot under gdb-multiarch (boot --gdb)', () => {
  let sym: (name: string) => bigint
  let csrwSatp: bigint
  let kernel: { file: string; bytes: Uint8Array }
  beforeAll(() => {
    execFileSync(make.path!, ['-s', '-B', '-C', C_KERNEL, `OUT=${elfPath}`], { stdio: 'pipe' })
    const bytes = readFileSync(elfPath)
    kernel = { file: 'kernel.elf', bytes }
    const elf = readElf(bytes)
    if (!elf.ok) throw new Error(elf.error.message)
    sym = (name) => elf.value.symbols.find((s) => s.name === name)!.value
    const text = elf.value.sections.find((s) => s.name === '.text')!
    const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength)
    let at = 0
    while ((view.getUint32(at, true) & 0xfff07fff) !== 0x18001073) at += 2
    csrwSatp = text.addr + BigInt(at)
  })

  it('waits at the first instruction, breaks in C, steps over the satp write and back, reads the higher half, then runs to the end', async () => {
    const output: number[] = []
    const boot = liveBoot({ config: { kernel, bios: 'builtin' }, budget: 10_000_000n }, output)
    const high = 0xffffffffc0000000n + (sym('marker') - 0x80000000n)
    const out = await gdbBatch(await boot.port, [
      'p/x $pc',
      'break kernel_main',
      'continue',
      `break *0x${csrwSatp.toString(16)}`,
      'continue',
      'p/x $satp',
      'stepi',
      'p/x $satp',
      'reverse-stepi',
      'p/x $satp',
      'stepi',
      `x/4gx 0x${high.toString(16)}`,
      'info registers',
    ])
    const done = await boot.done
    if (!done.ok) throw new Error(done.error.message)
    expect(boot.log[0]).toMatch(/stopped at the first instruction \(pc 0x80200000\)/)
    const values = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1])
    expect(values[0]).toBe('0x80200000') // the kernel's entry: the builtin SBI hands over at step 0
    expect(out).toMatch(/Breakpoint 1, kernel_main \(\) at \S*main\.c:41/)
    const on = `0x${((8n << 60n) | (sym('root_table') >> 12n)).toString(16)}`
    expect(values.slice(1, 4)).toEqual(['0x0', on, '0x0'])
    expect(out).toMatch(new RegExp(`0x${high.toString(16)}:\\s+0x1122334455667788\\s+0x0+\\s*\\n0x${(high + 16n).toString(16)}:`))
    expect(out).toMatch(/^ra\s+0x[0-9a-f]+\s/m)
    expect(out).toMatch(/^pc\s+0x8020[0-9a-f]{4}\s+0x8020[0-9a-f]{4} <kernel_main\+\d+>/m)
    // Detached: the boot ran on to its end, with its console.
    expect(done.value?.reason).toBe('shutdown')
    expect(Buffer.from(output).toString()).toBe('C kernel\nhigher half ok\n')
  }, 180_000)

  it('stops a watchpoint on a page-table entry at the store, forward and in reverse, and records the boot as usual', async () => {
    const recPath = join(dir, 'live.sqlite')
    const rec = await Recorder.start({ recordingPath: recPath, kernel, writtenBy: 'test' })
    if (!rec.ok) throw new Error(rec.error.message)
    const pte = sym('root_table') + 2n * 8n
    const boot = liveBoot({ config: { kernel, bios: 'builtin' }, budget: 10_000_000n, follow: async (f) => void (await rec.value.runTo(f)) })
    const out = await gdbBatch(await boot.port, [
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
    ])
    const done = await boot.done
    if (!done.ok) throw new Error(done.error.message)
    expect(out).toMatch(/Hardware watchpoint 1: \*\(unsigned long \*\)0x[0-9a-f]+\s+Old value = 0\s+New value = 536871119/)
    expect(out).toMatch(/Hardware watchpoint \d+: \*\(unsigned long \*\)0x[0-9a-f]+\s+Old value = 536871119\s+New value = 0/)
    expect(out).toMatch(/=> 0x[0-9a-f]+ <map_gigapage\+\d+>:\s+sd\s/)
    // The recorder followed gdb to sbi_shutdown; detached, it records on to the end.
    const result = await rec.value.run()
    expect(result.stop.reason).toBe('shutdown')
    const plainPath = join(dir, 'plain.sqlite')
    const plain = await Recorder.start({ recordingPath: plainPath, kernel, writtenBy: 'test' })
    if (!plain.ok) throw new Error(plain.error.message)
    expect((await plain.value.run()).steps).toBe(result.steps)
    const kinds = (p: string) => {
      const r = RecordingReader.open(p)
      if (!r.ok) throw new Error(r.error.message)
      try {
        return r.value.events({ limit: 1000 }).map((e) => `${e.step} ${e.kind}`)
      } finally {
        r.value.close()
      }
    }
    expect(kinds(recPath)).toEqual(kinds(plainPath))
  }, 180_000)

  it('interrupts a continue on Ctrl-C', async () => {
    // 400 M iterations (≈ 2.8 G steps): the Ctrl-C sent 300 ms after `c` must find the loop still
    // running even with compiled blocks (the default engine since de07e87: > 1 G steps/s on this loop,
    // which ran the 40 M iterations this test had before in under 300 ms).
    const prog = await buildProgram(debugLoopKernel(400_000_000, 1 << 20))
    const boot = liveBoot({ config: { kernel: { file: 'loop.elf', bytes: prog.elf }, bios: 'none' }, budget: 4_000_000_000n })
    const { socket, packet, reply, interrupt } = rspClient(await boot.port)
    packet('QStartNoAckMode')
    expect(await reply()).toBe('OK')
    packet('c')
    await new Promise((r) => setTimeout(r, 300))
    interrupt()
    expect(await reply()).toMatch(/^T02/)
    packet('g')
    const regs = await reply()
    const pc = Buffer.from(regs.slice(32 * 16, 33 * 16), 'hex').readBigUInt64LE()
    expect(pc >= prog.symbols.get('loop')! && pc < prog.symbols.get('trap_entry')!).toBe(true)
    packet('D')
    expect(await reply()).toBe('OK')
    socket.end()
    const done = await boot.done
    if (!done.ok) throw new Error(done.error.message)
    expect(done.value?.reason).not.toBe('budget')
  }, 180_000)
})
