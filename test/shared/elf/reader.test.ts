import { describe, expect, it } from 'vitest'
import { readElf, symbolAt } from '../../../src/shared/elf/reader'
import { ET_EXEC, EM_RISCV, PT_LOAD, SHT_NOBITS, SHT_PROGBITS } from '../../../src/shared/elf/constants'
import { link } from '../../../src/main/toolchain/link/index'
import { tinyKernel } from '../../main/toolchain/link/objects'

const SCRIPT = `ENTRY(_start)
SECTIONS {
  . = 0xffffffff80200000;
  .text : AT(0x80200000) { *(.text) }
  . = ALIGN(4K);
  .data : AT(ADDR(.data) - 0xffffffff00000000) { *(.data) }
  .bss : { *(.bss) }
}`

function kernelElf(): Uint8Array {
  const r = link([tinyKernel()], { script: { file: 'k.ld', text: SCRIPT } })
  if (!r.elf) throw new Error(JSON.stringify(r.diagnostics))
  return r.elf
}

describe('readElf', () => {
  it('reads the header, program headers, sections and symbols of an executable', () => {
    const r = readElf(kernelElf())
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const f = r.value
    expect(f.header.type).toBe(ET_EXEC)
    expect(f.header.machine).toBe(EM_RISCV)
    expect(f.header.entry).toBe(0xffffffff80200000n)
    const loads = f.segments.filter((s) => s.type === PT_LOAD)
    expect(loads.map((s) => [s.vaddr, s.paddr])).toEqual([
      [0xffffffff80200000n, 0x80200000n],
      [0xffffffff80201000n, 0x80201000n],
    ])
    const text = f.sections.find((s) => s.name === '.text')!
    expect(text.type).toBe(SHT_PROGBITS)
    expect(Array.from(text.data.subarray(0, 4))).toEqual([0x13, 0, 0, 0])
    expect(f.sections.find((s) => s.name === '.bss')!.type).toBe(SHT_NOBITS)
    expect(f.symbols.find((s) => s.name === 'stack')!.value).toBe(0xffffffff80201004n)
  })

  it('names the closest symbol at or below an address', () => {
    const r = readElf(kernelElf())
    if (!r.ok) throw new Error(r.error.message)
    const hit = symbolAt(r.value, 0xffffffff80200008n)
    expect(hit?.symbol.name).toBe('_start')
    expect(hit?.offset).toBe(8n)
  })

  it('prefers the code label over linker-script boundary markers at the same address', async () => {
    const { build } = await import('../../../src/main/toolchain/build')
    const { readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { EXAMPLE } = await import('../../support/build-workspace')
    const files = ['entry.S', 'main.S', 'linker.ld'].map((f) => ({ path: f, text: readFileSync(join(EXAMPLE, f), 'utf8') }))
    const b = build({ files, script: 'linker.ld' })
    const r = readElf(b.elf!)
    if (!r.ok) throw new Error(r.error.message)
    // kernel_start and text_start (the script's) and _start (entry.S) are all at 0xffffffff80200000.
    expect(r.value.symbols.filter((s) => s.value === 0xffffffff80200000n && s.shndx !== 0xfff1 && s.name).map((s) => s.name).sort()).toEqual(['_start', 'kernel_start', 'text_start'])
    expect(symbolAt(r.value, 0xffffffff80200020n)?.symbol.name).toBe('_start')
  })

  it('rejects a file that is not ELF with a hint', () => {
    const r = readElf(new TextEncoder().encode('#!/bin/sh\necho hi\n'), { file: 'kernel.bin' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('elf.bad_magic')
    expect(r.error.message).toContain('kernel.bin')
    expect(r.error.hint).toBeTruthy()
  })

  it('rejects an unknown class and big-endian files, saying which', () => {
    const bad = kernelElf().slice()
    bad[4] = 3
    const rc = readElf(bad)
    expect(!rc.ok && rc.error.code).toBe('elf.unsupported_class')
    expect(!rc.ok && rc.error.message).toContain('ELFCLASS32 (1) nor ELFCLASS64 (2)')
    const be = kernelElf().slice()
    be[5] = 2
    const rbe = readElf(be)
    expect(!rbe.ok && rbe.error.code).toBe('elf.unsupported_data')
  })

  it('reads an ELF64 file relabelled ELF32 by ELF32 rules, and says the record sizes are wrong', () => {
    const relabelled = kernelElf().slice()
    relabelled[4] = 1
    const r = readElf(relabelled)
    expect(r.ok).toBe(false)
    if (r.ok) return
    // Read as Elf32_Ehdr, e_phentsize lands on ELF64's e_phoff high bits (0): the ELF32 size check names it.
    expect(['elf.bad_phentsize', 'elf.bad_shentsize']).toContain(r.error.code)
    expect(r.error.message).toContain('for ELF32')
  })

  it('reports a truncated file with the offset that runs past the end', () => {
    const full = kernelElf()
    const r = readElf(full.subarray(0, full.length - 100))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('elf.truncated')
    expect(r.error.message).toMatch(/at offset 0x[0-9a-f]+/)
  })

  it('reports a section-name index that names no section', () => {
    const bad = kernelElf().slice()
    new DataView(bad.buffer).setUint16(62, 999, true)
    const r = readElf(bad)
    expect(!r.ok && r.error.code).toBe('elf.bad_shstrndx')
  })

  it('survives 100 000 mutated ELF files without throwing or hanging', () => {
    const base = kernelElf()
    let seed = 0x12345678
    const rand = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) / 0x100000000
    }
    const HEADER_FIELDS = [4, 5, 16, 32, 40, 54, 56, 58, 60, 62]
    let errors = 0
    for (let i = 0; i < 100_000; i++) {
      let buf: Uint8Array
      const mode = i % 4
      if (mode === 0) {
        buf = base.slice()
        const n = 1 + Math.floor(rand() * 8)
        for (let k = 0; k < n; k++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256)
      } else if (mode === 1) {
        buf = base.slice(0, Math.floor(rand() * base.length))
      } else if (mode === 2) {
        buf = base.slice()
        const at = HEADER_FIELDS[Math.floor(rand() * HEADER_FIELDS.length)]
        buf[at] = Math.floor(rand() * 256)
        buf[at + 1] = Math.floor(rand() * 256)
      } else {
        // Corrupt a section or program header field.
        buf = base.slice()
        const shoff = Number(new DataView(base.buffer).getBigUint64(40, true))
        const at = (rand() < 0.5 ? 64 : shoff) + Math.floor(rand() * 256)
        if (at + 8 <= buf.length) new DataView(buf.buffer).setUint32(at, Math.floor(rand() * 0x100000000), true)
      }
      const r = readElf(buf)
      if (!r.ok) {
        errors++
        // Every failure must be a deliberate check, not the catch-all for an unexpected exception.
        if (r.error.code === 'elf.malformed') throw new Error(`unchecked failure on input ${i}: ${r.error.message}`)
      }
    }
    expect(errors).toBeGreaterThan(1000)
  })
})
