/**
 * The `.riscv.attributes` section GNU as (2.40, riscv64-unknown-elf) writes into every object. Our
 * assembler leaves it out; the build driver adds this one so the linked ELF has the same
 * PT_RISCV_ATTRIBUTES program header and section as binutils' output. Our assembler compresses
 * like `as -march=rv64gc`, so the arch string is rv64gc's — with `c2p0`, or GNU objdump shows
 * the compressed instructions as `.2byte` — unless the file ends with `.option norvc` (or
 * `arch, -c`) in force, where GNU as drops `c` too.
 *
 * Layout (ELF attributes, "A" format): 'A', then one vendor subsection
 * [u32 length]["riscv\0"][Tag_File = 1][u32 length][Tag_RISCV_arch = 5]["rv64…\0"].
 */
import type { ObjSection } from '../object'

/** What `riscv64-unknown-elf-readelf -A` prints for an object of GNU as 2.40 with no -march. */
export const GNU_DEFAULT_ARCH = 'rv64i2p1_m2p0_a2p1_f2p2_d2p2_zicsr2p0_zifencei2p0_zmmul1p0'
/** The same for `-march=rv64gc` (and for `.option rvc` with no -march): the C extension too. */
export const GNU_RV64GC_ARCH = 'rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0_zmmul1p0'

/** The arch string GNU as writes for a file that ends with compression on (`rvc`) or off. */
export function gnuArch(rvc: boolean): string {
  return rvc ? GNU_RV64GC_ARCH : GNU_DEFAULT_ARCH
}

const SHT_RISCV_ATTRIBUTES = 0x70000003
const TAG_FILE = 1
const TAG_RISCV_ARCH = 5

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]
}

function cstring(s: string): number[] {
  return [...new TextEncoder().encode(s), 0]
}

export function riscvAttributesSection(arch: string = GNU_DEFAULT_ARCH): ObjSection {
  const attrs = [TAG_RISCV_ARCH, ...cstring(arch)]
  const file = [TAG_FILE, ...u32(1 + 4 + attrs.length), ...attrs]
  const vendor = cstring('riscv')
  const sub = [...u32(4 + vendor.length + file.length), ...vendor, ...file]
  const data = Uint8Array.from([0x41, ...sub])
  return { name: '.riscv.attributes', type: SHT_RISCV_ATTRIBUTES, flags: 0, align: 1, data, size: data.length, entsize: 0, relocs: [] }
}
