/**
 * x86 boots recorded and replayed as RISC-V ones are: the seeds' kernels (seed 000, higher half
 * under Multiboot 1; seed 002, long mode with a recursive P4 under Multiboot 2), built with the
 * reference tools, recorded through the CLI; their paging story is on the timeline with exact
 * steps (CR3 write, paging on, the table with each mapping, the identity entry removed, the jump
 * into the higher half), and replay finds the live machine's registers at any step.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createMachine } from '../../../src/main/machine/core/create-machine'
import { ReplaySession } from '../../../src/main/trace/replay'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import type { TraceEvent } from '../../../src/shared/trace/events'
import { buildX86Kernel, x86Toolchain } from '../../support/x86-tools'

const tools = x86Toolchain()
const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const cli = (args: string[], cwd: string) => execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const cliStatus = (args: string[], cwd: string): number => {
  try {
    cli(args, cwd)
    return 0
  } catch (e) {
    return (e as { status: number }).status
  }
}
/** Standard output whatever the exit status (`find` exits with 1 when it finds nothing). */
const cliOutput = (args: string[], cwd: string): string => {
  try {
    return cli(args, cwd)
  } catch (e) {
    return (e as { stdout: string }).stdout
  }
}
const SLOW = 180_000

function events(path: string): TraceEvent[] {
  const r = RecordingReader.open(path)
  if (!r.ok) throw new Error(r.error.message)
  try {
    return r.value.events()
  } finally {
    r.value.close()
  }
}

/** Registers of the live machine at each step (sorted), and of replay at the same steps, in a random order. */
async function compareWithLive(kernel: { path: string; bytes: Uint8Array }, recording: string, steps: number[]): Promise<void> {
  const created = await createMachine({ kernel: { file: kernel.path, bytes: kernel.bytes }, trace: true })
  if (!created.ok) throw new Error(created.error.message)
  const live = created.value
  const want = new Map<number, string>()
  for (const step of [...new Set(steps)].sort((a, b) => a - b)) {
    const stop = await live.run({ pauseAt: BigInt(step) })
    expect(stop.reason, `live run to step ${step}`).toBe('paused')
    want.set(step, JSON.stringify(live.view.registers().map((g) => g.registers.map((r) => [r.name, r.value.toString(16)]))))
  }
  const opened = await ReplaySession.open(recording)
  if (!opened.ok) throw new Error(opened.error.message)
  const replay = opened.value
  for (const step of [...steps].reverse()) {
    const s = await replay.stateAt({ step })
    if (!s.ok) throw new Error(s.error.message)
    const got = JSON.stringify(s.value.registers.map((g) => g.registers.map((r) => [r.name, BigInt(r.value).toString(16)])))
    expect(got, `replayed registers at step ${step}`).toBe(want.get(step))
  }
}

