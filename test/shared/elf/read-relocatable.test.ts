import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readRelocatable } from '../../../src/shared/elf/read-relocatable'
import { R_RISCV_CALL_PLT, R_RISCV_PCREL_HI20, R_RISCV_PCREL_LO12_I, SHT_NOBITS } from '../../../src/shared/elf/constants'
import { gnuAs } from '../../support/oracles'

const as = gnuAs()

describe.skipIf(as.missing)('readRelocatable on GNU as output', () => {
  it('turns sections, symbols and RELA entries into an ObjectFile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elf-rel-'))
    try {
      writeFileSync(join(dir, 'a.S'), `
        .text
        .globl _start
      _start:
        la a0, msg
        call helper
      helper: ret
        .section .rodata
      msg: .string "hi"
        .bss
        .space 40
      `)
      execFileSync(as.path!, ['-march=rv64gc', '-mno-relax', join(dir, 'a.S'), '-o', join(dir, 'a.o')])
      const r = readRelocatable(new Uint8Array(readFileSync(join(dir, 'a.o'))), 'a.o')
      expect(r.ok).toBe(true)
      if (!r.ok) return
      const o = r.value
      expect(o.name).toBe('a.o')
      const text = o.sections.find((s) => s.name === '.text')!
      expect(text.relocs.map((x) => x.type)).toEqual([R_RISCV_PCREL_HI20, R_RISCV_PCREL_LO12_I, R_RISCV_CALL_PLT])
      const hi = text.relocs[0]
      expect(o.symbols[hi.symbol].name).toBe('msg')
      const bss = o.sections.find((s) => s.name === '.bss')!
      expect(bss.type).toBe(SHT_NOBITS)
      expect(bss.size).toBe(40)
      const start = o.symbols.find((s) => s.name === '_start')!
      expect(start.bind).toBe('global')
      expect(o.sections[start.section as number].name).toBe('.text')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('readRelocatable', () => {
  it('refuses an executable, saying to link objects', () => {
    const bytes = new Uint8Array(64)
    bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])
    new DataView(bytes.buffer).setUint16(16, 2, true)
    const r = readRelocatable(bytes, 'kernel.elf')
    expect(!r.ok && r.error.code).toBe('elf.not_relocatable')
  })
})
