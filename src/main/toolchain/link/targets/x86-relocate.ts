/**
 * Applies i386 and x86-64 relocations to the output bytes as GNU ld does for a static executable:
 * the formulas of the two psABIs ("Relocation Types": S + A, S + A - P, G + GOT + A - P, …) and
 * the overflow check of each type's BFD howto (elf32-i386.c / elf64-x86-64.c): R_X86_64_32 is
 * unsigned, R_X86_64_32S, PC32, PLT32 and PC8 are signed, the 16- and 8-bit fields are
 * "bitfield" (they take either a signed or an unsigned value). A value that does not fit is an
 * error that explains the usual cause — most often a higher-half kernel referring to itself with
 * a 32-bit absolute address — instead of ld's "relocation truncated to fit".
 * GOT-relative relocations that `x86-got.ts` did not relax into direct ones use its GOT slots.
 */
import {
  EM_386, R_386_16, R_386_32, R_386_32PLT, R_386_8, R_386_GOT32, R_386_GOT32X, R_386_GOTOFF, R_386_GOTPC, R_386_NONE, R_386_PC16, R_386_PC32,
  R_386_PC8, R_386_PLT32, R_X86_64_16, R_X86_64_32, R_X86_64_32S, R_X86_64_64, R_X86_64_8, R_X86_64_GOTOFF64, R_X86_64_GOTPC32,
  R_X86_64_GOTPC64, R_X86_64_GOTPCREL, R_X86_64_GOTPCREL64, R_X86_64_GOTPCRELX, R_X86_64_NONE, R_X86_64_PC16, R_X86_64_PC32,
  R_X86_64_PC64, R_X86_64_PC8, R_X86_64_PLT32, R_X86_64_REX_GOTPCRELX, relocName,
} from '../../../../shared/elf/constants'
import type { Reloc } from '../../object'
import type { InSec } from '../input'
import { MASK64, Patcher, fieldInside, symbolPlusAddend } from '../reloc-common'
import type { RelocEnv } from './target'

/** BFD's complain_overflow_* kinds. */
type Overflow = 'none' | 'signed' | 'unsigned' | 'bitfield'

/** How a value is formed: S + A, S + A - P, GOT slot + A - P, GOT slot - GOT + A, S + A - GOT, GOT + A - P. */
type Formula = 'abs' | 'pc' | 'got_pc' | 'got_off' | 'got_abs' | 'gotoff' | 'gotpc'

interface Howto {
  bytes: 1 | 2 | 4 | 8
  formula: Formula
  overflow: Overflow
}

const h = (bytes: Howto['bytes'], formula: Formula, overflow: Overflow): Howto => ({ bytes, formula, overflow })

/** elf32-i386.c's howtos for the types a static link resolves. */
const I386_HOWTOS: Readonly<Record<number, Howto>> = {
  [R_386_32]: h(4, 'abs', 'bitfield'),
  [R_386_PC32]: h(4, 'pc', 'bitfield'),
  [R_386_PLT32]: h(4, 'pc', 'bitfield'),
  [R_386_32PLT]: h(4, 'abs', 'bitfield'),
  [R_386_16]: h(2, 'abs', 'bitfield'),
  [R_386_PC16]: h(2, 'pc', 'bitfield'),
  [R_386_8]: h(1, 'abs', 'bitfield'),
  [R_386_PC8]: h(1, 'pc', 'signed'),
  [R_386_GOT32]: h(4, 'got_off', 'bitfield'),
  [R_386_GOT32X]: h(4, 'got_off', 'bitfield'),
  [R_386_GOTOFF]: h(4, 'gotoff', 'bitfield'),
  [R_386_GOTPC]: h(4, 'gotpc', 'bitfield'),
}

