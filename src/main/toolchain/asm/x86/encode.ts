/**
 * The x86 encoder both front ends call (interface: /work/coord/x86-isa.md): an
 * `X86Instruction` (operand model of shared/isa/x86) + mode → bytes + fixups, chosen from THE
 * table. Among the forms whose operands match, it takes the one with the fewest problems
 * (exact fits before overflowing immediates), then the SHORTEST, then the first in table
 * order — which is what nasm 2.16 and GNU as 2.40 choose (`add eax, 5` → 83 /0 ib,
 * `add al, 5` → 04 ib, `mov eax, ebx` → 89 /r, `jmp` short when the target is in reach).
 * Dialect differences (nasm's `mov rax, 1` → `mov eax, 1`; prefix order) are options here,
 * not copies of the table. The `o16/o32/o64` prefixes are raw prefix bytes, as in nasm (and
 * GNU as' `data16`/`rex64`): they never select a form; sizes and mnemonics do.
 */
import { MODE_BIT, registerUnavailable, gpr, x86RowsByMnemonic, type X86Instruction, type X86MemOperand, type X86Mode, type X86Operand, type X86Prefix, type X86Register, type X86Row } from '../../../../shared/isa/x86'
import { emitForm, patchRelative, type EmitContext, type Emitted, type X86Dialect, type X86Fixup } from './emit'
import { operandFits, rowInfos, signedFits, type KindInfo } from './match'

export type { X86Fixup, X86Dialect } from './emit'

export interface EncodeOptions {
  mode: X86Mode
  dialect: X86Dialect
  /** Section offset of the instruction: needed to resolve `local` relative targets. */
  ip?: bigint
  /**
   * GNU as `{load}` / `{store}`: between register-register forms, the one with the destination
   * in ModRM.reg (load, `8B /r`) or in ModRM.rm (store, `89 /r`).
   */
  direction?: 'load' | 'store'
}

export interface Encoded<E> {
  ok: true
  bytes: Uint8Array
  fixups: X86Fixup<E>[]
  /** The table row and operand size chosen. */
  row: X86Row
  osz: number | undefined
  warnings: string[]
}

export interface EncodeError {
  ok: false
  message: string
  hint?: string
  /** Index of the operand the error is about, when there is one. */
  operand?: number
}

interface Candidate {
  row: X86Row
  osz: number | undefined
  infos: readonly KindInfo[]
  /** Index of the relative-target operand, or -1. */
  relIndex: number
  /** The form has a sign-extended byte immediate. */
  sbyte: boolean
  penalty: number
}

/** Why a register cannot be used in a mode, with the register; undefined when it can. */
function unavailableIn(r: X86Register | undefined, mode: X86Mode): [string, X86Register] | undefined {
  if (r === undefined) return undefined
  const why = registerUnavailable(r, mode)
  return why ? [why, r] : undefined
}

const SIZES_CACHE = new Map<number, readonly (number | undefined)[]>()

/** Operand sizes a row can take in a mode (SDM Vol. 1, 3.6 "Operand-size and address-size attributes"; Vol. 2, Table A-1 d64/f64). */
function operandSizes(row: X86Row, mode: X86Mode): readonly (number | undefined)[] {
  const key = row.id * 4 + (mode >> 4)
  let sizes = SIZES_CACHE.get(key)
  if (!sizes) SIZES_CACHE.set(key, (sizes = computeOperandSizes(row, mode)))
  return sizes
}

function computeOperandSizes(row: X86Row, mode: X86Mode): readonly (number | undefined)[] {
  const s = row.opsize
  if (s === undefined) return [undefined]
  if (s !== 'v') return s === 64 && mode !== 64 ? [] : s === 32 && mode === 64 && row.flags.d64 ? [] : [s]
  if (mode !== 64) return [16, 32]
  if (row.flags.f64) return [64]
  return row.flags.d64 ? [16, 64] : [16, 32, 64]
}

/** The operand size an instruction has when nothing selects another (SDM Vol. 1, 3.6.1). */
function defaultOsz(row: X86Row, mode: X86Mode): number {
  return mode === 64 ? (row.flags.d64 || row.flags.f64 ? 64 : 32) : mode
}

