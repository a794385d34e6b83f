/**
 * Places a Multiboot kernel in RAM as GRUB 2 does (and QEMU's `-kernel` for Multiboot 1): with the
 * header's address fields when it has them (the Multiboot 1 "a.out kludge", flag 16, or the
 * Multiboot 2 address tag), otherwise the ELF32 or ELF64 `PT_LOAD` segments at their physical
 * addresses (`p_paddr`), BSS zeroed up to `p_memsz`. The entry point is the header's entry
 * address, or `e_entry` — moved into physical memory through the segment that holds it, as GRUB
 * does, so a higher-half kernel whose `ENTRY` is a virtual address still starts (QEMU's `-kernel`
 * would jump to the virtual address; the loader says so in a warning). Anything that does not fit
 * (the legacy hole, past RAM) is an error value that says where and why.
 */
import { err, ok, type Result } from '../../../../shared/api/result'
import { EM_386, EM_X86_64, ELFCLASS64, ET_EXEC, PT_LOAD, SHF_ALLOC } from '../../../../shared/elf/constants'
import { readElf, type ElfFile } from '../../../../shared/elf/reader'
import type { LoadedImage, LoadedSegment } from '../../boot/loader'
import { unusableRange } from '../pc-memory-map'
import type { MultibootHeader } from './multiboot-header'

export interface LoadedKernel {
  image: LoadedImage
  /** Physical entry point. */
  entry: number
  /** Lowest physical address loaded (Multiboot 2 "load base address"). */
  loadBase: number
  /** End of everything the kernel occupies (BSS included). */
  end: number
  warnings: string[]
}

const hex = (x: number | bigint) => `0x${x.toString(16)}`

/** Copies `data` into RAM at `pa` and zeroes up to `memsz`, after checking the range. */
function place(ram: Uint8Array, pa: bigint, data: Uint8Array, memsz: bigint, what: string, file: string): Result<void> {
  const why = unusableRange(pa, pa + memsz, ram.length)
  if (why) {
    return err('boot.segment_outside_ram', `${file}: ${what} [${hex(pa)}, ${hex(pa + memsz)}) lies in ${why}`, {
      loc: { file, line: 1, column: 1 },
      hint: pa >= 0xc000_0000n ? 'a higher-half kernel must load at a physical address: link with AT() so p_paddr is low (e.g. 1 MiB)' : 'link the kernel at 1 MiB (. = 1M in the linker script), where GRUB and QEMU put kernels',
    })
  }
  const at = Number(pa)
  ram.set(data, at)
  ram.fill(0, at + data.length, at + Number(memsz))
  return ok(undefined)
}

/** The a.out-kludge / address-tag load: the file from the header's offset, at load_addr. */
function loadByAddress(bytes: Uint8Array, file: string, header: MultibootHeader, entry: number, ram: Uint8Array): Result<LoadedKernel> {
  const a = header.address!
  const loc = { file, line: 1, column: 1 }
  if (a.headerAddr < a.loadAddr) return err('boot.multiboot_address', `${file}: header_addr ${hex(a.headerAddr)} is below load_addr ${hex(a.loadAddr)}`, { loc, hint: 'load_addr is where the file starts loading, at or below the header' })
  const fileStart = header.offset - (a.headerAddr - a.loadAddr)
  if (fileStart < 0) return err('boot.multiboot_address', `${file}: the address fields put load_addr ${hex(a.loadAddr)} before the start of the file`, { loc, hint: 'header_addr - load_addr must not exceed the header\'s file offset' })
  const loadEnd = a.loadEndAddr === 0 ? a.loadAddr + (bytes.length - fileStart) : a.loadEndAddr
  const bssEnd = a.bssEndAddr === 0 ? loadEnd : a.bssEndAddr
  if (loadEnd < a.loadAddr || bssEnd < loadEnd) return err('boot.multiboot_address', `${file}: load_end_addr / bss_end_addr are below load_addr`, { loc, hint: 'they are end addresses: 0 means "to the end of the file" / "no BSS"' })
  const data = bytes.subarray(fileStart, fileStart + (loadEnd - a.loadAddr))
  const placed = place(ram, BigInt(a.loadAddr), data, BigInt(bssEnd - a.loadAddr), 'the image (address fields)', file)
  if (!placed.ok) return placed
  const segment: LoadedSegment = { image: 'kernel', vaddr: BigInt(a.loadAddr), paddr: BigInt(a.loadAddr), filesz: data.length, memsz: BigInt(bssEnd - a.loadAddr), sections: [] }
  const elf = readElf(bytes, { file })
  return ok({
    image: { segments: [segment], entry: BigInt(entry), entryPaddr: BigInt(entry), lowestPaddr: BigInt(a.loadAddr), highestPaddrEnd: BigInt(bssEnd), loadBase: BigInt(a.loadAddr), warnings: [], ...(elf.ok ? { elf: elf.value } : {}) },
    entry,
    loadBase: a.loadAddr,
    end: bssEnd,
    warnings: [],
  })
}

