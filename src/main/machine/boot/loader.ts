/**
 * Puts a kernel or firmware image into guest RAM the way QEMU does: ELF `PT_LOAD` segments at
 * their physical address (`p_paddr`), zero-filled up to `p_memsz`; raw binaries at a given address.
 * A segment that does not fit in RAM is an error value that explains the usual cause — a
 * higher-half kernel linked without `AT()`, whose load address is its virtual address — instead
 * of QEMU's silent instruction-access-fault loop. Each segment loaded is reported with its
 * virtual and physical addresses and the sections it carries, for the boot timeline.
 */
import { err, ok, type Result } from '../../../shared/api/result'
import { ELFCLASS64, EM_RISCV, ET_EXEC, PT_LOAD, SHF_ALLOC } from '../../../shared/elf/constants'
import { readElf, type ElfFile } from '../../../shared/elf/reader'

export interface PhysicalRam {
  base: bigint
  bytes: Uint8Array
}

export interface LoadedSegment {
  /** Which image: 'kernel' or 'firmware'. */
  image: string
  vaddr: bigint
  paddr: bigint
  /** Bytes copied from the file. */
  filesz: number
  /** Bytes occupied in memory (the rest is zeroed, e.g. .bss). */
  memsz: bigint
  /** Allocated sections inside the segment, in address order. */
  sections: string[]
}

export interface LoadedImage {
  segments: LoadedSegment[]
  /** ELF `e_entry` (a virtual address), or the load address of a raw binary. */
  entry: bigint
  /** The lowest physical address loaded: where QEMU starts a kernel, not `e_entry`. */
  lowestPaddr: bigint
  highestPaddrEnd: bigint
  elf?: ElfFile
}

const hex = (x: bigint) => `0x${x.toString(16)}`

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46
}

function fits(ram: PhysicalRam, addr: bigint, size: bigint): boolean {
  return addr >= ram.base && addr + size <= ram.base + BigInt(ram.bytes.length)
}

/** Loads an ELF executable's PT_LOAD segments by physical address. */
export function loadElf(bytes: Uint8Array, ram: PhysicalRam, opts: { file: string; image: string }): Result<LoadedImage> {
  const parsed = readElf(bytes, { file: opts.file })
  if (!parsed.ok) return parsed
  const elf = parsed.value
  const loc = { file: opts.file, line: 1, column: 1 }
  if (elf.header.machine !== EM_RISCV) {
    return err('boot.wrong_machine', `${opts.file}: not a RISC-V ELF (e_machine ${elf.header.machine})`, { loc, hint: 'build for riscv64 (riscv64-unknown-elf-*)' })
  }
  if (elf.header.class !== ELFCLASS64) {
    return err('boot.wrong_machine', `${opts.file}: a 32-bit RISC-V ELF; this machine is rv64`, { loc, hint: 'build for rv64 (-march=rv64gc, target riscv64gc-unknown-none-elf)' })
  }
  if (elf.header.type !== ET_EXEC) {
    return err('boot.not_executable', `${opts.file}: not an executable ELF (e_type ${elf.header.type}); an object file or shared library cannot be booted`, {
      loc,
      hint: 'link it first (bootscope build, or ld -T linker.ld)',
    })
  }
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0n)
  if (loads.length === 0) return err('boot.no_segments', `${opts.file}: no PT_LOAD segment to load`, { loc, hint: 'check the linker script: are the sections marked allocatable?' })
  // Check every segment before writing any, so a failed load leaves RAM untouched.
  for (const s of loads) {
    if (!fits(ram, s.paddr, s.memsz)) {
      const ramRange = `[${hex(ram.base)}, ${hex(ram.base + BigInt(ram.bytes.length))})`
      const higherHalf = s.paddr >= 0xffff_ffff_0000_0000n || (s.paddr === s.vaddr && s.paddr >= 1n << 38n)
      return err(
        'boot.segment_outside_ram',
        `${opts.file}: segment ${s.index} p_paddr ${hex(s.paddr)} is outside RAM ${ramRange} (${s.memsz} bytes)` +
          (higherHalf ? `: it is a higher-half kernel whose load address equals its virtual address ${hex(s.vaddr)}` : ''),
        {
          loc,
          hint: higherHalf
            ? 'link with AT() so the load address is physical, e.g. `.text : AT(ADDR(.text) - 0xffffffff00000000) { … }`'
            : `link the kernel so every segment's load address falls inside RAM (--mem sets its size)`,
        },
      )
    }
  }
  const segments: LoadedSegment[] = []
  for (const s of loads) {
    const at = Number(s.paddr - ram.base)
    ram.bytes.set(bytes.subarray(s.offset, s.offset + s.filesz), at)
    ram.bytes.fill(0, at + s.filesz, at + Number(s.memsz))
    const sections = elf.sections
      .filter((sec) => sec.flags & SHF_ALLOC && sec.size > 0 && sec.addr >= s.vaddr && sec.addr < s.vaddr + s.memsz)
      .sort((a, b) => (a.addr < b.addr ? -1 : 1))
      .map((sec) => sec.name)
    segments.push({ image: opts.image, vaddr: s.vaddr, paddr: s.paddr, filesz: s.filesz, memsz: s.memsz, sections })
  }
  const lowestPaddr = loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), loads[0].paddr)
  const highestPaddrEnd = loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n)
  return ok({ segments, entry: elf.header.entry, lowestPaddr, highestPaddrEnd, elf })
}

/** Loads a raw binary (objcopy -O binary output, or a firmware `.bin`) at `addr`. */
export function loadRaw(bytes: Uint8Array, addr: bigint, ram: PhysicalRam, opts: { file: string; image: string }): Result<LoadedImage> {
  if (!fits(ram, addr, BigInt(bytes.length))) {
    return err('boot.image_outside_ram', `${opts.file}: ${bytes.length} bytes at ${hex(addr)} do not fit in RAM [${hex(ram.base)}, ${hex(ram.base + BigInt(ram.bytes.length))})`, {
      loc: { file: opts.file, line: 1, column: 1 },
      hint: 'raise --mem, or check the load address',
    })
  }
  ram.bytes.set(bytes, Number(addr - ram.base))
  const end = addr + BigInt(bytes.length)
  return ok({ segments: [{ image: opts.image, vaddr: addr, paddr: addr, filesz: bytes.length, memsz: BigInt(bytes.length), sections: [] }], entry: addr, lowestPaddr: addr, highestPaddrEnd: end })
}

/** Loads either kind, by content: ELF magic → by p_paddr, anything else → raw at `rawAddr`. */
export function loadImage(bytes: Uint8Array, rawAddr: bigint, ram: PhysicalRam, opts: { file: string; image: string }): Result<LoadedImage> {
  return isElf(bytes) ? loadElf(bytes, ram, opts) : loadRaw(bytes, rawAddr, ram, opts)
}

/** The address of an ELF symbol (e.g. `tohost`), if the image has it. */
export function symbolAddress(image: LoadedImage, name: string): bigint | undefined {
  return image.elf?.symbols.find((s) => s.name === name && s.shndx !== 0)?.value
}
