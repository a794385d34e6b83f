/**
 * The x86 PC against QEMU's PC: our own test kernels (GNU as --32/--64, NASM, gcc -m32/-m64
 * -ffreestanding, linked by ld) boot in Bootscope's `x86-pc` machine and in qemu-system-x86_64
 * — Multiboot 1 through `-kernel`, Multiboot 2 through a GRUB rescue ISO — and print the same
 * serial output and end with the same exit status (isa-debug-exit). Where QEMU resets (a triple
 * fault, with -no-reboot: it exits), Bootscope stops and explains the three faults.
 */
import { describe, expect, it } from 'vitest'
import { createMachine } from '../../../../src/main/machine/core/create-machine'
import type { StopInfo } from '../../../../src/main/machine/machine-events'
import { afterGrub, buildX86Kernel, grubIsoTools, runQemuGrubIso, runQemuMultiboot1, runQemuMultiboot1Keys, x86Toolchain, type KernelSource } from '../../../support/x86-tools'

const tools = x86Toolchain()
const grub = grubIsoTools()
/** QEMU and GRUB under a loaded CI machine: generous, never part of a verdict. */
const SLOW = 180_000

async function bootscope(kernel: { bytes: Uint8Array; path: string }, opts: { append?: string; modules?: { file: string; bytes: Uint8Array; string?: string }[]; input?: string; maxSteps?: bigint } = {}): Promise<{ serial: string; stop: StopInfo; exitCode: number | undefined }> {
  const created = await createMachine({ kernel: { file: kernel.path, bytes: kernel.bytes }, append: opts.append, modules: opts.modules })
  if (!created.ok) throw new Error(created.error.message)
  const m = created.value
  expect(m.preset).toBe('x86-pc')
  if (opts.input !== undefined) m.sendInput(opts.input)
  const stop = await m.run({ maxSteps: opts.maxSteps ?? 200_000_000n })
  return { serial: m.consoleText(), stop, exitCode: stop.exitCode }
}

function build(k: KernelSource) {
  return buildX86Kernel({ script: 'link-1m.ld', ...k })
}

