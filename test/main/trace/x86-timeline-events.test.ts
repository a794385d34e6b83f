/**
 * The x86 stories on the timeline, from real recordings of kernels built with Bootscope's own
 * toolchain: the two x86 examples (seed 000 i386 higher half under Multiboot 1, seed 002 long
 * mode under Multiboot 2), a ring-3 fixture (retf to ring 3, syscall, sysret, wrmsr of the
 * syscall MSRs) and the double-fault lab's starter (lgdt with a TSS, ltr, lidt). Each new event
 * kind — control_bits, msr_write, descriptor_table, far_transfer, boot_info, and pte_write named
 * by its entry and the recursive mapping — is asserted at its exact step with its decoded data,
 * the CPL lane follows the rings, and `bootscope events` prints the same words.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { build } from '../../../src/main/toolchain/build'
import { Recorder } from '../../../src/main/trace/recorder'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { ReplaySession } from '../../../src/main/trace/replay'
import { computeLanes } from '../../../src/main/trace/lanes'
import { explainEvent } from '../../../src/shared/trace/explain'
import { EventIndex, SymbolTable, selectEvent, describeSelector } from '../../../src/main/labs/select-events'
import type { EventKind, TraceEvent } from '../../../src/shared/trace/events'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const bin = join(ROOT, 'bin/bootscope.mjs')
const SLOW = 120_000

/** Builds the files of `dir` (or the given paths) with our toolchain and records the boot. */
async function record(name: string, paths: string[], script: string): Promise<{ path: string; events: TraceEvent[] }> {
  const files = paths.map((p) => ({ path: basename(p), text: readFileSync(p, 'utf8') }))
  files.push({ path: basename(script), text: readFileSync(script, 'utf8') })
  const b = build({ files, script: basename(script) })
  if (!b.ok || !b.elf) throw new Error(`${name}: ${JSON.stringify(b.diagnostics ?? b)}`)
  const path = join(mkdtempSync(join(tmpdir(), 'x86-events-')), `${name}.sqlite`)
  const started = await Recorder.start({ recordingPath: path, kernel: { file: `${name}.elf`, bytes: b.elf }, maxSteps: 5_000_000, writtenBy: 'x86-timeline-events test' })
  if (!started.ok) throw new Error(started.error.message)
  await started.value.run()
  const r = RecordingReader.open(path)
  if (!r.ok) throw new Error(r.error.message)
  try {
    return { path, events: r.value.events() }
  } finally {
    r.value.close()
  }
}

const of = <K extends EventKind>(events: TraceEvent[], kind: K) => events.filter((e): e is TraceEvent<K> => e.kind === kind)
const example = (name: string) => readdirSync(join(ROOT, 'resources/examples', name)).filter((f) => /\.(S|asm)$/.test(f)).map((f) => join(ROOT, 'resources/examples', name, f))

