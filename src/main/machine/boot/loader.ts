/**
 * Puts a kernel or firmware image into guest RAM the way QEMU does: ELF `PT_LOAD` segments at
 * their physical address (`p_paddr`), zero-filled up to `p_memsz`; raw binaries at a given address.
 * A segment whose sections do not fit in RAM is an error value that explains the usual cause — a
 * higher-half kernel linked without `AT()`, whose load address is its virtual address — instead
 * of QEMU's silent instruction-access-fault loop. Bytes of a segment that lie outside RAM but hold
 * no section (the ELF and program headers that GNU ld's default script puts at the start of the
 * first segment: `gcc -Wl,-Ttext=0x80000000` gives a first LOAD at 0x7ffff000) are skipped with a
 * warning, as QEMU drops them. Each segment loaded is reported with its virtual and physical
 * addresses and the sections it carries, for the boot timeline.
 */
import { err, ok, type Result } from '../../../shared/api/result'
import { ELFCLASS64, EM_RISCV, ET_EXEC, PT_LOAD, SHF_ALLOC } from '../../../shared/elf/constants'
import { readElf, type ElfFile, type ElfSegment } from '../../../shared/elf/reader'

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
  /** Where `e_entry` is in physical memory (through the segment that holds it): where a firmware that honours e_entry jumps. */
  entryPaddr: bigint
  /** The lowest physical address loaded. */
  lowestPaddr: bigint
  highestPaddrEnd: bigint
  /**
   * QEMU's `kernel_load_base`: the lowest `p_paddr` of every PT_LOAD, loaded or skipped — what QEMU
   * 7.2 hands a firmware as the kernel's start, and where it measures the initrd's place from.
   */
  loadBase: bigint
  elf?: ElfFile
  /** What was loaded differently from what the file asks, for the user (header bytes skipped…). */
  warnings: string[]
}

const hex = (x: bigint) => `0x${x.toString(16)}`

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46
}

function fits(ram: PhysicalRam, addr: bigint, size: bigint): boolean {
  return addr >= ram.base && addr + size <= ram.base + BigInt(ram.bytes.length)
}

/** The part of a segment that is loaded: the whole of it, or its bytes inside RAM when the rest holds no section. */
interface Placement {
  segment: ElfSegment
  /** Offsets into the segment's memory image of the part that goes into RAM ([from, to), may be empty). */
  from: bigint
  to: bigint
  sections: string[]
}

/** Allocated sections whose addresses fall in [vaddr + from, vaddr + to) of segment `s`, in address order. */
function sectionsIn(elf: ElfFile, s: ElfSegment, from: bigint, to: bigint): string[] {
  return elf.sections
    .filter((sec) => sec.flags & SHF_ALLOC && sec.size > 0 && sec.addr < s.vaddr + to && sec.addr + BigInt(sec.size) > s.vaddr + from)
    .sort((a, b) => (a.addr < b.addr ? -1 : 1))
    .map((sec) => sec.name)
}

function outsideRam(file: string, s: ElfSegment, ram: PhysicalRam, sections: string[]) {
  const ramRange = `[${hex(ram.base)}, ${hex(ram.base + BigInt(ram.bytes.length))})`
  const higherHalf = s.paddr >= 0xffff_ffff_0000_0000n || (s.paddr === s.vaddr && s.paddr >= 1n << 38n)
  return err(
    'boot.segment_outside_ram',
    `${file}: segment ${s.index} p_paddr ${hex(s.paddr)} is outside RAM ${ramRange} (${s.memsz} bytes${sections.length ? `, holding ${sections.join(' ')}` : ''})` +
      (higherHalf ? `: it is a higher-half kernel whose load address equals its virtual address ${hex(s.vaddr)}` : ''),
    {
      loc: { file, line: 1, column: 1 },
      hint: higherHalf
        ? 'link with AT() so the load address is physical, e.g. `.text : AT(ADDR(.text) - 0xffffffff00000000) { … }`'
        : `link the kernel so every segment's load address falls inside RAM (--mem sets its size)`,
    },
  )
}

