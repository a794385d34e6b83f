/**
 * The GDT, IDT and TSS at a replayed step, on a real x86-64 recording: the double-fault lab's
 * solution loads a GDT with a 16-byte TSS descriptor, a TSS whose IST1 is the #DF stack, and an
 * IDT with #DF on IST1 and #PF without — all read through paging at the step, the handlers named
 * from the kernel's ELF symbols.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadLabFolder, solutionDir } from '../../../src/main/labs/lab-folder'
import { runLab, type LabRun } from '../../../src/main/labs/run-lab'
import { ReplaySession } from '../../../src/main/trace/replay'
import type { MachineState } from '../../../src/shared/api/replay'

let run: LabRun
let end: MachineState
let start: MachineState

beforeAll(async () => {
  const { folder } = loadLabFolder(join(__dirname, '../../../resources/labs/x86-64-double-fault-ist'))
  run = await runLab(folder!, { submissionDir: solutionDir(folder!) })
  const opened = await ReplaySession.open(run.recordingPath!)
  if (!opened.ok) throw new Error(opened.error.message)
  const last = run.boot?.ran ? run.boot.stop.step : 0
  const s = await opened.value.stateAt({ step: last, descriptorTables: true, disassembly: { before: 2, after: 2, syntax: 'att' } })
  if (!s.ok) throw new Error(s.error.message)
  end = s.value
  const s0 = await opened.value.stateAt({ step: 0, descriptorTables: true })
  if (!s0.ok) throw new Error(s0.error.message)
  start = s0.value
}, 180_000)
afterAll(() => run?.cleanup())

describe('descriptor tables at a step', () => {
  it('decodes the GDT GDTR names: the 64-bit code segment and the 16-byte TSS descriptor', () => {
    const t = end.descriptorTables!
    expect(t.long).toBe(true)
    expect(t.gdt.error).toBeUndefined()
    const code = t.gdt.entries.find((d) => d.selector === 0x08)!
    expect(code).toMatchObject({ class: 'code', type: 'code 64-bit execute-only', dpl: 0, present: true }) // the lab's descriptor sets no R bit
    expect(code.flags).toContain('L')
    const tss = t.gdt.entries.find((d) => d.selector === 0x10)!
    expect(tss).toMatchObject({ class: 'system', type: '64-bit TSS (busy)', wide: true, limit: '0x67' })
    expect(tss.base).toBe(t.tss!.base)
  })

  it('names each IDT handler from the ELF symbols: #DF on IST1, #PF on the current stack', () => {
    const gates = end.descriptorTables!.idt.entries
    expect(gates.find((g) => g.vector === 8)).toMatchObject({ name: '#DF (double fault)', handler: 'df_handler', ist: 1, selector: 8, type: '64-bit interrupt gate' })
    expect(gates.find((g) => g.vector === 14)).toMatchObject({ handler: 'pf_handler', ist: 0 })
  })

  it('reads RSP0–2 and IST1–7 of the TSS TR names, IST1 being the #DF stack', () => {
    const tss = end.descriptorTables!.tss!
    expect(tss.selector).toBe(0x10)
    expect(tss.state!.format).toBe('64-bit')
    const ist1 = tss.state!.stacks.find((s) => s.name === 'IST1')!
    expect(BigInt(ist1.value)).toBeGreaterThan(0n)
    expect(tss.state!.stacks.find((s) => s.name === 'IST2')!.value).toBe('0x0')
  })

  it('has no TSS and an empty IDT at reset, and disassembles in AT&T syntax when asked', () => {
    expect(start.descriptorTables!.tss).toBeNull()
    expect(start.descriptorTables!.idt.entries).toEqual([])
    expect(end.disassembly!.some((i) => i.text && /%[a-z]+/.test(i.text))).toBe(true)
  })
})
