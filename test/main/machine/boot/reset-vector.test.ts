import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fdtAddress, writeResetVector } from '../../../../src/main/machine/boot/reset-vector'
import { gnuObjdump } from '../../../support/oracles'

const rom = () => {
  const bytes = new Uint8Array(0xf000)
  writeResetVector(bytes, { startAddr: 0x8000_0000n, fdtAddr: 0x87e0_0000n, nextAddr: 0x8020_0000n })
  return bytes
}

describe('writeResetVector', () => {
  it('writes the same ROM words QEMU 7.2 has at 0x1000 (checked with `xp /8gx 0x1000`)', () => {
    const v = new DataView(rom().buffer)
    // QEMU 7.2, -M virt -bios none, 128 MiB: the monitor shows these eight doublewords.
    expect([0, 8, 16, 24, 32, 40, 48].map((o) => v.getBigUint64(o, true))).toEqual([
      0x0282_8613_0000_0297n,
      0x0202_b583_f140_2573n,
      0x0002_8067_0182_b283n,
      0x8000_0000n,
      0x87e0_0000n,
      0x4942_534fn,
      2n,
    ])
    expect(v.getBigUint64(56, true)).toBe(0x8020_0000n) // fw_dynamic_info.next_addr
    expect(v.getBigUint64(64, true)).toBe(1n) // next_mode = S
  })

  const objdump = gnuObjdump()
  it.skipIf(objdump.missing)('disassembles to auipc/addi/csrr/ld/ld/jr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rom-'))
    writeFileSync(join(dir, 'rom.bin'), rom().subarray(0, 24))
    const text = execFileSync(objdump.path!, ['-D', '-b', 'binary', '-m', 'riscv:rv64', '--adjust-vma=0x1000', join(dir, 'rom.bin')], { encoding: 'utf8' })
    const lines = [...text.matchAll(/^\s+[0-9a-f]+:\s+[0-9a-f]+\s+(\S+)\s*([^#\n]*)/gm)].map((m) => `${m[1]} ${m[2]}`.trim())
    // objdump 2.40 prints this addi (auipc-relative) as `add a2,t0,40 # 0x1028`.
    expect(lines[1]).toMatch(/^addi? a2,t0,40$/)
    expect([lines[0], ...lines.slice(2)]).toEqual(['auipc t0,0x0', 'csrr a0,mhartid', 'ld a1,32(t0)', 'ld t0,24(t0)', 'jr t0'])
  })
})

describe('fdtAddress', () => {
  it('matches QEMU 7.2: 128 MiB → 0x87e00000, 512 MiB → 0x9fe00000', () => {
    expect(fdtAddress(0x8000_0000n, 128 << 20, 0x1000)).toBe(0x87e0_0000n)
    expect(fdtAddress(0x8000_0000n, 512 << 20, 0x1000)).toBe(0x9fe0_0000n)
  })
  it('stays below 3 GiB when RAM reaches past it', () => {
    expect(fdtAddress(0x8000_0000n, 4 * 1024 * 1024 * 1024, 0x1000)).toBe(0xbfe0_0000n)
  })
})
