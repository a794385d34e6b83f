/**
 * Finds and checks a kernel's Multiboot header the way GRUB 2 and QEMU's `-kernel` do: Multiboot 1
 * (magic 0x1BADB002 in the first 8 KiB, 4-byte aligned, magic + flags + checksum = 0) and
 * Multiboot 2 (magic 0xE85250D6 in the first 32 KiB, 8-byte aligned, the four header words summing
 * to 0, then 8-byte-aligned tags ending with type 0). A header with a wrong checksum, an unknown
 * required flag or tag, or a tag running past the header is an error value that says what a
 * loader would do with it — a kernel author reading "no Multiboot header" deserves to know why.
 */
import { err, ok, type Result } from '../../../../shared/api/result'
import {
  MB2_HEADER_TAG, MULTIBOOT2_HEADER_ALIGN, MULTIBOOT2_HEADER_MAGIC, MULTIBOOT2_SEARCH_BYTES, MULTIBOOT_AOUT_KLUDGE,
  MULTIBOOT_ARCHITECTURE_I386, MULTIBOOT_HEADER_ALIGN, MULTIBOOT_HEADER_MAGIC, MULTIBOOT_HEADER_TAG_OPTIONAL, MULTIBOOT_MEMORY_INFO,
  MULTIBOOT_PAGE_ALIGN, MULTIBOOT_SEARCH_BYTES, MULTIBOOT_VIDEO_MODE,
} from '../../../../shared/boot/multiboot'

export interface Multiboot1Header {
  version: 1
  /** File offset of the magic. */
  offset: number
  flags: number
  /** The a.out-kludge address fields (flag bit 16). */
  address?: { headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number; entryAddr: number }
  /** Requested video mode (flag bit 2): type 1 = EGA text. */
  video?: { modeType: number; width: number; height: number; depth: number }
}

export interface Multiboot2Header {
  version: 2
  offset: number
  headerLength: number
  /** Information tags the kernel asks for (type 1), with whether each is required. */
  requests: { type: number; required: boolean }[]
  address?: { headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number }
  entryAddr?: number
  /** Framebuffer tag (type 5): width/height/depth 0 = no preference; a text console is EGA text. */
  framebuffer?: { width: number; height: number; depth: number; required: boolean }
  /** Console flags tag (type 4): bit 0 console required, bit 1 EGA text supported. */
  consoleFlags?: number
  moduleAlign: boolean
  relocatable?: { minAddr: number; maxAddr: number; align: number; preference: number }
}

export type MultibootHeader = Multiboot1Header | Multiboot2Header

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8)

const MB1_KNOWN_REQUIRED = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE

/** Header tags the loader understands (GRUB 2 on BIOS): the EFI ones it must refuse when required. */
const MB2_SUPPORTED_TAGS: ReadonlySet<number> = new Set([
  MB2_HEADER_TAG.INFORMATION_REQUEST, MB2_HEADER_TAG.ADDRESS, MB2_HEADER_TAG.ENTRY_ADDRESS, MB2_HEADER_TAG.CONSOLE_FLAGS,
  MB2_HEADER_TAG.FRAMEBUFFER, MB2_HEADER_TAG.MODULE_ALIGN, MB2_HEADER_TAG.RELOCATABLE,
])

/** Where the search found a magic: checked headers, or the reason a candidate was rejected. */
export interface HeaderSearch {
  header?: MultibootHeader
  /** A magic found with a problem (bad checksum, misaligned, unknown required flag…): the first one. */
  problem?: { code: string; message: string; hint: string }
}

function findMagic(bytes: Uint8Array, magic: number, limit: number, align: number): { offset: number; aligned: boolean } | undefined {
  const end = Math.min(bytes.length - 4, limit - 4)
  let misaligned: number | undefined
  for (let o = 0; o <= end; o++) {
    if (u32(bytes, o) !== magic) continue
    if (o % align === 0) return { offset: o, aligned: true }
    misaligned ??= o
  }
  return misaligned === undefined ? undefined : { offset: misaligned, aligned: false }
}