/** elf64-x86-64.c's howtos for the types a static link resolves. */
const X86_64_HOWTOS: Readonly<Record<number, Howto>> = {
  [R_X86_64_64]: h(8, 'abs', 'none'),
  [R_X86_64_PC32]: h(4, 'pc', 'signed'),
  [R_X86_64_PLT32]: h(4, 'pc', 'signed'),
  [R_X86_64_32]: h(4, 'abs', 'unsigned'),
  [R_X86_64_32S]: h(4, 'abs', 'signed'),
  [R_X86_64_16]: h(2, 'abs', 'bitfield'),
  [R_X86_64_PC16]: h(2, 'pc', 'bitfield'),
  [R_X86_64_8]: h(1, 'abs', 'bitfield'),
  [R_X86_64_PC8]: h(1, 'pc', 'signed'),
  [R_X86_64_PC64]: h(8, 'pc', 'none'),
  [R_X86_64_GOTPCREL]: h(4, 'got_pc', 'signed'),
  [R_X86_64_GOTPCRELX]: h(4, 'got_pc', 'signed'),
  [R_X86_64_REX_GOTPCRELX]: h(4, 'got_pc', 'signed'),
  [R_X86_64_GOTPCREL64]: h(8, 'got_pc', 'none'),
  [R_X86_64_GOTOFF64]: h(8, 'gotoff', 'none'),
  [R_X86_64_GOTPC32]: h(4, 'gotpc', 'signed'),
  [R_X86_64_GOTPC64]: h(8, 'gotpc', 'none'),
}

/** BFD's bfd_check_overflow for a field of `bits` bits in an `addrBits`-bit address space. */
export function overflows(v: bigint, bits: number, how: Overflow, addrBits: number): boolean {
  if (how === 'none' || bits >= 64) return false
  const addrMask = (1n << BigInt(addrBits)) - 1n
  const a = v & addrMask
  if (how === 'unsigned') return a >> BigInt(bits) !== 0n
  if (how === 'signed') {
    const s = BigInt.asIntN(addrBits, a)
    const lim = 1n << BigInt(bits - 1)
    return s < -lim || s >= lim
  }
  const fieldMask = (1n << BigInt(bits)) - 1n
  const high = a & ~fieldMask & addrMask
  return high !== 0n && high !== (addrMask & ~fieldMask)
}

const hex = (v: bigint) => '0x' + v.toString(16)

/** Why a value does not fit, in the terms a kernel author meets it, and what to do instead. */
function explainOverflow(type: number, machine: number, how: Howto, v: bigint, addrBits: number): { why: string; hint: string } {
  const bits = how.bytes * 8
  const value = BigInt.asUintN(addrBits, v)
  const signed = BigInt.asIntN(addrBits, v)
  if (machine !== EM_386 && type === R_X86_64_32 && signed < 0n && signed >= -(1n << 31n)) {
    return {
      why: 'does not fit in 32 bits: a higher-half kernel needs -mcmodel=kernel (R_X86_64_32S) or a 64-bit reference',
      hint: 'compile C with -mcmodel=kernel -mno-red-zone; in assembly use `movabs`/`movq $sym, %reg` (sign-extended), `.quad`, or RIP-relative `lea sym(%rip)`',
    }
  }
  if (machine !== EM_386 && type === R_X86_64_32S && value >= 0x80000000n && value < 0x100000000n) {
    return {
      why: 'does not fit in a sign-extended 32-bit field: addresses from 2 GiB to 4 GiB turn negative',
      hint: 'zero-extend instead (`movl $sym, %eax`, R_X86_64_32), or use a 64-bit reference (`movabs`, `.quad`)',
    }
  }
  if (how.formula === 'pc' || how.formula === 'got_pc' || how.formula === 'gotpc') {
    if (bits === 8) return { why: 'is more than ±128 bytes away for a short (8-bit) jump or displacement', hint: 'use the near form (`jmp`/`jcc` with a 32-bit displacement), or move the target closer' }
    if (bits === 16) return { why: 'does not fit in the 16-bit pc-relative field', hint: '16-bit code must stay within 64 KiB of what it refers to' }
    return {
      why: `is more than ±2 GiB from the reference (${signed < 0n ? '-' : ''}${hex(signed < 0n ? -signed : signed)})`,
      hint: 'a higher-half kernel reaching low addresses (or the reverse) needs an absolute jump: `movabs $target, %rax; jmp *%rax`',
    }
  }
  if (bits === 16 || bits === 8) {
    return {
      why: `does not fit in ${bits} bits`,
      hint: bits === 16 ? 'real-mode (16-bit) code and data must be linked below 64 KiB, or addressed as an offset from their segment' : 'an 8-bit field holds -0x100..0xff',
    }
  }
  return {
    why: `does not fit in ${bits} bits`,
    hint: machine === EM_386 ? 'check the address the linker script gives this symbol' : 'the address is above 4 GiB: use a 64-bit reference (`movabs`, `.quad`) or RIP-relative addressing',
  }
}

