/** Our `.riscv.attributes` section is byte for byte what GNU as writes by default. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { riscvAttributesSection, GNU_DEFAULT_ARCH } from '../../../../src/main/toolchain/asm/attributes'
import { gnuAs, gnuObjcopy } from '../../../support/oracles'

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
})
