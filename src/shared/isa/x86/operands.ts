/**
 * The x86 operand model shared by both front ends (NASM, GNU as in AT&T and Intel syntax), the
 * encoder and the disassembler. Front ends parse their syntax into these values; the encoder
 * turns an `X86Instruction` into bytes and fixups. Values that are not constants are carried
 * as an opaque front-end reference `E` (its symbol/expression), which comes back in fixups.
 */
import type { X86Register } from './registers'

/**
 * A number the encoder may place in the instruction: a constant (`sym` undefined), or
 * `sym + value` where `sym` is the front end's relocatable reference.
 */
export interface X86Value<E = unknown> {
  /** The constant, or the addend when `sym` is set. */
  value: bigint
  sym?: E
  /**
   * `sym` is a label in the instruction's own section at section offset `value`: a relative
   * operand (jmp/jcc/call, RIP-relative memory) to it needs no relocation — the encoder
   * computes the displacement from `EncodeOptions.ip`. (nasm and GNU as both resolve these.)
   */
  local?: boolean
}

/** Memory operand sizes in bits (`byte word dword qword tword oword` …; 512 = fxsave area). */
export type MemSize = 8 | 16 | 32 | 64 | 80 | 128 | 512

export interface X86RegOperand {
  kind: 'reg'
  reg: X86Register
}

export interface X86ImmOperand<E = unknown> {
  kind: 'imm'
  value: X86Value<E>
  /** A size written on the immediate (`byte 5`, `dword 5`, `$5` after a `movl` suffix). */
  size?: 8 | 16 | 32 | 64
  /** nasm `strict`: the immediate keeps the written size (no sign-extended byte form). */
  strict?: boolean
  /** A relative target written `short` or `near` (nasm `jmp short x`, `jmp near x`). */
  jump?: 'short' | 'near'
}

export interface X86MemOperand<E = unknown> {
  kind: 'mem'
  /** Operand size, when written (`dword [eax]`, `movl`) — unsized memory takes it from the other operand. */
  size?: MemSize
  /** Base and index registers exactly as they are to be encoded (front ends normalise first). */
  base?: X86Register
  index?: X86Register
  scale: 1 | 2 | 4 | 8
  disp?: X86Value<E>
  /** A displacement size written in the address (`[byte eax+1]`, `[dword eax]`, `[qword 0x10]` moffs). */
  dispSize?: 8 | 16 | 32 | 64
  /** Segment override (`fs:`), emitted as a prefix unless it is the default segment and the front end drops it. */
  seg?: X86Register
  /** RIP-relative (`[rel x]`, `default rel`, `x(%rip)`): disp is relative to the next instruction. */
  rel?: boolean
  /** A far pointer in memory (m16:16/32/64 of `jmp far [eax]`, `ljmp *(%eax)`, `lss`). */
  far?: boolean
}

export interface X86FarOperand<E = unknown> {
  kind: 'far'
  /** `jmp 0x08:target`: selector, then offset. */
  selector: X86Value<E>
  offset: X86Value<E>
  /** `jmp dword 0x08:x` in 16-bit code: the offset size. */
  size?: 16 | 32 | 64
}

export type X86Operand<E = unknown> = X86RegOperand | X86ImmOperand<E> | X86MemOperand<E> | X86FarOperand<E>

/**
 * Explicit prefixes written before the mnemonic. A segment override of a memory operand goes
 * on the operand (`seg`); a segment prefix here applies to instructions without one (`fs movsb`).
 */
export type X86Prefix = 'lock' | 'rep' | 'repe' | 'repz' | 'repne' | 'repnz' | 'o16' | 'o32' | 'o64' | 'a16' | 'a32' | 'a64' | 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs'

export interface X86Instruction<E = unknown> {
  /** Intel mnemonic, lower case (GNU as front ends strip AT&T suffixes first). */
  mnemonic: string
  operands: X86Operand<E>[]
  prefixes?: X86Prefix[]
}
