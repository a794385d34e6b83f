/**
 * R_RISCV_ALIGN, the one relaxation `ld --no-relax` still performs. With relaxation on, the
 * assembler pads an `.align` in code with the worst-case number of nop bytes and marks them;
 * the linker keeps just enough for the real alignment and deletes the rest
 * (bfd/elfnn-riscv.c, _bfd_riscv_relax_align and riscv_relax_delete_bytes). Section starts are
 * aligned at least as much as any `.align` inside them, so the section offset decides the padding
 * before layout. Objects are copied, never modified: the caller's ObjectFile stays as given.
 */
import { EM_RISCV, R_RISCV_ALIGN } from '../../../shared/elf/constants'
import type { LineEntry, ObjectFile, ObjSection } from '../object'

const RISCV_NOP = [0x13, 0x00, 0x00, 0x00]
const RVC_NOP = [0x01, 0x00]

export function relaxAlign(objects: ObjectFile[]): ObjectFile[] {
  // Relocation numbers are per machine: 43 is R_386_GOT32X on i386.
  return objects.map((o) => ((o.machine ?? EM_RISCV) === EM_RISCV && o.sections.some((s) => s.relocs.some((r) => r.type === R_RISCV_ALIGN)) ? relaxObject(o) : o))
}

function relaxObject(o: ObjectFile): ObjectFile {
  const symbols = o.symbols.map((s) => ({ ...s }))
  const lines: LineEntry[] = o.lines.map((l) => ({ ...l }))
  const sections = o.sections.map((sec, si): ObjSection => {
    if (!sec.relocs.some((r) => r.type === R_RISCV_ALIGN)) return sec
    let data = sec.data.slice()
    let size = sec.size
    const relocs = sec.relocs.map((r) => ({ ...r })).sort((a, b) => a.offset - b.offset)
    for (let k = 0; k < relocs.length; k++) {
      const r = relocs[k]
      if (r.type !== R_RISCV_ALIGN) continue
      const reserved = Number(r.addend)
      let alignment = 1
      while (alignment <= reserved) alignment *= 2
      const need = (alignment - (r.offset % alignment)) % alignment
      if (need > reserved) continue
      const at = r.offset + need
      const count = reserved - need
      // Padding that is already exact stays as the assembler wrote it; otherwise ld rewrites the
      // kept bytes as 4-byte nops then one c.nop, and deletes the rest.
      if (count === 0) continue
      let pos = 0
      for (; pos + 4 <= need; pos += 4) data.set(RISCV_NOP, r.offset + pos)
      if (need % 4) data.set(RVC_NOP, r.offset + pos)
      const next = new Uint8Array(data.length - count)
      next.set(data.subarray(0, at))
      next.set(data.subarray(at + count), at)
      data = next
      size -= count
      const to = at + count
      for (const x of relocs) if (x.offset >= to) x.offset -= count
      for (const s of symbols) {
        if (s.section !== si) continue
        const v = Number(s.value)
        if (v >= to) s.value -= BigInt(count)
        else if (v > at) s.value = BigInt(at)
        else if (v + Number(s.size) > at) s.size -= BigInt(count)
      }
      for (const l of lines) {
        if (l.section !== si) continue
        if (l.offset >= to) l.offset -= count
        else if (l.offset + l.size > at) l.size = Math.max(0, l.size - Math.min(count, l.offset + l.size - at))
      }
    }
    return { ...sec, data, size, relocs: relocs.filter((r) => r.type !== R_RISCV_ALIGN) }
  })
  return { ...o, sections, symbols, lines }
}
