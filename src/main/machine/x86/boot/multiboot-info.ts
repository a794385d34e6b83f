/**
 * The boot information a Multiboot kernel finds through EBX, built as the loaders that Bootscope
 * stands in for build it (checked against QEMU 7.2 and Debian's GRUB 2.06 with a kernel that
 * prints every field):
 *
 * - Multiboot 1 as QEMU's `-kernel`: the info structure at 0x9500 and the memory map at 0x9000
 *   (entries of size, base, length, type), flags = memory, boot device (0x8000FFFF), command line
 *   ("FILE ARGS"), modules, memory map, boot loader name — plus GRUB's ELF section headers (flag
 *   5) and, when the header asks for EGA text, the framebuffer fields (flag 12). The module table,
 *   the strings and the section headers sit in a buffer at the next page after the kernel; the
 *   modules follow, each on its own page.
 * - Multiboot 2 as GRUB's `multiboot2`: the tag list 8-byte aligned after the modules, in GRUB's
 *   order — load base address, command line (the arguments only), boot loader name, modules,
 *   memory map (entry_size 24, version 0), ELF sections (u32 num, entsize, shndx, then the
 *   headers, as GRUB's multiboot2.h lays them out), basic meminfo, boot device, EGA text
 *   framebuffer, end.
 *
 * Like GRUB, the sections a kernel does not load (.symtab, .strtab, .shstrtab…) are copied into
 * memory and their sh_addr set, so a kernel can read its own symbols. What the loader adds goes
 * where GRUB's relocator would put it (`placement.ts`: first fit above 1 MiB, around the kernel).
 */
import { err, ok, type Result } from '../../../../shared/api/result'
import {
  MB1_INFO_BYTES, MB1_INFO_OFFSET, MB2_TAG, MULTIBOOT2_BOOTLOADER_MAGIC, MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_FRAMEBUFFER_TYPE_EGA_TEXT, MULTIBOOT_INFO,
} from '../../../../shared/boot/multiboot'
import { ELFCLASS64, SHF_ALLOC, SHT_NOBITS, SHT_NULL } from '../../../../shared/elf/constants'
import type { ElfFile } from '../../../../shared/elf/reader'
import type { LoadedImage } from '../../boot/loader'
import { e820Map, memLowerUpper } from '../pc-memory-map'
import { VGA_COLUMNS, VGA_ROWS, VGA_TEXT_BASE } from '../devices/vga-text'
import type { MultibootHeader } from './multiboot-header'
import type { LoadedKernel } from './multiboot-load'
import { FirstFit, moduleChunkBytes } from './placement'

/** Where QEMU's Multiboot option ROM puts the MB1 info structure and the memory map. */
export const MB1_INFO_ADDR = 0x9500
export const MB1_MMAP_ADDR = 0x9000
/** MB1 boot_device as QEMU sets it: BIOS drive 0x80, no partition. */
export const MB1_BOOT_DEVICE = 0x8000_ffff
/** MB2 boot device tag as GRUB on a CD sets it: drive 0xE0, no partitions. */
export const MB2_BOOT_DEVICE = { biosdev: 0xe0, partition: 0xffff_ffff, subPartition: 0xffff_ffff }
export const BOOT_LOADER_NAME = 'Bootscope'
const PAGE = 4096
const MB1_MMAP_ENTRY_BYTES = 24
const MB2_MMAP_ENTRY_BYTES = 24
const MB1_MODULE_BYTES = 16
/** MB2: tags (and the information) are 8-byte aligned. */
const MB2_TAG_ALIGN = 8

export interface ModuleInput {
  file: string
  bytes: Uint8Array
  /** The module's string (GRUB: the words after the file name; QEMU: the whole -initrd item). */
  string?: string
}

export interface BootInfoInput {
  header: MultibootHeader
  kernel: LoadedKernel
  /** The kernel's file name, as the MB1 command line starts with it. */
  file: string
  append?: string
  modules: ModuleInput[]
}

