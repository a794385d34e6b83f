import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../../src/main/cli/command'
import { parseBootArgs, parseSize, unescapeInput } from '../../../../src/main/cli/commands/boot'
import { binutilsMissing, buildKernel } from '../../../fixtures/machine/build-kernel'
import { hartMissing } from './harness'
import { openSbiFwJump, uBootSmode } from '../../../support/oracles'
import { readElf } from '../../../../src/shared/elf/reader'
import { PT_LOAD } from '../../../../src/shared/elf/constants'

const hex = (x: bigint) => `0x${x.toString(16)}`

const BIN = fileURLToPath(new URL('../../../../bin/bootscope.mjs', import.meta.url))

describe('bootscope boot arguments', () => {
  it('reads the kernel and every option', () => {
    expect(parseBootArgs(['k.elf', '--bios', 'none', '--mem', '256M', '--max-steps', '1000', '--tohost', '--strict-tlb', '--input', 'a\\nb', '--disk', 'fs.img'])).toEqual({
      kernel: 'k.elf',
      bios: 'none',
      memBytes: 256 * 1024 * 1024,
      maxSteps: 1000n,
      tohost: true,
      strictTlb: true,
      input: 'a\nb',
      disk: 'fs.img',
      events: false,
      modules: [],
    })
    expect(parseBootArgs(['Image', '--initrd', 'rootfs.cpio', '--append', 'console=ttyS0 quiet', '--raw', '0x80200000'])).toMatchObject({
      kernel: 'Image',
      initrd: 'rootfs.cpio',
      append: 'console=ttyS0 quiet',
      rawAddr: 0x8020_0000n,
    })
    expect(() => parseBootArgs(['k.bin', '--raw', 'there'])).toThrow(/--raw takes a number/)
  })
  it('reads the machine, the command line and Multiboot modules', () => {
    expect(parseBootArgs(['k.elf', '--machine', 'x86-pc', '--append', 'console=ttyS0 quiet', '--module', 'initrd.img,initrd  --x', '--module', 'fs.img'])).toMatchObject({
      machine: 'x86-pc',
      append: 'console=ttyS0 quiet',
      modules: [{ file: 'initrd.img', string: 'initrd  --x' }, { file: 'fs.img' }],
    })
    expect(() => parseBootArgs(['k.elf', '--machine', 'arm-virt'])).toThrow(/the machines are riscv64-virt, x86-pc/)
  })
  it('defaults to the built-in firmware, 128 MiB and 5 G steps (xv6 needs ≈ 420 M to reach its shell)', () => {
    expect(parseBootArgs(['k.elf'])).toMatchObject({ bios: 'builtin', memBytes: 128 << 20, maxSteps: 5_000_000_000n })
  })
  it('rejects a missing kernel, unknown options and bad sizes as usage errors', () => {
    expect(() => parseBootArgs([])).toThrow(UsageError)
    expect(() => parseBootArgs(['k.elf', '--frobnicate'])).toThrow(/unknown option --frobnicate/)
    expect(() => parseBootArgs(['k.elf', '--mem', 'lots'])).toThrow(/--mem lots/)
    expect(() => parseBootArgs(['k.elf', '--max-steps', '-1'])).toThrow(UsageError)
  })
  it('parses sizes like QEMU -m and input escapes', () => {
    expect(parseSize('1G')).toBe(1 << 30)
    expect(parseSize('512k')).toBe(512 * 1024)
    expect(parseSize('12x')).toBeUndefined()
    expect(unescapeInput('version\\r\\\\')).toBe('version\r\\')
  })
})

describe.skipIf(hartMissing || binutilsMissing)('bootscope boot (the command)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'boot', ...args], { encoding: 'utf8', timeout: 60_000 })

  it('prints the UART on stdout, the stop reason on stderr, and exits with the guest’s code', () => {
    const k = buildKernel(['uart-hello.S'], 'm-mode.ld')
    const r = run(k.elf, '--bios', 'none')
    expect(r.stdout).toBe('hello from M-mode over the 16550\nfdt: yes\n')
    expect(r.stderr).toMatch(/bootscope boot: shutdown at step \d+ \(pc 0x[0-9a-f]+\): the guest powered off with exit code 3/)
    expect(r.status).toBe(3)
  })

  it('explains the higher-half kernel linked without AT() as a diagnostic with a hint, exit 1', () => {
    const k = buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker.ld')
    const r = run(k.elf)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('p_paddr 0xffffffff80200000 is outside RAM')
    expect(r.stderr).toContain('hint: link with AT() so the load address is physical')
    expect(r.status).toBe(1)
  })

  it('refuses a file that is neither an ELF nor a Linux Image unless --raw says where it goes', () => {
    const k = buildKernel(['uart-hello.S'], 'm-mode.ld')
    const bin = join(mkdtempSync(join(tmpdir(), 'bootscope-raw-')), 'k.bin')
    // The ELF's single segment, as `objcopy -O binary` would write it: a raw binary.
    const elf = readElf(k.bytes, { file: k.elf })
    if (!elf.ok) throw new Error(elf.error.message)
    const seg = elf.value.segments.find((s) => s.type === PT_LOAD && s.filesz > 0)!
    writeFileSync(bin, k.bytes.subarray(seg.offset, seg.offset + seg.filesz))
    const refused = run(bin, '--bios', 'none')
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain('not an ELF file, nor a RISC-V Linux Image')
    expect(refused.stderr).toContain('hint: if it is a raw binary, give its load address: --raw 0x80000000')
    expect(refused.status).toBe(1)
    const raw = run(bin, '--bios', 'none', '--raw', hex(seg.paddr))
    expect(raw.stdout).toBe('hello from M-mode over the 16550\nfdt: yes\n')
    expect(raw.status).toBe(3)
  })

  it('stops a runaway guest at --max-steps with exit code 124', () => {
    const k = buildKernel(['spin.S'], 'm-mode.ld')
    const r = run(k.elf, '--bios', 'none', '--max-steps', '100000')
    expect(r.stderr).toContain('stopped after 100000 steps: the step budget is exhausted — the guest may be in an infinite loop')
    expect(r.stderr).toContain('hint: if the boot needs more steps, raise the budget (--max-steps')
    expect(r.status).toBe(124)
  })

  const openSbi = openSbiFwJump()
  const uBoot = uBootSmode()
  it.skipIf(openSbi.missing || uBoot.missing)('types --input when U-Boot asks: the key stops the autoboot countdown, the command after it runs at the prompt', () => {
    const r = spawnSync(process.execPath, [BIN, 'boot', uBoot.path!, '--raw', '0x80200000', '--bios', openSbi.path!, '--input', ' version\\r'], { encoding: 'utf8', timeout: 300_000 })
    // The countdown stops at its first second (it would print 2, 1, 0, then try to boot from disks).
    expect(r.stdout).toMatch(/Hit any key to stop autoboot: +2 [\b ]+0 \r\n=> version\r\nU-Boot 20\d\d/)
    expect(r.stdout).not.toContain('Device 0')
    expect(r.stdout.endsWith('=> ')).toBe(true)
    expect(r.stderr).toMatch(/waiting-for-input at step \d+/)
    expect(r.status).toBe(0)
  }, 300_000)
})
