/**
 * The SSE/SSE2 part of the differential tests: random instances of every SSE row the hart
 * executes (moves, packed integer, packed and scalar float arithmetic, compares, conversions,
 * shuffles), with XMM registers loaded from a table of random lane values — ordinary floats and
 * doubles, zeros, infinities, NaNs, denormals and raw bit patterns — and the XMM registers dumped
 * after each instruction besides the general registers, flags and scratch memory.
 */
import { X86_ROWS, isDecodable, type X86Row, type OperandKind } from '../../../../../src/shared/isa/x86/index'
import type { DiffCase, DiffMode } from './diff-gen'

/** SSE execute families covered (state instructions — fxsave, ldmxcsr — and maskmovdqu are tested elsewhere). */
const SKIP = new Set(['fxsave', 'fxsave64', 'fxrstor', 'fxrstor64', 'ldmxcsr', 'stmxcsr', 'maskmovdqu'])

export function sseRows(mode: DiffMode): X86Row[] {
  const bit = mode === 16 ? 1 : mode === 32 ? 2 : 4
  return X86_ROWS.filter((r) => isDecodable(r) && (r.modes & bit) !== 0 && !r.flags.dis && !SKIP.has(r.mnemonic) &&
    r.operands.some((o) => o.startsWith('xmm')))
}

function pick<T>(rnd: () => number, xs: readonly T[]): T { return xs[Math.floor(rnd() * xs.length)] }

/** A random SSE instance: XMM registers, memory at [rSI+offset] (16-byte aligned for m128), immediates. */
export function sseInstance(r: X86Row, mode: DiffMode, rnd: () => number): DiffCase | undefined {
  const nx = mode === 64 ? 16 : 8
  const base = mode === 64 ? 'rsi' : 'esi'
  const gpr32 = ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'edi']
  const gpr64 = ['rax', 'rcx', 'rdx', 'rbx', 'rbp', 'rdi', 'r8', 'r11']
  const texts: string[] = []
  for (const kind of r.operands as OperandKind[]) {
    switch (kind) {
      case 'xmm': case 'xmm.rm': texts.push(`xmm${Math.floor(rnd() * nx)}`); break
      case 'xmm/m16': case 'xmm/m32': case 'xmm/m64': case 'xmm/m128': {
        if (rnd() < 0.6) { texts.push(`xmm${Math.floor(rnd() * nx)}`); break }
        const size = Number(kind.slice(5))
        const off = size === 128 ? pick(rnd, [0, 16, 32]) : Math.floor(rnd() * (48 - size / 8))
        texts.push(`[${base}+${off}]`)
        break
      }
      case 'm64': case 'm128': texts.push(`[${base}+${kind === 'm128' ? pick(rnd, [0, 16, 32]) : Math.floor(rnd() * 40)}]`); break
      case 'r32': texts.push(pick(rnd, gpr32)); break
      case 'r64': texts.push(pick(rnd, gpr64)); break
      case 'r/m32': texts.push(rnd() < 0.5 ? pick(rnd, gpr32) : `dword [${base}+${Math.floor(rnd() * 44)}]`); break
      case 'r/m64': texts.push(rnd() < 0.5 ? pick(rnd, gpr64) : `qword [${base}+${Math.floor(rnd() * 40)}]`); break
      case 'r32/m16': texts.push(rnd() < 0.5 ? pick(rnd, gpr32) : `word [${base}+${Math.floor(rnd() * 46)}]`); break
      case 'imm8': {
        const m = r.mnemonic
        const v = /^cmp(p|s)/.test(m) ? Math.floor(rnd() * 8) : /^ps(ll|rl|ra)/.test(m) ? Math.floor(rnd() * 70) : Math.floor(rnd() * 256)
        texts.push(`0x${v.toString(16)}`)
        break
      }
      default: return undefined
    }
  }
  // nasm spells the scalar compare forms with their predicate: keep the generic form with an immediate.
  return { text: `${r.mnemonic} ${texts.join(', ')}`, flagMask: 0, osz: 128, mnemonic: r.mnemonic }
}

/** 16 random bytes as a NASM `db` line, lanes chosen among floats, doubles, specials and raw bits. */
export function randomXmm(rnd: () => number): number[] {
  const b = new DataView(new ArrayBuffer(16))
  const style = Math.floor(rnd() * 4)
  for (let lane = 0; lane < (style === 1 ? 2 : 4); lane++) {
    const r = rnd()
    if (style === 1) {
      // doubles
      const v = r < 0.7 ? (rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 20) : r < 0.8 ? 0 : r < 0.85 ? -0 : r < 0.9 ? Infinity : r < 0.95 ? NaN : 5e-310
      b.setFloat64(lane * 8, v, true)
      if (Number.isNaN(v)) b.setUint32(lane * 8 + 4, 0x7ff40000 | Math.floor(rnd() * 0xffff), true) // a signalling NaN with a payload
    } else if (style === 0 || style === 2) {
      const v = r < 0.7 ? Math.fround((rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 20)) : r < 0.8 ? 0 : r < 0.85 ? -0 : r < 0.9 ? -Infinity : r < 0.95 ? NaN : 1e-40
      b.setFloat32(lane * 4, v, true)
      if (Number.isNaN(v)) b.setUint32(lane * 4, (rnd() < 0.5 ? 0xffa00000 : 0x7fc00000) | Math.floor(rnd() * 0xffff), true)
    } else {
      b.setUint32(lane * 4, Math.floor(rnd() * 2 ** 32), true)
    }
  }
  return Array.from(new Uint8Array(b.buffer))
}
