import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { link } from '../../../../src/main/toolchain/link/index'
import { readRelocatable } from '../../../../src/shared/elf/read-relocatable'
import { readElf } from '../../../../src/shared/elf/reader'
import * as E from '../../../../src/shared/elf/constants'
import type { ObjectFile } from '../../../../src/main/toolchain/object'
import { x86As } from '../../../support/oracles'

const as = x86As()
const dir = mkdtempSync(join(tmpdir(), 'x86-targets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Assembles `source` with the real `as --32`/`--64` and reads the object back. */
function assemble(name: string, bits: 32 | 64, source: string): ObjectFile {
  writeFileSync(join(dir, `${name}.s`), source)
  execFileSync(as.path!, [bits === 32 ? '--32' : '--64', join(dir, `${name}.s`), '-o', join(dir, `${name}.o`)])
  const r = readRelocatable(new Uint8Array(readFileSync(join(dir, `${name}.o`))), `${name}.o`)
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

const script = (text: string) => ({ file: 'kernel.ld', text })
const errors = (r: ReturnType<typeof link>) => r.diagnostics.filter((d) => d.severity === 'error')

describe.skipIf(as.missing)('link: the x86 targets', () => {
  it('explains an R_X86_64_32 against a higher-half symbol the way a kernel author needs it', () => {
    const o = assemble('hh', 64, `
      .text
      .globl kernel_main
    kernel_main:
      movl $kernel_main, %edi
      ret`)
    const r = link([o], { script: script('SECTIONS { . = 0xffffffff80100000; .text : AT(0x100000) { *(.text) } }') })
    const e = errors(r)
    expect(e.map((d) => d.code)).toEqual(['link.reloc_out_of_range'])
    expect(e[0].message).toContain('R_X86_64_32 against `kernel_main` = 0xffffffff80100000 does not fit in 32 bits: a higher-half kernel needs -mcmodel=kernel (R_X86_64_32S) or a 64-bit reference')
    expect(e[0].message).toContain('.text of hh.o at offset 0x1')
    expect(e[0].hint).toContain('-mcmodel=kernel')
    expect(r.elf).toBeUndefined()
  })

  it('writes ELF32 for i386 objects and ELF64 for x86-64 ones without being told', () => {
    const o32 = assemble('a32', 32, '.globl _start\n_start: ret\n')
    const o64 = assemble('a64', 64, '.globl _start\n_start: ret\n')
    for (const [o, cls, machine] of [[o32, E.ELFCLASS32, E.EM_386], [o64, E.ELFCLASS64, E.EM_X86_64]] as const) {
      const r = link([o], { script: script('SECTIONS { . = 1M; .text : { *(.text) } }') })
      const f = readElf(r.elf!)
      if (!f.ok) throw new Error(f.error.message)
      expect([f.value.header.class, f.value.header.machine, f.value.header.entry]).toEqual([cls, machine, 0x100000n])
    }
  })

  it('refuses to mix i386 and x86-64 objects, naming the object and the fix', () => {
    const o32 = assemble('m32', 32, '.globl _start\n_start: ret\n')
    const o64 = assemble('m64', 64, '.globl other\nother: ret\n')
    const r = link([o64, o32], { emulation: 'elf_x86_64', script: script('SECTIONS { .text : { *(.text) } }') })
    expect(errors(r).map((d) => d.code)).toEqual(['link.incompatible_object'])
    expect(errors(r)[0].message).toContain('m32.o is Intel 80386 code')
    expect(errors(r)[0].hint).toContain('-m elf_i386')
  })

  it('takes the output format from OUTPUT_FORMAT and checks OUTPUT_ARCH against the objects', () => {
    const o64 = assemble('f64', 64, '.globl _start\n_start: ret\n')
    const ok = link([o64], { emulation: 'elf_i386', script: script('OUTPUT_FORMAT(elf64-x86-64)\nOUTPUT_ARCH(i386:x86-64)\nSECTIONS { . = 1M; .text : { *(.text) } }') })
    expect(errors(ok)).toEqual([])
    const bad = link([o64], { script: script('OUTPUT_ARCH(i386)\nSECTIONS { . = 1M; .text : { *(.text) } }') })
    expect(errors(bad).map((d) => d.code)).toEqual(['link.incompatible_object'])
    expect(errors(bad)[0].loc?.line).toBe(1)
    const unknown = link([o64], { emulation: 'elf_x86_64', script: script('OUTPUT_FORMAT(pe-x86-64)\nSECTIONS { }') })
    expect(errors(unknown).map((d) => d.code)).toEqual(['link.unknown_format'])
    expect(link([o64], { emulation: 'elf_amd64' }).diagnostics.map((d) => d.code)).toEqual(['link.unknown_emulation'])
  })

  it('pads code sections with nops (long ones on x86-64, xchg %ax,%ax on i386) and data with zeros', () => {
    const src = '.text\n.globl _start\n_start: ret\n.section .text.b, "ax"\n.balign 16\nnop\n.data\n.byte 1\n.section .data.b, "aw"\n.balign 16\n.byte 2\n'
    const layout = 'SECTIONS { . = 1M; .text : { *(.text) *(.text.b) } .data : { *(.data) *(.data.b) } }'
    const text = (bits: 32 | 64) => {
      const r = link([assemble(`pad${bits}`, bits, src)], { script: script(layout) })
      const f = readElf(r.elf!)
      if (!f.ok) throw new Error(f.error.message)
      return [f.value.sections.find((s) => s.name === '.text')!.data, f.value.sections.find((s) => s.name === '.data')!.data].map((d) => Buffer.from(d).toString('hex'))
    }
    expect(text(64)).toEqual(['c3' + '662e0f1f840000000000' + '0f1f440000' + '90', '01' + '00'.repeat(15) + '02'])
    expect(text(32)).toEqual(['c3' + '6690'.repeat(7) + '90' + '90', '01' + '00'.repeat(15) + '02'])
  })

  it('warns when the Multiboot header lands past the first 8 KiB of the file, and says how to keep it first', () => {
    const o = assemble('mbfar', 32, `
      .section .multiboot, "a"
      .align 4
      .long 0x1BADB002, 0, -0x1BADB002
      .text
      .globl _start
    _start: .skip 9000, 0x90`)
    const late = link([o], { script: script('SECTIONS { . = 1M; .text : { *(.text) } .rodata : { *(.multiboot) } }') })
    const w = late.layout!.warnings.filter((x) => x.code === 'link.multiboot_header_too_far')
    expect(w).toHaveLength(1)
    expect(w[0].message).toMatch(/Multiboot 1 header in \.rodata is at file offset 0x[0-9a-f]+, past the first 8 KiB/)
    expect(w[0].hint).toContain('KEEP(*(.multiboot_header))')
    const first = link([o], { script: script('SECTIONS { . = 1M; .boot : { KEEP(*(.multiboot)) } .text : { *(.text) } }') })
    expect(first.layout!.warnings.map((x) => x.code)).not.toContain('link.multiboot_header_too_far')
  })

  it('warns when --gc-sections collects a Multiboot 2 header nothing refers to', () => {
    const o = assemble('mbgc', 64, `
      .section .multiboot_header, "a"
      .align 8
    h0: .long 0xe85250d6, 0, h1 - h0, -(0xe85250d6 + (h1 - h0))
      .word 0, 0
      .long 8
    h1:
      .text
      .globl start
    start: ret`)
    const text = 'ENTRY(start) SECTIONS { . = 1M; .boot : { *(.multiboot_header) } .text : { *(.text) } }'
    const r = link([o], { gcSections: true, script: script(text) })
    const w = r.layout!.warnings.filter((x) => x.code === 'link.multiboot_header_dropped')
    expect(w.map((x) => x.message)).toEqual(['mbgc.o has a Multiboot 2 header in .multiboot_header, but the output has none: nothing refers to it, so --gc-sections (or /DISCARD/) removed it'])
    expect(w[0].hint).toContain('KEEP(*(.multiboot_header))')
    const kept = link([o], { gcSections: true, script: script(text.replace('*(.multiboot_header)', 'KEEP(*(.multiboot_header))')) })
    expect(kept.layout!.warnings.map((x) => x.code)).not.toContain('link.multiboot_header_dropped')
    expect(kept.layout!.outputSections.find((x) => x.name === '.boot')?.size).toBe('0x18')
  })

  it('warns about a higher-half i386 kernel without AT(), with an i386 example', () => {
    const o = assemble('hh32', 32, '.globl _start\n_start: ret\n')
    const r = link([o], { script: script('SECTIONS { . = 0xC0100000; .text : { *(.text) } }') })
    const w = r.layout!.warnings.find((x) => x.code === 'link.higher_half_lma')!
    expect(w.message).toContain('0xc0100000')
    expect(w.hint).toContain('AT(ADDR(.text) - 0xC0000000)')
  })

  it('refuses overlapping load addresses of a higher-half x86-64 kernel, and is quiet once AT() separates them', () => {
    const o = assemble('lma64', 64, '.globl _start\n_start: movq $data, %rax\n ret\n.data\ndata: .quad 1\n')
    const overlapping = 'SECTIONS { . = 0xffffffff80100000; .text : AT(0x100000) { *(.text) } .data : AT(0x100000) { *(.data) } }'
    const bad = link([o], { script: script(overlapping) })
    expect(errors(bad).map((d) => d.code)).toContain('link.lma_overlap')
    expect(errors(bad).find((d) => d.code === 'link.lma_overlap')?.message).toMatch(/section \.data LMA \[0x100000,0x100007\] overlaps section \.text LMA \[0x100000,/)
    const good = link([o], { script: script('SECTIONS { . = 0xffffffff80100000; .text : AT(ADDR(.text) - 0xffffffff80000000) { *(.text) } .data : AT(ADDR(.data) - 0xffffffff80000000) { *(.data) } }') })
    expect(errors(good)).toEqual([])
    expect(good.layout!.warnings.map((x) => x.code)).not.toContain('link.higher_half_lma')
    expect(good.layout!.outputSections.find((x) => x.name === '.data')?.lma).toMatch(/^0x10/)
  })
})
