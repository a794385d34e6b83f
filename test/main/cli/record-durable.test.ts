/**
 * `bootscope record` interrupted: Ctrl-C and SIGTERM end the recording cleanly (outcome
 * `interrupted`, the last step, the stop event) and put it at its path; kill -9 leaves the partial
 * file readable as `incomplete` up to its last committed step; `at` past the end is an error that
 * names the last step. The guest prints forever, so only the signal ends it.
 */
import { describe, expect, it } from 'vitest'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildProgram } from '../../support/build-program'
import { readSummary } from '../../../src/main/trace/recording-file'
import { RecordingReader } from '../../../src/main/trace/recording-reader'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))

/** Prints "tick\n" on the UART, spins a while, forever (M-mode, no firmware). */
const TICKER = `
  .section .text.init
  .globl _start
_start:
  li t0, 0x10000000
  la t2, msg
1:
  mv t3, t2
2:
  lbu t1, 0(t3)
  beqz t1, 3f
  sb t1, 0(t0)
  addi t3, t3, 1
  j 2b
3:
  li t4, 20000
4:
  addi t4, t4, -1
  bnez t4, 4b
  j 1b
  .section .rodata
msg: .asciz "tick\\n"
`

async function tickerDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-durable-'))
  writeFileSync(join(dir, 'ticker.elf'), (await buildProgram(TICKER)).elf)
  return dir
}

function startRecording(dir: string): ChildProcess {
  return spawn(process.execPath, [bin, 'record', 'ticker.elf', '--bios', 'none', '--max-steps', '100000000000', '-o', 'rec.sqlite'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
}

const partialFile = (dir: string) => readdirSync(dir).find((n) => n.startsWith('rec.partial-'))

/** Waits until the partial recording has committed a step past `atLeast`. */
async function waitForCommittedSteps(dir: string, atLeast: number): Promise<string> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const name = partialFile(dir)
    const s = name ? readSummary(join(dir, name)) : undefined
    if (name && s?.ok && s.summary.steps > atLeast) return name
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('the recording never committed any steps')
}

const exited = (p: ChildProcess) => new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
  let stderr = ''
  p.stderr!.on('data', (d) => (stderr += d))
  p.on('exit', (code, signal) => resolve({ code, signal, stderr }))
})

const cli = (dir: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' })

describe('bootscope record, interrupted', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} ends the recording as interrupted at its last step, in place`, async () => {
      const dir = await tickerDir()
      const p = startRecording(dir)
      const done = exited(p)
      await waitForCommittedSteps(dir, 1_000_000)
      p.kill(signal)
      const r = await done
      expect(r.code, r.stderr).toBe(code)
      expect(r.stderr).toMatch(/interrupted at step \d+/)
      expect(partialFile(dir)).toBeUndefined()
      const rec = RecordingReader.open(join(dir, 'rec.sqlite'))
      if (!rec.ok) throw new Error(rec.error.message)
      try {
        expect(rec.value.outcome).toBe('interrupted')
        expect(rec.value.steps).toBeGreaterThan(1_000_000)
        const stops = rec.value.events({ kinds: ['stop'] })
        expect(stops).toHaveLength(1)
        expect(stops[0]).toMatchObject({ step: rec.value.steps, data: { reason: 'interrupted' } })
        const text = rec.value.events({ kinds: ['uart_output'] }).map((e) => (e.data as { text: string }).text).join('')
        expect(text.startsWith('tick\ntick\n')).toBe(true)
      } finally {
        rec.value.close()
      }
    }, 90_000)
  }

  it('after kill -9 the partial file reads as incomplete up to its last committed step, and every query says so', async () => {
    const dir = await tickerDir()
    const p = startRecording(dir)
    const done = exited(p)
    await waitForCommittedSteps(dir, 2_000_000)
    p.kill('SIGKILL')
    expect((await done).signal).toBe('SIGKILL')
    expect(existsSync(join(dir, 'rec.sqlite'))).toBe(false)
    const name = partialFile(dir)!
    const s = readSummary(join(dir, name))
    if (!s.ok) throw new Error(s.message)
    expect(s.summary.outcome).toBe('incomplete')
    const last = s.summary.steps
    expect(last).toBeGreaterThan(2_000_000)

    const events = cli(dir, 'events', name, '--kind', 'uart_output', '--json')
    expect(events.status).toBe(0)
    expect(events.stderr).toContain(`incomplete`)
    expect(events.stderr).toContain(`up to step ${last}`)
    const lines = events.stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: number })
    expect(lines.length).toBeGreaterThan(10)
    expect(Math.max(...lines.map((l) => l.step))).toBeLessThanOrEqual(last)

    const past = cli(dir, 'at', name, String(last + 1_000_000))
    expect(past.status).toBe(1)
    expect(past.stderr).toContain(`past the end of the recording: its last step is ${last}`)
    const atEnd = cli(dir, 'at', name, String(last), '--json')
    expect(atEnd.status, atEnd.stderr).toBe(0)
    expect(JSON.parse(atEnd.stdout).step).toBe(last)
    expect(atEnd.stderr).toContain('incomplete')
  }, 120_000)
})
