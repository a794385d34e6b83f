/**
 * Instructions of the x86 table the hart decodes but does not execute, by execute op (the names
 * of gen-decoder.ts `execName`), with the reason. Executing one raises #UD after an
 * `Unimplemented` exit that names it — never a silent wrong result. A test checks that every
 * execute op is either handled by the hart or listed here, and nothing listed is handled.
 */
const MONITOR = 'monitor/mwait are not advertised by CPUID (leaf 1 ECX.MONITOR = 0)'
const MMX = 'MMX register moves: not implemented (MMX is not advertised by CPUID)'

export const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {
  mmx_movd: MMX,
  mmx_movq: MMX,
  monitor: MONITOR,
  mwait: MONITOR,
}
