/**
 * Our `.riscv.attributes` section is byte for byte what GNU as writes: by default, and for the
 * rv64gc-style compressing assembly we do (with `c2p0`, so GNU objdump decodes our compressed
 * instructions instead of printing `.2byte`).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { riscvAttributesSection, GNU_DEFAULT_ARCH, GNU_RV64GC_ARCH } from '../../../../src/main/toolchain/asm/attributes'
import { build } from '../../../../src/main/toolchain/build'
import { gnuAs, gnuObjcopy, gnuObjdump, gnuReadelf } from '../../../support/oracles'

describe('riscvAttributesSection', () => {
  it('encodes the arch string in the "riscv" vendor subsection with consistent lengths', () => {
    const s = riscvAttributesSection()
    const d = s.data
    expect(d[0]).toBe(0x41)
    const view = new DataView(d.buffer, d.byteOffset)
    expect(view.getUint32(1, true)).toBe(d.length - 1)
    expect(new TextDecoder().decode(d.subarray(5, 10))).toBe('riscv')
    expect(d[11]).toBe(1)
    expect(view.getUint32(12, true)).toBe(d.length - 11)
    expect(d[16]).toBe(5)
    expect(new TextDecoder().decode(d.subarray(17, d.length - 1))).toBe(GNU_DEFAULT_ARCH)
    expect(s.type).toBe(0x70000003)
  })

  const as = gnuAs()
  const objcopy = gnuObjcopy()
  it.skipIf(as.missing || objcopy.missing)('matches the section GNU as writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-attrs-'))
    try {
      writeFileSync(join(dir, 'a.s'), '.text\nnop\n')
      execFileSync(as.path!, ['-o', join(dir, 'a.o'), join(dir, 'a.s')])
      execFileSync(objcopy.path!, ['--dump-section', `.riscv.attributes=${join(dir, 'attrs.bin')}`, join(dir, 'a.o'), join(dir, 'copy.o')])
      expect(Buffer.from(riscvAttributesSection().data).toString('hex')).toBe(readFileSync(join(dir, 'attrs.bin')).toString('hex'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  const readelf = gnuReadelf()
  const objdump = gnuObjdump()
  const archOf = (file: string) => /Tag_RISCV_arch: "([^"]+)"/.exec(execFileSync(readelf.path!, ['-A', file], { encoding: 'utf8' }))?.[1]
  const EXAMPLE = join(__dirname, '../../../../resources/examples/higher-half')

  it.skipIf(as.missing || readelf.missing || objdump.missing)('says what GNU as -march=rv64gc says for the same input, c2p0 included, and objdump decodes our compressed code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-attrs-'))
    try {
      const files = ['entry.S', 'main.S', 'linker.ld'].map((path) => ({ path, text: readFileSync(join(EXAMPLE, path), 'utf8') }))
      const ours = build({ files, script: 'linker.ld' })
      expect(ours.elf).toBeDefined()
      writeFileSync(join(dir, 'ours.elf'), ours.elf!)
      execFileSync(as.path!, ['-march=rv64gc', '-o', join(dir, 'gnu.o'), join(EXAMPLE, 'main.S')])
      expect(archOf(join(dir, 'gnu.o'))).toBe(GNU_RV64GC_ARCH)
      expect(archOf(join(dir, 'ours.elf'))).toBe(GNU_RV64GC_ARCH)
      const dis = execFileSync(objdump.path!, ['-d', join(dir, 'ours.elf')], { encoding: 'utf8' })
      expect(dis).toMatch(/\tc\.|\tj\t|\tbeqz\t/)
      expect(dis).not.toContain('.2byte')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.skipIf(as.missing || readelf.missing)('drops c like GNU as when the file ends with compression off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-attrs-'))
    try {
      const src = '.option norvc\n.text\naddi a0, a0, 1\n'
      writeFileSync(join(dir, 'n.s'), src)
      execFileSync(as.path!, ['-march=rv64gc', '-o', join(dir, 'gnu.o'), join(dir, 'n.s')])
      const ours = build({ files: [{ path: 'n.s', text: src }] })
      expect(ours.elf).toBeDefined()
      writeFileSync(join(dir, 'ours.elf'), ours.elf!)
      expect(archOf(join(dir, 'ours.elf'))).toBe(archOf(join(dir, 'gnu.o')))
      expect(archOf(join(dir, 'ours.elf'))).toBe(GNU_DEFAULT_ARCH)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
