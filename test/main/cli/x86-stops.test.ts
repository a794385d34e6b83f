/**
 * `bootscope boot` and `record` on the x86 PC, through the real CLI process: each way a kernel
 * stops is explained in words with the source line of the instruction it stopped at, from the
 * kernel's own line table (nasm -g -F dwarf) — a trap loop (a #UD handler that returns to its
 * ud2), `cli; hlt` (stopped for good), a triple fault, and a `hlt` waiting for a key that a typed
 * key (--input) then brings. Also the Multiboot options through the command line (--append,
 * --module FILE[,STRING] twice) against QEMU's -append/-initrd, and a kernel without any Multiboot
 * header refused, as QEMU refuses it.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { X86_FIXTURES, buildX86Kernel, runQemuMultiboot1, x86Toolchain, type KernelSource } from '../../support/x86-tools'

const tools = x86Toolchain()
const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
/** Builds and QEMU runs under a loaded CI machine: generous, never part of a verdict. */
const SLOW = 180_000

function bootscope(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: SLOW })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function build(k: KernelSource) {
  return buildX86Kernel({ script: 'link-1m.ld', debug: true, ...k })
}

/** The 1-based line of `fixture` matching `pattern` (the `after`-th match's next line when `next`). */
function lineOf(fixture: string, pattern: RegExp, next = false): number {
  const lines = readFileSync(join(X86_FIXTURES, fixture), 'utf8').split('\n')
  const i = lines.findIndex((l) => pattern.test(l))
  expect(i, `${pattern} in ${fixture}`).toBeGreaterThanOrEqual(0)
  return i + 1 + (next ? 1 : 0)
}

const at = (fixture: string, line: number) => new RegExp(`\\n  at \\S*${fixture.replace('.', '\\.')}:${line}:\\d+\\n`)

