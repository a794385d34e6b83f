import { describe, expect, it } from 'vitest'
import { planBoot } from '../../../../src/main/machine/boot/boot-plan'
import { binutilsMissing, buildKernel } from '../../../fixtures/machine/build-kernel'

const RAM_BASE = 0x8000_0000n
const setup = () => ({ ram: { base: RAM_BASE, bytes: new Uint8Array(128 * 1024 * 1024) }, rom: new Uint8Array(0xf000), deviceTree: () => new Uint8Array(0x1000).fill(0xd0) })
const romWord = (rom: Uint8Array, at: number) => new DataView(rom.buffer).getBigUint64(at, true)

describe.skipIf(binutilsMissing)('planBoot', () => {
  const sKernel = () => ({ bytes: buildKernel(['sbi-hello.S'], 's-mode.ld').bytes, file: 'hello.elf' })
  const mKernel = () => ({ bytes: buildKernel(['uart-hello.S'], 'm-mode.ld').bytes, file: 'uart.elf' })

  it('builtin: enters the kernel in S-mode at 0x80200000 with a0 = 0 and a1 = the FDT at 0x87e00000', () => {
    const s = setup()
    const r = planBoot({ ...s, bios: 'builtin', kernel: sKernel() })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.start).toEqual({ pc: 0x8020_0000n, priv: 1, a0: 0n, a1: 0x87e0_0000n })
    expect(s.ram.bytes[0x7e0_0000]).toBe(0xd0) // the DTB is in RAM where a1 points
    expect(r.value.warnings).toEqual([])
  })

  it('none: the ROM jumps to 0x80000000 in M-mode, where the kernel was loaded', () => {
    const s = setup()
    const r = planBoot({ ...s, bios: 'none', kernel: mKernel() })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.start).toMatchObject({ pc: 0x1000n, priv: 3 })
    expect(romWord(s.rom, 24)).toBe(RAM_BASE)
    expect(romWord(s.rom, 32)).toBe(0x87e0_0000n)
    expect(r.value.warnings).toEqual([])
  })

  it('none: warns when the kernel does not start at DRAM base, where the ROM jumps', () => {
    const r = planBoot({ ...setup(), bios: 'none', kernel: sKernel() })
    expect(r.ok && r.value.warnings[0]).toContain('jumps to 0x80000000')
  })

  it('firmware file: firmware at 0x80000000, the kernel as fw_dynamic next_addr', () => {
    const s = setup()
    const r = planBoot({ ...s, bios: { bytes: mKernel().bytes, file: 'fw.elf' }, kernel: sKernel() })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.firmware?.lowestPaddr).toBe(RAM_BASE)
    expect(romWord(s.rom, 24)).toBe(RAM_BASE)
    expect(romWord(s.rom, 40 + 16)).toBe(0x8020_0000n)
  })

  it('refuses a kernel that overlaps the firmware', () => {
    const r = planBoot({ ...setup(), bios: { bytes: mKernel().bytes, file: 'fw.elf' }, kernel: mKernel() })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('boot.kernel_overlaps_firmware')
  })

  it('passes the loader error through for a higher-half kernel without AT()', () => {
    const k = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker.ld')
    const r = planBoot({ ...setup(), bios: 'builtin', kernel: { bytes: k.bytes, file: 'seed.elf' } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.hint).toContain('AT()')
  })
})