export interface BootInfo {
  /** EAX at entry. */
  magic: number
  /** EBX at entry: the info's physical address. */
  infoAddr: number
  /** The modules as loaded (for the timeline's segment events). */
  modules: LoadedImage[]
  /** Everything placed, for explanations: what, where. */
  regions: { what: string; base: number; end: number }[]
}

const align = (x: number, a: number) => Math.ceil(x / a) * a

/** Little-endian writes into guest RAM. */
class Writer {
  private readonly view: DataView
  constructor(readonly ram: Uint8Array) {
    this.view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength)
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v)
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, true)
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true)
  }
  u64(at: number, v: bigint): void {
    this.view.setBigUint64(at, BigInt.asUintN(64, v), true)
  }
  bytes(at: number, b: Uint8Array): void {
    this.ram.set(b, at)
  }
  /** A NUL-terminated string; returns the bytes written. */
  cstring(at: number, s: string): number {
    const b = new TextEncoder().encode(s)
    this.ram.set(b, at)
    this.ram[at + b.length] = 0
    return b.length + 1
  }
}

const cstringBytes = (s: string) => new TextEncoder().encode(s).length + 1

/**
 * Copies the section headers and the contents of the sections the kernel does not load, each
 * where the placement puts it (GRUB's grub_multiboot_load_elf): returns the header table with
 * those sh_addr set.
 */
function placeUnloadedSections(w: Writer, elf: ElfFile, space: FirstFit): { headers: Uint8Array; regions: BootInfo['regions'] } {
  const h = elf.header
  // A copy (the kernel's bytes may be a Buffer, whose slice() is a view into the file).
  const headers = Uint8Array.prototype.slice.call(elf.bytes, h.shoff, h.shoff + h.shnum * h.shentsize)
  const hv = new DataView(headers.buffer, headers.byteOffset, headers.byteLength)
  const is64 = h.class === ELFCLASS64
  const regions: BootInfo['regions'] = []
  for (const s of elf.sections) {
    if (s.type === SHT_NULL || s.type === SHT_NOBITS || s.flags & SHF_ALLOC || s.size === 0) continue
    const at = space.alloc(s.size, Math.max(1, s.addralign))
    if (at === undefined) break
    w.bytes(at, s.data)
    const addrField = s.index * h.shentsize + (is64 ? 16 : 12)
    if (is64) hv.setBigUint64(addrField, BigInt(at), true)
    else hv.setUint32(addrField, at, true)
    regions.push({ what: `section ${s.name}`, base: at, end: at + s.size })
  }
  return { headers, regions }
}

/** Modules, each on its own page (GRUB and QEMU alike). */
function placeModules(w: Writer, modules: ModuleInput[], space: FirstFit): Result<{ base: number; end: number; input: ModuleInput }[]> {
  const placed: { base: number; end: number; input: ModuleInput }[] = []
  for (const m of modules) {
    const at = space.alloc(m.bytes.length, PAGE, moduleChunkBytes(m.bytes.length))
    if (at === undefined) return err('boot.module_outside_ram', `module ${m.file} (${m.bytes.length} bytes) does not fit in RAM`, { hint: 'raise --mem, or use smaller modules' })
    w.bytes(at, m.bytes)
    placed.push({ base: at, end: at + m.bytes.length, input: m })
  }
  return ok(placed)
}

/** The free space a loader places things in: above 1 MiB, around the kernel's segments. */
function freeSpace(ram: Uint8Array, kernel: LoadedKernel): FirstFit {
  const space = new FirstFit(ram.length)
  for (const s of kernel.image.segments) space.reserve(Number(s.paddr), Number(s.paddr + s.memsz))
  return space
}

const moduleImages = (placed: { base: number; end: number; input: ModuleInput }[]): LoadedImage[] =>
  placed.map((p) => ({
    segments: [{ image: `module ${p.input.file}`, vaddr: BigInt(p.base), paddr: BigInt(p.base), filesz: p.input.bytes.length, memsz: BigInt(p.end - p.base), sections: [] }],
    entry: BigInt(p.base),
    entryPaddr: BigInt(p.base),
    lowestPaddr: BigInt(p.base),
    highestPaddrEnd: BigInt(p.end),
    loadBase: BigInt(p.base),
    warnings: [],
  }))

