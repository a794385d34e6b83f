/**
 * Files a user names are read only as regular files within a size cap (issue 10, item 9):
 * devices, FIFOs and folders are refused at once with a message naming what they are, and
 * the command line's boot, build (`.incbin`, `.include`, `#include`, linker `INCLUDE`) and
 * `--bios` / `--disk` say so in one line instead of reading `/dev/zero` until memory runs out.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkRegularFile, readRegularFile, readRegularFileAsync } from '../../../src/main/files/regular-file'
import { buildKernel } from '../../fixtures/machine/build-kernel'

const BIN = fileURLToPath(new URL('../../../bin/bootscope.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'bootscope-files-'))
const fifo = join(dir, 'pipe')
execFileSync('mkfifo', [fifo])

/** Runs the CLI with a deadline: before the fix these read /dev/zero for minutes or blocked on the FIFO. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, stderr: r.stderr, timedOut: r.error !== undefined }
}

describe('reading a file the user named', () => {
  it('reads a regular file within the cap', async () => {
    writeFileSync(join(dir, 'k.bin'), Buffer.from([1, 2, 3]))
    expect(readRegularFile(join(dir, 'k.bin'), 'kernel', 16)).toEqual({ ok: true, value: new Uint8Array([1, 2, 3]) })
    expect(await readRegularFileAsync(join(dir, 'k.bin'), 'kernel', 16)).toEqual({ ok: true, value: new Uint8Array([1, 2, 3]) })
  })

  it.each([
    ['/dev/zero', 'a character device'],
    ['/dev/urandom', 'a character device'],
    [fifo, 'a FIFO (named pipe)'],
    [tmpdir(), 'a folder'],
  ])('refuses %s as %s, without reading or blocking', async (path, kind) => {
    for (const r of [readRegularFile(path, 'firmware', 1 << 20), await readRegularFileAsync(path, 'firmware', 1 << 20), checkRegularFile(path, 'firmware', 1 << 20)]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'file.not_regular', message: `the firmware '${path}' is ${kind}, not a regular file` } })
    }
  })

  it('refuses a file over the cap by its size, before reading it', () => {
    const big = join(dir, 'sparse.img')
    writeFileSync(big, '')
    truncateSync(big, 3 * 1024 * 1024 * 1024) // 3 GiB, sparse: nothing is written
    expect(readRegularFile(big, 'kernel', 256 * 1024 * 1024)).toMatchObject({
      ok: false, error: { code: 'file.too_large', message: `the kernel '${big}' is 3072 MiB, more than the 256 MiB a kernel may be` },
    })
  })

  it('refuses a checked path whose last component has become a link, when told not to follow one', async () => {
    writeFileSync(join(dir, 'real.elf'), Buffer.from([7]))
    symlinkSync('/etc/passwd', join(dir, 'swapped.elf'))
    expect(await readRegularFileAsync(join(dir, 'real.elf'), 'kernel', 16, { noFollow: true })).toEqual({ ok: true, value: new Uint8Array([7]) })
    expect(await readRegularFileAsync(join(dir, 'swapped.elf'), 'kernel', 1 << 20, { noFollow: true })).toMatchObject({ ok: false, error: { code: 'file.link_changed' } })
  })

  it('says a missing file is missing', () => {
    expect(readRegularFile(join(dir, 'nope'), 'kernel', 10)).toMatchObject({ ok: false, error: { code: 'file.not_found' } })
  })
})

describe('the command line refuses special files in one line', () => {
  const kernel = buildKernel(['sbi-hello.S'], 's-mode.ld').elf

  it.each([
    ['boot --bios /dev/zero', ['boot', kernel, '--bios', '/dev/zero'], "the firmware '/dev/zero' is a character device"],
    ['boot with a FIFO kernel', ['boot', fifo], `the kernel '${fifo}' is a FIFO (named pipe)`],
    ['boot --disk /dev/zero', ['boot', kernel, '--disk', '/dev/zero'], "the disk image '/dev/zero' is a character device"],
    ['record --bios /dev/urandom', ['record', kernel, '--bios', '/dev/urandom', '-o', join(dir, 'r.sqlite')], "the firmware '/dev/urandom' is a character device"],
  ])('%s: exit 2 and the reason', (_what, args, says) => {
    const r = cli(args)
    expect(r.timedOut).toBe(false)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(says)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it.each([
    ['.incbin', 'main.S', '  .section .data\n  .incbin "/dev/zero"\n', 'main.S:2:'],
    ['.include', 'main.S', '  .include "/dev/urandom"\n', 'main.S:1:'],
    ['#include', 'main.S', '#include "/dev/zero"\n  nop\n', 'main.S:1:'],
  ])('build with %s of a device: exit 1 and an error at the line', (_what, file, text, where) => {
    writeFileSync(join(dir, file), text)
    const r = cli(['build', file, '-o', 'k.elf'])
    expect(r.timedOut).toBe(false)
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(where)
    expect(r.stderr).toMatch(/is a character device, not a regular file/)
  })

  it('build with a linker script that INCLUDEs a device: exit 1 and an error at the INCLUDE', () => {
    writeFileSync(join(dir, 'ok.S'), '  .globl _start\n_start: nop\n')
    writeFileSync(join(dir, 'k.ld'), 'INCLUDE /dev/zero\nSECTIONS { .text : { *(.text) } }\n')
    const r = cli(['build', '-T', 'k.ld', 'ok.S', '-o', 'k.elf'])
    expect(r.timedOut).toBe(false)
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('k.ld:1:')
    expect(r.stderr).toMatch(/'\/dev\/zero' is a character device, not a regular file/)
  })
})