describe.skipIf(tools.missing)('x86 recordings', () => {
  it('records seed 000: CR3, paging on with identity + higher half, the identity PDE removed, the jump high; replay matches the live machine; events and find on it', { timeout: 2 * SLOW }, async () => {
    const k = buildX86Kernel({ sources: ['seed-000/boot.S', 'seed-000/kmain.c'], bits: 32, script: 'seed-000/linker.ld' })
    const dir = mkdtempSync(join(tmpdir(), 'x86-rec-'))
    expect(cliStatus(['record', k.path, '-o', 'seed000.sqlite'], dir)).toBe(39) // isa-debug-exit 0x13
    const ev = events(join(dir, 'seed000.sqlite'))
    const of = <K extends TraceEvent['kind']>(kind: K) => ev.filter((e) => e.kind === kind) as TraceEvent<K>[]
    expect(of('firmware_handoff')[0].data).toMatchObject({ mode: 'ring 0', entry: '0x10000c', a0: '0x2badb002' })
    expect(of('mode_change')).toEqual([]) // entered in 32-bit protected mode and stays there
    const cr3 = of('cr3_write')[0]
    expect(cr3.data.new.root).toBe(of('segment_loaded').find((e) => e.data.sections.includes('.bss'))!.data.paddr)
    const on = of('paging_change')[0]
    expect(on.data).toMatchObject({ register: 'CR0', from: 'Bare', to: '32-bit' })
    expect(on.step).toBeGreaterThan(cr3.step)
    const table = of('page_table_activated')[0]
    expect(table.step).toBe(on.step)
    expect(table.data.mappings.map((m) => [m.va, m.pa, m.pageSize])).toEqual([
      ['0x0', '0x0', '4 MiB'],
      ['0xc0000000', '0x0', '4 MiB'],
    ])
    const high = of('region_enter').find((e) => e.data.region === 'higher half')!
    expect(high.data.symbol).toBe('higher_half')
    const removed = of('pte_write')[0]
    expect(removed.data).toMatchObject({ pa: cr3.data.new.root, new: '0x0', flags: 'not present' })
    expect(removed.step).toBeGreaterThanOrEqual(high.step)
    expect(of('sfence_vma')[0].data).toMatchObject({ instruction: 'invlpg', vaddr: '0x0' })
    expect(of('stop')[0].data).toMatchObject({ reason: 'shutdown', exitCode: 39 })

    // `at` after the identity entry is gone: one mapping left, the higher half translated level by level.
    const at = cli(['at', 'seed000.sqlite', String(removed.step + 1), '--regs', '--mappings', '--translate', '0xc0101000'], dir)
    expect(at).toMatch(/ring 0, protected mode \(32-bit\)\s+cr3 32-bit root/)
    expect(at).toMatch(/cr0\s+0x80000011\s+PE ET PG/)
    expect(at).toMatch(/cs\s+0x10\s+code 32-bit/)
    expect(at).not.toMatch(/^\s+0x0 ->/m)
    expect(at).toMatch(/^\s+0xc0000000 ->\s+0x0\s+size\s+0x400000/m)
    expect(at).toContain('PD[768]')
    expect(at).toContain('0xc0101000 -> 0x101000 (4 MiB page')

    // `events` on the CLI: the same events, in step order, with the step whose state shows each.
    const listed = cli(['events', 'seed000.sqlite', '--kind', 'region_enter,pte_write', '--json'], dir).trim().split('\n').map((l) => JSON.parse(l))
    expect(listed.map((e) => [e.kind, e.step, e.after])).toEqual([
      ['region_enter', 0, 0],
      ['region_enter', high.step, high.step],
      ['pte_write', removed.step, removed.step + 1],
    ])
    expect(listed[1]).toMatchObject({ pc: '0xc0101000', data: { region: 'higher half', symbol: 'higher_half' } })
    expect(cli(['events', 'seed000.sqlite', '--kind', 'cr3_write'], dir)).toMatch(new RegExp(`^\\s+${cr3.step} → ${cr3.step + 1}\\s+cr3_write\\s+CR3 ← ${cr3.data.new.root}`, 'm'))

    // `find` on an x86 recording: the PC (forward and back), a change of the identity PDE (physical,
    // and virtual through CR3 in the higher half), the walker's accessed bit counting as a change.
    const find = (args: string[]) => JSON.parse(cliOutput(['find', 'seed000.sqlite', ...args, '--json'], dir)) as { step: number | null; message: string; before?: string; after?: string }
    expect(find(['0', '--pc', '0xc0101000']).step).toBe(high.step)
    expect(find([String(of('stop')[0].step), '--pc', '0xc0101000', '--back']).step).toBe(high.step)
    expect(find(['0', '--pc', '0xc0000000']).step).toBeNull()
    const root = cr3.data.new.root
    expect(find([String(high.step), '--change', root, '--physical', '--len', '4'])).toMatchObject({ step: removed.step + 1, before: 'a3000000', after: '00000000' })
    const accessed = find([String(on.step + 1), '--change', '0xc0103000', '--len', '4'])
    expect(accessed).toMatchObject({ before: '83000000', after: 'a3000000' }) // PS | RW | P, then A set by the walk
    expect(accessed.step).toBeGreaterThan(on.step)
    expect(accessed.step).toBeLessThanOrEqual(high.step)
    expect(cliStatus(['find', 'seed000.sqlite', String(removed.step + 1), '--change', '0x0', '--len', '4'], dir)).toBe(1) // 0x0 is unmapped there

    const last = of('stop')[0].step
    await compareWithLive(k, join(dir, 'seed000.sqlite'), [0, 1, cr3.step, on.step, on.step + 1, high.step, removed.step + 1, Math.floor(last / 2), last])
  })

  it('records seed 002: long mode, the recursive P4, the remap with a guard page; replay matches the live machine', { timeout: SLOW }, async () => {
    const k = buildX86Kernel({ sources: ['seed-002/boot.asm', 'seed-002/kernel.c'], bits: 64, script: 'seed-002/linker.ld' })
    const dir = mkdtempSync(join(tmpdir(), 'x86-rec-'))
    expect(cliStatus(['record', k.path, '-o', 'seed002.sqlite'], dir)).toBe(41) // isa-debug-exit 0x14
    const ev = events(join(dir, 'seed002.sqlite'))
    const of = <K extends TraceEvent['kind']>(kind: K) => ev.filter((e) => e.kind === kind) as TraceEvent<K>[]
    expect(of('firmware_handoff')[0].data).toMatchObject({ firmware: 'Multiboot 2 loader', a0: '0x36d76289' })
    // mov cr0 with EFER.LME: one paging change, straight to 4-level paging (EFER.LMA set by the CPU).
    const on = of('paging_change')
    expect(on.map((e) => [e.data.register, e.data.from, e.data.to])).toEqual([['CR0', 'Bare', '4-level']])
    const table = of('page_table_activated')[0]
    expect(table.step).toBe(on[0].step)
    expect(table.data.mappings.find((m) => m.pageSize === 'recursive')).toMatchObject({ va: '0xffffff8000000000', pa: table.data.root })
    expect(of('mode_change').map((e) => e.data.to)).toEqual(['compatibility mode (32-bit)', 'long mode (64-bit)'])
    // The remap: a new P4 activated by a CR3 write, and the old P4's page unmapped (the guard page).
    const switches = of('cr3_write').filter((e) => e.data.old.mode === '4-level' && e.data.new.root !== e.data.old.root)
    expect(switches).toHaveLength(1)
    const guard = of('pte_write').find((e) => e.step > switches[0].step && e.data.new === '0x0' && e.data.vaRange?.startsWith(table.data.root))
    expect(guard, 'the old P4 page unmapped after the switch').toBeDefined()
    expect(of('uart_output').map((e) => e.data.text).join('')).toContain('guard page at ' + table.data.root)
    expect(of('stop')[0].data).toMatchObject({ reason: 'shutdown', exitCode: 41 })

    const at = cli(['at', 'seed002.sqlite', String(guard!.step + 1), '--regs', '--translate', '0x101000'], dir)
    expect(at).toMatch(/ring 0, long mode \(64-bit\)\s+cr3 4-level root/)
    expect(at).toMatch(/efer\s+0x\w+\s+.*LME.*LMA/)
    expect(at).toMatch(/PML4\[0\]/)
    expect(at).toMatch(/0x101000 -> 0x101000 \(4 KiB page/)

    // `find` in long mode: the far jump's target, the first 64-bit instruction, is reached once.
    const long = of('mode_change').find((e) => e.data.to === 'long mode (64-bit)')!
    const entry = JSON.parse(cli(['at', 'seed002.sqlite', String(long.step + 1), '--json'], dir)) as { pc: string; instruction: { symbol: string } }
    expect(entry.instruction.symbol).toBe('long_mode_start')
    const found = JSON.parse(cli(['find', 'seed002.sqlite', '0', '--pc', entry.pc, '--json'], dir)) as { step: number }
    expect(found.step).toBe(long.step + 1)

    const last = of('stop')[0].step
    await compareWithLive(k, join(dir, 'seed002.sqlite'), [0, on[0].step, on[0].step + 1, switches[0].step + 1, guard!.step + 1, Math.floor(last / 3), last])
  })
})
