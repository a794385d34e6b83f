/**
 * `bootscope boot KERNEL --gdb` on x86: a live PC boot served to Debian's gdb-multiarch in batch
 * mode. Seed 000 (`gcc -m32 -g`, linked at 0xC0100000, loaded at 1 MiB): the boot waits at its
 * first instruction (the Multiboot entry, paging off); a breakpoint on kmain's *virtual* address,
 * set before paging is on, stops there after the paging switch and the jump high (the x86 hart's
 * own breakpoint, on the linear RIP); registers and higher-half memory are read; reverse-stepi goes
 * back over what has run; detaching lets the boot run to its end. Ctrl-C (a 0x03 byte) interrupts
 * a continue on a kernel that runs for a long time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { buildX86Kernel, gasX86, gccMulti, ldX86, nasm } from '../../support/x86-tools'
import { gdbBatch as batch } from '../../support/gdb-batch'
import { liveBoot, rspClient } from '../../support/gdb-live'
import { readElf } from '../../../src/shared/elf/reader'
import { buildKernel } from '../machine/x86/hart/mb1-harness'

const gdb = oracle('gdb-multiarch', 'gdb-multiarch')
const tools = [gasX86(), ldX86(), gccMulti(), nasm()]
const dir = mkdtempSync(join(tmpdir(), 'bootscope-gdb-x86-live-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))


describe.skipIf(gdb.missing || tools.some((t) => t.missing))('a live x86 boot under gdb-multiarch (boot --gdb)', () => {
  let seed: { path: string; bytes: Uint8Array }
  let kmain: bigint
  beforeAll(() => {
    seed = buildX86Kernel({ sources: ['seed-000/boot.S', 'seed-000/kmain.c'], bits: 32, script: 'seed-000/linker.ld', debug: true })
    const elf = readElf(seed.bytes)
    if (!elf.ok) throw new Error(elf.error.message)
    kmain = elf.value.symbols.find((s) => s.name === 'kmain')!.value
  })

  it('waits at the Multiboot entry; a breakpoint on the higher-half kmain set before paging stops after the switch; reverse-stepi; runs to the end', async () => {
    const output: number[] = []
    const boot = liveBoot({ config: { kernel: { file: 'kernel.elf', bytes: seed.bytes } }, budget: 10_000_000n }, output)
    const out = await batch({ gdb: gdb.path!, dir, port: await boot.port, elf: seed.path }, [
      'p/x $eip',
      'p/x $cr0',
      'break kmain',
      'continue',
      'p/x $eip',
      'p/x $cr0',
      'p/x $cr3',
      `x/2xw 0x${kmain.toString(16)}`,
      'stepi',
      'reverse-stepi',
      'p/x $eip',
    ])
    expect(boot.log[0]).toMatch(/^stopped at the first instruction \(pc 0x10000c\); gdb stub on 127\.0\.0\.1:\d+/)
    const values = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => BigInt(m[1]))
    expect(values[0]).toBe(0x10000cn) // the Multiboot entry, at its load address
    expect(values[1] & 0x80000000n).toBe(0n) // paging off
    expect(kmain).toBeGreaterThanOrEqual(0xc0100000n)
    expect(out).toMatch(/Breakpoint 1, kmain \(magic=732803074, info=0x[0-9a-f]+\) at \S*kmain\.c:\d+/)
    expect(values[2]).toBe(kmain)
    expect(values[3] & 0x80000001n).toBe(0x80000001n) // PE and PG
    expect(values[4]).not.toBe(0n)
    expect(out).toMatch(new RegExp(`0x${kmain.toString(16)} <kmain>:\\s+0x[0-9a-f]+\\s+0x[0-9a-f]+`)) // read through the page tables
    expect(values[5]).toBe(kmain)
    expect(out).not.toMatch(/warning|internal-error|Cannot access memory/)
    const done = await boot.done
    if (!done.ok) throw new Error(done.error.message)
    expect(done.value).toMatchObject({ reason: 'shutdown' })
    expect(Buffer.from(output).toString('latin1')).toContain('seed 000: kmain runs at 0xc01')
  }, 180_000)

  it('interrupts a continue on Ctrl-C', async () => {
    // ≈ 300 M steps (seconds of guest time): the Ctrl-C sent 300 ms after `c` finds the loop still running.
    const elf = buildKernel(`
section .text
global loop_top
global loop_end
_start:
  mov ecx, 150000000
loop_top:
  dec ecx
  jnz loop_top
loop_end:
  mov al, 0
  out 0xf4, al
  cli
  hlt
`)
    writeFileSync(join(dir, 'loop.elf'), elf)
    const parsed = readElf(elf)
    if (!parsed.ok) throw new Error(parsed.error.message)
    const sym = (n: string) => parsed.value.symbols.find((s) => s.name === n)!.value
    const boot = liveBoot({ config: { kernel: { file: 'loop.elf', bytes: elf } }, budget: 2_000_000_000n })
    const { socket, packet, reply, interrupt } = rspClient(await boot.port)
    packet('QStartNoAckMode')
    expect(await reply()).toBe('OK')
    packet('c')
    await new Promise((r) => setTimeout(r, 300))
    interrupt()
    expect(await reply()).toMatch(/^T02/)
    packet('g')
    const regs = await reply()
    const eip = BigInt(Buffer.from(regs.slice(8 * 8, 9 * 8), 'hex').readUInt32LE())
    expect(eip >= sym('loop_top') && eip <= sym('loop_end')).toBe(true)
    packet('D')
    expect(await reply()).toBe('OK')
    socket.end()
    const done = await boot.done
    if (!done.ok) throw new Error(done.error.message)
    expect(done.value?.reason).toBe('shutdown')
  }, 180_000)
})
