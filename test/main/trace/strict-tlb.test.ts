/**
 * The strict-TLB teaching mode end to end: `--strict-tlb` on boot and record, kept in the recorded
 * configuration, so replay keeps a stale translation exactly where the recorded boot did. The
 * kernel (test/fixtures/machine/strict-tlb.S) rewrites a PTE without sfence.vma and writes satp
 * again: by default (as QEMU) that write flushes and the load sees the new page ('B'); in the
 * strict mode the stale entry stays until sfence.vma ('A').
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { build } from '../../../src/main/toolchain/build'
import { createMachine } from '../../../src/main/machine/core/create-machine'
import type { PcMachine } from '../../../src/main/machine/x86/pc-machine'
import { buildFolder } from '../../support/build-workspace'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const fixture = (f: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/machine/${f}`, import.meta.url)), 'utf8')
const cli = (dir: string, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' })

/** The step of the first putchar's ecall: a0 holds the byte the stale-or-not load read. */
const FIRST_PUTCHAR_STEP = '49'

function kernelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-strict-tlb-'))
  const r = build({ files: [{ path: 'k.S', text: fixture('strict-tlb.S') }, { path: 'k.ld', text: fixture('strict-tlb.ld') }], script: 'k.ld' })
  if (!r.ok || !r.elf) throw new Error(r.diagnostics.map((d) => d.message).join('\n'))
  writeFileSync(join(dir, 'k.elf'), r.elf)
  return dir
}

const a0At = (dir: string, rec: string) => /\ba0\s+(0x[0-9a-f]+)/.exec(cli(dir, 'at', rec, FIRST_PUTCHAR_STEP, '--regs').stdout)?.[1]

describe('the strict-TLB teaching mode', () => {
  const dir = kernelDir()

  it('boot: a satp write flushes the TLB as on QEMU; with --strict-tlb only sfence.vma does', () => {
    const plain = cli(dir, 'boot', 'k.elf')
    expect(plain.status, plain.stderr).toBe(0)
    expect(plain.stdout).toBe('BB\r\n')
    const strict = cli(dir, 'boot', 'k.elf', '--strict-tlb')
    expect(strict.status, strict.stderr).toBe(0)
    expect(strict.stdout).toBe('AB\r\n')
  })

  it('record keeps the mode in the recording, and replay reads the stale page where the boot did', () => {
    for (const [rec, flags, console, a0] of [
      ['strict.sqlite', ['--strict-tlb'], 'AB\r\n', '0x41'],
      ['plain.sqlite', [], 'BB\r\n', '0x42'],
    ] as const) {
      const r = cli(dir, 'record', 'k.elf', ...flags, '-o', rec)
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toBe(console)
      const db = new Database(join(dir, rec), { readonly: true })
      const config = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'config'").get() as { value: string }).value) as { strictTlb?: boolean }
      db.close()
      expect(config.strictTlb).toBe(flags.length ? true : undefined)
      expect(a0At(dir, rec)).toBe(a0)
    }
  })

  it('reaches the x86 hart too (invlpg and CR3 writes are then its only flushes; paging.test.ts has the behaviour)', async () => {
    const kernel = { file: 'kernel.elf', bytes: buildFolder(fileURLToPath(new URL('../../../resources/examples/i386-higher-half', import.meta.url))) }
    for (const strictTlb of [true, false]) {
      const m = await createMachine({ kernel, strictTlb })
      if (!m.ok) throw new Error(m.error.message)
      expect(m.value.arch).toBe('x86')
      expect((m.value as PcMachine).x86.strictTlb).toBe(strictTlb)
    }
  })
})