function searchMb1(bytes: Uint8Array): HeaderSearch {
  const at = findMagic(bytes, MULTIBOOT_HEADER_MAGIC, MULTIBOOT_SEARCH_BYTES, MULTIBOOT_HEADER_ALIGN)
  if (!at) return {}
  const o = at.offset
  if (!at.aligned) {
    return { problem: { code: 'boot.multiboot_misaligned', message: `the Multiboot magic 0x1badb002 at file offset ${hex(o)} is not 4-byte aligned, so loaders do not see it`, hint: 'put `.align 4` before the header' } }
  }
  if (o + 12 > bytes.length) return { problem: { code: 'boot.multiboot_truncated', message: `the Multiboot header at ${hex(o)} runs past the end of the file`, hint: 'the header is magic, flags, checksum (12 bytes)' } }
  const flags = u32(bytes, o + 4)
  const checksum = u32(bytes, o + 8)
  if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0) !== 0) {
    return {
      problem: {
        code: 'boot.multiboot_checksum',
        message: `the Multiboot header at file offset ${hex(o)} has checksum ${hex(checksum)}, but magic + flags + checksum must be 0 (mod 2^32): flags ${hex(flags)} need checksum ${hex(-(MULTIBOOT_HEADER_MAGIC + flags))}`,
        hint: 'write the checksum as -(0x1BADB002 + FLAGS)',
      },
    }
  }
  const unknown = flags & 0xffff & ~MB1_KNOWN_REQUIRED
  if (unknown) {
    return { problem: { code: 'boot.multiboot_flags', message: `the Multiboot header asks for required features ${hex(unknown)} (flag bits 0–15) that no loader knows, so it must refuse the kernel`, hint: 'use only flag bits 0 (page-align modules), 1 (memory info), 2 (video mode) and 16 (a.out kludge)' } }
  }
  const header: Multiboot1Header = { version: 1, offset: o, flags }
  if (flags & MULTIBOOT_AOUT_KLUDGE) {
    if (o + 32 > bytes.length) return { problem: { code: 'boot.multiboot_truncated', message: `the Multiboot header at ${hex(o)} sets flag 16 (address fields) but the file ends before them`, hint: 'add header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr after the checksum' } }
    header.address = { headerAddr: u32(bytes, o + 12), loadAddr: u32(bytes, o + 16), loadEndAddr: u32(bytes, o + 20), bssEndAddr: u32(bytes, o + 24), entryAddr: u32(bytes, o + 28) }
  }
  if (flags & MULTIBOOT_VIDEO_MODE && o + 48 <= bytes.length) {
    header.video = { modeType: u32(bytes, o + 32), width: u32(bytes, o + 36), height: u32(bytes, o + 40), depth: u32(bytes, o + 44) }
  }
  return { header }
}

