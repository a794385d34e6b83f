/**
 * `--engine interp|blocks` on any command (issue 17): it chooses the hart's engine for the whole
 * process (it overrides BOOTSCOPE_ENGINE), both engines print the same boot, and a wrong value is
 * a one-line usage error.
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildFolder, EXAMPLE } from '../../support/build-workspace'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const cli = (dir: string, env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } })

describe('bootscope --engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-engine-'))
  writeFileSync(join(dir, 'k.elf'), buildFolder(EXAMPLE))

  it('boots the same with the interpreter and with compiled blocks, and the flag wins over BOOTSCOPE_ENGINE', () => {
    // An unusable BOOTSCOPE_ENGINE fails unless --engine replaces it: proof the flag reaches the hart.
    const broken = cli(dir, { BOOTSCOPE_ENGINE: 'warp' }, 'boot', 'k.elf')
    expect(broken.status).toBe(1)
    expect(broken.stderr).toMatch(/BOOTSCOPE_ENGINE=warp: expected 'interpreter' or 'blocks'/)
    const interp = cli(dir, { BOOTSCOPE_ENGINE: 'warp' }, 'boot', 'k.elf', '--engine', 'interp')
    const blocks = cli(dir, { BOOTSCOPE_ENGINE: 'warp' }, 'boot', '--engine=blocks', 'k.elf')
    expect(interp.status).toBe(0)
    expect(blocks.status).toBe(0)
    expect(interp.stdout.length).toBeGreaterThan(20)
    expect(blocks.stdout).toBe(interp.stdout)
  }, 120_000)

  it('refuses an unknown engine in one line', () => {
    const r = cli(dir, {}, 'boot', 'k.elf', '--engine', 'fast')
    expect(r.status).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe("bootscope boot: --engine: expected 'interp' or 'blocks', got 'fast'")
  })
})