describe('x86 timeline events on real recordings', () => {
  let seed002: { path: string; events: TraceEvent[] }
  let seed000: { path: string; events: TraceEvent[] }
  let ring3: { path: string; events: TraceEvent[] }
  let dfLab: { path: string; events: TraceEvent[] }
  beforeAll(async () => {
    seed002 = await record('seed002', example('x86_64-long-mode'), join(ROOT, 'resources/examples/x86_64-long-mode/linker.ld'))
    seed000 = await record('seed000', example('i386-higher-half'), join(ROOT, 'resources/examples/i386-higher-half/linker.ld'))
    ring3 = await record('ring3', [join(ROOT, 'test/fixtures/x86/ring3-syscall.asm')], join(ROOT, 'test/fixtures/x86/link-1m.ld'))
    const lab = join(ROOT, 'resources/labs/x86-64-double-fault-ist')
    dfLab = await record('df', ['boot.asm', 'kernel.asm', 'ist.asm'].map((f) => join(lab, f)), join(lab, 'linker.ld'))
  }, SLOW)

  it('names each CR0/CR4/EFER bit set on the way to long mode, LMA set by the CPU at the CR0.PG write', () => {
    const bits = of(seed002.events, 'control_bits').map((e) => [e.step, e.data.register, e.data.set.join(' '), e.data.cleared.join(' ')])
    const pg = of(seed002.events, 'paging_change')[0]
    expect(bits.slice(0, 4)).toEqual([
      [expect.any(Number), 'CR4', 'PAE', ''],
      [expect.any(Number), 'EFER', 'LME', ''],
      [pg.step, 'CR0', 'PG', ''],
      [pg.step, 'EFER', 'LMA', ''],
    ])
    // PAE before LME before PG, as the SDM's order requires; then the kernel's NXE and WP for its own table.
    expect((bits[0][0] as number) < (bits[1][0] as number) && (bits[1][0] as number) < pg.step).toBe(true)
    expect(bits.slice(4).map((b) => `${b[1]}.${b[2]}`)).toEqual(['EFER.NXE', 'CR0.WP'])
    expect(explainEvent(of(seed002.events, 'control_bits')[0])).toMatch(/^CR4\.PAE set \(CR4 0x0 → 0x20\): physical address extension/)
    // Lab checks select them by bit: `{ "event": "control_bits", "set": "CR0.PG" }`.
    const reader = RecordingReader.open(seed002.path)
    if (!reader.ok) throw new Error(reader.error.message)
    try {
      const index = new EventIndex(reader.value)
      const noSymbols = new SymbolTable([])
      const sel = { event: 'control_bits', set: 'CR0.PG', occurrence: 'first' } as const
      expect(selectEvent(sel, index, noSymbols)?.step).toBe(pg.step)
      expect(selectEvent({ ...sel, set: 'CR4.PGE' }, index, noSymbols)).toBeUndefined()
      expect(describeSelector(sel)).toBe('the first CR0/CR4/EFER bits changed with CR0.PG set')
    } finally {
      reader.value.close()
    }
    // i386: PSE for the 4 MiB pages, then WP and PG in one mov cr0.
    expect(of(seed000.events, 'control_bits').map((e) => `${e.data.register}: ${e.data.set.join(' ')}`)).toEqual(['CR4: PSE', 'CR0: WP PG'])
  })

  it('decodes the GDT at lgdt, the TSS at ltr and the IDT at lidt, with handler symbols', () => {
    const [gdt64] = of(seed002.events, 'descriptor_table')
    expect(gdt64.data).toMatchObject({ instruction: 'lgdt', limit: '0xf', selector: null })
    expect(gdt64.data.entries).toEqual(['0x0: null descriptor', expect.stringMatching(/^0x8: code 64-bit DPL0/)])
    const tables = of(dfLab.events, 'descriptor_table')
    expect(tables.map((e) => e.data.instruction)).toEqual(['lgdt', 'lgdt', 'ltr', 'lidt'])
    expect(tables[1].data.entries[2]).toMatch(/^0x10: TSS \(available\) DPL0 base 0x[0-9a-f]+ limit 0x67$/)
    expect(tables[2].data).toMatchObject({ selector: '0x10', limit: '0x67' })
    expect(tables[2].data.base).toBe(/base (0x[0-9a-f]+)/.exec(tables[1].data.entries[2])![1])
    // The starter's #DF gate has no IST (the lab's point); both gates name their handlers.
    expect(tables[3].data.entries).toEqual([
      expect.stringMatching(/^vector 8 #DF \(double fault\): interrupt gate → 0x[0-9a-f]+ \(df_handler\), selector 0x8, DPL0$/),
      expect.stringMatching(/^vector 14 #PF \(page fault\): interrupt gate → 0x[0-9a-f]+ \(pf_handler\), selector 0x8, DPL0$/),
    ])
    // Ring 3 fixture: user segments with DPL 3.
    const [gdt] = of(ring3.events, 'descriptor_table')
    expect(gdt.data.entries.slice(3)).toEqual(['0x18: data 32-bit writable DPL3 base 0x0 limit 0xffffffff', '0x20: code 64-bit readable DPL3 base 0x0 limit 0xffffffff'])
  })

  it('reports far transfers with the CS, the mode and the ring they enter, and the CPL lane follows them', () => {
    const far = of(ring3.events, 'far_transfer').map((e) => [e.data.instruction, e.data.fromCs, e.data.toCs, e.data.mode, e.data.ring])
    expect(far).toEqual([
      ['jmp far', '0x10', '0x8', 'long mode (64-bit)', 'ring 0'],
      ['retf', '0x8', '0x23', 'long mode (64-bit)', 'ring 3'],
      ['syscall', '0x23', '0x8', 'long mode (64-bit)', 'ring 0'],
      ['sysret', '0x8', '0x23', 'long mode (64-bit)', 'ring 3'],
      ['syscall', '0x23', '0x8', 'long mode (64-bit)', 'ring 0'],
    ])
    // The jmp far is the instruction the mode change names.
    const jmp = of(seed002.events, 'far_transfer')[0]
    const mode = of(seed002.events, 'mode_change').find((e) => e.data.to === 'long mode (64-bit)')!
    expect([jmp.step, jmp.data.from]).toEqual([mode.step, mode.data.rip])
    const steps = ring3.events[ring3.events.length - 1].step
    const lane = computeLanes(ring3.events, steps, { priv: 'ring 0' }).privilege.map((r) => r.value)
    expect(lane).toEqual(['ring 0', 'ring 3', 'ring 0', 'ring 3', 'ring 0'])
  })

  it('records the MSRs the kernel writes (EFER as its bits), and the registers view shows them at any later step', async () => {
    expect(of(ring3.events, 'msr_write').map((e) => [e.data.msr, e.data.new])).toEqual([
      ['IA32_STAR', '0x10000800000000'],
      ['IA32_LSTAR', expect.stringMatching(/^0x1000[0-9a-f]{2}$/)],
      ['IA32_FMASK', '0x200'],
    ])
    expect(of(ring3.events, 'control_bits').find((e) => e.data.register === 'EFER')!.data.set).toEqual(['SCE', 'LME'])
    const lstar = of(ring3.events, 'msr_write')[1]
    const opened = await ReplaySession.open(ring3.path)
    if (!opened.ok) throw new Error(opened.error.message)
    const msrsAt = async (step: number) => {
      const s = await opened.value.stateAt({ step })
      if (!s.ok) throw new Error(s.error.message)
      return Object.fromEntries(s.value.registers.find((g) => g.name === 'msr')!.registers.map((r) => [r.name, BigInt(r.value)]))
    }
    expect((await msrsAt(lstar.step)).lstar).toBe(0n)
    const after = await msrsAt(lstar.step + 1)
    expect([after.star, after.lstar]).toEqual([0x10000800000000n, BigInt(lstar.data.new)])
  })

  it('decodes the Multiboot 2 and Multiboot 1 boot information at the hand-off', () => {
    const [mb2] = of(seed002.events, 'boot_info')
    const handoff = of(seed002.events, 'firmware_handoff')[0]
    expect(mb2.step).toBe(0)
    expect(mb2.id).toBeGreaterThan(handoff.id)
    expect(mb2.data.address).toBe(handoff.data.a1)
    expect(mb2.data).toMatchObject({ protocol: 'Multiboot 2', bootLoader: 'Bootscope', elfSections: 8 })
    expect(mb2.data.tags).toEqual(expect.arrayContaining(['6 mmap', '9 elf_sections', '2 boot_loader_name']))
    // The memory map the kernel prints by hand is the one decoded here.
    const available = mb2.data.memoryMap.filter((a) => a.type === 1)
    const console = of(seed002.events, 'uart_output').map((e) => e.data.text).join('')
    for (const a of available) expect(console).toContain(`start: ${a.base}, length: ${a.length}`)
    const [mb1] = of(seed000.events, 'boot_info')
    expect(mb1.data).toMatchObject({ protocol: 'Multiboot 1', cmdline: 'seed000.elf', bootLoader: 'Bootscope' })
    expect(mb1.data.memoryMap.filter((a) => a.type === 1).map((a) => a.base)).toEqual(['0x0', '0x100000'])
  })

  it('names page-table entry writes by the entry, and a write through the recursive mapping as such', () => {
    const [guard] = of(seed002.events, 'pte_write')
    const guardPrint = of(seed002.events, 'uart_output').find((e) => e.data.text.startsWith('guard page at '))!
    const guardVa = /guard page at (0x[0-9a-f]+)/.exec(guardPrint.data.text)![1]
    expect(guard.data.entry).toBe(`P1 entry of ${guardVa}`)
    expect(guard.data.new).toBe('0x0')
    expect(BigInt(guard.data.recursive!) >> 39n).toBe(0x1ffffffn) // P4 index 511, sign-extended: the recursive window
    expect(guard.data.effect).toBe(`the page at ${guardVa} is unmapped: a guard page between mapped pages — an access there faults`)
    expect(explainEvent(guard)).toMatch(new RegExp(`^P1 entry of ${guardVa} cleared through the recursive mapping \\(at 0xffffff80000[0-9a-f]+\\): .* — the page at ${guardVa} is unmapped: a guard page`))
    // i386: the identity PDE removed through its identity address (no recursion).
    const [pde] = of(seed000.events, 'pte_write')
    expect(pde.data).toMatchObject({ entry: 'PD entry of 0x0', new: '0x0', effect: '0x0–0x3fffff is unmapped: an access there faults' })
    expect(pde.data.recursive).toBeUndefined()
  })

  it('`bootscope events` prints the new kinds in the same words', () => {
    const out = execFileSync(process.execPath, [bin, 'events', seed002.path], { encoding: 'utf8' })
    const line = (kind: string) => out.split('\n').filter((l) => l.includes(` ${kind} `))
    expect(line('boot_info')[0]).toMatch(/Multiboot 2 boot information at 0x[0-9a-f]+ \(0x[0-9a-f]+ bytes\): memory map 0x0 \(\+0x9fc00\), 0x100000 \(\+0x[0-9a-f]+\) available/)
    expect(line('control_bits').map((l) => /control_bits\s+(\S+ set)/.exec(l)?.[1])).toEqual(['CR4.PAE set', 'EFER.LME set', 'CR0.PG set', 'EFER.LMA set', 'EFER.NXE set', 'CR0.WP set'])
    expect(line('descriptor_table')[0]).toMatch(/lgdt: the CPU now uses the GDT at 0x[0-9a-f]+ \(limit 0xf\) — 0x0: null descriptor; 0x8: code 64-bit/)
    expect(line('far_transfer')[0]).toMatch(/jmp far from 0x[0-9a-f]+ to 0x8:0x[0-9a-f]+: CS 0x10 → 0x8, now in long mode \(64-bit\), ring 0/)
    expect(line('pte_write')[0]).toMatch(/P1 entry of 0x[0-9a-f]+ cleared through the recursive mapping/)
  })
})