type Form = Omit<Candidate, 'penalty'>
type Forms = { forms: readonly Form[]; countMatched: boolean }
/** Per mnemonic (its table rows), by mode, dialect and operand count (see formsSlot). */
const FORMS = new WeakMap<readonly X86Row[], Forms[]>()
const formsSlot = (mode: X86Mode, dialect: X86Dialect, count: number): number => ((mode >> 4) * 2 + (dialect === 'gas' ? 1 : 0)) * 8 + Math.min(count, 7)

/**
 * The forms (row × operand size) a mnemonic can take in a mode and dialect with `count`
 * operands, in table order: computed once per key, so matching only checks operands.
 */
function formsOf(rows: readonly X86Row[], mode: X86Mode, dialect: X86Dialect, count: number): Forms {
  let byKey = FORMS.get(rows)
  if (!byKey) FORMS.set(rows, (byKey = []))
  const slot = formsSlot(mode, dialect, count)
  let known = byKey[slot]
  if (known) return known
  const forms: Form[] = []
  let countMatched = false
  for (const row of rows) {
    if (row.flags.dis || !(row.modes & MODE_BIT[mode]) || row.operands.length !== count) continue
    if ((row.flags.nasm && dialect !== 'nasm') || (row.flags.gas && dialect !== 'gas')) continue
    countMatched = true
    for (const osz of operandSizes(row, mode)) {
      const infos = rowInfos(row, osz)
      forms.push({ row, osz, infos, relIndex: infos.findIndex((i) => i.slot === 'rel'), sbyte: infos.some((i) => i.check === 'sbyte') })
    }
  }
  byKey[slot] = known = { forms, countMatched }
  return known
}

const ASZ_PREFIX: Partial<Record<X86Prefix, 16 | 32 | 64>> = { a16: 16, a32: 32, a64: 64 }

