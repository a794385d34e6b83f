import { describe, expect, it } from 'vitest'
import { isLinuxImage, kernelStartAddr, linuxImageSize, loadInitrd, loadKernel } from '../../../../src/main/machine/boot/kernel-image'
import { loadRaw } from '../../../../src/main/machine/boot/loader'
import { buildKernel, objcopy, toBinary } from '../../../fixtures/machine/build-kernel'

const RAM_BASE = 0x8000_0000n
const newRam = (mib = 128) => ({ base: RAM_BASE, bytes: new Uint8Array(mib * 1024 * 1024) })
const imageElf = () => buildKernel(['linux-image-header.S', 'chosen-initrd.S'], 'linux-image.ld')

describe('what the kernel file is', () => {
  it('recognises a RISC-V Linux Image by either magic of its header, and nothing else', () => {
    const header = new Uint8Array(64)
    expect(isLinuxImage(header)).toBe(false)
    header.set([0x52, 0x53, 0x43, 0x05], 56) // magic2 "RSC\x05"
    expect(isLinuxImage(header)).toBe(true)
    const old = new Uint8Array(64)
    old.set([0x52, 0x49, 0x53, 0x43, 0x56, 0, 0, 0], 48) // the deprecated "RISCV\0\0\0"
    expect(isLinuxImage(old)).toBe(true)
    expect(isLinuxImage(header.subarray(0, 60))).toBe(false) // shorter than a header
    expect(isLinuxImage(imageElf().bytes)).toBe(false) // the ELF around it is not an Image
  })

  it('refuses a file that is neither an ELF nor an Image, and says how to load it raw', () => {
    const ram = newRam()
    const r = loadKernel({ bytes: new TextEncoder().encode('#!/bin/sh\necho not a kernel\n'), file: 'script.sh' }, 0x8020_0000n, ram)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('boot.not_elf')
    expect(r.error.message).toContain('not an ELF file, nor a RISC-V Linux Image')
    expect(r.error.hint).toContain('--raw 0x80200000')
    expect(r.error.loc).toEqual({ file: 'script.sh', line: 1, column: 1 })
    expect(ram.bytes.every((b) => b === 0)).toBe(true)
  })

  it('loads a raw binary at the address given, and refuses a raw address for an ELF', () => {
    const ram = newRam()
    const bytes = new Uint8Array([0x13, 0, 0, 0, 0x6f, 0, 0, 0])
    const r = loadKernel({ bytes, file: 'k.bin', rawAddr: 0x8040_0000n }, 0x8020_0000n, ram)
    if (!r.ok) throw new Error(r.error.message)
    expect([r.value.lowestPaddr, r.value.entryPaddr, r.value.loadBase]).toEqual([0x8040_0000n, 0x8040_0000n, 0x8040_0000n])
    expect(Array.from(ram.bytes.subarray(0x40_0000, 0x40_0008))).toEqual(Array.from(bytes))
    const elf = loadKernel({ bytes: imageElf().bytes, file: 'k.elf', rawAddr: 0x8020_0000n }, 0x8020_0000n, newRam())
    expect(!elf.ok && elf.error.code).toBe('boot.raw_elf')
  })
})

describe.skipIf(objcopy.missing)('a Linux Image', () => {
  it('goes to the kernel start address and occupies its image_size (.bss included)', () => {
    const image = toBinary(imageElf().elf)
    expect(isLinuxImage(image)).toBe(true)
    const size = linuxImageSize(image)
    expect(size).toBeGreaterThan(BigInt(image.length)) // the stack in .bss is not in the file
    const ram = newRam()
    const r = loadKernel({ bytes: image, file: 'Image' }, 0x8020_0000n, ram)
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.segments).toEqual([{ image: 'kernel', vaddr: 0x8020_0000n, paddr: 0x8020_0000n, filesz: image.length, memsz: size, sections: [] }])
    expect(r.value.highestPaddrEnd).toBe(0x8020_0000n + size)
    expect(ram.bytes[0x20_0000 + 56]).toBe(0x52) // the header is in RAM where the kernel starts
  })
})

describe('where QEMU 7.2 puts a kernel that is not an ELF, and the initrd', () => {
  it('kernel start: DRAM base without firmware, 0x80200000 for the built-in SBI, the firmware end rounded up to 2 MiB', () => {
    expect(kernelStartAddr('none')).toBe(0x8000_0000n)
    expect(kernelStartAddr('builtin')).toBe(0x8020_0000n)
    const fw = (end: bigint) => {
      const r = loadRaw(new Uint8Array(Number(end - RAM_BASE)), RAM_BASE, newRam(), { file: 'fw.bin', image: 'firmware' })
      if (!r.ok) throw new Error(r.error.message)
      return r.value
    }
    expect(kernelStartAddr(fw(0x8004_2000n))).toBe(0x8020_0000n) // OpenSBI's fw_jump.bin
    expect(kernelStartAddr(fw(0x8020_0000n))).toBe(0x8020_0000n)
    expect(kernelStartAddr(fw(0x8020_0001n))).toBe(0x8040_0000n)
  })

  it('initrd: half-way into RAM above the kernel, at most 128 MiB above it', () => {
    const initrd = { bytes: new Uint8Array([1, 2, 3, 4, 5]), file: 'initrd.img' }
    const small = newRam(128)
    const r = loadInitrd(initrd, 0x8020_0000n, small)
    expect(r).toEqual({ ok: true, value: { start: 0x8420_0000n, end: 0x8420_0005n } })
    expect(Array.from(small.bytes.subarray(0x420_0000, 0x420_0005))).toEqual([1, 2, 3, 4, 5])
    expect(loadInitrd(initrd, 0x8000_0000n, newRam(512))).toEqual({ ok: true, value: { start: 0x8800_0000n, end: 0x8800_0005n } })
  })

  it('initrd: one that does not fit is an error that names the place and the fix', () => {
    const r = loadInitrd({ bytes: new Uint8Array(70 * 1024 * 1024), file: 'big.cpio' }, 0x8000_0000n, newRam(128))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('boot.initrd_outside_ram')
    expect(r.error.message).toContain('goes at 0x84000000')
    expect(r.error.hint).toContain('raise --mem')
  })
})