/** ELF segments at p_paddr. */
function loadElfSegments(elf: ElfFile, file: string, header: MultibootHeader, ram: Uint8Array): Result<LoadedKernel> {
  const loc = { file, line: 1, column: 1 }
  const warnings: string[] = []
  if (elf.header.machine !== EM_386 && elf.header.machine !== EM_X86_64) {
    return err('boot.wrong_machine', `${file}: not an x86 ELF (e_machine ${elf.header.machine})`, { loc, hint: 'build for i386 or x86-64' })
  }
  if (elf.header.type !== ET_EXEC) {
    return err('boot.not_executable', `${file}: not an executable ELF (e_type ${elf.header.type}); an object file cannot be booted`, { loc, hint: 'link it first (ld -T linker.ld)' })
  }
  if (header.version === 1 && elf.header.class === ELFCLASS64) {
    warnings.push(`${file} is an ELF64 kernel with a Multiboot 1 header: GRUB loads it, but QEMU's -kernel refuses it ("give a 32bit one")`)
  }
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0n)
  if (!loads.length) return err('boot.no_segments', `${file}: no PT_LOAD segment to load`, { loc, hint: 'check the linker script: are the sections allocatable?' })
  for (const s of loads) {
    const why = unusableRange(s.paddr, s.paddr + s.memsz, ram.length)
    if (why) {
      const higherHalf = s.paddr === s.vaddr && s.paddr >= 0x8000_0000n
      return err('boot.segment_outside_ram', `${file}: segment ${s.index} (p_paddr ${hex(s.paddr)}, ${s.memsz} bytes) lies in ${why}` + (higherHalf ? `: its load address equals its virtual address ${hex(s.vaddr)}` : ''), {
        loc,
        hint: higherHalf
          ? 'a higher-half kernel must give its segments physical load addresses: AT(ADDR(.text) - 0xC0000000) in the linker script (GRUB loads at p_paddr)'
          : 'link the kernel at 1 MiB (. = 1M in the linker script), where GRUB and QEMU load kernels',
      })
    }
  }
  const segments: LoadedSegment[] = []
  for (const s of loads) {
    place(ram, s.paddr, elf.bytes.subarray(s.offset, s.offset + s.filesz), s.memsz, `segment ${s.index}`, file)
    const sections = elf.sections
      .filter((sec) => sec.flags & SHF_ALLOC && sec.size > 0 && sec.addr >= s.vaddr && sec.addr < s.vaddr + s.memsz)
      .sort((a, b) => (a.addr < b.addr ? -1 : 1))
      .map((sec) => sec.name)
    segments.push({ image: 'kernel', vaddr: s.vaddr, paddr: s.paddr, filesz: s.filesz, memsz: s.memsz, sections })
  }
  const low = loads.reduce((m, s) => (s.paddr < m ? s.paddr : m), loads[0].paddr)
  const high = loads.reduce((m, s) => (s.paddr + s.memsz > m ? s.paddr + s.memsz : m), 0n)
  // The entry: the header's entry tag, else e_entry — physical through the segment that holds it (GRUB's rule).
  let entry: bigint
  if (header.version === 2 && header.entryAddr !== undefined) {
    entry = BigInt(header.entryAddr)
  } else {
    entry = elf.header.entry
    const holder = loads.find((s) => entry >= s.vaddr && entry < s.vaddr + s.memsz)
    if (holder && holder.vaddr !== holder.paddr) {
      const physical = entry - holder.vaddr + holder.paddr
      warnings.push(
        `e_entry ${hex(entry)} is a virtual address; like GRUB, Bootscope enters at its physical address ${hex(physical)}` +
          (header.version === 1 ? ` (QEMU's -kernel would jump to ${hex(entry)} with paging off and crash: give ENTRY a physical address to boot in both)` : ''),
      )
      entry = physical
    }
  }
  if (entry >= 1n << 32n) {
    return err('boot.entry_not_32bit', `${file}: the entry point ${hex(entry)} is above 4 GiB, but Multiboot enters in 32-bit protected mode`, { loc, hint: 'the entry must be 32-bit code at a physical address below 4 GiB (a 64-bit kernel starts with a 32-bit stub)' })
  }
  return ok({
    image: { segments, entry: elf.header.entry, entryPaddr: entry, lowestPaddr: low, highestPaddrEnd: high, loadBase: low, warnings, elf },
    entry: Number(entry),
    loadBase: Number(low),
    end: Number(high),
    warnings,
  })
}

/** Loads the kernel the way its Multiboot header asks. */
export function loadMultibootKernel(bytes: Uint8Array, file: string, header: MultibootHeader, ram: Uint8Array): Result<LoadedKernel> {
  if (header.address) {
    const entry = header.version === 1 ? header.address.entryAddr : header.entryAddr
    if (entry === undefined) return err('boot.multiboot_entry', `${file}: the Multiboot2 address tag needs an entry address tag (type 3) too`, { loc: { file, line: 1, column: 1 }, hint: 'add an entry address tag, or drop the address tag and let the ELF headers place the kernel' })
    return loadByAddress(bytes, file, header, entry, ram)
  }
  const elf = readElf(bytes, { file })
  if (!elf.ok) {
    const isElf = bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46
    if (isElf) return elf
    return err('boot.multiboot_no_address', `${file}: not an ELF, and its Multiboot header has no address fields, so a loader cannot know where it goes`, {
      loc: { file, line: 1, column: 1 },
      hint: header.version === 1 ? 'set flag 16 and the address fields (header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr), or boot the ELF file' : 'add address (type 2) and entry address (type 3) tags, or boot the ELF file',
    })
  }
  return loadElfSegments(elf.value, file, header, ram)
}
