import { describe, expect, it } from 'vitest'
import { choosePreset, kernelKind } from '../../../../src/main/machine/core/presets'
import { createMachine } from '../../../../src/main/machine/core/create-machine'
import { buildProgram } from '../../../support/build-program'
import { buildX86Kernel, x86Toolchain } from '../../../support/x86-tools'

const tools = x86Toolchain()
const rvKernel = async () => (await buildProgram('.globl _start\n_start: li a0, 1\n')).elf

describe('machine presets', () => {
  it('picks riscv64-virt for a RISC-V ELF and for a raw binary without a Multiboot header', async () => {
    const rv = await rvKernel()
    expect(kernelKind(rv)).toEqual({ what: 'a RISC-V ELF64', preset: 'riscv64-virt' })
    expect(choosePreset(rv, 'k.elf')).toEqual({ ok: true, value: 'riscv64-virt' })
    expect(choosePreset(new Uint8Array(64), 'k.bin')).toEqual({ ok: true, value: 'riscv64-virt' })
  })

  it.skipIf(tools.missing)('picks x86-pc for i386 and x86-64 ELFs', () => {
    const k32 = buildX86Kernel({ sources: ['mb1-hello.S'], bits: 32, script: 'link-1m.ld' })
    expect(kernelKind(k32.bytes)).toEqual({ what: 'an i386 (32-bit x86) ELF32', preset: 'x86-pc' })
    expect(choosePreset(k32.bytes, 'k.elf')).toEqual({ ok: true, value: 'x86-pc' })
    const k64 = buildX86Kernel({ sources: ['mb1-hello.S'], bits: 64, script: 'link-1m.ld' })
    expect(kernelKind(k64.bytes).what).toBe('an x86-64 ELF64')
  })

  it.skipIf(tools.missing)('refuses an x86 kernel on the RISC-V machine, and says which machine runs it', () => {
    const k = buildX86Kernel({ sources: ['mb1-hello.S'], bits: 64, script: 'link-1m.ld' })
    const r = choosePreset(k.bytes, 'kernel.elf', 'riscv64-virt')
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.message).toBe('kernel.elf is an x86-64 ELF64; the RISC-V machine (riscv64-virt) cannot run it')
      expect(r.error.hint).toBe('drop --machine, or use --machine x86-pc')
      expect(r.error.loc).toEqual({ file: 'kernel.elf', line: 1, column: 1 })
    }
  })

  it('refuses a RISC-V kernel on the PC, an unknown machine name, and a foreign architecture', async () => {
    const rv = await rvKernel()
    const onPc = choosePreset(rv, 'k.elf', 'x86-pc')
    expect(onPc.ok || onPc.error.message).toBe('k.elf is a RISC-V ELF64; the x86 machine (x86-pc) cannot run it')
    const unknown = choosePreset(rv, 'k.elf', 'arm-virt')
    expect(unknown.ok || unknown.error.hint).toBe('the machines are riscv64-virt, x86-pc')
    const arm = new Uint8Array(rv)
    arm[18] = 183
    arm[19] = 0
    const foreign = choosePreset(arm, 'a.elf')
    expect(foreign.ok || foreign.error.message).toBe("a.elf is an AArch64 ELF64; Bootscope's machines (riscv64-virt, x86-pc) cannot run it")
  })

  it('names a raw image with a Multiboot header an x86 kernel', () => {
    const raw = new Uint8Array(64)
    new DataView(raw.buffer).setUint32(8, 0x1badb002, true)
    new DataView(raw.buffer).setUint32(12, 0, true)
    new DataView(raw.buffer).setUint32(16, -0x1badb002 >>> 0, true)
    expect(kernelKind(raw)).toEqual({ what: 'a raw image with a Multiboot header', preset: 'x86-pc' })
  })

  it('boots a RISC-V kernel through createMachine as before, with the arch-neutral view', async () => {
    const elf = await rvKernel()
    const created = await createMachine({ kernel: { bytes: elf, file: 'k.elf' } })
    expect(created.ok).toBe(true)
    if (!created.ok) return
    const m = created.value
    expect([m.arch, m.preset, m.ramBase]).toEqual(['riscv64', 'riscv64-virt', 0x8000_0000n])
    const groups = m.view.registers()
    expect(groups.map((g) => g.name)).toEqual(['general', 'csr'])
    expect(groups[0].registers.at(-1)).toMatchObject({ name: 'pc', width: 64, value: 0x8000_0000n })
    expect(m.view.mode()).toEqual({ privilege: 'S', label: 'S-mode', untranslated: false })
    expect(m.view.root()).toMatchObject({ mode: 'Bare' })
    expect(m.view.disassemble(m.view.readPhys(0x8000_0000n, 4)!, 0x8000_0000n)).toMatchObject({ text: 'li\ta0,1', length: 2 })
  })
})
