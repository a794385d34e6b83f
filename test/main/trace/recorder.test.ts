import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Recorder } from '../../../src/main/trace/recorder'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { buildFolder, buildFolderWithLines, EXAMPLE, withoutIdentityMapping } from '../../support/build-workspace'
import type { SourceLine } from '../../../src/shared/trace/source-map'

const dir = mkdtempSync(join(tmpdir(), 'bootscope-recorder-'))

async function record(name: string, elf: Uint8Array, sourceLines?: SourceLine[]) {
  const path = join(dir, name)
  const started = await Recorder.start({ recordingPath: path, kernel: { file: 'kernel.elf', bytes: elf }, writtenBy: 'test', sourceLines })
  if (!started.ok) throw new Error(started.error.message)
  const result = await started.value.run()
  const r = RecordingReader.open(path)
  if (!r.ok) throw new Error(r.error.message)
  return { result, reader: r.value }
}

describe('recording a boot', () => {
  it('records the seed 004 kernel: loaded high, hand-off, Sv39 on, sfence, first fetch high at rust_main, console, shutdown', async () => {
    const { result, reader } = await record('seed.sqlite', buildFolder(EXAMPLE))
    expect(result.stop.reason).toBe('shutdown')
    const events = reader.events()
    const kinds: string[] = events.map((e) => e.kind)
    const order = ['segment_loaded', 'firmware_handoff', 'satp_write', 'sfence_vma', 'region_enter', 'uart_output', 'stop']
    let at = -1
    for (const k of order) {
      const i = kinds.indexOf(k, at + 1)
      expect(i, `${k} after index ${at} in ${kinds.join(',')}`).toBeGreaterThan(at)
      at = k === 'region_enter' ? kinds.findIndex((x, j) => x === 'region_enter' && (events[j].data as { region: string }).region === 'higher half') : i
    }
    const seg = events.find((e) => e.kind === 'segment_loaded')!.data as { vaddr: string; paddr: string }
    expect(seg).toMatchObject({ vaddr: '0xffffffff80200000', paddr: '0x80200000' })
    const satp = events.find((e) => e.kind === 'satp_write')!.data as { old: { mode: string }; new: { mode: string } }
    expect([satp.old.mode, satp.new.mode]).toEqual(['Bare', 'Sv39'])
    const high = events.find((e) => e.kind === 'region_enter' && (e.data as { region: string }).region === 'higher half')!
    expect((high.data as { symbol: string }).symbol).toBe('rust_main')
    const activated = events.find((e) => e.kind === 'page_table_activated')!.data as { mappings: { va: string; pa: string; pageSize: string }[] }
    expect(activated.mappings.map((m) => [m.va, m.pa, m.pageSize])).toEqual([
      ['0x80000000', '0x80000000', '1 GiB'],
      ['0xffffffff80000000', '0x80000000', '1 GiB'],
    ])
    const text = events.filter((e) => e.kind === 'uart_output').map((e) => (e.data as { text: string }).text).join('')
    expect(text).toContain('Hello from the higher half!')
    expect(reader.outcome).toBe('shutdown')
    expect(reader.artifact('kernel.elf')?.size).toBeGreaterThan(0)
    reader.close()
  })

  it('records the fault and its explanation when the identity mapping is missing', async () => {
    const entry = withoutIdentityMapping(readFileSync(join(EXAMPLE, 'entry.S'), 'utf8'))
    const { result, reader } = await record('noid.sqlite', buildFolder(EXAMPLE, { 'entry.S': entry }))
    expect(result.stop.reason).toBe('trap-loop')
    expect(result.stop.message).toMatch(/instruction page fault at 0x8020[0-9a-f]+, right after satp was written.*the new table does not map it/)
    const trap = reader.events({ kinds: ['trap'] })[0]
    expect(trap.data).toMatchObject({ causeName: 'instruction page fault' })
    const satp = reader.events({ kinds: ['satp_write'] })[0]
    expect(trap.step).toBe(satp.step + 1)
    expect(reader.outcome).toBe('trap-loop')
    reader.close()
  })

  it('walks the table at the satp write and records later PTE edits with the VA range they unmap', async () => {
    const lab = join(EXAMPLE, '../../labs/identity-mapping')
    const solution = readFileSync(join(lab, 'solution/entry.S'), 'utf8')
    const { result, reader } = await record('pte.sqlite', buildFolder(lab, { 'entry.S': solution }))
    expect(result.stop.reason).toBe('shutdown')
    const activated = reader.events({ kinds: ['page_table_activated'] })[0].data as { mappings: unknown[] }
    expect(activated.mappings).toHaveLength(2)
    const pte = reader.events({ kinds: ['pte_write'] })
    expect(pte).toHaveLength(1)
    expect(pte[0].data).toMatchObject({ old: '0x200000cf', new: '0x0', level: 2, vaRange: '0x80000000–0xbfffffff', flags: 'invalid' })
    const high = reader.events({ kinds: ['region_enter'] }).find((e) => (e.data as { region: string }).region === 'higher half')!
    expect(pte[0].step).toBeGreaterThan(high.step)
    reader.close()
  })

  it('keeps the line table and names the source line of the instruction that could not be fetched', async () => {
    const entry = withoutIdentityMapping(readFileSync(join(EXAMPLE, 'entry.S'), 'utf8'))
    const built = buildFolderWithLines(EXAMPLE, { 'entry.S': entry })
    const { result, reader } = await record('lines.sqlite', built.elf, built.sourceLines)
    const sfenceLine = entry.split('\n').findIndex((l) => l.trim() === 'sfence.vma') + 1
    expect(result.loc).toEqual({ file: 'entry.S', line: sfenceLine, column: 1 })
    expect(reader.sourceLines()).toEqual(built.sourceLines)
    reader.close()
  })

  it('explains a jump to an unmapped higher half by the walk and points at the jump target', async () => {
    const entry = readFileSync(join(EXAMPLE, 'entry.S'), 'utf8').split('\n')
    const high = entry.findLastIndex((l) => l.includes('.quad (0x80000 << 10) | 0xcf'))
    entry[high] = '    .quad 0'
    const built = buildFolderWithLines(EXAMPLE, { 'entry.S': entry.join('\n') })
    const { result, reader } = await record('nohigh.sqlite', built.elf, built.sourceLines)
    expect(result.stop.reason).toBe('trap-loop')
    expect(result.stop.message).toMatch(/^instruction page fault at 0xffffffff802[0-9a-f]+, \d+ instructions after satp was written/)
    expect(result.stop.message).toContain('the level-2 PTE (index 510')
    expect(result.stop.message).toContain('stvec = 0x0 is not mapped either')
    expect(result.stop.hint).not.toContain('identity mapping')
    const main = readFileSync(join(EXAMPLE, 'main.S'), 'utf8').split('\n')
    expect(result.loc).toMatchObject({ file: 'main.S' })
    expect(main[result.loc!.line - 1]).toMatch(/\S/)
    reader.close()
  })
})
