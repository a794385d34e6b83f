/**
 * Evaluation of linker-script expressions during layout. A value keeps its section like ld's
 * (ld manual, "The Section of an Expression"): a plain number, an absolute address, or an offset
 * relative to an output section — that is what makes `. = 0x10` inside a section mean "16 bytes
 * in" and `_edata = .` outside one mean an address. Arithmetic follows ldexp.c's fold_binary.
 */
import type { SourceLoc } from '../../../shared/api/result'
import type { Expr } from './script-ast'
import { dataSegmentAlign, dataSegmentEnd, dataSegmentRelroEnd, newDataSegment, type DataSegment } from './data-segment'

/** The part of an output section expressions can see. */
export interface SecRef {
  name: string
  vma: bigint
  lma: bigint
  size: bigint
  align: bigint
}

export interface Val {
  /** Offset from `sec.vma` when `sec` is set, otherwise the value itself. */
  off: bigint
  sec: SecRef | null
  /** A plain number (not an address): inside an output section it becomes relative to it when assigned. */
  num: boolean
}

export class EvalError extends Error {
  constructor(readonly code: string, message: string, readonly loc: SourceLoc, readonly hint?: string) {
    super(message)
  }
}

export interface EvalEnv {
  /** The location counter, absolute. */
  dot: bigint
  /** Set while evaluating inside an output section statement. */
  cur: SecRef | null
  /** Symbol value, or undefined when it is not (yet) defined. */
  symbol(name: string): Val | undefined
  /** A placed output section, or undefined when it does not exist (or was discarded). */
  section(name: string): SecRef | undefined
  region(name: string): { origin: bigint; length: bigint } | undefined
  sizeofHeaders(): bigint
  maxPageSize: bigint
  commonPageSize: bigint
  /** Last pass: unknowns are errors rather than zero. */
  final: boolean
  /** Set when a forward reference was read as zero in a non-final pass. */
  unresolved: boolean
  /** DATA_SEGMENT_* state across passes (absent: evaluated as in a single pass). */
  dataSeg?: DataSegment
}

const MASK64 = (1n << 64n) - 1n
const u64 = (v: bigint) => v & MASK64

export const abs = (v: bigint): Val => ({ off: u64(v), sec: null, num: false })
export const num = (v: bigint): Val => ({ off: u64(v), sec: null, num: true })
export const valueOf = (v: Val): bigint => u64(v.off + (v.sec ? v.sec.vma : 0n))

function alignUp(v: bigint, a: bigint): bigint {
  if (a <= 1n) return u64(v)
  return u64((v + a - 1n) / a * a)
}

function toSigned(v: bigint): bigint {
  return BigInt.asIntN(64, v)
}

export function evaluate(e: Expr, env: EvalEnv): Val {
  switch (e.k) {
    case 'num':
      return num(e.v)
    case 'str':
      throw new EvalError('link.bad_expression', `a string ("${e.s}") is not a value here`, e.loc)
    case 'dot':
      if (env.cur) return { off: u64(env.dot - env.cur.vma), sec: env.cur, num: false }
      return abs(env.dot)
    case 'sym': {
      const v = env.symbol(e.name)
      if (v) return v
      if (env.final) {
        throw new EvalError('link.undefined_symbol', `undefined symbol '${e.name}' referenced in expression`, e.loc,
          `define it (\`${e.name} = …;\`) before use, or in an object file`)
      }
      env.unresolved = true
      return abs(0n)
    }
    case 'un': {
      const a = evaluate(e.a, env)
      const v = a.num ? a.off : valueOf(a)
      const r = e.op === '-' ? u64(-v) : e.op === '~' ? u64(~v) : v === 0n ? 1n : 0n
      return e.op === '!' || a.num ? num(r) : abs(r)
    }
    case 'cond': {
      const c = evaluate(e.c, env)
      return valueOf(c) !== 0n ? evaluate(e.a, env) : evaluate(e.b, env)
    }
    case 'bin':
      return binary(e.op, evaluate(e.a, env), evaluate(e.b, env), env, e.loc)
    case 'call':
      return call(e, env)
  }
}

