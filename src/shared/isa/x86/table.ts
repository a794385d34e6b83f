/**
 * THE x86 instruction table: every row of rows-*.ts parsed into `X86Row`s, with the two
 * lookups its users need — by mnemonic (the encoder, the editor) and by opcode (the
 * disassembler, the hart's generated decoder). Do not duplicate encodings elsewhere.
 *
 * Decoding: rows flagged `asm` (second spellings) and `wait` (fwait + the no-wait row) are not
 * decodable; every other row is. Two decodable rows that can match the same bytes in the same
 * mode must be declared in ALLOWED_OVERLAPS, more specific row first, and the decoder prefers
 * it (a test checks this, as for the RISC-V table).
 */
import { parseRow } from './parse-row'
import { GENERAL_ROWS } from './rows-general'
import { SSE_ROWS } from './rows-sse'
import { SYSTEM_ROWS } from './rows-system'
import { X87_ROWS } from './rows-x87'
import type { X86Map, X86Row } from './types'

export const X86_ROWS: readonly X86Row[] = [...GENERAL_ROWS, ...SYSTEM_ROWS, ...X87_ROWS, ...SSE_ROWS].map((text, id) => parseRow(text, id))

/**
 * Declared overlaps `[specific, general]` by row name. All are REX.W (o64) variants of a row
 * whose operand size otherwise has no effect, except nop/xchg: 90 is `nop`, not `xchg eax,eax`.
 */
export const ALLOWED_OVERLAPS: readonly (readonly [string, string])[] = [
  ['nop ; 90', 'xchg rv,accv ; ov 90+r'],
  ['cmpxchg16b m128 ; o64 0F C7 /1', 'cmpxchg8b m64 ; 0F C7 /1'],
  ['sysretq ; o64 0F 07', 'sysret ; 0F 07'],
  ['sysexitq ; o64 0F 35', 'sysexit ; 0F 35'],
  ['fxsave64 m512 ; o64 0F AE /0', 'fxsave m512 ; 0F AE /0'],
  ['fxrstor64 m512 ; o64 0F AE /1', 'fxrstor m512 ; 0F AE /1'],
  ['cvtsi2ss xmm,r/m64 ; o64 F3 0F 2A /r', 'cvtsi2ss xmm,r/m32 ; F3 0F 2A /r'],
  ['cvtsi2sd xmm,r/m64 ; o64 F2 0F 2A /r', 'cvtsi2sd xmm,r/m32 ; F2 0F 2A /r'],
  ['cvttss2si r64,xmm/m32 ; o64 F3 0F 2C /r', 'cvttss2si r32,xmm/m32 ; F3 0F 2C /r'],
  ['cvttsd2si r64,xmm/m64 ; o64 F2 0F 2C /r', 'cvttsd2si r32,xmm/m64 ; F2 0F 2C /r'],
  ['cvtss2si r64,xmm/m32 ; o64 F3 0F 2D /r', 'cvtss2si r32,xmm/m32 ; F3 0F 2D /r'],
  ['cvtsd2si r64,xmm/m64 ; o64 F2 0F 2D /r', 'cvtsd2si r32,xmm/m64 ; F2 0F 2D /r'],
  ['movq xmm,r/m64 ; o64 66 0F 6E /r', 'movd xmm,r/m32 ; 66 0F 6E /r'],
  ['movq r/m64,xmm ; o64 66 0F 7E /r', 'movd r/m32,xmm ; 66 0F 7E /r'],
  ['movq mm,r/m64 ; o64 0F 6E /r', 'movd mm,r/m32 ; 0F 6E /r'],
  ['movq r/m64,mm ; o64 0F 7E /r', 'movd r/m32,mm ; 0F 7E /r'],
  ['movnti m64,r64 ; o64 0F C3 /r', 'movnti m32,r32 ; 0F C3 /r'],
]

/** Whether the decoder sees this row (not an assembler-only spelling). */
export function isDecodable(row: X86Row): boolean {
  return !row.flags.asm && !row.flags.wait
}

const BY_MNEMONIC = new Map<string, X86Row[]>()
for (const row of X86_ROWS) {
  const list = BY_MNEMONIC.get(row.mnemonic)
  if (list) list.push(row)
  else BY_MNEMONIC.set(row.mnemonic, [row])
}

/** Rows spelled `mnemonic` (lower case), in table order; empty when unknown. */
export function x86RowsByMnemonic(mnemonic: string): readonly X86Row[] {
  return BY_MNEMONIC.get(mnemonic) ?? []
}

/** Every mnemonic of the table, sorted (the editor's completion and the "did you mean" hints). */
export const X86_MNEMONICS: readonly string[] = [...BY_MNEMONIC.keys()].sort()

export const MAP_INDEX: Record<X86Map, number> = { legacy: 0, '0F': 1, '0F38': 2, '0F3A': 3 }
const DECODE: X86Row[][] = Array.from({ length: 4 * 256 }, () => [])
const specificity = (r: X86Row): number =>
  (r.prefix ? 8 : 0) + (r.modrm?.rm !== undefined ? 4 : 0) + (r.modrm && r.modrm.reg !== 'r' ? 2 : 0) + (typeof r.opsize === 'number' ? 1 : 0) + (r.plusReg ? 0 : 1)
for (const row of X86_ROWS) {
  if (!isDecodable(row)) continue
  const base = MAP_INDEX[row.map] * 256 + row.opcode
  for (let k = 0; k < (row.plusReg ? 8 : 1); k++) DECODE[base + k].push(row)
}
for (const list of DECODE) list.sort((a, b) => specificity(b) - specificity(a) || a.id - b.id)

/**
 * The decodable rows for an opcode byte in a map, most specific first (mandatory prefix, fixed
 * ModRM, /digit, fixed operand size): the decoder takes the first row whose prefix, ModRM,
 * operand size, address size and mode all match.
 */
export function x86DecodeCandidates(map: X86Map, opcode: number): readonly X86Row[] {
  return DECODE[MAP_INDEX[map] * 256 + opcode]
}

/** Whether any row has a ModRM byte for this opcode (the decoder must read one). */
export function x86HasModrm(map: X86Map, opcode: number): boolean {
  return DECODE[MAP_INDEX[map] * 256 + opcode].some((r) => r.modrm !== undefined)
}
