import { describe, expect, it } from 'vitest'
import { initialFiles } from '../../../src/renderer/src/stores/initial-files'

describe('the files the editor opens with a workspace', () => {
  it('opens the built-in example’s entry.S and linker.ld', () => {
    expect(initialFiles(['README.md', 'linker.ld', 'entry.S'])).toEqual(['entry.S', 'linker.ld'])
  })

  it('opens a C kernel’s main file and its linker script (the c-kernel fixture’s layout)', () => {
    expect(initialFiles(['Makefile', 'kernel.ld', 'main.c', 'start.S', 'bootscope.json'])).toEqual(['main.c', 'kernel.ld'])
  })

  it('prefers a cargo project’s src/main.rs or src/lib.rs over build output and hidden folders', () => {
    expect(initialFiles(['Cargo.toml', 'src/lib.rs', 'src/memory.rs', 'target/debug/build/x.rs', '.cargo/config.rs', 'linker.ld'])).toEqual(['src/lib.rs', 'linker.ld'])
    expect(initialFiles(['Cargo.toml', 'src/main.rs', 'src/vga.rs'])).toEqual(['src/main.rs'])
  })

  it('opens the i386 example’s boot stub, not the kernel it jumps to', () => {
    expect(initialFiles(['README.md', 'boot.S', 'kernel.S', 'linker.ld'])).toEqual(['boot.S', 'linker.ld'])
  })

  it('opens a NASM kernel’s boot file, and the README when there is no source at all', () => {
    expect(initialFiles(['boot.asm', 'long_mode_init.asm', 'multiboot_header.asm', 'linker.ld'])).toEqual(['boot.asm', 'linker.ld'])
    expect(initialFiles(['README.md', 'bootscope.json'])).toEqual(['README.md'])
    expect(initialFiles([])).toEqual([])
  })
})
