/**
 * Operand syntax of RISC-V GNU `as`: registers by number or ABI name, expressions (with
 * `%hi`-style modifiers), and memory operands `offset(reg)` where the offset may be empty,
 * a constant or `%lo(sym)`. Splitting is on top-level commas only.
 */
import { floatRegister, intRegister } from '../../../shared/isa'
import { ExprError, parseExpr, type Expr } from './expr'

export type Operand =
  | { k: 'reg'; r: number; float: boolean; text: string; col: number }
  | { k: 'expr'; e: Expr; text: string; col: number }
  | { k: 'mem'; off?: Expr; base: number; text: string; col: number }

/** Splits `a, b(c), d` at top-level commas, keeping each piece's 1-based column. */
export function splitOperands(text: string, col0: number): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = []
  let level = 0
  let start = 0
  let inStr = false
  for (let i = 0; i <= text.length; i++) {
    const c = text[i]
    if (inStr) {
      if (c === '\\') i++
      else if (c === '"') inStr = false
      continue
    }
    if (c === '"') inStr = true
    else if (c === '(') level++
    else if (c === ')') level--
    else if ((c === ',' && level === 0) || i === text.length) {
      const piece = text.slice(start, i)
      const lead = piece.length - piece.trimStart().length
      out.push({ text: piece.trim(), col: col0 + start + lead })
      start = i + 1
    }
  }
  if (out.length === 1 && out[0].text === '') return []
  return out
}

function register(text: string): { r: number; float: boolean } | undefined {
  const i = intRegister(text)
  if (i !== undefined) return { r: i, float: false }
  const f = floatRegister(text)
  if (f !== undefined) return { r: f, float: true }
  return undefined
}

/** Parses one operand; throws ExprError on a malformed expression. */
export function parseOperand(text: string, col: number): Operand {
  const reg = register(text)
  if (reg) return { k: 'reg', ...reg, text, col }
  if (text.endsWith(')')) {
    // offset(base): find the parenthesis that opens the final group.
    let level = 0
    let i = text.length - 1
    for (; i >= 0; i--) {
      if (text[i] === ')') level++
      else if (text[i] === '(' && --level === 0) break
    }
    if (i >= 0) {
      const inner = text.slice(i + 1, -1).trim()
      const base = intRegister(inner)
      if (base === undefined && i > 0 && /^[a-z]{1,2}[0-9]{1,2}$/i.test(inner)) {
        throw new ExprError(`unknown register \`${inner}\``, col + i + 1)
      }
      if (base !== undefined) {
        const offText = text.slice(0, i).trim()
        return { k: 'mem', off: offText ? parseExpr(offText, col) : undefined, base, text, col }
      }
    }
  }
  return { k: 'expr', e: parseExpr(text, col), text, col }
}