/** Information tags a kernel may require that this PC cannot give (GRUB refuses to boot then). */
const UNAVAILABLE_TAGS: Record<number, string> = {
  [MB2_TAG.VBE]: 'VBE info (no VESA BIOS)',
  [MB2_TAG.APM]: 'the APM table (no APM BIOS)',
  [MB2_TAG.EFI32]: 'the EFI 32-bit system table (a BIOS PC)',
  [MB2_TAG.EFI64]: 'the EFI 64-bit system table (a BIOS PC)',
  [MB2_TAG.SMBIOS]: 'SMBIOS tables',
  [MB2_TAG.ACPI_OLD]: 'the ACPI 1.0 RSDP (this PC has no ACPI tables)',
  [MB2_TAG.ACPI_NEW]: 'the ACPI 2.0 RSDP (this PC has no ACPI tables)',
  [MB2_TAG.NETWORK]: 'network information',
  [MB2_TAG.EFI_MMAP]: 'the EFI memory map (a BIOS PC)',
  [MB2_TAG.EFI_BS]: 'EFI boot services (a BIOS PC)',
  [MB2_TAG.EFI32_IH]: 'the EFI 32-bit image handle (a BIOS PC)',
  [MB2_TAG.EFI64_IH]: 'the EFI 64-bit image handle (a BIOS PC)',
}

/** Builds the boot information in `ram` and places the modules; returns what EAX/EBX get. */
export function buildBootInformation(ram: Uint8Array, input: BootInfoInput): Result<BootInfo> {
  return input.header.version === 1 ? buildMb1(ram, input) : buildMb2(ram, input)
}

