/**
 * GNU as pseudo-prefixes (GNU as manual, i386 "Instruction Prefixes"; binutils 2.40
 * tc-i386.c parse_insn): written in braces before an instruction, they choose among its
 * encodings without changing what it does. `{disp8}` / `{disp16}` / `{disp32}`: the
 * displacement size of a base/index address (`{disp32} movl %eax, 4(%ebx)` → 89 83 disp32;
 * `{disp8}` only where the value fits a signed byte), and `{disp32}` makes a `jmp`/`jcc` near
 * at once; `{load}` / `{store}`: of two register-register forms, the one with the destination
 * in ModRM.reg (`8B /r`) or ModRM.rm (`89 /r`) — for `test` (one opcode) that is the table's
 * `test r, r/m` spelling of it, so `{load}` puts the destination in ModRM.reg as GNU does.
 */
import type { X86MemOperand } from '../../../../shared/isa/x86'
import { AsmError } from '../assembler'
import type { Expr } from '../expr'
import type { GasX86State } from './context'

const PSEUDO = /^\{([A-Za-z0-9_]+)\}$/
const SUPPORTED: Record<string, Partial<NonNullable<GasX86State['pseudo']>>> = {
  disp8: { disp: 8 }, disp16: { disp: 16 }, disp32: { disp: 32 }, load: { direction: 'load' }, store: { direction: 'store' },
}

/** Reads `{…}` words before the mnemonic: the pseudo-prefixes, then the mnemonic and the rest. */
export function readPseudoPrefixes(word: string, args: string, col: number): { pseudo: NonNullable<GasX86State['pseudo']>; word: string; args: string; col: number } {
  const pseudo: NonNullable<GasX86State['pseudo']> = {}
  let rest = args
  let at = col
  for (let w = word; ; ) {
    const m = PSEUDO.exec(w)
    if (!m) return { pseudo, word: w, args: rest, col: at }
    const known = SUPPORTED[m[1].toLowerCase()]
    if (!known) throw new AsmError(`pseudo-prefix \`${w}\` is not supported`, at - w.length, 'asm.bad_operand', 'GNU as x86 here knows {disp8}, {disp16}, {disp32}, {load} and {store}')
    Object.assign(pseudo, known)
    const next = /^(\s*)(\{[A-Za-z0-9_]+\}|[A-Za-z][A-Za-z0-9.]*)/.exec(rest)
    if (!next) throw new AsmError(`expected an instruction after \`${w}\``, at, 'asm.syntax')
    w = next[2].toLowerCase()
    at += next[0].length
    rest = rest.slice(next[0].length)
  }
}

/** `{dispN}` on a memory operand with a base or an index register of the matching address size. */
export function applyDisp(m: X86MemOperand<Expr>, disp: 8 | 16 | 32 | undefined): void {
  if (disp === undefined || (!m.base && !m.index) || m.rel) return
  const wide = (m.base ?? m.index)!.size === 16 ? 16 : 32
  if (disp === 8) {
    if (!m.disp || (!m.disp.sym && m.disp.value >= -128n && m.disp.value < 128n)) m.dispSize = 8
  } else if (disp === wide) m.dispSize = disp
}
