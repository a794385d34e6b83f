/**
 * The two x86 examples of "New workspace from example" (resources/examples/i386-higher-half and
 * x86_64-long-mode): each builds with Bootscope's toolchain (as the workbench builds a workspace:
 * every source and linker.ld, the target detected from the sources) into the same allocated
 * bytes, symbols and program headers as GNU as/nasm + ld, and the kernel we build boots on the
 * reference machine — QEMU's Multiboot 1 loader (`-kernel`) for the i386 one, GRUB 2 from a
 * rescue ISO (`multiboot2`) for the x86-64 one — printing what its README says it prints.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { build, type BuildResult } from '../../../src/main/toolchain/build'
import { readElf } from '../../../src/shared/elf/reader'
import { compareElf } from '../../main/toolchain/differential/gnu'
import { nasmOracle, x86As, x86Ld } from '../../support/oracles'
import { afterGrub, grubIsoTools, qemuI386, qemuX86_64, runQemuGrubIso, runQemuMultiboot1 } from '../../support/x86-tools'

const EXAMPLES = join(__dirname, '../../../resources/examples')
const work = mkdtempSync(join(tmpdir(), 'bootscope-x86-examples-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Builds an example folder the way the workbench's BuildService does: its sources and linker.ld, nothing else said. */
function buildExample(name: string): BuildResult {
  const dir = join(EXAMPLES, name)
  const files = readdirSync(dir)
    .filter((f) => /\.(S|s|asm|ld)$/.test(f))
    .sort()
    .map((f) => ({ path: f, text: readFileSync(join(dir, f), 'utf8') }))
  return build({ files, script: 'linker.ld' })
}

function writeOurs(name: string, r: BuildResult): string {
  expect(r.diagnostics).toEqual([]) // no error and no warning: a newcomer's first build is clean
  expect(r.ok).toBe(true)
  const path = join(work, `${name}.elf`)
  writeFileSync(path, r.elf!)
  return path
}

function sameAsGnu(ours: Uint8Array, gnuPath: string): void {
  const g = readElf(new Uint8Array(readFileSync(gnuPath)))
  const o = readElf(ours)
  if (!g.ok || !o.ok) throw new Error('unreadable ELF')
  expect(compareElf(g.value, o.value)).toEqual([])
}

const gnuTools = [x86As(), x86Ld(), nasmOracle()]
const gnuMissing = gnuTools.find((t) => t.missing)

describe('i386 higher half at 0xC0100000 (seed 000)', () => {
  const name = 'i386-higher-half'

  it('builds with our GNU as and linker for i386, linked high and loaded at 1 MiB', () => {
    const r = buildExample(name)
    writeOurs(name, r)
    const elf = readElf(r.elf!)
    if (!elf.ok) throw new Error(elf.error.message)
    expect(elf.value.header.machine).toBe(3) // EM_386
    const text = elf.value.segments.find((p) => p.type === 1 && (p.flags & 1) !== 0 && p.vaddr >= 0xc0000000n)!
    expect(text.vaddr - text.paddr).toBe(0xc0000000n)
    expect(r.symbols.find((s) => s.name === 'kmain')!.value).toBeGreaterThanOrEqual(0xc0100000n)
  })

  it.skipIf(!!gnuMissing)('has the sections, bytes, symbols and program headers GNU as + ld make', () => {
    const dir = join(EXAMPLES, name)
    for (const f of ['boot', 'kernel']) execFileSync('as', ['--32', '-o', join(work, `${f}.o`), join(dir, `${f}.S`)])
    execFileSync('ld', ['-m', 'elf_i386', '-T', join(dir, 'linker.ld'), '-o', join(work, 'gnu-i386.elf'), join(work, 'boot.o'), join(work, 'kernel.o')])
    sameAsGnu(buildExample(name).elf!, join(work, 'gnu-i386.elf'))
  })

  it.skipIf(qemuI386().missing)('boots under QEMU -kernel (Multiboot 1): runs high, identity mapping gone, exits through isa-debug-exit', () => {
    const path = writeOurs(name, buildExample(name))
    const run = runQemuMultiboot1(path, { timeoutMs: 30_000 })
    expect(run.timedOut).toBe(false)
    expect(run.serial).toMatch(/^hello from the higher half: kmain runs at 0xc01[0-9a-f]{5}\n/)
    expect(run.serial).toContain('multiboot magic 0x2badb002, mem_upper 0x')
    // QEMU sets PDE 768's accessed and dirty bits (0x83 | 0x60).
    expect(run.serial).toMatch(/PDE 0 \(identity\) 0x00000000, PDE 768 \(higher half\) 0x000000[8ae]3\n/)
    expect(run.serial).toMatch(/kernel ends at 0xc01[0-9a-f]{5}\n$/)
    expect(run.exitCode).toBe(33)
  }, 60_000)
})