function buildMb1(ram: Uint8Array, input: BootInfoInput): Result<BootInfo> {
  const w = new Writer(ram)
  const { kernel, header } = input
  const elf = kernel.image.elf
  const regions: BootInfo['regions'] = []
  const space = freeSpace(ram, kernel)
  const sections = elf && !header.address ? placeUnloadedSections(w, elf, space) : undefined
  regions.push(...(sections?.regions ?? []))
  // The buffer QEMU builds (mb_buf): module table, module strings, the command line, the loader name — then our section headers.
  const cmdline = input.append ? `${input.file} ${input.append}` : input.file
  const strings = input.modules.map((m) => m.string ?? m.file)
  const stringsBytes = strings.reduce((n, s) => n + cstringBytes(s), 0)
  const shdrOffset = align(input.modules.length * MB1_MODULE_BYTES + stringsBytes + cstringBytes(cmdline) + cstringBytes(BOOT_LOADER_NAME), 4)
  const bufBytes = shdrOffset + (sections?.headers.length ?? 0)
  const buf = space.alloc(bufBytes, PAGE)
  if (buf === undefined) return err('boot.no_room', 'the Multiboot information does not fit in RAM after the kernel', { hint: 'raise --mem' })
  const stringsAt = buf + input.modules.length * MB1_MODULE_BYTES
  const cmdlineAt = stringsAt + stringsBytes
  const loaderAt = cmdlineAt + cstringBytes(cmdline)
  const shdrAt = buf + shdrOffset
  const bufEnd = buf + bufBytes
  const mods = placeModules(w, input.modules, space)
  if (!mods.ok) return mods
  let at = stringsAt
  mods.value.forEach((p, i) => {
    const entry = buf + i * MB1_MODULE_BYTES
    w.u32(entry, p.base)
    w.u32(entry + 4, p.end)
    w.u32(entry + 8, at)
    w.u32(entry + 12, 0)
    at += w.cstring(at, strings[i])
  })
  w.cstring(cmdlineAt, cmdline)
  w.cstring(loaderAt, BOOT_LOADER_NAME)
  if (sections) w.bytes(shdrAt, sections.headers)
  regions.push({ what: 'Multiboot module table and strings', base: buf, end: bufEnd })
  // The memory map at 0x9000: each entry is size (20, not counting itself), base, length, type.
  const map = e820Map(ram.length)
  map.forEach((r, i) => {
    const e = MB1_MMAP_ADDR + i * MB1_MMAP_ENTRY_BYTES
    w.u32(e, MB1_MMAP_ENTRY_BYTES - 4)
    w.u64(e + 4, r.base)
    w.u64(e + 12, r.length)
    w.u32(e + 20, r.type)
  })
  regions.push({ what: 'Multiboot memory map', base: MB1_MMAP_ADDR, end: MB1_MMAP_ADDR + map.length * MB1_MMAP_ENTRY_BYTES })
  // The information structure.
  const info = MB1_INFO_ADDR
  ram.fill(0, info, info + MB1_INFO_BYTES)
  const { lower, upper } = memLowerUpper(ram.length)
  const O = MB1_INFO_OFFSET
  let flags = MULTIBOOT_INFO.MEMORY | MULTIBOOT_INFO.BOOTDEV | MULTIBOOT_INFO.CMDLINE | MULTIBOOT_INFO.MODS | MULTIBOOT_INFO.MEM_MAP | MULTIBOOT_INFO.BOOT_LOADER_NAME
  w.u32(info + O.mem_lower, lower)
  w.u32(info + O.mem_upper, upper)
  w.u32(info + O.boot_device, MB1_BOOT_DEVICE)
  w.u32(info + O.cmdline, cmdlineAt)
  w.u32(info + O.mods_count, input.modules.length)
  w.u32(info + O.mods_addr, buf)
  if (sections && elf) {
    flags |= MULTIBOOT_INFO.ELF_SHDR
    w.u32(info + O.shdr_num, elf.header.shnum)
    w.u32(info + O.shdr_size, elf.header.shentsize)
    w.u32(info + O.shdr_addr, shdrAt)
    w.u32(info + O.shdr_shndx, elf.header.shstrndx)
  }
  w.u32(info + O.mmap_length, map.length * MB1_MMAP_ENTRY_BYTES)
  w.u32(info + O.mmap_addr, MB1_MMAP_ADDR)
  w.u32(info + O.boot_loader_name, loaderAt)
  if (header.version === 1 && header.video && header.video.modeType === 1) {
    flags |= MULTIBOOT_INFO.FRAMEBUFFER_INFO
    w.u64(info + O.framebuffer_addr, BigInt(VGA_TEXT_BASE))
    w.u32(info + O.framebuffer_pitch, VGA_COLUMNS * 2)
    w.u32(info + O.framebuffer_width, VGA_COLUMNS)
    w.u32(info + O.framebuffer_height, VGA_ROWS)
    w.u8(info + O.framebuffer_bpp, 16)
    w.u8(info + O.framebuffer_type, MULTIBOOT_FRAMEBUFFER_TYPE_EGA_TEXT)
  }
  w.u32(info + O.flags, flags)
  regions.push({ what: 'Multiboot information', base: info, end: info + MB1_INFO_BYTES })
  return ok({ magic: MULTIBOOT_BOOTLOADER_MAGIC, infoAddr: info, modules: moduleImages(mods.value), regions })
}

