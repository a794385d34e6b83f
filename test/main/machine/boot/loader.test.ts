import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadElf, loadImage, loadRaw, symbolAddress } from '../../../../src/main/machine/boot/loader'
import { as, binutilsMissing, buildKernel, ld, objcopy, toBinary } from '../../../fixtures/machine/build-kernel'

const RAM_BASE = 0x8000_0000n
const newRam = () => ({ base: RAM_BASE, bytes: new Uint8Array(4 * 1024 * 1024) })

describe.skipIf(binutilsMissing)('loadElf', () => {
  it('puts each PT_LOAD segment at its p_paddr and reports VA, PA and the sections in it', () => {
    const k = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld')
    const ram = newRam()
    const r = loadElf(k.bytes, ram, { file: 'kernel.elf', image: 'kernel' })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.segments.map((s) => [s.vaddr, s.paddr])).toEqual([
      [0xffff_ffff_8020_0000n, 0x8020_0000n],
      [0xffff_ffff_8020_2000n, 0x8020_2000n],
    ])
    expect(r.value.segments[0].sections).toEqual(['.text', '.rodata'])
    expect(r.value.segments[1].sections).toEqual(['.data', '.bss'])
    expect(r.value.lowestPaddr).toBe(0x8020_0000n)
    expect(r.value.entry).toBe(0xffff_ffff_8020_0000n)
    // The first instruction (lui t0, %hi(boot_page_table)) sits at PA 0x80200000.
    const word = new DataView(ram.bytes.buffer).getUint32(0x20_0000, true)
    expect(word & 0x7f).toBe(0x37) // LUI opcode
    // The page table entry 510 lands in RAM at its physical address: .data starts at PA 0x80202000.
    const pte510 = new DataView(ram.bytes.buffer).getBigUint64(0x20_2000 + 510 * 8, true)
    expect(pte510).toBe((0x80000n << 10n) | 0xcfn)
  })

  it('zero-fills .bss up to p_memsz', () => {
    const k = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker-at.ld')
    const ram = newRam()
    ram.bytes.fill(0xaa)
    const r = loadElf(k.bytes, ram, { file: 'kernel.elf', image: 'kernel' })
    if (!r.ok) throw new Error(r.error.message)
    const data = r.value.segments[1]
    const end = Number(data.paddr + data.memsz - RAM_BASE)
    expect(ram.bytes.subarray(Number(data.paddr - RAM_BASE) + data.filesz, end).every((b) => b === 0)).toBe(true)
    expect(ram.bytes[end]).toBe(0xaa)
  })

  it('rejects a higher-half kernel linked without AT() and says how to fix it', () => {
    const k = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker.ld')
    const ram = newRam()
    const r = loadElf(k.bytes, ram, { file: 'kernel.elf', image: 'kernel' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('boot.segment_outside_ram')
    expect(r.error.message).toContain('p_paddr 0xffffffff80200000 is outside RAM')
    expect(r.error.hint).toContain('link with AT() so the load address is physical')
    expect(r.error.loc?.file).toBe('kernel.elf')
    expect(ram.bytes.every((b) => b === 0)).toBe(true) // nothing half-loaded
  })

  it('finds the tohost symbol of a riscv-tests style program', () => {
    const k = buildKernel([{ name: 't.S', text: '.section .text.entry\n.globl _start\n_start: j _start\n.section .tohost,"aw"\n.globl tohost\ntohost: .dword 0\n' }], 'm-mode.ld')
    const r = loadElf(k.bytes, newRam(), { file: 't.elf', image: 'kernel' })
    if (!r.ok) throw new Error(r.error.message)
    expect(symbolAddress(r.value, 'tohost')).toBe(0x8000_1000n)
    expect(symbolAddress(r.value, 'nope')).toBeUndefined()
  })

  it('refuses a 32-bit RISC-V ELF, which the reader now reads, and says to build for rv64', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rv32-'))
    try {
      writeFileSync(join(dir, 'r.s'), '.globl _start\n_start: nop\n')
      execFileSync(as.path!, ['-march=rv32i', '-mabi=ilp32', join(dir, 'r.s'), '-o', join(dir, 'r.o')])
      execFileSync(ld.path!, ['-m', 'elf32lriscv', '-Ttext=0x80000000', join(dir, 'r.o'), '-o', join(dir, 'r.elf')])
      const ram = newRam()
      const r = loadElf(new Uint8Array(readFileSync(join(dir, 'r.elf'))), ram, { file: 'r.elf', image: 'kernel' })
      expect(!r.ok && r.error.code).toBe('boot.wrong_machine')
      expect(!r.ok && r.error.message).toContain('32-bit RISC-V')
      expect(!r.ok && r.error.hint).toContain('rv64')
      expect(ram.bytes.every((b) => b === 0)).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reports a file that is not ELF at all as an error value', () => {
    const r = loadElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1]), newRam(), { file: 'bad.elf', image: 'kernel' })
    expect(r.ok).toBe(false)
  })
})

describe.skipIf(binutilsMissing || objcopy.missing)('loadRaw / loadImage', () => {
  it('loads a raw binary at the given address, and loadImage tells raw from ELF', () => {
    const k = buildKernel(['sbi-hello.S'], 's-mode.ld')
    const bin = toBinary(k.elf)
    const ram = newRam()
    const raw = loadImage(bin, 0x8020_0000n, ram, { file: 'k.bin', image: 'kernel' })
    if (!raw.ok) throw new Error(raw.error.message)
    expect(raw.value.elf).toBeUndefined()
    expect(raw.value.lowestPaddr).toBe(0x8020_0000n)
    expect(Array.from(ram.bytes.subarray(0x20_0000, 0x20_0000 + 16))).toEqual(Array.from(bin.subarray(0, 16)))
    const elf = loadImage(k.bytes, 0n, newRam(), { file: 'k.elf', image: 'kernel' })
    expect(elf.ok && elf.value.elf !== undefined).toBe(true)
  })

  it('rejects a raw image that does not fit', () => {
    const r = loadRaw(new Uint8Array(16), 0x8000_0000n + 4n * 1024n * 1024n - 8n, newRam(), { file: 'k.bin', image: 'kernel' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('boot.image_outside_ram')
  })
})
