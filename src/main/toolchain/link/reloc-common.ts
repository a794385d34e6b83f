/**
 * What every target's relocation pass shares: little-endian reads and writes into the output
 * bytes, S + A with the "undefined reference" error when S has no definition, and the check that
 * a relocation's field lies inside its section. Each target (`relocate.ts` for RISC-V,
 * `targets/x86-relocate.ts`) adds its own formulas and range checks on top.
 */
import type { Reloc } from '../object'
import type { InSec } from './input'
import type { RelocEnv } from './targets/target'

export const MASK64 = (1n << 64n) - 1n

export class Patcher {
  private view: DataView
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  r8(o: number) { return this.view.getUint8(o) }
  r16(o: number) { return this.view.getUint16(o, true) }
  r32(o: number) { return this.view.getUint32(o, true) }
  r64(o: number) { return this.view.getBigUint64(o, true) }
  w8(o: number, v: bigint) { this.view.setUint8(o, Number(v & 0xffn)) }
  w16(o: number, v: bigint) { this.view.setUint16(o, Number(v & 0xffffn), true) }
  w32(o: number, v: bigint) { this.view.setUint32(o, Number(v & 0xffffffffn), true) }
  w64(o: number, v: bigint) { this.view.setBigUint64(o, v & MASK64, true) }
}

/**
 * S + A (mod 2^64) for relocation `r` of `sec`, or undefined after reporting an undefined
 * reference. A relocation without a symbol (R_RISCV_RELAX, …) is just its addend.
 */
export function symbolPlusAddend(sec: InSec, r: Reloc, env: RelocEnv, relocName: (type: number) => string): bigint | undefined {
  if (r.symbol < 0) return r.addend
  const moved = env.mergedTarget?.(sec.obj, r.symbol, r.addend)
  if (moved !== undefined) return moved & MASK64
  const s = env.symbolValue(sec.obj, r.symbol)
  if (s === undefined) {
    const obj = env.objects[sec.obj]
    const sym = obj.symbols[r.symbol]
    env.diags.push({
      severity: 'error', code: 'link.undefined_symbol',
      message: `undefined reference to '${sym?.name ?? '?'}' (in ${sec.name} of ${obj.name}, ${relocName(r.type)})`,
      loc: r.loc ?? sym?.loc,
      hint: `define '${sym?.name}' in an object or the linker script (and .globl it if it lives in another file)`,
    })
    return undefined
  }
  return (s + r.addend) & MASK64
}

/** False (after reporting it) when a `width`-byte field at the relocation's offset is outside the section. */
export function fieldInside(sec: InSec, r: Reloc, width: number, size: number, env: RelocEnv, relocName: (type: number) => string): boolean {
  if (r.offset >= 0 && r.offset + width <= size) return true
  env.diags.push({
    severity: 'error', code: 'link.bad_reloc',
    message: `${relocName(r.type)} at offset 0x${r.offset.toString(16)} is outside ${sec.name} of ${env.objects[sec.obj].name}`, loc: r.loc,
    hint: 'the object file is corrupt',
  })
  return false
}
