/**
 * AT&T mnemonics for the GNU as x86 front end: the shared mapping (shared/isa/x86/att-mnemonics.ts,
 * also used by the editor) plus GNU as's sized returns, which only the assembler reads this way.
 */
import { attMnemonic as sharedAttMnemonic, type AttMnemonic } from '../../../../shared/isa/x86/att-mnemonics'

export type { AttMnemonic }

/**
 * Sized returns: GNU as reads `retw $8` as ret with a 16-bit operand size (66 C2), while the
 * table's `retw` rows are nasm's spelling (whose `retw imm16` has no 66). Both syntaxes.
 */
export const SIZED_RETURNS: Record<string, AttMnemonic> = {
  retw: { mnemonic: 'ret', size: 16 }, retl: { mnemonic: 'ret', size: 32 }, retd: { mnemonic: 'ret', size: 32 }, retq: { mnemonic: 'ret', size: 64 },
  retnw: { mnemonic: 'ret', size: 16 }, retnd: { mnemonic: 'ret', size: 32 }, retnq: { mnemonic: 'ret', size: 64 },
  retfw: { mnemonic: 'retf', size: 16 }, retfd: { mnemonic: 'retf', size: 32 }, retfl: { mnemonic: 'retf', size: 32 }, retfq: { mnemonic: 'retf', size: 64 },
}

/** Answers so far, by whether a vector register is among the operands (the mapping is pure). */
const KNOWN = [new Map<string, AttMnemonic | null>(), new Map<string, AttMnemonic | null>()]

/** The table mnemonic and size an AT&T mnemonic stands for, or undefined when there is none (shared: not to be changed). */
export function attMnemonic(m: string, hasVectorOperand: boolean): AttMnemonic | undefined {
  const known = KNOWN[hasVectorOperand ? 1 : 0]
  let a = known.get(m)
  if (a === undefined) {
    // Bounded: a file of made-up mnemonics must not grow the memo without end.
    if (known.size > 10_000) known.clear()
    known.set(m, (a = SIZED_RETURNS[m] ?? sharedAttMnemonic(m, hasVectorOperand) ?? null))
  }
  return a ?? undefined
}