function buildMb2(ram: Uint8Array, input: BootInfoInput): Result<BootInfo> {
  const { kernel, header } = input
  if (header.version !== 2) throw new Error('buildMb2 needs a Multiboot2 header')
  for (const r of header.requests) {
    const missing = UNAVAILABLE_TAGS[r.type]
    if (missing && r.required) {
      return err('boot.multiboot_request', `${input.file}: the Multiboot2 header requires information tag ${r.type} — ${missing} — which this PC cannot give, so GRUB would refuse to boot it too`, {
        loc: { file: input.file, line: 1, column: 1 },
        hint: 'mark the information request tag optional (flags = 1), or drop that type from it',
      })
    }
  }
  const w = new Writer(ram)
  const elf = kernel.image.elf
  const regions: BootInfo['regions'] = []
  const space = freeSpace(ram, kernel)
  const sections = elf && !header.address ? placeUnloadedSections(w, elf, space) : undefined
  regions.push(...(sections?.regions ?? []))
  const mods = placeModules(w, input.modules, space)
  if (!mods.ok) return mods
  // An upper bound of the tags' size, reserved before writing any (GRUB: MULTIBOOT_TAG_ALIGN).
  const bound = 512 + cstringBytes(input.append ?? '') + input.modules.reduce((n, m) => n + 24 + cstringBytes(m.string ?? ''), 0) + 8 * MB2_MMAP_ENTRY_BYTES + (sections?.headers.length ?? 0)
  const info = space.alloc(bound, MB2_TAG_ALIGN)
  if (info === undefined) return err('boot.no_room', 'the Multiboot2 information does not fit in RAM', { hint: 'raise --mem' })
  // Tags, 8-byte aligned, in the order GRUB 2.06 writes them.
  const tags: { type: number; body: (at: number) => number }[] = []
  const str = (s: string) => (at: number) => w.cstring(at, s)
  tags.push({ type: MB2_TAG.LOAD_BASE_ADDR, body: (at) => (w.u32(at, kernel.loadBase), 4) })
  tags.push({ type: MB2_TAG.CMDLINE, body: str(input.append ?? '') })
  tags.push({ type: MB2_TAG.BOOT_LOADER_NAME, body: str(BOOT_LOADER_NAME) })
  for (const p of mods.value) {
    tags.push({ type: MB2_TAG.MODULE, body: (at) => (w.u32(at, p.base), w.u32(at + 4, p.end), 8 + w.cstring(at + 8, p.input.string ?? '')) })
  }
  const map = e820Map(ram.length)
  tags.push({
    type: MB2_TAG.MMAP,
    body: (at) => {
      w.u32(at, MB2_MMAP_ENTRY_BYTES)
      w.u32(at + 4, 0)
      map.forEach((r, i) => {
        const e = at + 8 + i * MB2_MMAP_ENTRY_BYTES
        w.u64(e, r.base)
        w.u64(e + 8, r.length)
        w.u32(e + 16, r.type)
        w.u32(e + 20, 0)
      })
      return 8 + map.length * MB2_MMAP_ENTRY_BYTES
    },
  })
  if (sections && elf) {
    tags.push({
      type: MB2_TAG.ELF_SECTIONS,
      body: (at) => {
        w.u32(at, elf.header.shnum)
        w.u32(at + 4, elf.header.shentsize)
        w.u32(at + 8, elf.header.shstrndx)
        w.bytes(at + 12, sections.headers)
        return 12 + sections.headers.length
      },
    })
  }
  const { lower, upper } = memLowerUpper(ram.length)
  tags.push({ type: MB2_TAG.BASIC_MEMINFO, body: (at) => (w.u32(at, lower), w.u32(at + 4, upper), 8) })
  tags.push({ type: MB2_TAG.BOOTDEV, body: (at) => (w.u32(at, MB2_BOOT_DEVICE.biosdev), w.u32(at + 4, MB2_BOOT_DEVICE.partition), w.u32(at + 8, MB2_BOOT_DEVICE.subPartition), 12) })
  tags.push({
    type: MB2_TAG.FRAMEBUFFER,
    body: (at) => {
      w.u64(at, BigInt(VGA_TEXT_BASE))
      w.u32(at + 8, VGA_COLUMNS * 2)
      w.u32(at + 12, VGA_COLUMNS)
      w.u32(at + 16, VGA_ROWS)
      w.u8(at + 20, 16)
      w.u8(at + 21, MULTIBOOT_FRAMEBUFFER_TYPE_EGA_TEXT)
      w.u16(at + 22, 0)
      return 24
    },
  })
  tags.push({ type: MB2_TAG.END, body: () => 0 })
  let at = info + 8
  for (const t of tags) {
    const size = 8 + t.body(at + 8)
    w.u32(at, t.type)
    w.u32(at + 4, size)
    at = align(at + size, 8)
  }
  const total = at - info
  w.u32(info, total)
  w.u32(info + 4, 0)
  regions.push({ what: 'Multiboot2 information', base: info, end: at })
  return ok({ magic: MULTIBOOT2_BOOTLOADER_MAGIC, infoAddr: info, modules: moduleImages(mods.value), regions })
}
