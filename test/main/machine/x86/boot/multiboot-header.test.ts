import { describe, expect, it } from 'vitest'
import { multibootHeader } from '../../../../../src/main/machine/x86/boot/multiboot-header'
import { buildX86Kernel, x86Toolchain } from '../../../../support/x86-tools'

/** An image of `size` bytes with 32-bit words written at byte offsets. */
function image(size: number, words: [number, number][]): Uint8Array {
  const b = new Uint8Array(size)
  const v = new DataView(b.buffer)
  for (const [o, w] of words) v.setUint32(o, w >>> 0, true)
  return b
}

const MB1 = 0x1badb002
const MB2 = 0xe85250d6

describe('Multiboot headers', () => {
  it.skipIf(x86Toolchain().missing)('finds the header GNU as assembled into a real kernel', () => {
    const k = buildX86Kernel({ sources: ['mb1-hello.S'], bits: 32, script: 'link-1m.ld' })
    const h = multibootHeader(k.bytes, 'k.elf')
    expect(h).toMatchObject({ ok: true, value: { version: 1, flags: 3 } })
  })

  it('reads the a.out-kludge address fields of flag 16', () => {
    const flags = 0x10003
    const h = multibootHeader(image(64, [[4, MB1], [8, flags], [12, -(MB1 + flags)], [16, 0x100004], [20, 0x100000], [24, 0x101000], [28, 0x102000], [32, 0x100020]]), 'k.bin')
    expect(h.ok && h.value).toMatchObject({ version: 1, offset: 4, address: { headerAddr: 0x100004, loadAddr: 0x100000, loadEndAddr: 0x101000, bssEndAddr: 0x102000, entryAddr: 0x100020 } })
  })

  it('explains a wrong checksum with the value it should have', () => {
    const h = multibootHeader(image(64, [[0, MB1], [4, 3], [8, 0]]), 'k.elf')
    expect(h.ok).toBe(false)
    if (!h.ok) {
      expect(h.error.code).toBe('boot.multiboot_checksum')
      expect(h.error.message).toContain('need checksum 0xe4524ffb')
    }
  })

  it('does not see a header past the first 8 KiB, and says what GRUB and QEMU need', () => {
    const h = multibootHeader(image(16384, [[8192, MB1], [8196, 0], [8200, -MB1]]), 'late.elf')
    expect(h.ok).toBe(false)
    if (!h.ok) {
      expect(h.error.code).toBe('boot.no_multiboot')
      expect(h.error.message).toMatch(/^late\.elf: no Multiboot header — GRUB and QEMU boot an x86 kernel only when it carries one/)
      expect(h.error.hint).toMatch(/0x1BADB002/)
    }
  })

  it('refuses a misaligned magic and unknown required flags', () => {
    const mis = multibootHeader(image(64, [[2, MB1], [6, 0], [10, -MB1]]), 'k')
    expect(!mis.ok && mis.error.code).toBe('boot.multiboot_misaligned')
    const flags = 1 << 5
    const unk = multibootHeader(image(64, [[0, MB1], [4, flags], [8, -(MB1 + flags)]]), 'k')
    expect(!unk.ok && unk.error.message).toMatch(/required features 0x20/)
  })

  it('reads a Multiboot2 header with its tags, preferring it over a Multiboot 1 header', () => {
    const len = 16 + 16 + 24 + 8 + 8
    const words: [number, number][] = [
      [0, MB1], [4, 0], [8, -MB1],
      [16, MB2], [20, 0], [24, len], [28, -(MB2 + len)],
      // information request (type 1): memory map (6), ELF sections (9)
      [32, 1 | (0 << 16)], [36, 16], [40, 6], [44, 9],
      // framebuffer (type 5, optional): 80x25 text
      [48, 5 | (1 << 16)], [52, 20], [56, 80], [60, 25], [64, 0],
      // module alignment (type 6)
      [72, 6], [76, 8],
      [80, 0], [84, 8],
    ]
    const h = multibootHeader(image(128, words), 'k')
    expect(h.ok && h.value).toEqual({
      version: 2, offset: 16, headerLength: len, moduleAlign: true,
      requests: [{ type: 6, required: true }, { type: 9, required: true }],
      framebuffer: { width: 80, height: 25, depth: 0, required: false },
    })
  })

  it('refuses a required EFI tag, as GRUB does on a BIOS PC, but skips an optional one', () => {
    const len = 16 + 8 + 8
    const req = multibootHeader(image(64, [[0, MB2], [4, 0], [8, len], [12, -(MB2 + len)], [16, 7], [20, 8], [24, 0], [28, 8]]), 'k')
    expect(!req.ok && req.error.message).toMatch(/requires tag type 7 \(an EFI tag\)/)
    const opt = multibootHeader(image(64, [[0, MB2], [4, 0], [8, len], [12, -(MB2 + len)], [16, 7 | (1 << 16)], [20, 8], [24, 0], [28, 8]]), 'k')
    expect(opt.ok).toBe(true)
  })

  it('explains a tag list without an end tag', () => {
    const len = 24
    const h = multibootHeader(image(64, [[0, MB2], [4, 0], [8, len], [12, -(MB2 + len)], [16, 6], [20, 8]]), 'k')
    expect(!h.ok && h.error.code).toBe('boot.multiboot_tags')
  })
})