/** Encodes one instruction, or explains why it cannot be encoded. */
export function encodeX86<E>(insn: X86Instruction<E>, opts: EncodeOptions): Encoded<E> | EncodeError {
  const { mode } = opts
  const rows = x86RowsByMnemonic(insn.mnemonic)
  if (rows.length === 0) return { ok: false, message: `unknown instruction \`${insn.mnemonic}\`` }
  let ops = insn.operands
  const prefixes = insn.prefixes ?? []

  let mems = 0
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]
    if (op.kind === 'mem') mems++
    const unavailable = op.kind === 'reg' ? unavailableIn(op.reg, mode) : op.kind === 'mem' ? (unavailableIn(op.base, mode) ?? unavailableIn(op.index, mode) ?? unavailableIn(op.seg, mode)) : undefined
    if (unavailable) {
      const [why, r] = unavailable
      return { ok: false, message: why, operand: i, hint: mode === 32 && r.size === 64 ? `use \`e${r.name.slice(1)}\`, or write \`bits 64\` before 64-bit code` : undefined }
    }
  }
  if (mems > 1 && !(insn.mnemonic.startsWith('movs') || insn.mnemonic.startsWith('cmps')))
    return { ok: false, message: `\`${insn.mnemonic}\` cannot take two memory operands`, hint: 'load one of them into a register first' }

  let prefixAsz: 16 | 32 | 64 | undefined
  for (const p of prefixes) if (ASZ_PREFIX[p]) prefixAsz = ASZ_PREFIX[p]
  if (prefixes.includes('o64') && mode !== 64) return { ok: false, message: `\`o64\` is not available in \`bits ${mode}\`` }
  if (prefixAsz === 16 && mode === 64) return { ok: false, message: '`a16` is not available in `bits 64`' }
  if (prefixAsz === 64 && mode !== 64) return { ok: false, message: `\`a64\` is not available in \`bits ${mode}\`` }

  // nasm's optimizer: `mov r64, imm` with an unsigned 32-bit constant is `mov r32, imm`
  // (the upper half is zeroed by the 32-bit write), unless the size is written `strict`.
  if (opts.dialect === 'nasm' && insn.mnemonic === 'mov' && ops.length === 2) {
    const [d, s] = ops
    if (d.kind === 'reg' && d.reg.cls === 'gpr' && d.reg.size === 64 && s.kind === 'imm' && !s.value.sym && !s.strict && (s.size === undefined || s.size === 64) && s.value.value >= 0n && s.value.value < 1n << 32n)
      ops = [{ kind: 'reg', reg: gpr(32, d.reg.num) }, { ...s, size: undefined }]
  }

  // 1. Every form whose operands match.
  let cands: Candidate[] = []
  const { forms, countMatched } = formsOf(rows, mode, opts.dialect, ops.length)
  for (const form of forms) {
    const { row, osz, infos } = form
    let penalty = 0
    let ok = true
    for (let i = 0; i < ops.length && ok; i++) {
      const p = operandFits(infos[i], ops[i], osz, mode, opts.dialect)
      if (p === undefined) ok = false
      else if (p > penalty) penalty = p
    }
    // 90 is `nop` in 64-bit mode, not `xchg eax, eax` (which zero-extends): use 87 /r there.
    if (ok && row.plusReg && row.opcode === 0x90 && mode === 64 && osz === 32 && ops.every((o) => o.kind === 'reg' && o.reg.num === 0)) ok = false
    if (ok) cands.push({ row, osz, infos, relIndex: form.relIndex, sbyte: form.sbyte, penalty })
  }
  if (cands.length === 0) return noMatch(insn, rows, ops, mode, countMatched)
  if (opts.direction && ops.length === 2 && ops.every((o) => o.kind === 'reg')) {
    const slot = opts.direction === 'load' ? 'reg' : 'rm'
    const chosen = cands.filter((c) => c.infos[0].slot === slot)
    if (chosen.length) cands = chosen
  }

  // 2. When no operand pins the operand size (`push 5`, `jmp label`, `jmp 0x08:x`, `ret`), it is
  // the mode's default — even where a 16-bit form would be shorter.
  const pinned = ops.some((o) => (o.kind === 'reg' && o.reg.cls === 'gpr') || ((o.kind === 'mem' || o.kind === 'imm' || o.kind === 'far') && o.size !== undefined))
  if (!pinned) {
    const deflt = cands.filter((c) => c.osz === undefined || c.osz === defaultOsz(c.row, mode))
    if (deflt.length) cands = deflt
  }

  // 3. An unsized memory operand must not leave the size open (nasm: "operation size not specified").
  const memIndex = ops.findIndex((o) => o.kind === 'mem' && o.size === undefined)
  if (memIndex >= 0) {
    const sizes = new Set(cands.map((c) => c.infos[memIndex].memSize ?? 0).filter((s) => s !== 0))
    if (sizes.size > 1) {
      const mem = ops[memIndex] as X86MemOperand<E>
      const deflt = (c: Candidate): number => (mem.far && mode === 64 && opts.dialect === 'nasm' ? 64 : defaultOsz(c.row, mode))
      const chosen = cands.every((c) => c.row.flags.msz) ? cands.filter((c) => (c.infos[memIndex].memSize ?? 0) === deflt(c)) : []
      if (chosen.length === 0) return { ok: false, message: 'operation size not specified', operand: memIndex, hint: 'write `byte`, `word`, `dword` or `qword` before the memory operand' }
      cands = chosen
    }
  }

  // 4. A size written on an immediate or far pointer selects the operand size when forms differ in it.
  const sized = ops.find((o) => (o.kind === 'imm' && o.size !== undefined && o.size !== 8) || (o.kind === 'far' && o.size !== undefined))
  if (sized && (sized.kind === 'imm' || sized.kind === 'far')) {
    const s = sized.size!
    const same = cands.filter((c) => c.osz === s)
    if (same.length) cands = same
    else if (s === 32) cands = cands.filter((c) => !c.row.operands.includes('immv') || c.osz !== 64)
  }

  // 5. Fewest problems, then shortest, then a sign-extended byte immediate, then table order.
  const ctx: EmitContext = { mode, dialect: opts.dialect, prefixes, prefixAsz, ip: opts.ip }
  let best: { c: Candidate; e: Emitted<E>; rank: number } | undefined
  let firstError: EncodeError | undefined
  for (const c of cands) {
    const r = emitForm(c.row, c.osz, ops, c.infos, ctx)
    if (!r.ok) {
      firstError ??= { ok: false, message: r.message, operand: r.operand }
      continue
    }
    let penalty = c.penalty
    if (c.relIndex >= 0) penalty = Math.max(penalty, relPenalty(c, ops[c.relIndex], r.out, opts, rows))
    // At equal length a sign-extended byte form wins (`and ax, 5` in bits 16: 83 E0 05, not 25 05 00),
    // as nasm's instruction order and GNU as's imm8 preference give.
    const rank = penalty * 1e6 + r.out.bytes.length * 1e4 + (c.sbyte ? 0 : 1)
    if (!best || rank < best.rank) best = { c, e: r.out, rank }
  }
  if (!best) return firstError ?? { ok: false, message: `invalid combination of opcode and operands for \`${insn.mnemonic}\`` }
  if (best.rank >= 2e6) return { ok: false, message: 'short jump is out of range', operand: best.c.relIndex, hint: 'remove `short`, or use a near jump' }
  const warnings = best.e.warnings
  if (opts.ip !== undefined) {
    const err = patchRelative(best.e, opts.ip)
    if (err) return { ok: false, message: err }
  }
  return { ok: true, bytes: new Uint8Array(best.e.bytes), fixups: best.e.fixups, row: best.c.row, osz: best.c.osz, warnings }
}