/** ldexp.c fold_binary: operands in different sections become absolute; a number keeps the other's section. */
export function binary(op: string, l: Val, r: Val, env: EvalEnv, loc: SourceLoc): Val {
  let lhs = { ...l }
  let rhs = { ...r }
  if (lhs.sec && rhs.sec && lhs.sec !== rhs.sec) {
    lhs = abs(valueOf(lhs))
    rhs = abs(valueOf(rhs))
  } else if (lhs.sec && !rhs.sec && !rhs.num) {
    lhs = abs(valueOf(lhs))
  } else if (rhs.sec && !lhs.sec && !lhs.num) {
    rhs = abs(valueOf(rhs))
  }
  const a = lhs.off
  const b = rhs.off
  const sameSec = lhs.sec !== null && lhs.sec === rhs.sec
  const sec = lhs.sec ?? rhs.sec
  const bothNum = lhs.num && rhs.num
  let v: bigint
  switch (op) {
    case '==': return num(a === b ? 1n : 0n)
    case '!=': return num(a !== b ? 1n : 0n)
    case '<': return num(toSigned(a) < toSigned(b) ? 1n : 0n)
    case '<=': return num(toSigned(a) <= toSigned(b) ? 1n : 0n)
    case '>': return num(toSigned(a) > toSigned(b) ? 1n : 0n)
    case '>=': return num(toSigned(a) >= toSigned(b) ? 1n : 0n)
    case '&&': return num(a !== 0n && b !== 0n ? 1n : 0n)
    case '||': return num(a !== 0n || b !== 0n ? 1n : 0n)
    case '+': v = a + b; break
    case '-': v = a - b; break
    case '*': v = a * b; break
    case '/':
    case '%':
      if (b === 0n) {
        if (!env.final) { env.unresolved = true; v = 0n; break }
        throw new EvalError('link.division_by_zero', `${op === '/' ? 'division' : 'modulo'} by zero`, loc, 'check the divisor')
      }
      v = op === '/' ? a / b : a % b
      break
    case '<<': v = b >= 64n ? 0n : a << b; break
    case '>>': v = b >= 64n ? 0n : a >> b; break
    case '&': v = a & b; break
    case '|': v = a | b; break
    case '^': v = a ^ b; break
    case 'MAX': v = toSigned(a) >= toSigned(b) ? a : b; break
    case 'MIN': v = toSigned(a) <= toSigned(b) ? a : b; break
    default: throw new EvalError('link.bad_expression', `unknown operator '${op}'`, loc)
  }
  v = u64(v)
  if (bothNum) return num(v)
  if (sameSec) {
    // Two offsets in one section: a number inside an output section, an absolute address outside.
    return env.cur ? num(v) : abs(u64(v + lhs.sec!.vma))
  }
  if (sec) return { off: v, sec, num: false }
  return abs(v)
}

function call(e: Extract<Expr, { k: 'call' }>, env: EvalEnv): Val {
  const needSection = (): SecRef | undefined => {
    const s = env.section(e.name!)
    if (!s && env.final) {
      throw new EvalError('link.unknown_section', `${e.fn}(${e.name}): no output section named '${e.name}'`, e.loc,
        'the section may be empty (and so not created) or misspelt')
    }
    if (!s) env.unresolved = true
    return s
  }
  switch (e.fn) {
    case 'ADDR': {
      const s = needSection()
      return s ? { off: 0n, sec: s, num: false } : abs(0n)
    }
    case 'LOADADDR': {
      const s = needSection()
      return abs(s ? s.lma : 0n)
    }
    case 'SIZEOF': {
      // SIZEOF of a section that does not exist is 0 in ld (with a warning in some versions).
      const s = env.section(e.name!)
      return num(s ? s.size : 0n)
    }
    case 'ALIGNOF': {
      const s = env.section(e.name!)
      return num(s ? s.align : 0n)
    }
    case 'ORIGIN':
    case 'LENGTH': {
      const r = env.region(e.name!)
      if (!r) throw new EvalError('link.unknown_region', `${e.fn}(${e.name}): no memory region named '${e.name}'`, e.loc, 'declare it in MEMORY { … }')
      return e.fn === 'ORIGIN' ? abs(r.origin) : num(r.length)
    }
    case 'DEFINED':
      return num(env.symbol(e.name!) ? 1n : 0n)
    case 'CONSTANT':
      return num(e.name === 'MAXPAGESIZE' ? env.maxPageSize : env.commonPageSize)
    case 'SIZEOF_HEADERS':
      return num(env.sizeofHeaders())
    case 'ABSOLUTE':
      return abs(valueOf(evaluate(e.args[0], env)))
    case 'ALIGN': {
      if (e.args.length === 1) {
        const a = valueOf(evaluate(e.args[0], env))
        const v = alignUp(env.dot, a)
        return env.cur ? { off: u64(v - env.cur.vma), sec: env.cur, num: false } : abs(v)
      }
      const x = evaluate(e.args[0], env)
      const a = valueOf(evaluate(e.args[1], env))
      if (x.num) return num(alignUp(x.off, a))
      return x.sec ? { off: u64(alignUp(valueOf(x), a) - x.sec.vma), sec: x.sec, num: false } : abs(alignUp(x.off, a))
    }
    case 'NEXT':
      return abs(alignUp(env.dot, valueOf(evaluate(e.args[0], env))))
    case 'BLOCK':
      return abs(alignUp(env.dot, valueOf(evaluate(e.args[0], env))))
    case 'LOG2CEIL': {
      const v = valueOf(evaluate(e.args[0], env))
      let n = 0n
      while (1n << n < v) n++
      return num(n)
    }
    case 'MAX':
    case 'MIN':
      return binary(e.fn, evaluate(e.args[0], env), evaluate(e.args[1], env), env, e.loc)
    case 'SEGMENT_START':
      return evaluate(e.args[1], env)
    case 'DATA_SEGMENT_ALIGN': {
      const maxPage = valueOf(evaluate(e.args[0], env))
      const commonPage = valueOf(evaluate(e.args[1], env))
      return abs(u64(dataSegmentAlign(env.dataSeg ?? newDataSegment(), env.dot, maxPage, commonPage)))
    }
    case 'DATA_SEGMENT_RELRO_END': {
      const offset = valueOf(evaluate(e.args[0], env))
      const v = evaluate(e.args[1], env)
      if (!env.dataSeg) return v
      const moved = dataSegmentRelroEnd(env.dataSeg, offset, valueOf(v))
      return moved === valueOf(v) ? v : abs(u64(moved))
    }
    case 'DATA_SEGMENT_END': {
      const v = evaluate(e.args[0], env)
      if (env.dataSeg) dataSegmentEnd(env.dataSeg, valueOf(v))
      return v
    }
  }
  throw new EvalError('link.bad_expression', `unknown function '${e.fn}'`, e.loc)
}
