/**
 * Trap cause names, from the privileged specification's mcause/scause table (Volume II,
 * "Machine Cause Register"), as the timeline and the explanations print them.
 */

export const EXCEPTION_NAMES: Record<number, string> = {
  0: 'instruction address misaligned',
  1: 'instruction access fault',
  2: 'illegal instruction',
  3: 'breakpoint',
  4: 'load address misaligned',
  5: 'load access fault',
  6: 'store/AMO address misaligned',
  7: 'store/AMO access fault',
  8: 'environment call from U-mode',
  9: 'environment call from S-mode',
  11: 'environment call from M-mode',
  12: 'instruction page fault',
  13: 'load page fault',
  15: 'store/AMO page fault',
  18: 'software check',
  19: 'hardware error',
}

export const INTERRUPT_NAMES: Record<number, string> = {
  1: 'supervisor software interrupt',
  3: 'machine software interrupt',
  5: 'supervisor timer interrupt',
  7: 'machine timer interrupt',
  9: 'supervisor external interrupt',
  11: 'machine external interrupt',
  13: 'counter-overflow interrupt',
}

const INTERRUPT_BIT = 1n << 63n

/** Names an mcause/scause value, e.g. `instruction page fault` or `supervisor timer interrupt`. */
export function causeName(cause: bigint): string {
  const interrupt = (cause & INTERRUPT_BIT) !== 0n
  const code = Number(cause & ~INTERRUPT_BIT)
  const name = (interrupt ? INTERRUPT_NAMES : EXCEPTION_NAMES)[code]
  return name ?? `${interrupt ? 'interrupt' : 'exception'} ${code}`
}

export function isInterrupt(cause: bigint): boolean {
  return (cause & INTERRUPT_BIT) !== 0n
}
