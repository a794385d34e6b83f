/**
 * GNU conditional assembly: `.if`, `.ifdef`, `.ifndef`, `.ifeq`/`.ifne`/`.ifge`/`.ifgt`/
 * `.ifle`/`.iflt`, `.ifb`/`.ifnb`, `.ifc`/`.ifnc`, `.elseif`, `.else`, `.endif` ("Conditional
 * Assembly" in the GNU as manual). The stack is per run of lines, so a macro body's
 * conditions cannot leak into its caller.
 */
import type { Assembler } from './assembler'
import type { Origin } from './diagnostics'
import { splitArgs } from './text'

export interface Cond {
  active: boolean
  taken: boolean
  parent: boolean
  origin: Origin
}

export const COND_HINT = /\.(if|else|endif)/i
export const COND = /^\s*\.(if|ifdef|ifndef|ifeq|ifne|ifge|ifgt|ifle|iflt|ifb|ifnb|ifc|ifnc|elseif|else|endif)\b(.*)$/i

export function conditional(asm: Assembler, kind: string, args: string, conds: Cond[], parentActive: boolean, col: number): void {
  const top = conds[conds.length - 1]
  if (kind === 'endif') {
    if (!conds.pop()) asm.error('asm.bad_directive', '.endif without .if', col)
    return
  }
  if (kind === 'else' || kind === 'elseif') {
    if (!top) return asm.error('asm.bad_directive', `.${kind} without .if`, col)
    const go = top.parent && !top.taken && (kind === 'else' || condition(asm, 'if', args, col))
    top.active = go
    top.taken ||= go
    return
  }
  const v = parentActive && condition(asm, kind, args, col)
  conds.push({ active: v, taken: v, parent: parentActive, origin: asm.origin })
}

function condition(asm: Assembler, kind: string, args: string, col: number): boolean {
  try {
    const a = args.trim()
    switch (kind) {
      case 'ifdef': case 'ifndef': {
        const s = asm.symbols.get(a)
        const defined = !!s && s.kind !== 'undef'
        return kind === 'ifdef' ? defined : !defined
      }
      case 'ifb': return a === ''
      case 'ifnb': return a !== ''
      case 'ifc': case 'ifnc': {
        const [x, y] = splitArgs(a).map((t) => t.replace(/^'(.*)'$/, '$1'))
        return (x === y) === (kind === 'ifc')
      }
    }
    const v = asm.constant(asm.parse(a, col), `.${kind} condition`, col)
    switch (kind) {
      case 'ifeq': return v === 0n
      case 'ifge': return v >= 0n
      case 'ifgt': return v > 0n
      case 'ifle': return v <= 0n
      case 'iflt': return v < 0n
      default: return v !== 0n
    }
  } catch (x) {
    asm.report(x, col)
    return false
  }
}