/** Applies the relocations of one input section of an i386 (`addrBits` 32) or x86-64 (64) object. */
export function relocateX86(sec: InSec, buf: Uint8Array, env: RelocEnv, machine: number): void {
  const obj = env.objects[sec.obj]
  const howtos = machine === EM_386 ? I386_HOWTOS : X86_64_HOWTOS
  const addrBits = machine === EM_386 ? 32 : 64
  const name = (t: number) => relocName(t, machine)
  const base = env.addrOf(sec)
  const p = new Patcher(buf)
  for (const r of sec.relocs) {
    if (r.type === R_386_NONE || (machine !== EM_386 && r.type === R_X86_64_NONE)) continue
    const how = howtos[r.type]
    const symName = r.symbol >= 0 ? obj.symbols[r.symbol]?.name ?? '?' : '?'
    if (!how) {
      env.diags.push({
        severity: 'error', code: 'link.unsupported_reloc',
        message: `${name(r.type)} against '${symName}' in ${sec.name} of ${obj.name} is not supported in a static executable`,
        loc: r.loc, hint: 'TLS and dynamic relocations need a dynamic linker or a thread-local storage setup; a freestanding kernel is built with -ffreestanding -fno-pic (or -fno-pie) and no __thread',
      })
      continue
    }
    if (!fieldInside(sec, r, how.bytes, buf.length, env, name)) continue
    const P = (base + BigInt(r.offset)) & MASK64
    const v = formulaValue(how.formula, sec, r, env, P, name)
    if (v === undefined) continue
    if (overflows(v, how.bytes * 8, how.overflow, addrBits)) {
      const { why, hint } = explainOverflow(r.type, machine, how, v, addrBits)
      const shown = how.formula === 'abs' ? ` = ${hex(BigInt.asUintN(addrBits, v))}` : ''
      env.diags.push({
        severity: 'error', code: 'link.reloc_out_of_range',
        message: `${name(r.type)} against \`${symName}\`${shown} ${why} (in ${sec.name} of ${obj.name} at offset 0x${r.offset.toString(16)})`,
        loc: r.loc ?? obj.symbols[r.symbol]?.loc, hint,
      })
      continue
    }
    if (how.bytes === 1) p.w8(r.offset, v)
    else if (how.bytes === 2) p.w16(r.offset, v)
    else if (how.bytes === 4) p.w32(r.offset, v)
    else p.w64(r.offset, v)
  }
}

function formulaValue(f: Formula, sec: InSec, r: Reloc, env: RelocEnv, P: bigint, name: (t: number) => string): bigint | undefined {
  if (f === 'abs') return symbolPlusAddend(sec, r, env, name)
  if (f === 'pc') {
    const s = symbolPlusAddend(sec, r, env, name)
    return s === undefined ? undefined : (s - P) & MASK64
  }
  const got = env.gotBase
  if (f === 'gotpc') return got === undefined ? missingGot(sec, r, env, name) : (got + r.addend - P) & MASK64
  if (f === 'gotoff') {
    const s = symbolPlusAddend(sec, r, env, name)
    if (s === undefined) return undefined
    return got === undefined ? missingGot(sec, r, env, name) : (s - got) & MASK64
  }
  const slot = env.gotSlot?.(sec.obj, r.symbol)
  if (slot === undefined) return missingGot(sec, r, env, name)
  if (f === 'got_pc') return (slot + r.addend - P) & MASK64
  if (f === 'got_off') return got === undefined ? missingGot(sec, r, env, name) : (slot - got + r.addend) & MASK64
  return (slot + r.addend) & MASK64
}

function missingGot(sec: InSec, r: Reloc, env: RelocEnv, name: (t: number) => string): undefined {
  env.diags.push({
    severity: 'error', code: 'link.internal',
    message: `${name(r.type)} in ${sec.name} of ${env.objects[sec.obj].name} needs a GOT entry the linker did not make`,
    loc: r.loc, hint: 'this is a Bootscope bug; please report it with the objects that caused it',
  })
  return undefined
}