function searchMb2(bytes: Uint8Array): HeaderSearch {
  const at = findMagic(bytes, MULTIBOOT2_HEADER_MAGIC, MULTIBOOT2_SEARCH_BYTES, MULTIBOOT2_HEADER_ALIGN)
  if (!at) return {}
  const o = at.offset
  if (!at.aligned) {
    return { problem: { code: 'boot.multiboot_misaligned', message: `the Multiboot2 magic 0xe85250d6 at file offset ${hex(o)} is not 8-byte aligned, so GRUB does not see it`, hint: 'put `align 8` (NASM) or `.align 8` before the header' } }
  }
  if (o + 16 > bytes.length) return { problem: { code: 'boot.multiboot_truncated', message: `the Multiboot2 header at ${hex(o)} runs past the end of the file`, hint: 'the header starts with magic, architecture, header_length, checksum' } }
  const arch = u32(bytes, o + 4)
  const length = u32(bytes, o + 8)
  const checksum = u32(bytes, o + 12)
  if (((MULTIBOOT2_HEADER_MAGIC + arch + length + checksum) >>> 0) !== 0) {
    return {
      problem: {
        code: 'boot.multiboot_checksum',
        message: `the Multiboot2 header at file offset ${hex(o)} has checksum ${hex(checksum)}, but magic + architecture + header_length + checksum must be 0 (mod 2^32): it should be ${hex(-(MULTIBOOT2_HEADER_MAGIC + arch + length))}`,
        hint: 'write the checksum as 0x100000000 - (0xE85250D6 + 0 + (header_end - header_start))',
      },
    }
  }
  if (arch !== MULTIBOOT_ARCHITECTURE_I386) {
    return { problem: { code: 'boot.multiboot_arch', message: `the Multiboot2 header asks for architecture ${arch}; a PC loader boots architecture 0 (i386) only`, hint: 'set the architecture field to 0' } }
  }
  if (length < 24 || o + length > bytes.length) {
    return { problem: { code: 'boot.multiboot_length', message: `the Multiboot2 header_length ${length} is ${length < 24 ? 'shorter than the 16-byte header plus an end tag' : 'past the end of the file'}`, hint: 'header_length = header_end - header_start, end tag included' } }
  }
  const h: Multiboot2Header = { version: 2, offset: o, headerLength: length, requests: [], moduleAlign: false }
  let t = o + 16
  for (;;) {
    if (t + 8 > o + length) return { problem: { code: 'boot.multiboot_tags', message: `the Multiboot2 header's tags run past header_length without an end tag (type 0, size 8)`, hint: 'end the tag list with `dw 0, 0; dd 8`' } }
    const type = u16(bytes, t)
    const flags = u16(bytes, t + 2)
    const size = u32(bytes, t + 4)
    if (size < 8 || t + size > o + length) return { problem: { code: 'boot.multiboot_tags', message: `Multiboot2 header tag type ${type} at file offset ${hex(t)} has size ${size}, which ${size < 8 ? 'is less than its own 8-byte head' : 'runs past header_length'}`, hint: 'each tag is u16 type, u16 flags, u32 size (head included)' } }
    if (type === MB2_HEADER_TAG.END) break
    const required = (flags & MULTIBOOT_HEADER_TAG_OPTIONAL) === 0
    if (!MB2_SUPPORTED_TAGS.has(type)) {
      if (required) return { problem: { code: 'boot.multiboot_tag', message: `the Multiboot2 header requires tag type ${type} (${type >= 7 && type <= 9 ? 'an EFI tag' : 'unknown'}), which GRUB refuses on a BIOS PC ("unsupported tag")`, hint: 'mark the tag optional (flags = 1) or drop it' } }
    } else if (type === MB2_HEADER_TAG.INFORMATION_REQUEST) {
      for (let i = t + 8; i + 4 <= t + size; i += 4) h.requests.push({ type: u32(bytes, i), required })
    } else if (type === MB2_HEADER_TAG.ADDRESS) {
      h.address = { headerAddr: u32(bytes, t + 8), loadAddr: u32(bytes, t + 12), loadEndAddr: u32(bytes, t + 16), bssEndAddr: u32(bytes, t + 20) }
    } else if (type === MB2_HEADER_TAG.ENTRY_ADDRESS) {
      h.entryAddr = u32(bytes, t + 8)
    } else if (type === MB2_HEADER_TAG.CONSOLE_FLAGS) {
      h.consoleFlags = u32(bytes, t + 8)
    } else if (type === MB2_HEADER_TAG.FRAMEBUFFER) {
      h.framebuffer = { width: u32(bytes, t + 8), height: u32(bytes, t + 12), depth: u32(bytes, t + 16), required }
    } else if (type === MB2_HEADER_TAG.MODULE_ALIGN) {
      h.moduleAlign = true
    } else if (type === MB2_HEADER_TAG.RELOCATABLE) {
      h.relocatable = { minAddr: u32(bytes, t + 8), maxAddr: u32(bytes, t + 12), align: u32(bytes, t + 16), preference: u32(bytes, t + 20) }
    }
    t += (size + 7) & ~7
  }
  return { header: h }
}

/** Both searches: a Multiboot2 header wins when a kernel carries both (GRUB's `multiboot2` command). */
export function findMultibootHeaders(bytes: Uint8Array): { mb1: HeaderSearch; mb2: HeaderSearch } {
  return { mb1: searchMb1(bytes), mb2: searchMb2(bytes) }
}

/** The header a PC loader would use (version 2 first), or the reason there is none. */
export function multibootHeader(bytes: Uint8Array, file: string): Result<MultibootHeader> {
  const { mb1, mb2 } = findMultibootHeaders(bytes)
  const header = mb2.header ?? mb1.header
  if (header) return ok(header)
  const loc = { file, line: 1, column: 1 }
  const problem = mb2.problem ?? mb1.problem
  if (problem) return err(problem.code, `${file}: ${problem.message}`, { loc, hint: problem.hint })
  return err(
    'boot.no_multiboot',
    `${file}: no Multiboot header — GRUB and QEMU boot an x86 kernel only when it carries one: Multiboot 1 (magic 0x1BADB002, flags, checksum) in its first 8 KiB, or Multiboot 2 (magic 0xE85250D6 …) in its first 32 KiB`,
    { loc, hint: 'add a header section first in the image (e.g. `.section .multiboot` with `.long 0x1BADB002, 0, -0x1BADB002`, kept first by the linker script)' },
  )
}
