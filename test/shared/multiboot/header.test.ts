import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findMultibootHeaders } from '../../../src/shared/multiboot/header'
import { nasmOracle } from '../../support/oracles'

const nasm = nasmOracle()

/** Assembles `source` with `nasm -fbin` (flat bytes, as the header sits in the file). */
function flat(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'mb-'))
  try {
    writeFileSync(join(dir, 'h.asm'), source)
    execFileSync(nasm.path!, ['-fbin', join(dir, 'h.asm'), '-o', join(dir, 'h.bin')])
    return new Uint8Array(readFileSync(join(dir, 'h.bin')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe.skipIf(nasm.missing)('findMultibootHeaders', () => {
  it('finds a Multiboot 1 and a Multiboot 2 header, each at its own alignment, by magic and checksum', () => {
    const b = flat(`
      times 12 db 0
      dd 0x1BADB002, 3, -(0x1BADB002 + 3)     ; at 12: 4-byte aligned
      dd 0, 0                                  ; MB2 at 32: 8-byte aligned
      mb2: dd 0xE85250D6, 0, 24, -(0xE85250D6 + 24)
      dw 0, 0
      dd 8`)
    expect(findMultibootHeaders(b)).toEqual([{ version: 1, offset: 12 }, { version: 2, offset: 32 }])
    // Alignment is the file offset's: the same bytes starting at file offset 4 hold no valid MB2 header.
    expect(findMultibootHeaders(b.subarray(4), 4)).toEqual([{ version: 1, offset: 8 }, { version: 2, offset: 28 }])
    expect(findMultibootHeaders(b.subarray(4), 0)).toEqual([{ version: 1, offset: 8 }])
  })

  it('ignores a magic whose checksum does not cancel, and a misaligned header', () => {
    const b = flat(`
      dd 0x1BADB002, 3, 0
      db 0, 0
      dd 0x1BADB002, 0, -0x1BADB002`)
    expect(findMultibootHeaders(b)).toEqual([])
  })
})
