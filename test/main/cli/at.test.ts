/** `bootscope build`, `record` and `at` as processes: the "`at` after the satp write" scenario. */
import { describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EXAMPLE } from '../../support/build-workspace'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const run = (args: string[], cwd: string) => execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

describe('bootscope at', () => {
  it('shows the two 1 GiB mappings after the satp write, a translation and memory through the table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-at-'))
    run(['build', '-T', join(EXAMPLE, 'linker.ld'), join(EXAMPLE, 'entry.S'), join(EXAMPLE, 'main.S'), '-o', 'k.elf'], dir)
    run(['record', 'k.elf', '-o', 'rec.sqlite'], dir)
    const events = run(['events', 'rec.sqlite', '--kind', 'satp_write', '--json'], dir)
    const satpStep = JSON.parse(events.trim().split('\n')[0]).step as number
    const after = run(['at', 'rec.sqlite', String(satpStep + 1), '--mappings', '--translate', '0xffffffff80200000', '--regs'], dir)
    expect(after).toContain('satp Sv39 root 0x80202000')
    expect(after).toMatch(/^\s*0x80000000 -> +0x80000000 +size +0x40000000 +RWXAD +1 GiB pages$/m)
    expect(after).toMatch(/^0xffffffff80000000 -> +0x80000000 +size +0x40000000 +RWXAD +1 GiB pages$/m)
    expect(after).toContain('level 2  vpn[2] = 510  PTE at 0x80202ff0 = 0x200000cf  leaf RWXAD')
    expect(after).toContain('0xffffffff80200000 -> 0x80200000 (1 GiB page, RWXAD)')
    expect(after).toMatch(/\*\s+satp 0x8000000000080202/)
    const before = JSON.parse(run(['at', 'rec.sqlite', String(satpStep), '--json'], dir))
    expect(before.instruction.text).toBe('csrw\tsatp,t0')
    expect(before.addressSpace.mappings).toEqual([])
  })

  it('explains a bad step and a file that is not a recording', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-at-'))
    const usage = spawnSync(process.execPath, [bin, 'at', 'rec.sqlite', 'ten'], { cwd: dir, encoding: 'utf8' })
    expect(usage.status).toBe(2)
    expect(usage.stderr).toContain('STEP is a number of retired instructions')
    const missing = spawnSync(process.execPath, [bin, 'at', 'nothing.sqlite', '3'], { cwd: dir, encoding: 'utf8' })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain("cannot open recording 'nothing.sqlite'")
  })

  it('bootscope find: where the PC reaches rust_main, forward and backward', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-find-'))
    run(['build', '-T', join(EXAMPLE, 'linker.ld'), join(EXAMPLE, 'entry.S'), join(EXAMPLE, 'main.S'), '-o', 'k.elf', '--layout', 'k.json'], dir)
    run(['record', 'k.elf', '-o', 'rec.sqlite'], dir)
    const high = JSON.parse(run(['events', 'rec.sqlite', '--kind', 'region_enter', '--json'], dir).trim().split('\n').at(-1)!)
    const main = high.data.va as string
    const found = JSON.parse(run(['find', 'rec.sqlite', '0', '--pc', main, '--json'], dir))
    expect(found).toMatchObject({ step: high.step })
    const back = run(['find', 'rec.sqlite', String(high.step + 10), '--pc', main, '--back'], dir)
    expect(back.trim()).toBe(`step ${high.step}: the PC was last at ${main} at step ${high.step}`)
    const none = spawnSync(process.execPath, [bin, 'find', 'rec.sqlite', '0', '--pc', main, '--limit', '3'], { cwd: dir, encoding: 'utf8' })
    expect(none.status).toBe(1)
    expect(none.stdout).toContain('not found')
  })
})
