/**
 * x86 registers by class and width, with their encoding numbers (SDM Vol. 2, 2.1.5 "Addressing-
 * Mode Encoding of ModR/M and SIB Bytes" and 2.2.1 "REX Prefixes"): what the operand model,
 * the encoder, the disassembler and the editor's completion share. Names are lower case, as
 * nasm and GNU as (after `%`) spell them.
 */
import type { X86Mode } from './types'

export type RegClass = 'gpr' | 'seg' | 'cr' | 'dr' | 'xmm' | 'mm' | 'st' | 'ip'

export interface X86Register {
  name: string
  cls: RegClass
  /** Width in bits (gpr 8/16/32/64, seg 16, xmm 128, mm 64, st 80, cr/dr the mode's, ip 32/64). */
  size: number
  /** Encoding number 0–15 (bit 3 goes to REX.R/X/B). */
  num: number
  /** Needs a REX prefix (spl/bpl/sil/dil, r8–r15, xmm8–15, cr8–15): 64-bit mode only. */
  needsRex?: boolean
  /** Cannot be encoded with a REX prefix (ah/ch/dh/bh). */
  noRex?: boolean
}

const REGS: X86Register[] = []
const add = (name: string, cls: RegClass, size: number, num: number, extra: Partial<X86Register> = {}) => REGS.push({ name, cls, size, num, ...extra })

const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh']
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di']
GPR8.forEach((n, i) => add(n, 'gpr', 8, i, i >= 4 ? { noRex: true } : {}))
;['spl', 'bpl', 'sil', 'dil'].forEach((n, i) => add(n, 'gpr', 8, i + 4, { needsRex: true }))
GPR16.forEach((n, i) => add(n, 'gpr', 16, i))
GPR16.forEach((n, i) => add('e' + n, 'gpr', 32, i))
GPR16.forEach((n, i) => add('r' + n, 'gpr', 64, i))
for (let i = 8; i < 16; i++) {
  add(`r${i}b`, 'gpr', 8, i, { needsRex: true })
  add(`r${i}w`, 'gpr', 16, i, { needsRex: true })
  add(`r${i}d`, 'gpr', 32, i, { needsRex: true })
  add(`r${i}`, 'gpr', 64, i, { needsRex: true })
}
;['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n, i) => add(n, 'seg', 16, i))
for (let i = 0; i < 16; i++) {
  add(`cr${i}`, 'cr', 0, i, i >= 8 ? { needsRex: true } : {})
  add(`dr${i}`, 'dr', 0, i, i >= 8 ? { needsRex: true } : {})
  add(`xmm${i}`, 'xmm', 128, i, i >= 8 ? { needsRex: true } : {})
}
for (let i = 0; i < 8; i++) {
  add(`mm${i}`, 'mm', 64, i)
  add(`st${i}`, 'st', 80, i)
}
add('rip', 'ip', 64, 5)
add('eip', 'ip', 32, 5)

const BY_NAME = new Map(REGS.map((r) => [r.name, r]))

/** Every register, in a stable order (the editor's completion lists them). */
export const X86_REGISTERS: readonly X86Register[] = REGS

/** The register called `name` (lower or upper case), or undefined. */
export function x86Register(name: string): X86Register | undefined {
  return BY_NAME.get(name.toLowerCase())
}

/** The general register of `size` bits with encoding `num` (al…r15b use the REX set for 4–7). */
export function gpr(size: 8 | 16 | 32 | 64, num: number, rex = false): X86Register {
  if (size === 8) return BY_NAME.get(num < 4 ? GPR8[num] : num < 8 ? (rex ? ['spl', 'bpl', 'sil', 'dil'][num - 4] : GPR8[num]) : `r${num}b`)!
  const base = num < 8 ? GPR16[num] : `r${num}`
  return BY_NAME.get(num < 8 ? (size === 16 ? base : size === 32 ? 'e' + base : 'r' + base) : size === 16 ? base + 'w' : size === 32 ? base + 'd' : base)!
}

/** Why `reg` cannot be used in `mode`, or undefined when it can. */
export function registerUnavailable(reg: X86Register, mode: X86Mode): string | undefined {
  if (mode === 64) return undefined
  if (reg.needsRex || (reg.cls === 'gpr' && reg.size === 64) || reg.name === 'rip') return `\`${reg.name}\` is not available in \`bits ${mode}\``
  return undefined
}
