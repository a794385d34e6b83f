/**
 * The shape of THE x86 instruction table (ARCHITECTURE.md, "One ISA table"; interface notes in
 * /work/coord/x86-isa.md). One row per instruction form, in the spirit of nasm's `insns.dat`
 * and v86's `x86_table`: the assemblers (NASM and GNU as front ends) encode from it, the
 * disassembler decodes with it, and the x86 hart's decoder is generated from it.
 *
 * Rows are written as short text (`'add r/mv,simm8 ; ov 83 /0 ; lock'`, see rows-*.ts) and
 * parsed once into `X86Row`s; the text stays on the row (`source`) for hovers and docs.
 */

/** Processor mode an instruction is assembled for / decoded in: `bits 16/32/64`. */
export type X86Mode = 16 | 32 | 64

/** Opcode maps (Intel SDM Vol. 2 Appendix A): one-byte, two-byte `0F`, three-byte `0F 38` / `0F 3A`. */
export type X86Map = 'legacy' | '0F' | '0F38' | '0F3A'

/**
 * Operand kinds, in Intel operand order (destination first). A `v` size is the operand-size
 * attribute (16/32/64, chosen by `66` and REX.W), `z` is 16 or 32 (32 also at operand size 64,
 * sign-extended). Where the operand lives follows from the kind:
 * - ModRM.reg: `r8 r16 r32 r64 rv sreg cr dr xmm mm` (or the opcode's low 3 bits when the row
 *   says `+r`)
 * - ModRM.rm, register or memory: `r/m8 … r/mv`, `r32/m16`, `rv/m16`, `xmm/m32 xmm/m64 xmm/m128`, `mm/m64`, `r32/m8`, `r32/m16`
 * - ModRM.rm, register only (mod = 11b): `r32.rm r64.rm rv.rm xmm.rm mm.rm`; memory only: `m m8 … m512 mv mfar`
 *   (`m` has no size: lgdt, lea, invlpg; `mfar` is m16:16/m16:32/m16:64 of far jmp/call)
 * - implicit: `al ax eax rax accv cl dx es cs ss ds fs gs st0 1`
 * - x87 `st(i)`: the ModRM.rm bits of a `:C0+i` row
 * - immediates (in operand order after displacement): `imm8 imm16 imm32 imm64 immz immv simm8`
 *   (`simm8` is a byte sign-extended to the operand size, chosen only when the value fits),
 *   `rel8 relz` (relative to the next instruction), `ptr16:z` (far pointer: offset then selector),
 *   `moffs8 moffsv` (an address-size offset with no ModRM: mov al/accv ↔ [moffs])
 */
export type OperandKind =
  | 'r8' | 'r16' | 'r32' | 'r64' | 'rv'
  | 'r/m8' | 'r/m16' | 'r/m32' | 'r/m64' | 'r/mv' | 'r32/m8' | 'r32/m16' | 'rv/m8' | 'rv/m16'
  | 'r32.rm' | 'r64.rm' | 'rv.rm'
  | 'm' | 'm8' | 'm16' | 'm32' | 'm64' | 'm80' | 'm128' | 'm512' | 'mv' | 'mfar'
  | 'al' | 'ax' | 'eax' | 'rax' | 'accv' | 'cl' | 'dx'
  | 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs'
  | 'sreg' | 'cr' | 'dr'
  | 'xmm' | 'xmm.rm' | 'xmm/m16' | 'xmm/m32' | 'xmm/m64' | 'xmm/m128'
  | 'mm' | 'mm.rm' | 'mm/m32' | 'mm/m64'
  | 'st0' | 'st(i)'
  | '1'
  | 'imm8' | 'imm16' | 'imm32' | 'imm64' | 'immz' | 'immv' | 'simm8'
  | 'rel8' | 'relz'
  | 'ptr16:z'
  | 'moffs8' | 'moffsv'

/** How the ModRM byte is used. Absent on a row = the row has no ModRM byte. */
export interface ModrmSpec {
  /** The reg field: a register operand (`/r`) or a fixed opcode extension (`/0`…`/7`). */
  reg: 'r' | number
  /**
   * Which mod values the row accepts: 'mem' (00/01/10: memory only), 'reg' (11: register only),
   * 'any'. The decoder uses this to tell apart rows sharing an opcode (`lgdt` 0F 01 /2 memory
   * vs `vmcall`-style 0F 01 C1).
   */
  mod: 'any' | 'mem' | 'reg'
  /** A fixed rm field (rows written `:XX`, e.g. swapgs `0F 01 :F8` = mod 11, reg 7, rm 0). */
  rm?: number
  /** The rm field names st(i) (x87 rows written `:C0+i`): mod is 11 and reg fixed. */
  rmIsSti?: boolean
  /** The reg field is ignored by the processor (setcc, written `/x`); assemblers write 0. */
  anyReg?: boolean
}