describe.skipIf(tools.missing)('x86 stops explained by the CLI, with source lines', () => {
  it('a trap loop: the exception, how often, and the faulting ud2\'s line', { timeout: SLOW }, () => {
    const k = build({ sources: ['stops.asm'], bits: 32, defines: { STOP: 1 } })
    const r = bootscope(['boot', k.path], k.dir)
    expect(r.stdout).toBe('ud2, with a #UD handler that returns to it\n')
    expect(r.status).toBe(125)
    expect(r.stderr).toMatch(/^bootscope boot: trap-loop at step \d+ \(pc 0x[0-9a-f]+\): the same exception, #UD \(invalid opcode\) at rip 0x[0-9a-f]+, was taken 64 times in a row/)
    expect(r.stderr).toMatch(at('stops.asm', lineOf('stops.asm', /^\s+ud2\b/)))
    expect(r.stderr).toMatch(/hint: a fault handler must fix the cause/)
  })

  it('cli; hlt: stopped for good, at the hlt\'s line (not the next one, where RIP points)', { timeout: SLOW }, () => {
    const k = build({ sources: ['stops.asm'], bits: 32, defines: { STOP: 2 } })
    const r = bootscope(['boot', k.path], k.dir)
    expect(r.stdout).toBe('cli; hlt\n')
    expect(r.status).toBe(125)
    expect(r.stderr).toMatch(/wfi-deadlock at step \d+ \(pc (0x[0-9a-f]+)\): cli; hlt at rip \1: interrupts are off \(IF = 0\), so nothing can wake the CPU — stopped for good/)
    expect(r.stderr).toMatch(at('stops.asm', lineOf('stops.asm', /^\s+hlt\b/)))
  })

  it('a triple fault (recorded): the three faults, at the line of the ud2 that started them', { timeout: SLOW }, () => {
    const k = build({ sources: ['triple-fault-idt.asm'], bits: 32 })
    const r = bootscope(['record', k.path, '-o', 'tf.sqlite'], k.dir)
    expect(r.status).toBe(125)
    expect(r.stderr).toMatch(/bootscope record: triple-fault at step \d+: triple fault: #PF at rip 0x[0-9a-f]+ .*→ double fault → .*→ triple fault/)
    expect(r.stderr).toMatch(at('triple-fault-idt.asm', lineOf('triple-fault-idt.asm', /^\s+ud2\b/)))
    expect(r.stderr).toMatch(/wrote tf\.sqlite/)
  })

  it('hlt waiting for a key: waiting for input at the hlt\'s line; --input types the keys that end it', { timeout: SLOW }, () => {
    const k = build({ sources: ['pit-pic-keyboard.asm'], bits: 32 })
    const waiting = bootscope(['boot', k.path], k.dir)
    expect(waiting.stdout).toMatch(/press keys\n$/)
    expect(waiting.status).toBe(0)
    expect(waiting.stderr).toMatch(/waiting-for-input at step \d+ \(pc (0x[0-9a-f]+)\): the guest sleeps in hlt \(rip \1\), woken only by its timer, and waits for an interrupt only input can bring/)
    expect(waiting.stderr).toMatch(at('pit-pic-keyboard.asm', lineOf('pit-pic-keyboard.asm', /^\.keys:/, true)))
    const typed = bootscope(['boot', k.path, '--input', 'ab1'], k.dir)
    // The scan codes QEMU gives for the same keys (pc-machine-qemu.test.ts types them through its monitor).
    expect(typed.stdout).toContain('scan codes on IRQ 1 (vector 0x21): 0x0000001e 0x0000009e 0x00000030 0x000000b0 0x00000002 0x00000082\n')
    expect(typed.status).toBe((0x12 << 1) | 1)
    // Recorded: the keys are typed at the step the guest waits, and the recording ends as the boot did.
    const rec = bootscope(['record', k.path, '-o', 'keys.sqlite', '--input', 'ab1'], k.dir)
    expect(rec.stdout).toBe(typed.stdout)
    expect(rec.status).toBe((0x12 << 1) | 1)
    const stop = bootscope(['events', 'keys.sqlite', '--kind', 'stop'], k.dir)
    expect(stop.stdout).toMatch(/stop\s+the guest wrote 0x12 to isa-debug-exit \(port 0xf4\): exit status 37/)
  })
})

describe.skipIf(tools.missing)('x86 Multiboot options through the CLI', () => {
  it('--append and --module FILE[,STRING] (twice) give the boot information QEMU\'s -append and -initrd give', { timeout: SLOW }, () => {
    const k = build({ sources: ['mb1-info-entry.S', 'mb1-info.c'], bits: 32 })
    writeFileSync(join(k.dir, 'one.txt'), 'module one\nwith two lines\n')
    writeFileSync(join(k.dir, 'two.bin'), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]))
    const one = join(k.dir, 'one.txt')
    const two = join(k.dir, 'two.bin')
    // QEMU's -initrd "FILE ARGS,FILE": each module's string is its whole entry (file name and arguments).
    const q = runQemuMultiboot1(k.path, { append: 'console=ttyS0 quiet', modules: [`${one} mod-arg`, two] })
    const r = bootscope(['boot', k.path, '--append', 'console=ttyS0 quiet', '--module', `${one},${one} mod-arg`, '--module', two], k.dir)
    expect(q.serial).toContain('mods_count 0x2')
    expect(q.serial).toContain(`module string "${one} mod-arg"`)
    expect(r.stdout).toBe(q.serial)
    expect(r.status).toBe(q.exitCode)
  })

  it('refuses a kernel without any Multiboot header, saying what GRUB and QEMU need (QEMU refuses it too)', { timeout: SLOW }, () => {
    const k = build({ sources: ['stops.asm'], bits: 32, defines: { STOP: 2, NO_HEADER: 1 } })
    const q = runQemuMultiboot1(k.path)
    expect(q.exitCode).toBe(1)
    expect(q.stderr).toMatch(/Error loading uncompressed kernel without PVH ELF Note/)
    const r = bootscope(['boot', k.path], k.dir)
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/kernel\.elf:1:1: error: .*kernel\.elf: no Multiboot header — GRUB and QEMU boot an x86 kernel only when it carries one: Multiboot 1 \(magic 0x1BADB002, flags, checksum\) in its first 8 KiB, or Multiboot 2/)
    expect(r.stderr).toMatch(/hint: add a header section first/)
  })
})
