/**
 * Applies RISC-V relocations (ELF psABI, "Relocations") to the output bytes, exactly as
 * `ld --no-relax` does: S + A - P computed in 64 bits, each field range-checked, and every
 * failure reported with the symbol, the section and the source line that asked for it. The
 * %pcrel_lo relocations point at the auipc's label, so their value comes from the PCREL_HI20 there.
 */
import type { SourceLoc } from '../../../shared/api/result'
import {
  R_RISCV_32, R_RISCV_32_PCREL, R_RISCV_64, R_RISCV_ADD16, R_RISCV_ADD32, R_RISCV_ADD64, R_RISCV_ADD8, R_RISCV_ALIGN, R_RISCV_BRANCH, R_RISCV_CALL, R_RISCV_CALL_PLT, R_RISCV_HI20, R_RISCV_JAL, R_RISCV_LO12_I, R_RISCV_LO12_S, R_RISCV_NONE, R_RISCV_PCREL_HI20, R_RISCV_PCREL_LO12_I, R_RISCV_PCREL_LO12_S, R_RISCV_RELAX, R_RISCV_RVC_BRANCH, R_RISCV_RVC_JUMP, R_RISCV_SET16, R_RISCV_SET32, R_RISCV_SET6, R_RISCV_SET8, R_RISCV_SET_ULEB128, R_RISCV_SUB16, R_RISCV_SUB32, R_RISCV_SUB6, R_RISCV_SUB64, R_RISCV_SUB8, R_RISCV_SUB_ULEB128, relocName,
} from '../../../shared/elf/constants'
import type { Reloc } from '../object'
import type { InSec } from './input'
import type { RelocEnv } from './targets/target'
import { MASK64, Patcher, symbolPlusAddend } from './reloc-common'

export type { RelocEnv }

function fits(v: bigint, bits: number): boolean {
  const s = BigInt.asIntN(64, v)
  const lim = 1n << BigInt(bits - 1)
  return s >= -lim && s < lim
}

function encU(insn: number, v: bigint): number {
  return ((insn & 0xfff) | Number((v + 0x800n) & 0xfffff000n)) >>> 0
}
function encI(insn: number, v: bigint): number {
  return ((insn & 0xfffff) | (Number(v & 0xfffn) << 20)) >>> 0
}
function encS(insn: number, v: bigint): number {
  const imm = Number(v & 0xfffn)
  return ((insn & 0x1fff07f) | ((imm >> 5) << 25) | ((imm & 0x1f) << 7)) >>> 0
}
function encB(insn: number, v: bigint): number {
  const imm = Number(v & 0x1fffn)
  return ((insn & 0x1fff07f) | (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7)) >>> 0
}
function encJ(insn: number, v: bigint): number {
  const imm = Number(v & 0x1fffffn)
  return ((insn & 0xfff) | (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12)) >>> 0
}
function encCB(insn: number, v: bigint): number {
  const imm = Number(v & 0x1ffn)
  return (insn & 0xe383) | (((imm >> 8) & 1) << 12) | (((imm >> 3) & 3) << 10) | (((imm >> 6) & 3) << 5) | (((imm >> 1) & 3) << 3) | (((imm >> 5) & 1) << 2)
}
function encCJ(insn: number, v: bigint): number {
  const imm = Number(v & 0xfffn)
  return (insn & 0xe003) | (((imm >> 11) & 1) << 12) | (((imm >> 4) & 1) << 11) | (((imm >> 8) & 3) << 9) | (((imm >> 10) & 1) << 8) |
    (((imm >> 6) & 1) << 7) | (((imm >> 7) & 1) << 6) | (((imm >> 1) & 7) << 3) | (((imm >> 5) & 1) << 2)
}

