/**
 * What NASM's `%include` and `incbin` may read (issue 10, item 9): a file the caller refuses — a
 * device, a FIFO, a file over its cap — is one located error at the directive that named it,
 * never an exception out of the assembler; an include over the source-text cap is refused too.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assembleNasm } from '../../../../../src/main/toolchain/asm/nasm'
import { MAX_INCBIN_BYTES, readRegularFile } from '../../../../../src/main/files/regular-file'
import { InputFileRefused, MAX_INCLUDED_TEXT_BYTES } from '../../../../../src/main/toolchain/input-file'

/** The command line's reader: regular files only, size-limited; a missing file is undefined. */
function cliReadFile(path: string): Uint8Array | undefined {
  const r = readRegularFile(path, 'included file', MAX_INCBIN_BYTES)
  if (r.ok) return r.value
  if (r.error.code === 'file.not_found') return undefined
  throw new InputFileRefused(r.error.message, r.error.hint)
}

function errorsOf(src: string, readFile: (p: string) => Uint8Array | undefined): string[] {
  const r = assembleNasm(src, { file: 'k.asm', format: 'elf64', readFile })
  expect(r.object).toBeUndefined()
  const errors = r.diagnostics.filter((d) => d.severity === 'error')
  for (const d of errors) expect(d.message).not.toContain('\n')
  return errors.map((d) => `${d.loc?.file}:${d.loc?.line}:${d.loc?.column} ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`)
}

describe('NASM input files', () => {
  it('%include of a device is an error at the %include line', () => {
    expect(errorsOf('bits 64\nnop\n  %include "/dev/zero"\nnop\n', cliReadFile)).toEqual([
      "k.asm:3:3 the included file '/dev/zero' is a character device, not a regular file (hint: name a file on disk (devices, pipes and folders cannot be an included file))",
    ])
  })

  it('incbin of a device or a FIFO is an error at the incbin statement', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-nasm-in-'))
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    expect(errorsOf('section .data\nblob: incbin "/dev/urandom"\n', cliReadFile)).toEqual([
      expect.stringMatching(/^k\.asm:2:7 the included file '\/dev\/urandom' is a character device, not a regular file/),
    ])
    expect(errorsOf(`section .data\nincbin "${fifo}"\n`, cliReadFile)).toEqual([expect.stringMatching(/^k\.asm:2:1 the included file '.*pipe' is a FIFO \(named pipe\), not a regular file/)])
  })

  it('still reads regular files, and says a missing one is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootscope-nasm-in-'))
    writeFileSync(join(dir, 'defs.inc'), 'VALUE equ 7\n')
    writeFileSync(join(dir, 'blob.bin'), Uint8Array.of(1, 2, 3))
    const r = assembleNasm(`%include "${dir}/defs.inc"\nsection .data\ndb VALUE\nincbin "${dir}/blob.bin"\n`, { file: 'k.asm', format: 'elf64', readFile: cliReadFile })
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect([...r.object!.sections.find((s) => s.name === '.data')!.data]).toEqual([7, 1, 2, 3])
    expect(errorsOf(`%include "${dir}/nope.inc"\n`, cliReadFile)).toEqual([`k.asm:1:1 cannot open include file \`${dir}/nope.inc\``])
  })

  it('refuses an include larger than the source-text cap', () => {
    const big = new Uint8Array(MAX_INCLUDED_TEXT_BYTES + 1).fill(0x3b) // ';' — a comment, were it read
    expect(errorsOf('nop\n%include "big.inc"\n', (p) => (p === 'big.inc' ? big : undefined))).toEqual([
      'k.asm:2:1 include file `big.inc` is larger than 8 MiB (hint: include source text, not data (use incbin for data))',
    ])
  })
})
