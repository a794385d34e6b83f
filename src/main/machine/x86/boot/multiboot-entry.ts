/**
 * The machine state at a Multiboot entry (Multiboot 0.6.96 §3.2 "Machine state", Multiboot2 §3.3
 * "I386 machine state", REFERENCE.md): 32-bit protected mode with paging off, CS a flat 4 GiB
 * execute/read segment, DS/ES/FS/GS/SS flat read/write, A20 on, interrupts off, EAX the magic and
 * EBX the boot information. GDTR points at a small GDT like the one QEMU's Multiboot ROM and
 * GRUB's relocator use (code 0x10, data 0x18), in the BIOS area the memory map reserves, so a
 * kernel that reloads a segment register before loading its own GDT still gets a flat segment;
 * IDTR is the real-mode vector table the BIOS left (base 0, limit 0x3FF), ESP is undefined (the
 * kernel sets its own stack; we leave 0x7C00, below the boot sector as a BIOS would).
 */
import type { X86HartApi, X86Segment } from '../hart/hart-api'
import { SEG_ATTR } from '../hart/hart-api'

/** Where the entry GDT lives: the BIOS area 0xF0000–0xFFFFF (reserved in the memory map). */
export const ENTRY_GDT_ADDR = 0xf0000
export const ENTRY_CODE_SELECTOR = 0x10
export const ENTRY_DATA_SELECTOR = 0x18
const ENTRY_ESP = 0x7c00n

/** GDT entries (SDM vol. 3 Figure 3-8): null, null, flat 32-bit code (0x10), flat 32-bit data (0x18). */
const ENTRY_GDT: bigint[] = [0n, 0n, 0x00cf_9b00_0000_ffffn, 0x00cf_9300_0000_ffffn]

const flat = (selector: number, type: number): X86Segment => ({
  selector,
  base: 0n,
  limit: 0xffff_ffff,
  attrs: type | SEG_ATTR.S | SEG_ATTR.P | SEG_ATTR.DB | SEG_ATTR.G,
})

export interface MultibootEntry {
  entry: number
  magic: number
  infoAddr: number
}

/** Puts the hart in the Multiboot entry state and writes the entry GDT into RAM. */
export function enterMultiboot(hart: X86HartApi, e: MultibootEntry): void {
  const dv = new DataView(hart.ram.buffer, hart.ram.byteOffset, hart.ram.byteLength)
  ENTRY_GDT.forEach((d, i) => dv.setBigUint64(ENTRY_GDT_ADDR + i * 8, d, true))
  hart.gdtr = { base: BigInt(ENTRY_GDT_ADDR), limit: ENTRY_GDT.length * 8 - 1 }
  hart.idtr = { base: 0n, limit: 0x3ff }
  hart.setReg('cr0', 0x11n) // PE | ET; PG = 0
  hart.setSegment('cs', flat(ENTRY_CODE_SELECTOR, SEG_ATTR.CODE | SEG_ATTR.RW | SEG_ATTR.ACCESSED))
  for (const s of ['ds', 'es', 'fs', 'gs', 'ss'] as const) hart.setSegment(s, flat(ENTRY_DATA_SELECTOR, SEG_ATTR.RW | SEG_ATTR.ACCESSED))
  hart.setSegment('ldtr', { selector: 0, base: 0n, limit: 0, attrs: SEG_ATTR.UNUSABLE })
  hart.setSegment('tr', { selector: 0, base: 0n, limit: 0xffff, attrs: 0xb | SEG_ATTR.P }) // a busy TSS, as after reset
  hart.setReg('rflags', 0x2n) // IF = 0, VM = 0
  hart.setReg('rax', BigInt(e.magic))
  hart.setReg('rbx', BigInt(e.infoAddr))
  hart.setReg('rsp', ENTRY_ESP)
  hart.setReg('rip', BigInt(e.entry))
}
