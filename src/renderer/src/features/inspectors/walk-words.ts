/**
 * One level of a translation in words, for the translate box: which table and entry the walk read
 * and what it found there — "P2 (PD) entry 3 not present", "P4 (PML4) entry 511 points back at the
 * P4 (PML4) itself (the recursive entry)", "P2 (PD) entry 0 maps a 2 MiB page". x86 tables are
 * named as `tableGeometry` names them; RISC-V levels as L2…L0.
 */
import type { WalkStep } from '../../../../shared/paging/page-walk'
import { FORMATS, X86_PTE, type X86PagingMode } from '../../../../shared/paging/x86/formats'
import { tableGeometry } from './page-table-tree'

const hex = (v: bigint) => `0x${v.toString(16)}`

/** The table the step read, named for the mode (`P2 (PD)`, `PD`, `L1`). */
export function stepTable(step: WalkStep, mode: string): string {
  return tableGeometry(mode).name(step.level)
}

/** What the walk found at this level, in words; `root` (the root table's PA) names the recursive entry's later levels. */
export function stepWords(step: WalkStep, mode: string, root?: string): string {
  const g = tableGeometry(mode)
  const here = `${g.name(step.level)} entry ${step.vpn}`
  const f = FORMATS[mode as Exclude<X86PagingMode, 'Bare'>]
  switch (step.kind) {
    case 'unreadable':
      return `${here} at ${step.pteAddr} is outside physical memory`
    case 'invalid': {
      if (!f) return `${here} is not valid (V = 0)`
      const entry = BigInt(step.pte)
      return entry & X86_PTE.P ? `${here} has a reserved bit set` : `${here} not present (P = 0)`
    }
    case 'leaf': {
      const size = f ? f.levels[f.levels.length - 1 - step.level]?.largePage : undefined
      return `${here} maps a ${size ?? 'page'}${size ? ' page' : ''}`
    }
    case 'pointer': {
      if (!f) return `${here} points at the ${g.name(step.level - 1)} table`
      const next = BigInt(step.pte) & f.addressMask
      const self = BigInt(step.pteAddr) & ~0xfffn
      const top = f.levels.length - 1
      if (next === self && step.level === top) return `${here} points back at the ${g.name(top)} itself (the recursive entry): the walk reads it again one level down`
      if (next === self && root !== undefined && self === BigInt(root)) {
        return `${here}: this ${g.name(step.level)} is the ${g.name(top)} page again, so its entry ${step.vpn} is the recursive entry once more`
      }
      if (next === self) return `${here} points back at this ${g.name(step.level)} itself`
      return `${here} points at the ${g.name(step.level - 1)} at ${hex(next)}`
    }
  }
}
