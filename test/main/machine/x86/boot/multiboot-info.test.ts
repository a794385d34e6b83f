import { describe, expect, it } from 'vitest'
import { multibootHeader, type MultibootHeader } from '../../../../../src/main/machine/x86/boot/multiboot-header'
import { loadMultibootKernel } from '../../../../../src/main/machine/x86/boot/multiboot-load'
import { buildBootInformation, MB1_INFO_ADDR } from '../../../../../src/main/machine/x86/boot/multiboot-info'
import { buildX86Kernel, x86Toolchain } from '../../../../support/x86-tools'

const tools = x86Toolchain()
const RAM = 128 << 20

function boot(sources: string[], bits: 32 | 64, opts: { append?: string; modules?: { file: string; bytes: Uint8Array; string?: string }[]; asBuffer?: boolean } = {}) {
  const built = buildX86Kernel({ sources, bits, script: 'link-1m.ld' })
  // The CLI reads kernels as Node Buffers (whose slice() is a view, not a copy): both must work alike.
  const k = opts.asBuffer ? { ...built, bytes: Buffer.from(built.bytes) } : built
  const ram = new Uint8Array(RAM)
  const header = multibootHeader(k.bytes, 'kernel.elf')
  if (!header.ok) throw new Error(header.error.message)
  const kernel = loadMultibootKernel(k.bytes, 'kernel.elf', header.value, ram)
  if (!kernel.ok) throw new Error(kernel.error.message)
  const info = buildBootInformation(ram, { header: header.value as MultibootHeader, kernel: kernel.value, file: 'kernel.elf', append: opts.append, modules: opts.modules ?? [] })
  if (!info.ok) throw new Error(info.error.message)
  const dv = new DataView(ram.buffer)
  const u32 = (a: number) => dv.getUint32(a, true)
  const u64 = (a: number) => dv.getBigUint64(a, true)
  const cstr = (a: number) => new TextDecoder().decode(ram.subarray(a, ram.indexOf(0, a)))
  return { k, ram, kernel: kernel.value, info: info.value, u32, u64, cstr }
}

/** The memory map QEMU 7.2 (SeaBIOS) reports with -m 128M, as a kernel printed it under qemu-system-x86_64 (-kernel and GRUB alike). */
const QEMU_MMAP = [
  [0x0n, 0x9fc00n, 1],
  [0x9fc00n, 0x400n, 2],
  [0xf0000n, 0x10000n, 2],
  [0x100000n, 0x7ee0000n, 1],
  [0x7fe0000n, 0x20000n, 2],
  [0xfffc0000n, 0x40000n, 2],
  [0xfd00000000n, 0x300000000n, 2],
]

