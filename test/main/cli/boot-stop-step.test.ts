/** `bootscope boot` and `record` report the exact step a riscv-tests guest wrote `tohost` at, not the end of a polling slice. */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildProgram } from '../../support/build-program'

const bin = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))

/** 2 (li) + 2 × 12345 (the loop) + 2 (la) + 1 (li) + 1 (sd): the sd that writes tohost is instruction 24696 of the program. */
const PROGRAM = `
  .section .text.init
  .globl _start
_start:
  li t0, 12345
1: addi t0, t0, -1
  bnez t0, 1b
  la t1, tohost
  li t2, 1
  sd t2, 0(t1)
2: j 2b
  .section .tohost, "aw"
  .align 6
  .globl tohost
tohost: .dword 0
  .globl fromhost
fromhost: .dword 0
`
/** The boot ROM runs six instructions before jumping to the kernel (--bios none). */
const ROM_STEPS = 6

describe('the stop step of a tohost guest', () => {
  it('is the step of the store to tohost, for boot and record alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-stopstep-'))
    writeFileSync(join(dir, 't.elf'), (await buildProgram(PROGRAM)).elf)
    const expected = ROM_STEPS + 2 + 2 * 12345 + 2 + 1 + 1
    const boot = spawnSync(process.execPath, [bin, 'boot', 't.elf', '--bios', 'none', '--tohost'], { cwd: dir, encoding: 'utf8' })
    expect(boot.status, boot.stderr).toBe(0)
    expect(boot.stderr).toContain(`tohost at step ${expected} (pc `)
    const record = spawnSync(process.execPath, [bin, 'record', 't.elf', '--bios', 'none', '--tohost', '-o', 'r.sqlite'], { cwd: dir, encoding: 'utf8' })
    expect(record.status, record.stderr).toBe(0)
    expect(record.stderr).toContain(`tohost at step ${expected}:`)
  }, 60_000)
})