/**
 * Operand size attribute of a row:
 * - 'v': 16/32/64 chosen by `66` and REX.W (rows written `ov`)
 * - 16/32/64: the row exists only at that operand size (`o16`, `o32`, `o64`): the encoder adds
 *   `66` or REX.W as the mode needs, the decoder matches only that effective size
 *   (cbw/cwde/cdqe, iretw/iretd/iretq, movsw/movsd/movsq share an opcode and differ here)
 * - undefined: operand size has no effect (byte operations, `lgdt`, `hlt`, SSE with a mandatory 66)
 */
export type OperandSize = 'v' | 16 | 32 | 64 | undefined

/** Row flags (written after the second `;`). */
export interface X86RowFlags {
  /** `lock` may prefix it (with a memory destination). */
  lock?: boolean
  /** `rep` may prefix it (movs, stos, lods, ins, outs). */
  rep?: boolean
  /** `repe`/`repne` may prefix it (cmps, scas). */
  repe?: boolean
  /**
   * Default operand size 64 in long mode (`d64`, SDM Table A-1 superscript d64): push/pop, near
   * call/jmp indirect, leave, pushf/popf, …: no REX.W needed, `66` gives 16, 32 cannot be encoded.
   */
  d64?: boolean
  /**
   * Operand size forced to 64 in long mode (`f64`: near jcc/jmp/call rel): no prefix, and no
   * 16-bit form there (nasm and GNU as never emit `66` for them in 64-bit code).
   */
  f64?: boolean
  /** Invalid in 64-bit mode (`i64`: pusha, aaa, push cs, inc r32 40+r, …). */
  i64?: boolean
  /** Valid only in 64-bit mode (`o64` rows are implicitly so; also swapgs, movsxd). */
  x64?: boolean
  /** Assembler-only: a second spelling of an encoding another row decodes (not in the decoder). */
  asm?: boolean
  /** Decoder-only: an encoding assemblers never choose (82 /n, F6 /1, D0 /6 …). */
  dis?: boolean
  /**
   * An unsized memory operand is accepted: the form at the mode's default operand size is
   * taken (nasm: `jmp [eax]`, `call [eax]`, `cvtsi2sd xmm0, [eax]`).
   */
  msz?: boolean
  /** The mod field is ignored and treated as 11b (MOV to/from CR/DR, SDM "MOV—Move to/from Control Registers"). */
  nomod?: boolean
  /** The register operand is encoded in both ModRM.reg and ModRM.rm (`imul eax, 5` = `imul eax, eax, 5`). */
  dup?: boolean
  /** An fwait (9B) precedes the opcode (`fstsw`, `finit`: the waiting forms of fnstsw/fninit). */
  wait?: boolean
  /** Only the NASM front end chooses this row (nasm: `mov rax, ds` → 8C D8, without REX.W). */
  nasm?: boolean
  /** Only the GNU as front end chooses this row. */
  gas?: boolean
  /** The instruction is a jump/call whose relative target may be sized short or near by the assembler. */
  branch?: boolean
}

/** One parsed table row. */
export interface X86Row {
  /** Position in `X86_ROWS` (stable for a given table; generated code may use it). */
  id: number
  /** nasm / Intel mnemonic, lower case (`add`, `movzx`, `iretq`, `fnstsw`). */
  mnemonic: string
  operands: readonly OperandKind[]
  map: X86Map
  /** The opcode byte in its map (for `+r` rows: the base, register 0). */
  opcode: number
  /** The opcode's low 3 bits hold a register (`+r`) — 8 consecutive opcodes. */
  plusReg: boolean
  /** Mandatory prefix (SSE, popcnt, pause …): part of the opcode, emitted right before REX. */
  prefix: 0 | 0x66 | 0xf2 | 0xf3
  modrm?: ModrmSpec
  opsize: OperandSize
  /** A fixed address size (`a16` jcxz, `a32` jecxz, `a64` jrcxz); undefined = the mode's (or 67's). */
  addrSize?: 16 | 32 | 64
  /** Literal bytes after the opcode on an assembler-only spelling (`aam` = D4 0A). */
  tail?: readonly number[]
  /** Bit set of valid modes: 1 = 16-bit, 2 = 32-bit, 4 = 64-bit. */
  modes: number
  flags: X86RowFlags
  /**
   * `mnemonic operands ; encoding` without the flags (`add r/mv,simm8 ; ov 83 /0`): unique in
   * the table, a stable name for declared overlaps and generated code.
   */
  name: string
  /** The row as written in the table (flags included), for hovers and error messages. */
  source: string
}

export const MODE_BIT: Record<X86Mode, number> = { 16: 1, 32: 2, 64: 4 }