describe.skipIf(tools.missing)('Multiboot boot information', () => {
  it('places an ELF32 kernel at p_paddr, zeroes its BSS and enters at e_entry', () => {
    const { kernel, ram, k } = boot(['mb1-hello.S'], 32)
    expect(kernel.entry).toBe(0x10000c)
    expect(kernel.image.segments[0]).toMatchObject({ paddr: 0x100000n, sections: ['.boot', '.text', '.rodata', '.bss'] })
    expect(ram[0x100000]).toBe(0x02) // the header's magic 0x1BADB002, little-endian
    expect(ram.subarray(0x100000, 0x100010)).toEqual(k.bytes.subarray(0x1000, 0x1010))
  })

  it('builds Multiboot 1 information where QEMU puts it, with its memory map and mem_lower/upper', () => {
    const mod = new TextEncoder().encode('hello module\n')
    const { u32, u64, cstr, info } = boot(['mb1-hello.S'], 32, { append: 'console=ttyS0 hi', modules: [{ file: 'm.txt', bytes: mod, string: 'mod arg' }] })
    expect(info).toMatchObject({ magic: 0x2badb002, infoAddr: MB1_INFO_ADDR })
    const i = MB1_INFO_ADDR
    expect(u32(i)).toBe(0x26f) // QEMU's 0x24f plus ELF section headers (bit 5), as GRUB gives
    expect([u32(i + 4), u32(i + 8), u32(i + 12)]).toEqual([0x27f, 0x1fb80, 0x8000ffff])
    expect(cstr(u32(i + 16))).toBe('kernel.elf console=ttyS0 hi')
    expect(u32(i + 20)).toBe(1)
    const m = u32(i + 24)
    expect(u32(m) % 4096).toBe(0)
    expect(u32(m + 4) - u32(m)).toBe(mod.length)
    expect(cstr(u32(m + 8))).toBe('mod arg')
    expect(cstr(u32(i + 64))).toBe('Bootscope')
    const mmap: [bigint, bigint, number][] = []
    for (let e = u32(i + 48); e < u32(i + 48) + u32(i + 44); e += u32(e) + 4) mmap.push([u64(e + 4), u64(e + 12), u32(e + 20)])
    expect(mmap).toEqual(QEMU_MMAP)
  })

  it("gives MB1 ELF section headers with the unloaded sections copied into memory, like GRUB", () => {
    const { u32, ram, cstr, kernel } = boot(['mb1-hello.S'], 32)
    const i = MB1_INFO_ADDR
    const [num, size, addr, shndx] = [u32(i + 28), u32(i + 32), u32(i + 36), u32(i + 40)]
    expect(size).toBe(40)
    const elf = kernel.image.elf!
    expect(num).toBe(elf.header.shnum)
    const shstr = u32(addr + shndx * size + 12) // sh_addr of .shstrtab, now set
    expect(shstr).toBeGreaterThanOrEqual(kernel.end)
    const names = Array.from({ length: num }, (_, n) => cstr(shstr + u32(addr + n * size)))
    expect(names).toEqual(elf.sections.map((s) => s.name))
    const symtab = elf.sections.find((s) => s.name === '.symtab')!
    const symAddr = u32(addr + symtab.index * size + 12)
    expect(ram.subarray(symAddr, symAddr + symtab.size)).toEqual(symtab.data)
  })

  it('builds Multiboot 2 tags in GRUB order with the memory map, ELF sections and the EGA text framebuffer', () => {
    const { u32, u64, cstr, info, ram } = boot(['mb2-hello.asm'], 32, { append: 'console=ttyS0 hi', modules: [{ file: 'm', bytes: new Uint8Array(6), string: 'mod arg' }] })
    expect(info.magic).toBe(0x36d76289)
    const base = info.infoAddr
    expect(base % 8).toBe(0)
    const tags: { type: number; at: number; size: number }[] = []
    for (let t = base + 8; ; ) {
      tags.push({ type: u32(t), at: t, size: u32(t + 4) })
      if (u32(t) === 0) break
      t += (u32(t + 4) + 7) & ~7
    }
    expect(tags.map((t) => t.type)).toEqual([21, 1, 2, 3, 6, 9, 4, 5, 8, 0])
    expect(u32(base)).toBe(tags.at(-1)!.at + 8 - base)
    const tag = (type: number) => tags.find((t) => t.type === type)!.at
    expect(u32(tag(21) + 8)).toBe(0x100000)
    expect(cstr(tag(1) + 8)).toBe('console=ttyS0 hi')
    expect(cstr(tag(3) + 16)).toBe('mod arg')
    expect([u32(tag(4) + 8), u32(tag(4) + 12)]).toEqual([0x27f, 0x1fb80])
    const mm = tag(6)
    expect([u32(mm + 8), u32(mm + 12)]).toEqual([24, 0])
    const entries: [bigint, bigint, number][] = []
    for (let e = mm + 16; e < mm + u32(mm + 4); e += 24) entries.push([u64(e), u64(e + 8), u32(e + 16)])
    expect(entries).toEqual(QEMU_MMAP)
    expect([u32(tag(9) + 8), u32(tag(9) + 12), u32(tag(9) + 16)]).toEqual([8, 40, 7])
    const fb = tag(8)
    expect([u64(fb + 8), u32(fb + 16), u32(fb + 20), u32(fb + 24), ram[fb + 28], ram[fb + 29]]).toEqual([0xb8000n, 160, 80, 25, 16, 2])
  })

  it('leaves the kernel file untouched and places the same information when its bytes are a Node Buffer', () => {
    const fromArray = boot(['mb2-hello.asm'], 32)
    const fromBuffer = boot(['mb2-hello.asm'], 32, { asBuffer: true })
    expect(Buffer.compare(fromBuffer.k.bytes, fromArray.k.bytes)).toBe(0)
    expect(fromBuffer.info.infoAddr).toBe(fromArray.info.infoAddr)
    const end = fromArray.info.infoAddr + fromArray.u32(fromArray.info.infoAddr)
    expect(Buffer.compare(fromBuffer.ram.subarray(0x100000, end), fromArray.ram.subarray(0x100000, end))).toBe(0)
  })

  it('refuses a required information tag this PC cannot provide, as GRUB would', () => {
    const k = buildX86Kernel({ sources: ['mb2-hello.asm'], bits: 32, script: 'link-1m.ld' })
    const h = multibootHeader(k.bytes, 'k.elf')
    if (!h.ok || h.value.version !== 2) throw new Error('no header')
    const ram = new Uint8Array(RAM)
    const kernel = loadMultibootKernel(k.bytes, 'k.elf', h.value, ram)
    if (!kernel.ok) throw new Error('load failed')
    const r = buildBootInformation(ram, { header: { ...h.value, requests: [{ type: 14, required: true }] }, kernel: kernel.value, file: 'k.elf', modules: [] })
    expect(!r.ok && r.error.message).toMatch(/requires information tag 14 — the ACPI 1.0 RSDP/)
  })
})
