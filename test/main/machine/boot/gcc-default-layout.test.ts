/**
 * ELF files as gcc links them with its default linker script and only `-Ttext` (what tutorials
 * do), loaded as QEMU loads them: the first PT_LOAD also holds the ELF and program headers, so with
 * `-Ttext=0x80000000` it starts 4 KiB below RAM (0x7ffff000) — those header bytes are skipped with
 * a warning, not refused; with `-Ttext=0x80200000` the headers land at 0x801ff000 and the built-in
 * firmware must enter at e_entry, not at the segment's start.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadElf } from '../../../../src/main/machine/boot/loader'
import { oracle, qemu } from '../../../support/oracles'
import { boot, hartMissing } from '../machine/harness'
import { runQemu } from '../machine/qemu-run'

const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const q = qemu()

/** Powers off through the test finisher (pass) — from any privilege, on QEMU and here. */
const SOURCE = `.globl _start
_start:
  li a0, 0x100000
  li a1, 0x5555
  sw a1, 0(a0)
1: j 1b
`

function gccLink(ttext: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'gcc-ttext-'))
  writeFileSync(join(dir, 'k.S'), SOURCE)
  execFileSync(gcc.path!, ['-nostdlib', `-Wl,-Ttext=${ttext}`, join(dir, 'k.S'), '-o', join(dir, 'k.elf')])
  return new Uint8Array(readFileSync(join(dir, 'k.elf')))
}

describe.skipIf(gcc.missing || hartMissing)('kernels linked by gcc with -Ttext', () => {
  it('skips the header bytes below RAM with a warning and boots -Ttext=0x80000000 with -bios none, as QEMU does', async () => {
    const elf = gccLink('0x80000000')
    const loaded = loadElf(elf, { base: 0x8000_0000n, bytes: new Uint8Array(1 << 20) }, { file: 'k.elf', image: 'kernel' })
    if (!loaded.ok) throw new Error(loaded.error.message)
    expect(loaded.value.segments[0]).toMatchObject({ paddr: 0x8000_0000n, vaddr: 0x8000_0000n, sections: ['.text'] })
    expect(loaded.value.warnings.join('\n')).toContain('hold no section')
    const r = await boot({ bios: 'none', kernel: { bytes: elf, file: 'k.elf' } })
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
    expect(r.events.some((e) => e.kind === 'warning' && e.message.includes('hold no section'))).toBe(true)
    if (!q.missing) expect(runQemu(q.path!, elf, 'none')).toMatchObject({ exitCode: 0, timedOut: false })
  })

  it('enters a -Ttext=0x80200000 kernel at e_entry with the built-in firmware, not at its headers', async () => {
    const elf = gccLink('0x80200000')
    const r = await boot({ bios: 'builtin', kernel: { bytes: elf, file: 'k.elf' } })
    expect(r.events.find((e) => e.kind === 'firmware-handoff')).toMatchObject({ entry: 0x8020_0000n })
    expect(r.stop).toMatchObject({ reason: 'shutdown', exitCode: 0 })
  })
})
