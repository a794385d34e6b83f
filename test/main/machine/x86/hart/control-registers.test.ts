/**
 * Control registers on the x86 hart (cr-kernels.ts): the CR4 bits a write may set and CR0's hard-wired and
 * forbidden combinations give the same lines as QEMU with the same CPU features (qemu64 plus what our
 * model adds); the CR4 bits of absent features raise #GP(0) as the SDM says.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { oracle } from '../../../../support/oracles'
import { buildKernel, runKernel, runInQemu } from './mb1-harness'
import { CR0_ILLEGAL, CR0_LEGAL, CR0_RESERVED, CR4_IMPLEMENTED, CR4_RESERVED, controlRegisters32 } from './cr-kernels'
import { ensureX86Wasm } from './x86-run'

const qemu = oracle('qemu-system-x86_64', 'qemu-system-x86')
const nasm = oracle('nasm', 'nasm')
const QEMU_CPU = 'qemu64,+rdtscp,+pdpe1gb,+abm,+popcnt'

describe.skipIf(nasm.missing)('x86 control registers', () => {
  beforeAll(() => ensureX86Wasm())

  it('accepts the CR4 bits it implements and legal CR0 values (ET hard-wired) as QEMU does', () => {
    const elf = buildKernel(controlRegisters32(CR4_IMPLEMENTED, CR0_LEGAL))
    const ours = Buffer.from(runKernel(elf).serial).toString()
    expect(ours).toContain('cr4 PAE: ok 00000020\n')
    expect(ours).toContain('cr0 without ET: ok 00000011\n')
    if (qemu.missing) return
    const q = runInQemu(elf, qemu.path!, 60_000, QEMU_CPU)
    expect(Buffer.from(q.serial).toString()).toBe(ours)
    expect(q.status).toBe((0x26 << 1) | 1)
  })

  // Not compared with QEMU: QEMU 7.2's TCG answers a reserved CR4 bit with an SVM #VMEXIT outside any guest
  // (it loops, logging vmexit(ffffffff, …)), accepts VME/PVI whatever its CPUID says, takes NW without CD,
  // stops making progress after PG without PE, and keeps a reserved CR0 bit it was given.
  it('raises #GP(0) for a CR4 bit of a feature its CPUID does not report, NW without CD and PG without PE, and ignores reserved CR0 bits', () => {
    const ours = Buffer.from(runKernel(buildKernel(controlRegisters32(CR4_RESERVED, [...CR0_ILLEGAL, CR0_RESERVED]))).serial).toString()
    for (const [name] of CR4_RESERVED) expect(ours).toContain(`cr4 ${name}: #GP(00000000) 00000000\n`)
    for (const [label] of CR0_ILLEGAL) expect(ours).toContain(`${label}: #GP(00000000) 00000011\n`)
    expect(ours).toContain(`${CR0_RESERVED[0]}: ok 00000011\n`)
  })
})
