/**
 * AT&T mnemonics → the table's (Intel/nasm) names (GNU as manual, "i386-Mnemonics"): a size
 * suffix `b w l q` (x87: `s l t`, integer x87 `s l ll/q`) is taken off and becomes the operand
 * size; AT&T spells some instructions differently (`movzbl` → movzx, `movslq` → movsxd, `cltq` →
 * cdqe, `lret` → retf, `ljmp` → far jmp, `movsl` → movsd the string move). A mnemonic the table
 * knows as written (`call`, `shl`, `movq` with xmm operands) is taken as is.
 */
import { x86RowsByMnemonic } from '../../../../shared/isa/x86'

export interface AttMnemonic {
  mnemonic: string
  /** Operand size the suffix names, in bits. */
  size?: number
  /** movzx/movsx: the size of the source. */
  srcSize?: number
  /** ljmp/lcall/lret: a far transfer. */
  far?: boolean
}

const SUFFIX_SIZE: Record<string, number> = { b: 8, w: 16, l: 32, q: 64 }

/** AT&T names whose Intel name differs, with the size they imply. */
const RENAMED: Record<string, AttMnemonic> = {
  cbtw: { mnemonic: 'cbw' }, cwtl: { mnemonic: 'cwde' }, cltq: { mnemonic: 'cdqe' },
  cwtd: { mnemonic: 'cwd' }, cltd: { mnemonic: 'cdq' }, cqto: { mnemonic: 'cqo' },
  movslq: { mnemonic: 'movsxd', size: 64, srcSize: 32 },
  ljmp: { mnemonic: 'jmp', far: true }, ljmpl: { mnemonic: 'jmp', far: true, size: 32 }, ljmpw: { mnemonic: 'jmp', far: true, size: 16 }, ljmpq: { mnemonic: 'jmp', far: true, size: 64 },
  lcall: { mnemonic: 'call', far: true }, lcalll: { mnemonic: 'call', far: true, size: 32 }, lcallw: { mnemonic: 'call', far: true, size: 16 }, lcallq: { mnemonic: 'call', far: true, size: 64 },
  lret: { mnemonic: 'retf' }, lretl: { mnemonic: 'retf', size: 32 }, lretw: { mnemonic: 'retf', size: 16 }, lretq: { mnemonic: 'retf', size: 64 },
  iretl: { mnemonic: 'iretd' }, pushfl: { mnemonic: 'pushfd' }, popfl: { mnemonic: 'popfd' },
  pushal: { mnemonic: 'pushad' }, popal: { mnemonic: 'popad' }, pushaw: { mnemonic: 'pushaw' }, popaw: { mnemonic: 'popaw' },
  movabs: { mnemonic: 'movabs' }, movabsb: { mnemonic: 'movabs', size: 8 }, movabsw: { mnemonic: 'movabs', size: 16 },
  movabsl: { mnemonic: 'movabs', size: 32 }, movabsq: { mnemonic: 'movabs', size: 64 },
  sysretl: { mnemonic: 'sysret' }, sysexitl: { mnemonic: 'sysexit' },
}

/** String instructions: AT&T `l` is the table's `d`. */
const STRING_OPS = ['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs']

/** x87 memory-operand suffixes (float: s=32, l=64, t=80; integer fi*: s=16, l=32, ll/q=64). */
function x87(m: string): AttMnemonic | undefined {
  if (!m.startsWith('f')) return undefined
  const integer = m.startsWith('fi') && !m.startsWith('fincstp') && !m.startsWith('finit')
  for (const [suf, fsize, isize] of [['ll', 0, 64], ['q', 0, 64], ['s', 32, 16], ['l', 64, 32], ['t', 80, 0]] as const) {
    if (!m.endsWith(suf)) continue
    const base = m.slice(0, -suf.length)
    if (!x86RowsByMnemonic(base).length) continue
    const size = integer ? isize : fsize
    if (size) return { mnemonic: base, size }
  }
  return undefined
}

/**
 * Sized returns: GNU as reads `retw $8` as ret with a 16-bit operand size (66 C2), while the
 * table's `retw` rows are nasm's spelling (whose `retw imm16` has no 66). Both syntaxes.
 */
export const SIZED_RETURNS: Record<string, AttMnemonic> = {
  retw: { mnemonic: 'ret', size: 16 }, retl: { mnemonic: 'ret', size: 32 }, retd: { mnemonic: 'ret', size: 32 }, retq: { mnemonic: 'ret', size: 64 },
  retnw: { mnemonic: 'ret', size: 16 }, retnd: { mnemonic: 'ret', size: 32 }, retnq: { mnemonic: 'ret', size: 64 },
  retfw: { mnemonic: 'retf', size: 16 }, retfd: { mnemonic: 'retf', size: 32 }, retfl: { mnemonic: 'retf', size: 32 }, retfq: { mnemonic: 'retf', size: 64 },
}

/** The table mnemonic and size an AT&T mnemonic stands for, or undefined when there is none. */
export function attMnemonic(m: string, hasVectorOperand: boolean): AttMnemonic | undefined {
  const renamed = RENAMED[m] ?? SIZED_RETURNS[m]
  if (renamed) return renamed
  const mz = /^mov([sz])([bw])([wlq])?$/.exec(m)
  if (mz && !(mz[1] === 's' && !mz[3])) {
    return { mnemonic: mz[1] === 'z' ? 'movzx' : 'movsx', srcSize: SUFFIX_SIZE[mz[2]], size: mz[3] ? SUFFIX_SIZE[mz[3]] : undefined }
  }
  if (/^mov[sz]x[wlq]?$/.test(m)) return { mnemonic: m.slice(0, 5), size: m.length > 5 ? SUFFIX_SIZE[m[5]] : undefined }
  for (const s of STRING_OPS) {
    if (m === s + 'l') return { mnemonic: s + 'd' }
    if (m === s + 'b' || m === s + 'w' || m === s + 'q') return { mnemonic: m }
  }
  // movq/movd with a vector register are the SSE/MMX moves; `movq %rax, %rbx` is mov.
  if (x86RowsByMnemonic(m).length && (hasVectorOperand || !/^(movq|movsd|cmpsd)$/.test(m))) return { mnemonic: m }
  const fp = x87(m)
  if (fp) return fp
  const suffix = m[m.length - 1]
  const base = m.slice(0, -1)
  if (SUFFIX_SIZE[suffix] && x86RowsByMnemonic(base).length) return { mnemonic: base, size: SUFFIX_SIZE[suffix] }
  if (x86RowsByMnemonic(m).length) return { mnemonic: m }
  return undefined
}