/** Decides what of segment `s` goes into RAM; an error when a section would be lost. */
function place(file: string, elf: ElfFile, s: ElfSegment, ram: PhysicalRam, warnings: string[]): Result<Placement> {
  const all = sectionsIn(elf, s, 0n, s.memsz)
  if (fits(ram, s.paddr, s.memsz)) return ok({ segment: s, from: 0n, to: s.memsz, sections: all })
  const ramEnd = ram.base + BigInt(ram.bytes.length)
  const from = s.paddr < ram.base ? (ram.base - s.paddr < s.memsz ? ram.base - s.paddr : s.memsz) : s.paddr >= ramEnd ? s.memsz : 0n
  const to = s.paddr + s.memsz > ramEnd ? (ramEnd > s.paddr + from ? ramEnd - s.paddr : from) : s.memsz
  const lost = [...sectionsIn(elf, s, 0n, from), ...sectionsIn(elf, s, to, s.memsz)]
  if (lost.length > 0 || from >= to) return outsideRam(file, s, ram, lost.length ? lost : all)
  warnings.push(
    `${file}: segment ${s.index} [${hex(s.paddr)}, ${hex(s.paddr + s.memsz)}) reaches outside RAM, but the bytes there hold no section ` +
      `(the ELF and program headers the linker put in it): they are not loaded, as QEMU does not load them`,
  )
  return ok({ segment: s, from, to, sections: all })
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
  // Decide every segment before writing any, so a failed load leaves RAM untouched.
  const warnings: string[] = []
  const placements: Placement[] = []
  for (const s of loads) {
    const p = place(opts.file, elf, s, ram, warnings)
    if (!p.ok) return p
    placements.push(p.value)
  }
  const segments: LoadedSegment[] = placements.map(({ segment: s, from, to, sections }) => {
    const paddr = s.paddr + from
    const at = Number(paddr - ram.base)
    const fileFrom = Math.min(Number(from), s.filesz)
    const fileTo = Math.min(Number(to), s.filesz)
    ram.bytes.set(bytes.subarray(s.offset + fileFrom, s.offset + fileTo), at)
    ram.bytes.fill(0, at + (fileTo - fileFrom), at + Number(to - from))
    return { image: opts.image, vaddr: s.vaddr + from, paddr, filesz: fileTo - fileFrom, memsz: to - from, sections }
  })
  const lowestPaddr = segments.reduce((m, s) => (s.paddr < m ? s.paddr : m), segments[0].paddr)
  const highestPaddrEnd = segments.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n)
  const loadBase = loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), loads[0].paddr)
  const entry = elf.header.entry
  const home = loads.find((s) => entry >= s.vaddr && entry < s.vaddr + s.memsz)
  const entryPaddr = home ? home.paddr + (entry - home.vaddr) : entry
  return ok({ segments, entry, entryPaddr, lowestPaddr, highestPaddrEnd, loadBase, elf, warnings })
}

/** Loads a raw binary (objcopy -O binary output, a firmware `.bin`, a Linux `Image`) at `addr`. */
export function loadRaw(bytes: Uint8Array, addr: bigint, ram: PhysicalRam, opts: { file: string; image: string; memsz?: bigint }): Result<LoadedImage> {
  const memsz = opts.memsz !== undefined && opts.memsz > BigInt(bytes.length) ? opts.memsz : BigInt(bytes.length)
  if (!fits(ram, addr, memsz)) {
    return err('boot.image_outside_ram', `${opts.file}: ${memsz} bytes at ${hex(addr)} do not fit in RAM [${hex(ram.base)}, ${hex(ram.base + BigInt(ram.bytes.length))})`, {
      loc: { file: opts.file, line: 1, column: 1 },
      hint: 'raise --mem, or check the load address',
    })
  }
  ram.bytes.set(bytes, Number(addr - ram.base))
  const end = addr + memsz
  return ok({
    segments: [{ image: opts.image, vaddr: addr, paddr: addr, filesz: bytes.length, memsz, sections: [] }],
    entry: addr,
    entryPaddr: addr,
    lowestPaddr: addr,
    highestPaddrEnd: end,
    loadBase: addr,
    warnings: [],
  })
}

/** Loads either kind, by content: ELF magic → by p_paddr, anything else → raw at `rawAddr` (firmware files, as QEMU's -bios). */
export function loadImage(bytes: Uint8Array, rawAddr: bigint, ram: PhysicalRam, opts: { file: string; image: string }): Result<LoadedImage> {
  return isElf(bytes) ? loadElf(bytes, ram, opts) : loadRaw(bytes, rawAddr, ram, opts)
}

/** The address of an ELF symbol (e.g. `tohost`), if the image has it. */
export function symbolAddress(image: LoadedImage, name: string): bigint | undefined {
  return image.elf?.symbols.find((s) => s.name === name && s.shndx !== 0)?.value
}