/** Patches `buf` (the input section's bytes inside its output section) for every relocation of `sec`. */
export function relocateSection(sec: InSec, buf: Uint8Array, env: RelocEnv): void {
  const obj = env.objects[sec.obj]
  const base = env.addrOf(sec)
  const p = new Patcher(buf)
  const relocs = sec.relocs
  // PCREL_HI20 values by section offset, for the matching PCREL_LO12s.
  const hiAt = new Map<number, bigint>()
  const value = (r: Reloc): bigint | undefined => symbolPlusAddend(sec, r, env, relocName)
  const report = (r: Reloc, what: string, v: bigint, hint: string) => {
    const sym = r.symbol >= 0 ? obj.symbols[r.symbol] : undefined
    const loc: SourceLoc | undefined = r.loc
    env.diags.push({
      severity: 'error', code: 'link.reloc_out_of_range',
      message: `${relocName(r.type)} against '${sym?.name ?? '?'}' in ${sec.name} of ${obj.name} at offset 0x${r.offset.toString(16)}: ${what} (value ${BigInt.asIntN(64, v)})`,
      loc, hint,
    })
  }
  for (const r of relocs) {
    if (r.type !== R_RISCV_PCREL_HI20) continue
    const v = value(r)
    if (v !== undefined) hiAt.set(r.offset, (v - (base + BigInt(r.offset))) & MASK64)
  }
  for (let idx = 0; idx < relocs.length; idx++) {
    const r = relocs[idx]
    const o = r.offset
    const P = (base + BigInt(o)) & MASK64
    if (o < 0 || o > buf.length) {
      env.diags.push({ severity: 'error', code: 'link.bad_reloc', message: `${relocName(r.type)} at offset 0x${o.toString(16)} is outside ${sec.name} of ${obj.name}`, loc: r.loc })
      continue
    }
    switch (r.type) {
      case R_RISCV_NONE:
      case R_RISCV_RELAX:
      case R_RISCV_ALIGN:
        continue
      case R_RISCV_PCREL_LO12_I:
      case R_RISCV_PCREL_LO12_S: {
        // The symbol labels the auipc; its PCREL_HI20 holds the full pc-relative value.
        const hiSec = env.symbolInput(sec.obj, r.symbol)
        const sym = obj.symbols[r.symbol]
        let hv: bigint | undefined
        if (hiSec === sec && sym) hv = hiAt.get(Number(sym.value + r.addend))
        if (hv === undefined) {
          env.diags.push({
            severity: 'error', code: 'link.pcrel_lo_without_hi',
            message: `${relocName(r.type)} in ${sec.name} of ${obj.name} refers to '${sym?.name ?? '?'}', which labels no R_RISCV_PCREL_HI20 (auipc)`,
            loc: r.loc, hint: '%pcrel_lo(label) must name the label of the auipc that holds %pcrel_hi',
          })
          continue
        }
        const insn = p.r32(o)
        p.w32(o, BigInt(r.type === R_RISCV_PCREL_LO12_I ? encI(insn, hv) : encS(insn, hv)))
        continue
      }
    }
    const v = value(r)
    if (v === undefined) continue
    switch (r.type) {
      case R_RISCV_32:
        p.w32(o, v)
        break
      case R_RISCV_64:
        p.w64(o, v)
        break
      case R_RISCV_HI20: {
        if (!fits(v + 0x800n, 32)) { report(r, 'does not fit in a signed 32-bit lui+addi pair', v, 'the address is beyond ±2 GiB: use `la` (pc-relative) or a medany code model'); break }
        p.w32(o, BigInt(encU(p.r32(o), v)))
        break
      }
      case R_RISCV_LO12_I:
        p.w32(o, BigInt(encI(p.r32(o), v)))
        break
      case R_RISCV_LO12_S:
        p.w32(o, BigInt(encS(p.r32(o), v)))
        break
      case R_RISCV_PCREL_HI20: {
        const d = (v - P) & MASK64
        if (!fits(d + 0x800n, 32)) { report(r, 'target is more than ±2 GiB away from the auipc', d, 'keep code and data within 2 GiB of each other, or load the address from memory'); break }
        p.w32(o, BigInt(encU(p.r32(o), d)))
        break
      }
      case R_RISCV_BRANCH: {
        const d = (v - P) & MASK64
        if (!fits(d, 13)) { report(r, 'branch target is more than ±4 KiB away', d, 'invert the branch around a `j`, or move the target closer'); break }
        p.w32(o, BigInt(encB(p.r32(o), d)))
        break
      }
      case R_RISCV_JAL: {
        const d = (v - P) & MASK64
        if (!fits(d, 21)) { report(r, 'jump target is more than ±1 MiB away', d, 'use `call`/`tail` (auipc+jalr) for far targets'); break }
        p.w32(o, BigInt(encJ(p.r32(o), d)))
        break
      }
      case R_RISCV_CALL:
      case R_RISCV_CALL_PLT: {
        const d = (v - P) & MASK64
        if (!fits(d + 0x800n, 32)) { report(r, 'call target is more than ±2 GiB away', d, 'a higher-half kernel calling low code needs an absolute jump (la + jr)'); break }
        p.w32(o, BigInt(encU(p.r32(o), d)))
        p.w32(o + 4, BigInt(encI(p.r32(o + 4), d)))
        break
      }
      case R_RISCV_RVC_BRANCH: {
        const d = (v - P) & MASK64
        if (!fits(d, 9)) { report(r, 'compressed branch target is more than ±256 bytes away', d, 'use a full-size branch (write `beq`, or .option norvc)'); break }
        p.w16(o, BigInt(encCB(p.r16(o), d)))
        break
      }
      case R_RISCV_RVC_JUMP: {
        const d = (v - P) & MASK64
        if (!fits(d, 12)) { report(r, 'compressed jump target is more than ±2 KiB away', d, 'use a full-size `jal` (or .option norvc)'); break }
        p.w16(o, BigInt(encCJ(p.r16(o), d)))
        break
      }
      case R_RISCV_32_PCREL:
        p.w32(o, v - P)
        break
      case R_RISCV_ADD8: p.w8(o, BigInt(p.r8(o)) + v); break
      case R_RISCV_ADD16: p.w16(o, BigInt(p.r16(o)) + v); break
      case R_RISCV_ADD32: p.w32(o, BigInt(p.r32(o)) + v); break
      case R_RISCV_ADD64: p.w64(o, p.r64(o) + v); break
      case R_RISCV_SUB8: p.w8(o, BigInt(p.r8(o)) - v); break
      case R_RISCV_SUB16: p.w16(o, BigInt(p.r16(o)) - v); break
      case R_RISCV_SUB32: p.w32(o, BigInt(p.r32(o)) - v); break
      case R_RISCV_SUB64: p.w64(o, p.r64(o) - v); break
      case R_RISCV_SUB6: p.w8(o, BigInt(p.r8(o) & 0xc0) | ((BigInt(p.r8(o)) - v) & 0x3fn)); break
      case R_RISCV_SET6: p.w8(o, BigInt(p.r8(o) & 0xc0) | (v & 0x3fn)); break
      case R_RISCV_SET8: p.w8(o, v); break
      case R_RISCV_SET16: p.w16(o, v); break
      case R_RISCV_SET32: p.w32(o, v); break
      case R_RISCV_SET_ULEB128: {
        // Paired with a SUB_ULEB128 at the same offset (the next relocation): write S1+A1 - (S2+A2).
        let val = v
        const next = relocs[idx + 1]
        if (next && next.type === R_RISCV_SUB_ULEB128 && next.offset === o) {
          const w = value(next)
          if (w !== undefined) val = (v - w) & MASK64
          idx++
        }
        writeUleb(buf, o, val)
        break
      }
      case R_RISCV_SUB_ULEB128:
        writeUleb(buf, o, (readUleb(buf, o) - v) & MASK64)
        break
      default: {
        const sym = r.symbol >= 0 ? obj.symbols[r.symbol] : undefined
        env.diags.push({
          severity: 'error', code: 'link.unsupported_reloc',
          message: `${relocName(r.type)} against '${sym?.name ?? '?'}' in ${sec.name} of ${obj.name} is not supported in a static executable`,
          loc: r.loc, hint: 'GOT, TLS and dynamic relocations need a dynamic linker; use `la`/`lla` in a bare-metal kernel',
        })
      }
    }
  }
}

/** Rewrites a ULEB128 in place, keeping its length (the assembler reserved the bytes). */
function writeUleb(buf: Uint8Array, o: number, v: bigint): void {
  let i = o
  for (;;) {
    const more = (buf[i] & 0x80) !== 0
    buf[i] = Number(v & 0x7fn) | (more ? 0x80 : 0)
    v >>= 7n
    i++
    if (!more || i >= buf.length) break
  }
}

function readUleb(buf: Uint8Array, o: number): bigint {
  let v = 0n
  let shift = 0n
  for (let i = o; i < buf.length; i++) {
    v |= BigInt(buf[i] & 0x7f) << shift
    shift += 7n
    if ((buf[i] & 0x80) === 0) break
  }
  return v
}
