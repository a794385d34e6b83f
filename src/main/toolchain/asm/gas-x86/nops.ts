/**
 * The padding GNU as 2.40 writes where code is aligned (tc-i386.c `i386_generate_nops` and
 * `i386_output_nops`): the longest no-op of the mode's pattern set repeated, the remainder as
 * one shorter no-op; when more than a few no-ops would be needed, a `jmp` over them first.
 * The pattern set is chosen when the object is written, so by the `.code*` in force at the END of
 * the file: `f16_patt` if that is .code16, else `alt_patt` (the `nopl`/`nopw` forms) in an
 * `--64` object, whose default CPU has them, and `f32_patt` (lea forms) in an `--32` object.
 */
import type { X86Mode } from '../../../../shared/isa/x86'

const f32_1 = [0x90]
const f32_2 = [0x66, 0x90] // xchg %ax,%ax
const f32_3 = [0x8d, 0x76, 0x00] // leal 0(%esi),%esi
const f32_4 = [0x8d, 0x74, 0x26, 0x00] // leal 0(%esi,1),%esi
const f32_6 = [0x8d, 0xb6, 0x00, 0x00, 0x00, 0x00] // leal 0L(%esi),%esi
const f32_7 = [0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00] // leal 0L(%esi,1),%esi
const f16_3 = [0x8d, 0x74, 0x00] // lea 0(%si),%si
const f16_4 = [0x8d, 0xb4, 0x00, 0x00] // lea 0W(%si),%si
const alt_3 = [0x0f, 0x1f, 0x00] // nopl (%[re]ax)
const alt_4 = [0x0f, 0x1f, 0x40, 0x00] // nopl 0(%[re]ax)
const alt_5 = [0x0f, 0x1f, 0x44, 0x00, 0x00] // nopl 0(%[re]ax,%[re]ax,1)
const alt_6 = [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00] // nopw 0(%[re]ax,%[re]ax,1)
const alt_7 = [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00] // nopl 0L(%[re]ax)
const alt_8 = [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00] // nopl 0L(%[re]ax,%[re]ax,1)
const alt_9 = [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00] // nopw 0L(%[re]ax,%[re]ax,1)
const alt_10 = [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00] // nopw %cs:0L(%[re]ax,%[re]ax,1)
const alt_11 = [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00] // data16 nopw %cs:0L(%eax,%eax,1)

const F16_PATT: readonly (readonly number[] | null)[] = [f32_1, f32_2, f16_3, f16_4]
const F32_PATT: readonly (readonly number[] | null)[] = [f32_1, f32_2, f32_3, f32_4, null, f32_6, f32_7]
const ALT_PATT: readonly (readonly number[] | null)[] = [f32_1, f32_2, alt_3, alt_4, alt_5, alt_6, alt_7, alt_8, alt_9, alt_10, alt_11]

/** Writes `count` bytes of padding at `at`; `endMode` is the `.code*` in force at the end of the file. */
export function gasNops(out: Uint8Array, at: number, count: number, endMode: X86Mode, elf: 32 | 64): void {
  const mode = endMode
  const patt = mode === 16 ? F16_PATT : elf === 64 ? ALT_PATT : F32_PATT
  const maxNops = patt === ALT_PATT ? 7 : 2
  let max = patt.length
  let where = at
  if (Math.floor(count / max) > maxNops) {
    // A jump over the padding.
    const disp = count - 2
    if (disp <= 127) {
      out[where] = 0xeb
      out[where + 1] = disp
      where += 2
      count = disp
    } else {
      const jump = mode === 16 ? [0x66, 0xe9] : [0xe9]
      out.set(jump, where)
      count -= jump.length + 4
      new DataView(out.buffer, out.byteOffset).setInt32(where + jump.length, count, true)
      where += jump.length + 4
    }
  }
  let nops = patt[max - 1]
  if (!nops) nops = patt[--max - 1]!
  const last = count % max
  const whole = count - last
  let offset = 0
  for (; offset < whole; offset += max) out.set(nops, where + offset)
  if (last) {
    const n = patt[last - 1]
    if (n) out.set(n, where + offset)
    else {
      out.set(patt[last - 2]!, where + offset)
      out[where + offset + last - 1] = patt[0]![0]
    }
  }
}
