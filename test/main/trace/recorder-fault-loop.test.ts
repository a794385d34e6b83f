/**
 * A fault loop under real firmware ends the recording and the boot within their budget: the seed
 * 004 mistake (no identity mapping) under Debian's OpenSBI makes the hart fault at the instruction
 * after `csrw satp`, then forever at stvec, retiring nothing. Both `record` and `boot` stop with a
 * trap loop that names the first faulting instruction, and the recording stays small.
 */
import { describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildFolder, EXAMPLE, withoutIdentityMapping } from '../../support/build-workspace'
import { parseElf } from '../../support/build-program'
import { openSbiFwJump } from '../../support/oracles'
import { RecordingReader } from '../../../src/main/trace/recording-reader'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const openSbi = openSbiFwJump()
/** `csrrw x0, satp, t0` (csrw satp, t0). */
const CSRW_SATP_T0 = 0x18029073

/** The kernel without its identity mapping, and the physical address of the instruction after `csrw satp`. */
function brokenKernel(dir: string): { path: string; afterSatp: bigint } {
  const elf = buildFolder(EXAMPLE, { 'entry.S': withoutIdentityMapping(readFileSync(join(EXAMPLE, 'entry.S'), 'utf8')) })
  const text = parseElf(elf).segments.find((s) => s.paddr === 0x8020_0000n)!
  const words = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength)
  let at = -1
  for (let i = 0; i + 4 <= text.data.length; i += 2) if (words.getUint32(i, true) === CSRW_SATP_T0) at = i
  expect(at).toBeGreaterThan(0)
  const path = join(dir, 'noid.elf')
  writeFileSync(path, elf)
  return { path, afterSatp: 0x8020_0000n + BigInt(at) + 4n }
}

describe.skipIf(openSbi.missing)('a fault loop under OpenSBI', () => {
  it('record stops on the trap loop, naming the instruction after the satp write, with a small file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-faultloop-'))
    const k = brokenKernel(dir)
    const r = spawnSync(process.execPath, [bin, 'record', k.path, '--bios', openSbi.path!, '--max-steps', '20000000', '-o', 'rec.sqlite'], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
    expect(r.status, r.stderr).toBe(125)
    const pc = `0x${k.afterSatp.toString(16)}`
    expect(r.stderr).toContain(`trap-loop at step`)
    expect(r.stderr).toContain(`instruction page fault at ${pc} after satp was written`)
    const rec = RecordingReader.open(join(dir, 'rec.sqlite'))
    if (!rec.ok) throw new Error(rec.error.message)
    try {
      expect(rec.value.outcome).toBe('trap-loop')
      const stop = rec.value.events({ kinds: ['stop'] })[0]
      expect(stop.pc).toBe(pc)
      expect(rec.value.countsByKind().trap).toBeLessThan(5_000_000)
    } finally {
      rec.value.close()
    }
    expect(statSync(join(dir, 'rec.sqlite')).size).toBeLessThan(2_000_000_000)
  }, 180_000)

  it('boot stops on the same loop and names the same instruction', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-faultloop-'))
    const k = brokenKernel(dir)
    const r = spawnSync(process.execPath, [bin, 'boot', k.path, '--bios', openSbi.path!, '--max-steps', '20000000'], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
    expect(r.status, r.stderr).toBe(125)
    expect(r.stderr).toContain(`(pc 0x${k.afterSatp.toString(16)}): instruction page fault at 0x${k.afterSatp.toString(16)} after satp was written`)
  }, 180_000)
})
