/**
 * Checkpoints on disk (issue 11 item 9): a recording holds the machine's state every N steps, and
 * replay from any process starts from the nearest one — the state found at any step, in any
 * order, must be the state replay from step 0 finds (registers, PC and every byte of RAM), a cold
 * seek to a late step re-executes at most one interval, and a damaged checkpoint is a one-line
 * error naming its row.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { Recorder } from '../../../src/main/trace/recorder'
import { ReplaySession } from '../../../src/main/trace/replay'
import { FULL_MAP_EVERY } from '../../../src/main/trace/checkpoint-file'
import { build } from '../../../src/main/toolchain/build'
import { EXAMPLE } from '../../support/build-workspace'
import { buildX86Kernel, x86Toolchain } from '../../support/x86-tools'

const EVERY = 100_000
/**
 * The example with a loop in rust_main that fills a 64 KiB window of a 256 KiB buffer with
 * i × round, 24 rounds over 4 windows: pages rewritten with new contents every round.
 */
const LOOP = `rust_main:
    li s3, 24
    la s4, buf
2:  li t0, 0
    andi t3, s3, 3
    slli t3, t3, 16
    add t5, s4, t3
    li t6, 8192
3:  slli t2, t0, 3
    add t2, t2, t5
    mul t4, t0, s3
    sd t4, 0(t2)
    addi t0, t0, 1
    bne t0, t6, 3b
    addi s3, s3, -1
    bnez s3, 2b
`
const dir = mkdtempSync(join(tmpdir(), 'bootscope-checkpoints-'))
let kernel: { file: string; bytes: Uint8Array }
let path = ''
let steps = 0

async function record(name: string, checkpointEvery?: number, k = kernel): Promise<{ path: string; steps: number }> {
  const p = join(dir, name)
  const started = await Recorder.start({ recordingPath: p, kernel: k, writtenBy: 'test', checkpointEvery })
  if (!started.ok) throw new Error(started.error.message)
  const r = await started.value.run()
  expect(r.stop.reason).toBe('shutdown')
  return { path: p, steps: r.steps }
}

/** Replay from the recording's checkpoints and replay from step 0 agree at `picks`, visited in the given order. */
async function expectSameStates(p: string, picks: number[]): Promise<void> {
  const fromDisk = await ReplaySession.open(p)
  const fromZero = await ReplaySession.open(p, { diskCheckpoints: false })
  if (!fromDisk.ok || !fromZero.ok) throw new Error('open failed')
  expect(fromDisk.value.checkpointSource).toBe('recording')
  expect(fromZero.value.checkpointSource).toBe('memory')
  const expected = new Map<number, string>()
  for (const step of [...picks].sort((a, b) => a - b)) expected.set(step, await stateOf(fromZero.value, step))
  for (const step of picks) expect(await stateOf(fromDisk.value, step), `step ${step}`).toBe(expected.get(step))
}

/** The machine at `step` as one string: PC, every register the view shows, and a hash of RAM. */
async function stateOf(s: ReplaySession, step: number): Promise<string> {
  const r = await s.stateAt({ step })
  if (!r.ok) throw new Error(r.error.message)
  const m = s.machineAtStep
  const regs = m.view.registers().flatMap((g) => g.registers.map((x) => `${x.name}=${x.value.toString(16)}`))
  return `${m.steps} ${m.hart.pc.toString(16)} ${regs.join(' ')} ${createHash('sha256').update(m.hart.ram).digest('hex')}`
}

beforeAll(async () => {
  const main = readFileSync(join(EXAMPLE, 'main.S'), 'utf8').replace(/^rust_main:\n/m, LOOP) + '\n    .section .bss\n    .balign 4096\nbuf: .space 262144\n'
  const files = ['entry.S', 'linker.ld'].map((f) => ({ path: f, text: readFileSync(join(EXAMPLE, f), 'utf8') }))
  const r = build({ files: [...files, { path: 'main.S', text: main }], script: 'linker.ld' })
  if (!r.ok || !r.elf) throw new Error(r.diagnostics.map((d) => d.message).join('; '))
  kernel = { file: 'fill.elf', bytes: r.elf }
  ;({ path, steps } = await record('fill.sqlite', EVERY))
})

