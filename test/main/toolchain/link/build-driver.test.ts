/**
 * The build driver (src/main/toolchain/build.ts) and `bootscope build`: our assembler + our linker
 * end to end. (Kept beside the linker tests: build.ts has no test folder of its own yet.)
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { build } from '../../../../src/main/toolchain/build'
import { buildCommand, parseBuildArgs } from '../../../../src/main/cli/commands/build'
import { readElf } from '../../../../src/shared/elf/reader'
import { PT_RISCV_ATTRIBUTES } from '../../../../src/shared/elf/constants'

const SEED = join(__dirname, '../../../fixtures/link/seed-004-higher-half')
const files = () => ['entry.S', 'main.S', 'script.ld'].map((f) => ({ path: f, text: readFileSync(join(SEED, f), 'utf8') }))

describe('build', () => {
  it('builds the seed 004 kernel: ELF, layout, symbols and a line table at final addresses', () => {
    const r = build({ files: files(), script: 'script.ld' })
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(r.ok).toBe(true)
    const elf = readElf(r.elf!)
    expect(elf.ok).toBe(true)
    if (!elf.ok) return
    expect(elf.value.header.entry).toBe(0xffffffff80200000n)
    // GNU as writes .riscv.attributes; we add it so the program headers match binutils'.
    expect(elf.value.segments.some((s) => s.type === PT_RISCV_ATTRIBUTES)).toBe(true)
    expect(r.symbols.find((s) => s.name === 'kernel_end')).toMatchObject({ section: '.bss' })
    expect(r.symbols.find((s) => s.name === 'rust_main')?.value).toBe(BigInt(r.layout!.symbols.find((s) => s.name === 'rust_main')!.value))
    const first = r.lines[0]
    expect(first).toMatchObject({ address: 0xffffffff80200000n, file: 'entry.S' })
    expect(r.lines.some((l) => l.file === 'main.S' && l.address === r.symbols.find((s) => s.name === 'rust_main')!.value)).toBe(true)
    for (let i = 1; i < r.lines.length; i++) expect(r.lines[i].address >= r.lines[i - 1].address).toBe(true)
    expect(r.layout!.warnings.map((w) => w.code)).toContain('link.higher_half_lma')
  })

  it('names objects after their sources so scripts can say entry.o(.text)', () => {
    const r = build({
      files: [...files().filter((f) => f.path !== 'script.ld'), { path: 'k.ld', text: 'SECTIONS { . = 0xffffffff80200000; .text : { main.o(.text) *(.text.entry) *(.text) } .data : { *(.data) *(.rodata) } .bss : { *(.bss*) } }' }],
      script: 'k.ld',
    })
    expect(r.ok).toBe(true)
    expect(r.layout!.outputSections[0].inputs[0]).toMatchObject({ object: 'main.o', name: '.text' })
  })

  it('reports assembler errors with their source location and builds nothing', () => {
    const r = build({ files: [{ path: 'bad.S', text: '.text\n  addi a0, a0\n' }] })
    expect(r.ok).toBe(false)
    expect(r.elf).toBeUndefined()
    expect(r.diagnostics[0].loc).toMatchObject({ file: 'bad.S', line: 2 })
  })

  it('points an undefined reference at the line of the call', () => {
    const r = build({ files: [{ path: 'k.S', text: '.text\n.globl _start\n_start:\n  call kmain\n' }] })
    expect(r.ok).toBe(false)
    const d = r.diagnostics.find((x) => x.code === 'link.undefined_symbol')!
    expect(d.loc).toMatchObject({ file: 'k.S', line: 4 })
    expect(d.message).toContain("'kmain'")
  })

  it('resolves INCLUDE from the project files and reports a missing script', () => {
    const ok = build({
      files: [{ path: 'k/a.S', text: '.text\n.globl _start\n_start: nop\n' }, { path: 'k/k.ld', text: 'INCLUDE mem.ld\nSECTIONS { .text : { *(.text) } > RAM }' }, { path: 'k/mem.ld', text: 'MEMORY { RAM (rwx) : ORIGIN = 0x80000000, LENGTH = 1M }' }],
      script: 'k/k.ld',
    })
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(ok.layout!.outputSections[0].vma).toBe('0x80000000')
    const missing = build({ files: [{ path: 'a.S', text: 'nop\n' }], script: 'nope.ld' })
    expect(missing.diagnostics[0].code).toBe('build.no_script')
    expect(build({ files: [] }).diagnostics[0].code).toBe('build.no_sources')
  })
})

describe('bootscope build', () => {
  it('parses -T, -o, --layout and -D', () => {
    expect(parseBuildArgs(['-T', 'k.ld', 'a.S', 'b.s', '-o', 'k.elf', '--layout', 'k.json', '-DDEBUG', '-D', 'N=3'])).toEqual({
      script: 'k.ld', sources: ['a.S', 'b.s'], objects: [], out: 'k.elf', layout: 'k.json', defines: { DEBUG: '1', N: '3' },
    })
    expect(() => parseBuildArgs(['a.S'])).toThrow(/-o/)
    expect(() => parseBuildArgs(['a.c', '-o', 'x'])).toThrow(/a\.c is not an input this command takes/)
  })

  it('parses the x86 and ld options, and takes .asm sources, .o objects and .a archives', () => {
    expect(parseBuildArgs(['-m', 'elf_x86_64', '-n', '--gc-sections', '-e', 'start', 'boot.asm', 'kernel.o', 'librust.a', '-o', 'k.elf'])).toEqual({
      sources: ['boot.asm'], objects: ['kernel.o', 'librust.a'], out: 'k.elf', defines: {}, arch: 'x86_64', nmagic: true, gcSections: true, entry: 'start',
    })
    expect(parseBuildArgs(['--arch', 'i386', '--syntax', 'nasm', 'a.s', '-o', 'k']).syntax).toBe('nasm')
    expect(() => parseBuildArgs(['--arch', 'arm', 'a.s', '-o', 'k'])).toThrow(/riscv64, i386 or x86_64/)
    expect(() => parseBuildArgs(['-m', 'elf_amd64', 'a.s', '-o', 'k'])).toThrow(/elf_i386/)
  })

  it('writes the ELF and the layout JSON, and exits 1 with GNU-style errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-cli-build-'))
    const cwd = process.cwd()
    const errors: string[] = []
    const origError = console.error
    try {
      for (const f of files()) writeFileSync(join(dir, f.path), f.text)
      writeFileSync(join(dir, 'bad.S'), '.text\n  bogus a0\n')
      process.chdir(dir)
      console.error = (m: string) => errors.push(m)
      expect(await buildCommand.run(['-T', 'script.ld', 'entry.S', 'main.S', '-o', 'k.elf', '--layout', 'k.json'])).toBe(0)
      expect(existsSync('k.elf')).toBe(true)
      const layout = JSON.parse(readFileSync('k.json', 'utf8'))
      expect(layout.entry).toBe('0xffffffff80200000')
      expect(await buildCommand.run(['bad.S', '-o', 'bad.elf'])).toBe(1)
      expect(errors.some((e) => /^bad\.S:2:\d+: error: /.test(e))).toBe(true)
      expect(existsSync('bad.elf')).toBe(false)
    } finally {
      console.error = origError
      process.chdir(cwd)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('runs as a process through bin/bootscope.mjs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-cli-proc-'))
    try {
      for (const f of files()) writeFileSync(join(dir, f.path), f.text)
      const bin = join(__dirname, '../../../../bin/bootscope.mjs')
      execFileSync(process.execPath, [bin, 'build', '-T', 'script.ld', 'entry.S', 'main.S', '-o', 'k.elf'], { cwd: dir, stdio: 'pipe' })
      const elf = readElf(new Uint8Array(readFileSync(join(dir, 'k.elf'))))
      expect(elf.ok && elf.value.header.entry).toBe(0xffffffff80200000n)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
