/**
 * Validation of the check kinds that name the kernel's functions (docs/labs.md, "Checks that
 * name functions"): `function_reached` (the PC reached the function — its entry, or an inlined
 * copy's — at the latest by a step) and `fault_in_function` (an exception's epc lies inside the
 * function, inlined copies included; with `absent`, none does). The names are the kernel's DWARF
 * functions (a C or Rust kernel built with -g), else its ELF symbols (an assembly kernel).
 */
import { Issues, readBoolean, readInteger, readString, type Fields } from './json-fields'

export const FUNCTION_KIND_KEYS = {
  function_reached: ['function', 'beforeStep'],
  fault_in_function: ['function', 'cause', 'absent'],
} as const

/** A C or Rust identifier, or an assembly label (`.` and `$` allowed): never an expression. */
const FUNCTION_NAME_RE = /^[A-Za-z_.$][\w.$]*$/
const MAX_EXCEPTION_CAUSE = 63

function readFunctionName(issues: Issues, f: Fields): string | undefined {
  const name = readString(issues, f, 'function', true, { nonEmpty: true })
  if (name !== undefined && !FUNCTION_NAME_RE.test(name)) {
    return issues.add('lab.bad_value', `"function": ${JSON.stringify(name)} is not a function name`, f.byKey.get('function')!.value.pos, 'the name as the source writes it, e.g. "kmain"')
  }
  return name
}

export function readFunctionReachedCheck(issues: Issues, f: Fields): { kind: 'function_reached'; function: string; beforeStep?: number } | undefined {
  const name = readFunctionName(issues, f)
  const beforeStep = readInteger(issues, f, 'beforeStep', false, { min: 1, max: 10_000_000_000 })
  if (name === undefined) return undefined
  return { kind: 'function_reached', function: name, ...(beforeStep !== undefined ? { beforeStep } : {}) }
}

export function readFaultInFunctionCheck(issues: Issues, f: Fields): { kind: 'fault_in_function'; function: string; cause?: number; absent: boolean } | undefined {
  const name = readFunctionName(issues, f)
  const cause = readInteger(issues, f, 'cause', false, { min: 0, max: MAX_EXCEPTION_CAUSE })
  const absent = readBoolean(issues, f, 'absent') ?? false
  if (name === undefined) return undefined
  return { kind: 'fault_in_function', function: name, absent, ...(cause !== undefined ? { cause } : {}) }
}
