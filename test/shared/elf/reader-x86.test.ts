import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readElf } from '../../../src/shared/elf/reader'
import { readRelocatable } from '../../../src/shared/elf/read-relocatable'
import * as E from '../../../src/shared/elf/constants'
import { gccX86, nasmOracle, x86As, x86Ld, x86Readelf } from '../../support/oracles'
import { ourFacts, readelfFacts } from '../../support/readelf-facts'

const as = x86As()
const ld = x86Ld()
const readelf = x86Readelf()
const gcc = gccX86()
const nasm = nasmOracle()

/** A Multiboot 1 stub in the OSDev style: header, stack, call into C, data referring to code. */
const BOOT32_S = `
        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 3
        .section .multiboot, "a"
        .align 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
        .text
        .globl _start
        .type _start, @function
_start: movl $stack_top, %esp
        pushl %ebx
        call kmain
        movl $msg+3, %eax
        jmp .
        .size _start, . - _start
        .data
msg:    .asciz "hi"
        .long _start, kmain - 8
        .word vga_port + 1
        .byte 7
        .bss
        .align 16
        .space 4096
stack_top:
`

const LONG64_S = `
        .code64
        .text
        .globl long_start
long_start:
        movabsq $table, %rax
        movq table(%rip), %rbx
        movl $table + 16, %ecx
        call kmain
        jmp .
        .data
table:  .quad long_start, kmain + 0x10
        .long table - 4
`

const KERNEL_C = `
int counter = 3;
static int hidden;
int *where = &hidden;
extern void putc_vga(char c);
void kmain(void) {
  volatile char *vga = (char *)0xb8000;
  vga[0] = 'K';
  counter += hidden;
}
`

const MB2_NASM = `
section .multiboot_header
header_start:
    dd 0xe85250d6
    dd 0
    dd header_end - header_start
    dd 0x100000000 - (0xe85250d6 + 0 + (header_end - header_start))
    dw 0
    dw 0
    dd 8
header_end:
section .text
bits 32
global start
extern kmain
start:
    mov esp, stack_top
    mov edi, ebx
    call kmain
    jmp $
section .bss
stack_bottom:
    resb 4096
stack_top:
`

/** Seed 000's shape: linked at 0xC0100000, loaded at 0x00100000 through AT(). */
const HIGHER_HALF_LD = `
ENTRY(_start)
vga_port = 0x3d4;
SECTIONS {
  . = 0xC0100000;
  .text : AT(ADDR(.text) - 0xC0000000) { *(.multiboot) *(.text) }
  .data ALIGN(4K) : AT(ADDR(.data) - 0xC0000000) { *(.data) }
  .bss : AT(ADDR(.bss) - 0xC0000000) { *(COMMON) *(.bss) }
}
`

/** Seed 002's script (with -n). */
const SEED002_LD = `
ENTRY(start)
SECTIONS {
  . = 1M;
  .boot : { KEEP(*(.multiboot_header)) }
  .text : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.*) }
  .data.rel.ro : { *(.data.rel.ro.local*) *(.data.rel.ro .data.rel.ro.*) }
}
`

const missing = as.missing || ld.missing || readelf.missing || gcc.missing || nasm.missing

