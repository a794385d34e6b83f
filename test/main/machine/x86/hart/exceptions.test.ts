/**
 * Exceptions and interrupts on the x86 hart: the kernels of exception-kernels.ts print vectors,
 * error codes, return addresses and the segments and stacks handlers run on; their output must
 * be what the SDM says (asserted here) and what QEMU prints for the same kernel. The triple-fault
 * kernel must stop the hart (not reset it) with the three faults recorded.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { oracle } from '../../../../support/oracles'
import { buildKernel, runKernel, runInQemu } from './mb1-harness'
import { DF_ON_IST, DF_TABLE32, EXCEPTIONS32, EXCEPTIONS64, TRIPLE_FAULT } from './exception-kernels'
import { ensureX86Wasm } from './x86-run'
import { X86HartExit } from '../../../../../src/main/machine/x86/hart/hart-api'

const qemu = oracle('qemu-system-x86_64', 'qemu-system-x86')
const nasm = oracle('nasm', 'nasm')
const QEMU_CPU = 'qemu64,+abm,+popcnt'

function both(source: string): { ours: string; qemu: string | undefined; qemuStatus: number | null | undefined } {
  const elf = buildKernel(source)
  const o = runKernel(elf)
  const q = qemu.missing ? undefined : runInQemu(elf, qemu.path!, 60_000, QEMU_CPU)
  return { ours: Buffer.from(o.serial).toString(), qemu: q && Buffer.from(q.serial).toString(), qemuStatus: q?.status }
}

describe.skipIf(nasm.missing)('x86 exceptions and interrupts', () => {
  beforeAll(() => ensureX86Wasm())

  it('32-bit: faults return to the instruction, traps after it, error codes name the selector, an int n its gate refuses faults on the int, int 0x80 from ring 3 uses ESP0, sysenter/sysexit, #DF from a missing #PF gate', () => {
    const { ours, qemu: q } = both(EXCEPTIONS32)
    expect(ours).toBe([
      'vec 00 eip=000000da cs=00000008', // #DE: the div itself
      'vec 03 eip=000000e7 cs=00000008', // #BP: after int3
      'vec 04 eip=000000ec cs=00000008', // #OF: after into
      'vec 06 eip=000000f6 cs=00000008', // #UD: the ud2
      'vec 0d err=00001234 eip=00000106 cs=00000008', // #GP(selector): an LDT selector without an LDT
      'vec 0b err=00000028 eip=0000011d cs=00000008', // #NP(selector)
      'vec 0d err=00000032 eip=0000018a cs=00000023', // int 6 from ring 3, gate DPL 0: #GP(6 << 3 | 2) returns to the int
      'int80 eax=00000001 esp0 frame ok=00000001 user ss:esp=0000002b:00105070 if=00000000',
      'int80 eax=00000002 esp0 frame ok=00000001 user ss:esp=0000002b:00105070 if=00000000',
      'ring 3 again, cs=0000001b', // sysexit: SYSENTER_CS + 16 | 3
      'sysenter cs=00000008 ss=00000010',
      'double fault err=00000000 eip=00000367', // #NP while delivering #PF: contributory after a page fault
      '',
    ].join('\n'))
    if (q !== undefined) expect(ours).toBe(q)
  })

  it('64-bit: 16-byte gates, int 0x80 from ring 3 with RSP0 and a 64-bit frame, syscall/sysret with STAR/LSTAR/FMASK', () => {
    const { ours, qemu: q } = both(EXCEPTIONS64)
    expect(ours).toBe([
      'vec 00 rip=000000000000017e cs=0000000000000018',
      'vec 03 rip=000000000000018d cs=0000000000000018',
      'vec 06 rip=0000000000000199 cs=0000000000000018',
      'int80 rax=0000000000000001 rsp0 frame ok=0000000000000001 user ss=000000000000002b cs=0000000000000033',
      'syscall rcx ok=0000000000000001 cs=0000000000000018 ss=0000000000000020 if=0000000000000000',
      'back in ring 3 after sysret, cs=0000000000000033 r11 if=0000000000000000',
      'int80 rax=0000000000000003 rsp0 frame ok=0000000000000001 user ss=000000000000002b cs=0000000000000033',
      '',
    ].join('\n'))
    if (q !== undefined) expect(ours).toBe(q)
  })

  it('double faults by the SDM table: contributory then contributory is #DF; benign then contributory, and contributory then page fault, are delivered one after the other (EXT set)', () => {
    const { ours, qemu: q } = both(DF_TABLE32)
    expect(ours).toBe([
      'double fault err=00000000', // #DE, its gate empty: #GP while delivering a contributory fault
      'vec 0b err=00000033 eip=00000096 cs=00000008', // #UD (benign), its gate not present: #NP(6 << 3 | IDT | EXT) itself, at the ud2
      'vec 0e err=00000000 cr2=idt2+00000068 eip=00000123', // #GP whose IDT entry 13 is not mapped: the #PF (read, supervisor) itself, CR2 = the entry
      'done',
      '',
    ].join('\n'))
    // QEMU 7.2 leaves EXT clear in a fault raised while delivering an exception; the SDM (vol. 3,
    // 6.13) sets it ("an earlier exception" is an event external to the program), as CPUs do.
    if (q !== undefined) expect(ours).toBe(q.replace('vec 0b err=00000032', 'vec 0b err=00000033'))
  })

  it('a stack overflow into a guard page becomes a double fault handled on the IST1 stack', () => {
    const { ours, qemu: q } = both(DF_ON_IST)
    expect(ours).toBe('recursing\ndouble fault err=0000000000000000 on IST1=0000000000000001 cr2=0000000000400ff8 saved rsp at the guard=0000000000000001\n')
    if (q !== undefined) expect(ours).toBe(q)
  })

  it('a triple fault stops the machine with the three faults: #PF at the unmapped handler, #PF pushing onto the guard page, #PF pushing onto IST1', () => {
    const elf = buildKernel(TRIPLE_FAULT)
    const o = runKernel(elf)
    expect(o.exit).toBe(X86HartExit.TripleFault)
    expect(Buffer.from(o.serial).toString()).toBe('touching 0xdead0000\n')
    const tf = o.hart.tripleFault!
    expect(tf.faults.map((f) => [f.vector, f.errorCode, f.during])).toEqual([
      [14, 0x10, null], // instruction fetch at the handler (I/D with NXE)
      [14, 0x2, 'stack'], // a write while pushing the #PF frame: → #DF
      [14, 0x2, 'stack'], // a write while pushing the #DF frame on IST1: → shutdown
    ])
    expect(tf.faults[0].rip).toBe(0xffff900000001000n)
    expect(tf.faults[0].cr2).toBe(0xffff900000001000n)
    expect(tf.faults[1].address).toBe(0x400ff8n)
    expect(tf.faults[2].address).toBe(0x7feffffffff8n)
    expect(tf.faults[2].cr2).toBe(0x7feffffffff8n)
    // It stays stopped: no reset, every later run reports the shutdown again.
    const rip = o.hart.getReg('rip')
    expect(o.hart.run(1000)).toBe(X86HartExit.TripleFault)
    expect(o.hart.getReg('rip')).toBe(rip)
    if (!qemu.missing) {
      const q = runInQemu(elf, qemu.path!, 60_000, QEMU_CPU)
      expect(Buffer.from(q.serial).toString()).toBe('touching 0xdead0000\n')
      expect(q.status, 'QEMU -no-reboot ends on the triple fault, without the debug-exit code').toBe(0)
    }
  })
})