/**
 * A short (rel8) form is a candidate only when its target is known to be in reach — or when it
 * is the only form (loop, jcxz) or `short` was written; a near form otherwise. Penalty 2 = cannot be used.
 */
function relPenalty<E>(c: Candidate, op: X86Operand<E>, e: Emitted<E>, opts: EncodeOptions, rows: readonly X86Row[]): number {
  if (op.kind !== 'imm') return 2
  const info = c.infos[c.relIndex]
  if (info.bytes !== 1) return op.jump === 'short' ? 2 : 0
  if (op.jump === 'near') return 2
  const onlyShort = !rows.some((r) => r.operands.includes('relz'))
  if (op.value.local && opts.ip !== undefined) {
    const d = op.value.value - (opts.ip + BigInt(e.bytes.length))
    return signedFits(d, 8) ? 0 : 2
  }
  return op.jump === 'short' || onlyShort ? 0 : 2
}

function describe(op: X86Operand<unknown>): string {
  switch (op.kind) {
    case 'reg': return op.reg.name
    case 'imm': return 'immediate'
    case 'mem': return 'memory'
    case 'far': return 'far pointer'
  }
}

/** The explanation when no form matched. */
function noMatch<E>(insn: X86Instruction<E>, rows: readonly X86Row[], ops: readonly X86Operand<E>[], mode: X86Mode, countMatched: boolean): EncodeError {
  const usable = rows.filter((r) => !r.flags.dis)
  const inMode = usable.filter((r) => r.modes & MODE_BIT[mode])
  if (inMode.length === 0) return { ok: false, message: `\`${insn.mnemonic}\` is not available in \`bits ${mode}\`` }
  const forms = [...new Set(inMode.map((r) => r.operands.join(',') || '(no operands)'))]
  const hint = `\`${insn.mnemonic}\` takes ${forms.slice(0, 8).join(' | ')}${forms.length > 8 ? ' | …' : ''}`
  if (!countMatched) {
    const counts = [...new Set(inMode.map((r) => r.operands.length))].sort()
    return { ok: false, message: `\`${insn.mnemonic}\` takes ${counts.join(' or ')} operand${counts.length === 1 && counts[0] === 1 ? '' : 's'}, not ${ops.length}`, hint }
  }
  const sizes = ops.map((o) => (o.kind === 'reg' && o.reg.cls === 'gpr' ? o.reg.size : undefined)).filter((s) => s !== undefined)
  if (sizes.length >= 2 && new Set(sizes).size > 1 && !['movzx', 'movsx', 'movsxd', 'in', 'out'].includes(insn.mnemonic))
    return { ok: false, message: `mismatch in operand sizes (${ops.map(describe).join(', ')})`, hint }
  return { ok: false, message: `invalid combination of opcode and operands (${ops.map(describe).join(', ')})`, hint }
}