describe.skipIf(tools.missing)('x86 PC vs QEMU -kernel (Multiboot 1)', () => {
  it('prints and exits like QEMU: GNU as --32', { timeout: SLOW }, async () => {
    const k = build({ sources: ['mb1-hello.S'], bits: 32 })
    const q = runQemuMultiboot1(k.path)
    const b = await bootscope(k)
    expect(q.serial).toBe('hello from multiboot 1\n')
    expect(b.serial).toBe(q.serial)
    expect(b.stop.reason).toBe('shutdown')
    expect(b.exitCode).toBe(q.exitCode)
  })

  it('gives the Multiboot 1 information QEMU gives: command line, modules, memory map (gcc -m32)', { timeout: SLOW }, async () => {
    const k = build({ sources: ['mb1-info-entry.S', 'mb1-info.c'], bits: 32 })
    const modPath = `${k.dir}/module.txt`
    const modBytes = new TextEncoder().encode('module one\nwith two lines\n')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(modPath, modBytes)
    // QEMU's -initrd takes "FILE ARGS": the module's string is the file name and its arguments.
    const q = runQemuMultiboot1(k.path, { append: 'console=ttyS0 quiet', modules: [`${modPath} mod-arg`] })
    const b = await bootscope(k, { append: 'console=ttyS0 quiet', modules: [{ file: modPath, bytes: modBytes, string: `${modPath} mod-arg` }] })
    expect(q.serial).toContain('mods_count 0x1')
    expect(q.serial).toContain('mmap 0x100000 0x7ee0000 type 0x1')
    expect(b.serial).toBe(q.serial)
    expect(b.exitCode).toBe(q.exitCode)
  })

  it('boots seed 000 (higher half, GNU as + gcc -m32) with the same output as QEMU', { timeout: SLOW }, async () => {
    const k = buildX86Kernel({ sources: ['seed-000/boot.S', 'seed-000/kmain.c'], bits: 32, script: 'seed-000/linker.ld' })
    const q = runQemuMultiboot1(k.path)
    const b = await bootscope(k)
    expect(q.serial).toContain('seed 000: kmain runs at 0xc0')
    expect(b.serial).toBe(q.serial)
    expect(b.exitCode).toBe(q.exitCode)
  })

  it('catches a stack overflow with #DF on IST1 in long mode, as QEMU does (NASM)', { timeout: SLOW }, async () => {
    const k = build({ sources: ['stack-overflow-ist.asm'], bits: 32 })
    const q = runQemuMultiboot1(k.path)
    const b = await bootscope(k)
    expect(q.serial).toContain('double fault on the IST1 stack')
    expect(b.serial).toBe(q.serial)
    expect(b.exitCode).toBe(q.exitCode)
  })

  it('takes PIT ticks on IRQ 0 while in hlt, then keys typed on the PS/2 keyboard on IRQ 1, as QEMU does (8259s remapped)', { timeout: SLOW }, async () => {
    const k = build({ sources: ['pit-pic-keyboard.asm'], bits: 32 })
    const q = await runQemuMultiboot1Keys(k.path, 'press keys', ['a', 'b', '1'])
    expect(q.serial).toContain('scan codes on IRQ 1 (vector 0x21): 0x0000001e 0x0000009e 0x00000030 0x000000b0 0x00000002 0x00000082')
    const created = await createMachine({ kernel: { file: k.path, bytes: k.bytes } })
    if (!created.ok) throw new Error(created.error.message)
    const m = created.value
    // Sleeping in hlt with only the timer waking it, after "press keys": waiting for input (resumable).
    const waiting = await m.run({ maxSteps: 200_000_000n })
    expect(waiting.reason).toBe('waiting-for-input')
    expect(m.consoleText()).toMatch(/press keys\n$/)
    m.sendInput('ab1')
    const stop = await m.run({ maxSteps: 200_000_000n })
    expect(m.consoleText()).toBe(q.serial)
    expect(stop.exitCode).toBe(q.exitCode)
  })

  // Device kernels: the same serial output and exit status as QEMU, plus lines QEMU must print (so a kernel
  // that went wrong on both sides cannot pass).
  const deviceKernels: { name: string; source: string; qemuPrints: string[] }[] = [
    {
      name: 'runs the local APIC timer as QEMU does: the BIOS state, divide bits, one-shot (ISR/PPR/IRR, EOI), masked, periodic',
      source: 'lapic-timer.asm',
      qemuPrints: ['lint0 0x00008700\n', 'one-shot fired; in its handler: isr 0x00000001 ppr 0x00000040 irr 0x00000000 isr after eoi 0x00000000\n', 'periodic interrupts 0x00000005\n'],
    },
    {
      name: 'routes the PIT (pin 2, edge) and the RTC (pin 8, level, remote IRR until EOI) through the I/O APIC as QEMU does',
      source: 'ioapic.asm',
      qemuPrints: [
        'version 0x00170020\n',
        'pin 16 after 0x0001ff58 0x0001af58\n', // remote IRR and delivery status are read-only
        'PIT interrupts on pin 2 (vector 0x50) 0x00000005\n',
        'entry in the handler 0x0000c058 after register C and EOI 0x00008058 register C 0x000000c0\n',
      ],
    },
    {
      name: 'reads the CMOS and RTC registers as on QEMU: status registers, BIOS bytes, index port, BCD/binary/12-hour formats',
      source: 'cmos.asm',
      qemuPrints: ['register A without UIP 0x00000026\n', 'equipment 0x14 0x00000007\n', 'BCD fields in range: 0x0000007f\n', 'binary fields in range: 0x0000007f\n'],
    },
    {
      name: 'delivers NMIs raised by local APIC self-IPIs as QEMU does: with IF=0, held while an NMI handler runs, not gated by port 0x70',
      source: 'nmi.asm',
      qemuPrints: [
        'self NMI with IF=0: nmis 0x00000001 taken right after the ICR write',
        'nested: nmis counted inside the first handler (itself included) 0x00000002 nmis after 0x00000003\n',
        'after sti: taken 0x00000001 irr 0x40-0x5f 0x00000000\n',
      ],
    },
  ]
  for (const d of deviceKernels) {
    it(`${d.name} (NASM ${d.source})`, { timeout: SLOW }, async () => {
      const k = build({ sources: [d.source], bits: 32 })
      const q = runQemuMultiboot1(k.path)
      const b = await bootscope(k)
      for (const line of d.qemuPrints) expect(q.serial).toContain(line)
      expect(b.serial).toBe(q.serial)
      expect(b.exitCode).toBe(q.exitCode)
    })
  }

  it('stops on a triple fault where QEMU resets, and explains the three faults', { timeout: SLOW }, async () => {
    const k = build({ sources: ['triple-fault-idt.asm'], bits: 32 })
    const q = runQemuMultiboot1(k.path)
    const b = await bootscope(k)
    expect(q.exitCode).toBe(0) // -no-reboot: QEMU exits when the guest resets
    expect(b.serial).toBe(q.serial)
    expect(b.stop.reason).toBe('triple-fault')
    expect(b.stop.message).toMatch(/#UD/)
    expect(b.stop.message).toMatch(/double fault/)
    expect(b.stop.message).toMatch(/IDT entry for #UD/)
    expect(b.stop.message).toMatch(/CR2 0x8000[0-9a-f]{2}/) // the IDT at 8 MiB, not mapped
  })

  it('stops on the triple fault of an unmapped IST1 stack, where QEMU resets', { timeout: SLOW }, async () => {
    const k = build({ sources: ['stack-overflow-ist.asm'], bits: 32, defines: { IST_UNMAPPED: 1 } })
    const q = runQemuMultiboot1(k.path)
    const b = await bootscope(k)
    expect(q.exitCode).toBe(0)
    expect(b.serial).toBe(q.serial)
    expect(b.stop.reason).toBe('triple-fault')
    expect(b.stop.message).toMatch(/IST1/)
  })
})

describe.skipIf(tools.missing || grub.missing)('x86 PC vs GRUB 2 (Multiboot 2, rescue ISO on QEMU)', () => {
  it('prints and exits like GRUB + QEMU: NASM', { timeout: SLOW }, async () => {
    const k = build({ sources: ['mb2-hello.asm'], bits: 32 })
    const q = runQemuGrubIso(k.path)
    const b = await bootscope(k)
    expect(afterGrub(q.serial, 'hello from multiboot 2')).toBe(b.serial)
    expect(b.serial).toContain('hello from multiboot 2')
    expect(b.exitCode).toBe(q.exitCode)
  })

  it('gives the Multiboot 2 tags GRUB gives, in its order, but for APM and ACPI (this PC has neither)', { timeout: SLOW }, async () => {
    const k = build({ sources: ['mb2-tags.asm'], bits: 32 })
    const q = runQemuGrubIso(k.path)
    const b = await bootscope(k)
    const grubTags = afterGrub(q.serial, 'total').split('\n').filter((l) => l.startsWith('tag'))
    expect(grubTags.some((l) => l.startsWith('tag 0x0000000a'))).toBe(true) // SeaBIOS's APM
    expect(grubTags.some((l) => l.startsWith('tag 0x0000000e'))).toBe(true) // SeaBIOS's ACPI 1.0 RSDP
    const comparable = (lines: string[]) => lines.filter((l) => !/^tag 0x0000000[ae] /.test(l)).map((l) => (l.startsWith('tag 0x00000002 ') ? 'tag 0x00000002 (boot loader name)' : l))
    const ours = b.serial.split('\n').filter((l) => l.startsWith('tag'))
    expect(comparable(ours)).toEqual(comparable(grubTags))
    expect(ours.find((l) => l.startsWith('tag 0x00000002 '))).toContain('Bootscope')
    expect(b.exitCode).toBe(q.exitCode)
  })

  it('boots seed 002 (long mode, recursive P4, remap with a guard page; NASM + gcc -m64) as GRUB does', { timeout: SLOW }, async () => {
    const k = buildX86Kernel({ sources: ['seed-002/boot.asm', 'seed-002/kernel.c'], bits: 64, script: 'seed-002/linker.ld' })
    const q = runQemuGrubIso(k.path)
    const b = await bootscope(k)
    expect(b.serial).toContain('It did not crash!')
    // The memory map, the ELF sections and where the boot information starts are GRUB's; where it
    // ends is not, by the APM and ACPI tags and the loader's name (the test above).
    const end = /multiboot_end: 0x[0-9a-f]+/
    expect(afterGrub(q.serial, 'Hello World!').replace(end, 'multiboot_end: …')).toBe(b.serial.replace(end, 'multiboot_end: …'))
    expect(b.exitCode).toBe(q.exitCode)
  })
})
