/**
 * Reading Multiboot boot information back (the inspector's decoder) from bytes laid out as the
 * specifications say: an MB2 structure with cmdline, loader name, basic meminfo, a memory map and
 * ELF64 section headers; an MB1 structure whose memory map and strings live elsewhere (given as
 * extra chunks, else named as not read).
 */
import { describe, expect, it } from 'vitest'
import { mb1Pointers, readBootInfo } from '../../../src/shared/boot/multiboot-info-read'

function writer(size: number) {
  const b = new Uint8Array(size)
  const dv = new DataView(b.buffer)
  return { b, u32: (o: number, v: number) => dv.setUint32(o, v, true), u64: (o: number, v: bigint) => dv.setBigUint64(o, v, true), str: (o: number, s: string) => b.set(new TextEncoder().encode(s + '\0'), o) }
}

describe('readBootInfo', () => {
  it('reads a Multiboot 2 structure: strings, memory sizes, memory map, ELF sections', () => {
    const w = writer(512)
    let at = 8
    const tag = (type: number, size: number, fill: (o: number) => void) => {
      w.u32(at, type)
      w.u32(at + 4, size)
      fill(at)
      at += (size + 7) & ~7
    }
    tag(1, 8 + 6, (o) => w.str(o + 8, 'quiet'))
    tag(2, 8 + 5, (o) => w.str(o + 8, 'GRUB'))
    tag(4, 16, (o) => {
      w.u32(o + 8, 639)
      w.u32(o + 12, 129920)
    })
    tag(6, 16 + 2 * 24, (o) => {
      w.u32(o + 8, 24)
      w.u64(o + 16, 0n)
      w.u64(o + 24, 0x9fc00n)
      w.u32(o + 32, 1)
      w.u64(o + 40, 0x100000n)
      w.u64(o + 48, 0x7ee0000n)
      w.u32(o + 56, 1)
    })
    tag(9, 20 + 2 * 64, (o) => {
      w.u32(o + 8, 2)
      w.u32(o + 12, 64)
      w.u32(o + 16, 1)
      const h = o + 20 + 64 // section 1 (.text): type 1, flags AX, addr, size
      w.u32(h + 4, 1)
      w.u64(h + 8, 6n)
      w.u64(h + 16, 0x101000n)
      w.u64(h + 32, 0x664n)
    })
    tag(0, 8, () => {})
    w.u32(0, at)
    const r = readBootInfo(0x36d76289, 0x101670n, w.b)!
    expect(r).toMatchObject({ version: 2, size: at, cmdline: 'quiet', bootLoaderName: 'GRUB', memLowerKiB: 639, memUpperKiB: 129920, problems: [] })
    expect(r.memoryMap).toEqual([{ base: 0n, length: 0x9fc00n, type: 1 }, { base: 0x100000n, length: 0x7ee0000n, type: 1 }])
    expect(r.elfSections[1]).toEqual({ index: 1, type: 1, flags: 6n, addr: 0x101000n, size: 0x664n })
    expect(r.present).toEqual(['cmdline', 'boot_loader_name', 'basic_meminfo', 'mmap', 'elf_sections'])
  })

  it('reads a Multiboot 1 structure and follows its pointers into the chunks given', () => {
    const w = writer(116)
    w.u32(0, 1 | (1 << 2) | (1 << 6) | (1 << 9)) // MEMORY, CMDLINE, MEM_MAP, BOOT_LOADER_NAME
    w.u32(4, 639)
    w.u32(8, 130944)
    w.u32(16, 0x9100)
    w.u32(64, 0x9110)
    w.u32(44, 24)
    w.u32(48, 0x9000)
    const map = writer(24)
    map.u32(0, 20)
    map.u64(4, 0x100000n)
    map.u64(12, 0x7ee0000n)
    map.u32(20, 1)
    const strings = writer(64)
    strings.str(0, 'kernel.elf')
    strings.str(16, 'Bootscope')
    expect(mb1Pointers(w.b)).toEqual([{ address: 0x9000n, length: 24 }, { address: 0x9100n, length: 256 }, { address: 0x9110n, length: 256 }])
    const r = readBootInfo(0x2badb002, 0x9500n, w.b, [{ base: 0x9000n, bytes: map.b }, { base: 0x9100n, bytes: strings.b }])!
    expect(r).toMatchObject({ version: 1, memLowerKiB: 639, memUpperKiB: 130944, cmdline: 'kernel.elf', bootLoaderName: 'Bootscope', problems: [] })
    expect(r.memoryMap).toEqual([{ base: 0x100000n, length: 0x7ee0000n, type: 1 }])
    const alone = readBootInfo(0x2badb002, 0x9500n, w.b)!
    expect(alone.problems).toEqual(['the command line at 0x9100 was not read', 'the boot loader name at 0x9110 was not read', 'the memory map at 0x9000 was not read'])
  })

  it('refuses a magic that is not Multiboot', () => {
    expect(readBootInfo(0x12345678, 0n, new Uint8Array(16))).toBeUndefined()
  })
})