describe('x86-64 long mode via Multiboot 2 (seed 002)', () => {
  const name = 'x86_64-long-mode'

  it('builds with our NASM front end and linker for x86-64', () => {
    const r = buildExample(name)
    writeOurs(name, r)
    const elf = readElf(r.elf!)
    if (!elf.ok) throw new Error(elf.error.message)
    expect(elf.value.header.machine).toBe(62) // EM_X86_64
    expect(r.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['start', 'kernel_main', 'p4_table', 'stack_top']))
  })

  it.skipIf(!!gnuMissing)('has the sections, bytes, symbols and program headers nasm + ld make', () => {
    const dir = join(EXAMPLES, name)
    for (const f of ['boot', 'kernel']) execFileSync('nasm', ['-f', 'elf64', '-o', join(work, `${f}64.o`), join(dir, `${f}.asm`)])
    execFileSync('ld', ['-m', 'elf_x86_64', '-T', join(dir, 'linker.ld'), '-o', join(work, 'gnu-x86_64.elf'), join(work, 'boot64.o'), join(work, 'kernel64.o')])
    sameAsGnu(buildExample(name).elf!, join(work, 'gnu-x86_64.elf'))
  })

  const grub = grubIsoTools()
  it.skipIf(qemuX86_64().missing || grub.missing)('boots from a GRUB 2 ISO (multiboot2): memory map, ELF sections, new table, guard page', () => {
    const path = writeOurs(name, buildExample(name))
    const run = runQemuGrubIso(path, { timeoutMs: 90_000 })
    expect(run.timedOut).toBe(false)
    const out = afterGrub(run.serial, 'Hello World!')
    expect(out).toMatch(/^Hello World!\nmemory areas:\n {4}start: 0x0, length: 0x9fc00\n {4}start: 0x100000, length: 0x7ee0000\nkernel sections:\n/)
    // .boot (alloc), .text (alloc + exec), .rodata (alloc), .bss (alloc + write), then the sections GRUB loads but the kernel does not map.
    expect(out).toMatch(/ {4}addr: 0x100000, size: 0x18, flags: 0x2\n {4}addr: 0x101000, size: 0x[0-9a-f]+, flags: 0x6\n {4}addr: 0x102000, size: 0x[0-9a-f]+, flags: 0x2\n {4}addr: 0x103000, size: 0x[0-9a-f]+, flags: 0x3\n/)
    expect(out).toMatch(/kernel_start: 0x100000, kernel_end: 0x10[0-9a-f]{4}\nmultiboot_start: 0x[0-9a-f]+, multiboot_end: 0x[0-9a-f]+\nNEW TABLE!\n/)
    const p4 = buildExample(name).symbols.find((s) => s.name === 'p4_table')!.value
    expect(out).toContain(`guard page at 0x${p4.toString(16)}\nIt did not crash!\n`)
    expect(run.exitCode).toBe(33)
  }, 120_000)
})