describe('checkpoints in the recording', () => {
  it('are written every N steps with the pages the guest wrote, each distinct content once', () => {
    const db = new Database(path, { readonly: true })
    const rows = db.prepare('SELECT step, kind, base_step, page_count FROM checkpoints ORDER BY step').all() as { step: number; kind: string; base_step: number | null; page_count: number }[]
    const blobs = (db.prepare('SELECT count(*) AS n FROM page_blobs').get() as { n: number }).n
    db.close()
    expect(steps).toBeGreaterThan(1_000_000)
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: Math.floor(steps / EVERY) }, (_, i) => (i + 1) * EVERY).filter((s) => s <= steps))
    expect(rows.every((r) => r.kind === 'pages')).toBe(true)
    // Every FULL_MAP_EVERY-th row holds the whole page map; the others what changed since the row before.
    expect(rows.map((r) => r.base_step)).toEqual(rows.map((r, i) => (i % FULL_MAP_EVERY === 0 ? null : rows[i - 1].step)))
    // The 256 KiB buffer (64 pages) is written as the loop goes: page counts grow to cover it.
    expect(rows.at(-1)!.page_count).toBeGreaterThanOrEqual(64)
    expect(blobs).toBeGreaterThan(64)
  })

  it('say which pages each interval wrote, as the checkpoints replay keeps itself do (what lets gdb skip a stretch that never wrote a watched page)', async () => {
    const fromDisk = await ReplaySession.open(path)
    const fromZero = await ReplaySession.open(path, { diskCheckpoints: false, checkpointInterval: EVERY })
    if (!fromDisk.ok || !fromZero.ok) throw new Error('open failed')
    await fromZero.value.seek(BigInt(steps)) // its first pass: checkpoints with the pages each interval wrote
    const interval = BigInt(EVERY)
    const last = (BigInt(steps) / interval) * interval
    const ramBase = fromDisk.value.machineAtStep.ramBase
    const ram = fromDisk.value.machineAtStep.hart.ram.length
    let unwritten = 0
    let written = 0
    for (let page = 0; page < ram / 4096; page += 97) {
      const range = [{ pa: ramBase + BigInt(page * 4096) + 8n, length: 8 }]
      for (let lo = 0n; lo < last; lo += interval) {
        const disk = fromDisk.value.unwrittenBetween(lo, lo + interval, range)
        const memory = fromZero.value.unwrittenBetween(lo, lo + interval, range)
        expect(disk, `page ${page}, steps ${lo}–${lo + interval}`).toBe(memory)
        if (disk) unwritten++
        else written++
      }
      expect(fromDisk.value.unwrittenBetween(0n, last, range)).toBe(fromZero.value.unwrittenBetween(0n, last, range))
    }
    // Both answers occur: the buffer's windows are written in some intervals only, most of RAM never.
    expect(unwritten).toBeGreaterThan(0)
    expect(written).toBeGreaterThan(0)
    expect(fromDisk.value.unwrittenBetween(1n, interval, [{ pa: ramBase, length: 8 }])).toBe(false) // not a checkpoint step: cannot tell
  })

  it('give replay the same state as replaying from step 0, at any step in any order', async () => {
    // Seeded steps, forward and backward, on and next to checkpoint steps, and the last one.
    let seed = 7
    const picks: number[] = [steps, EVERY, EVERY - 1, EVERY + 1, 5 * EVERY, 0]
    for (let i = 0; i < 14; i++) picks.push((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % steps)
    await expectSameStates(path, picks)
  }, 120_000)

  it('let a new process seek to a late step re-executing at most one interval', async () => {
    const s = await ReplaySession.open(path)
    if (!s.ok) throw new Error(s.error.message)
    const late = steps - 1234
    const r = await s.value.stateAt({ step: late })
    expect(r.ok).toBe(true)
    expect(s.value.restoredFrom).toBeGreaterThan(late - EVERY)
    expect(s.value.restoredFrom).toBeLessThanOrEqual(late - 1)
  })

  it('are not written when the recorder is told not to, and replay then keeps its own', async () => {
    const plain = await record('plain.sqlite', 0)
    const db = new Database(plain.path, { readonly: true })
    expect((db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n).toBe(0)
    db.close()
    const s = await ReplaySession.open(plain.path)
    if (!s.ok) throw new Error(s.error.message)
    expect(s.value.checkpointSource).toBe('memory')
  })

  it('a damaged checkpoint row or page is a one-line warning naming it, and replay falls back to step 0 with the same states', async () => {
    const ids = (db: Database.Database) => db.prepare('SELECT id FROM page_blobs ORDER BY id').all() as { id: number }[]
    const damages: [string, (d: Database.Database) => void, string][] = [
      ['devices', (d) => d.prepare('UPDATE checkpoints SET devices = ? WHERE step = ?').run('{', 5 * EVERY), `'checkpoints' row at step ${5 * EVERY}`],
      ['a page', (d) => d.prepare('DELETE FROM page_blobs WHERE id = ?').run(ids(d).at(-1)!.id), `'page_blobs' has no row`],
      ['a page map', (d) => d.prepare('UPDATE checkpoints SET pages = ? WHERE step = ?').run(Buffer.from('nope'), 3 * EVERY), `'checkpoints' row at step ${3 * EVERY}`],
      ['a base step', (d) => d.prepare('UPDATE checkpoints SET base_step = 12 WHERE step = ?').run(2 * EVERY), `'checkpoints' row at step ${2 * EVERY} builds on step 12`],
    ]
    const zero = await ReplaySession.open(path, { diskCheckpoints: false })
    if (!zero.ok) throw new Error(zero.error.message)
    const picks = [5 * EVERY + 10, steps - 5]
    const expected = [await stateOf(zero.value, picks[0]), await stateOf(zero.value, picks[1])]
    for (const [what, damage, names] of damages) {
      const copy = join(dir, `damaged-${what.replace(/ /g, '-')}.sqlite`)
      const db = new Database(path)
      await db.backup(copy)
      db.close()
      const d = new Database(copy)
      damage(d)
      d.close()
      const s = await ReplaySession.open(copy)
      if (!s.ok) throw new Error(s.error.message)
      expect(await stateOf(s.value, picks[1]), what).toBe(expected[1])
      expect(await stateOf(s.value, picks[0]), what).toBe(expected[0])
      expect(s.value.checkpointSource, what).toBe('memory')
      expect(s.value.checkpointWarning, what).toContain(names)
      expect(s.value.checkpointWarning, what).toContain('replaying from step 0')
      expect(s.value.checkpointWarning, what).not.toContain('\n')
    }
  }, 120_000)

  it.skipIf(x86Toolchain().missing)('work the same on the x86 PC (seed 002: long mode, a recursive P4, a remap)', async () => {
    const k = buildX86Kernel({ sources: ['seed-002/boot.asm', 'seed-002/kernel.c'], bits: 64, script: 'seed-002/linker.ld' })
    const every = 2_000
    const started = await Recorder.start({ recordingPath: join(dir, 'x86.sqlite'), kernel: { file: k.path, bytes: k.bytes }, writtenBy: 'test', checkpointEvery: every })
    if (!started.ok) throw new Error(started.error.message)
    const r = await started.value.run()
    expect(r.stop.reason).toBe('shutdown')
    expect(started.value.checkpointCount).toBeGreaterThan(2)
    await expectSameStates(r.path, [r.steps, every + 3, Math.floor(r.steps / 2), 1, every, r.steps - 7, 2 * every - 1])
  }, 180_000)
})