describe.skipIf(missing)('readElf on x86 files from binutils, gcc and nasm', () => {
  let dir = ''
  const file = (n: string) => join(dir, n)
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' })

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elf-x86-'))
    writeFileSync(file('boot32.s'), BOOT32_S)
    writeFileSync(file('long64.s'), LONG64_S)
    writeFileSync(file('kernel.c'), KERNEL_C)
    writeFileSync(file('mb2.asm'), MB2_NASM)
    writeFileSync(file('hh.ld'), HIGHER_HALF_LD)
    writeFileSync(file('seed002.ld'), SEED002_LD)
    run(as.path!, ['--32', 'boot32.s', '-o', 'boot32.o'])
    run(as.path!, ['--64', 'long64.s', '-o', 'long64.o'])
    run(gcc.path!, ['-m32', '-ffreestanding', '-fno-pic', '-O2', '-c', 'kernel.c', '-o', 'kernel32.o'])
    run(gcc.path!, ['-m64', '-ffreestanding', '-mcmodel=kernel', '-mno-red-zone', '-fno-pic', '-O2', '-c', 'kernel.c', '-o', 'kernel64.o'])
    run(gcc.path!, ['-m64', '-ffreestanding', '-fpie', '-O1', '-c', 'kernel.c', '-o', 'kernel64pie.o'])
    run(nasm.path!, ['-felf32', 'mb2.asm', '-o', 'mb2_32.o'])
    run(nasm.path!, ['-felf64', 'mb2.asm', '-o', 'mb2_64.o'])
    run(ld.path!, ['-m', 'elf_i386', '-T', 'hh.ld', 'boot32.o', 'kernel32.o', '-o', 'hh32.elf'])
    run(ld.path!, ['-m', 'elf_x86_64', '-n', '-T', 'seed002.ld', 'mb2_64.o', 'long64.o', 'kernel64.o', '-o', 'seed002.elf'])
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const bytesOf = (n: string) => new Uint8Array(readFileSync(file(n)))
  const FILES = ['boot32.o', 'long64.o', 'kernel32.o', 'kernel64.o', 'kernel64pie.o', 'mb2_32.o', 'mb2_64.o', 'hh32.elf', 'seed002.elf']

  it.each(FILES)('reads %s exactly as readelf does: header, sections, segments, symbols, relocations', (n) => {
    const ours = ourFacts(bytesOf(n))
    const theirs = readelfFacts(readelf.path!, file(n))
    expect(ours.header).toEqual(theirs.header)
    expect(ours.sections).toEqual(theirs.sections)
    expect(ours.segments).toEqual(theirs.segments)
    expect(ours.symbols).toEqual(theirs.symbols)
    expect(ours.relocs).toEqual(theirs.relocs)
    // Every file says something: a comparison of two empty lists would prove nothing.
    expect(ours.sections.length + ours.symbols.length).toBeGreaterThan(5)
  })

  it('tells the classes and machines apart', () => {
    const h = (n: string) => {
      const r = readElf(bytesOf(n))
      if (!r.ok) throw new Error(r.error.message)
      return [r.value.header.class, r.value.header.machine, r.value.header.type]
    }
    expect(h('boot32.o')).toEqual([E.ELFCLASS32, E.EM_386, E.ET_REL])
    expect(h('mb2_64.o')).toEqual([E.ELFCLASS64, E.EM_X86_64, E.ET_REL])
    expect(h('hh32.elf')).toEqual([E.ELFCLASS32, E.EM_386, E.ET_EXEC])
    expect(h('seed002.elf')).toEqual([E.ELFCLASS64, E.EM_X86_64, E.ET_EXEC])
  })

  it('gives a higher-half ELF32 kernel its AT() load addresses', () => {
    const r = readElf(bytesOf('hh32.elf'))
    if (!r.ok) throw new Error(r.error.message)
    const loads = r.value.segments.filter((s) => s.type === E.PT_LOAD)
    expect(loads[0].vaddr).toBe(0xc0100000n)
    expect(loads[0].paddr).toBe(0x00100000n)
    expect(r.value.header.entry).toBe(0xc0100000n + 12n) // _start follows the 12-byte Multiboot header
    const start = r.value.symbols.find((s) => s.name === '_start')!
    expect(start.value).toBe(r.value.header.entry)
    expect(start.type).toBe(E.STT_FUNC)
  })

  it('reads i386 SHT_REL addends out of the patched fields', () => {
    const r = readRelocatable(bytesOf('boot32.o'), 'boot32.o')
    if (!r.ok) throw new Error(r.error.message)
    const o = r.value
    expect(o.machine).toBe(E.EM_386)
    const show = (sec: string) => o.sections.find((s) => s.name === sec)!.relocs.map((x) => `${x.offset} ${E.relocName(x.type, E.EM_386)} ${o.symbols[x.symbol].name} ${x.addend}`)
    // stack_top and msg are local: as refers to their sections with the offset as the addend.
    expect(show('.text')).toEqual(['1 R_386_32 .bss 4096', '7 R_386_PC32 kmain -4', '12 R_386_32 .data 3'])
    expect(show('.data')).toEqual(['3 R_386_32 _start 0', '7 R_386_32 kmain -8', '11 R_386_16 vga_port 1'])
  })

  it('reads x86-64 RELA relocations with their explicit addends', () => {
    const r = readRelocatable(bytesOf('long64.o'), 'long64.o')
    if (!r.ok) throw new Error(r.error.message)
    const o = r.value
    expect(o.machine).toBe(E.EM_X86_64)
    const show = (sec: string) => o.sections.find((s) => s.name === sec)!.relocs.map((x) => `${x.offset} ${E.relocName(x.type, E.EM_X86_64)} ${o.symbols[x.symbol].name} ${x.addend}`)
    expect(show('.text')).toEqual(['2 R_X86_64_64 .data 0', '13 R_X86_64_PC32 .data -4', '18 R_X86_64_32 .data 16', '23 R_X86_64_PLT32 kmain -4'])
    expect(show('.data')).toEqual(['0 R_X86_64_64 long_start 0', '8 R_X86_64_64 kmain 16', '16 R_X86_64_32 .data -4'])
  })

  it('survives 30 000 mutated ELF32 kernels without an unchecked failure', () => {
    const base = bytesOf('hh32.elf')
    let seed = 0x2468ace
    const rand = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) / 0x100000000
    }
    let errors = 0
    for (let i = 0; i < 30_000; i++) {
      const buf = i % 2 === 0 ? base.slice() : base.slice(0, Math.floor(rand() * base.length))
      if (i % 2 === 0) {
        // Half the hits land in the ELF32 header and program headers, where the class matters most.
        const n = 1 + Math.floor(rand() * 6)
        for (let k = 0; k < n; k++) buf[Math.floor(rand() * (rand() < 0.5 ? 52 + 3 * 32 : buf.length))] = Math.floor(rand() * 256)
      }
      const r = readElf(buf)
      if (!r.ok) {
        errors++
        if (r.error.code === 'elf.malformed') throw new Error(`unchecked failure on input ${i}: ${r.error.message}`)
      }
    }
    expect(errors).toBeGreaterThan(1000)
  })
})
