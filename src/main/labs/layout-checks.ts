/**
 * The checks decided on the build alone — `section`, `segment`, `symbol` — from our linker's
 * layout report and symbol table: the same facts `objdump -h`, `readelf -lW` and `nm` show, so a
 * teacher can confirm a verdict with GNU tools. No boot needed, which is why these still give
 * their verdict when the loader refuses the kernel (as in the VMA-vs-LMA lab's starter).
 */
import type { LayoutReport } from '../../shared/api/layout'
import type { SectionCheck, SegmentCheck, SymbolCheck } from '../../shared/labs/lab-format'
import { hex } from '../../shared/trace/events'
import type { SymbolTable } from './select-events'

/** What a check saw: its verdict and the observation behind it. */
export interface Verdict {
  passed: boolean
  detail: string
  step?: number
}

const hexOf = (v: string) => hex(BigInt(v))
const letters = (s: string, allowed: string) =>
  allowed
    .split('')
    .filter((c) => s.toUpperCase().replace('E', 'X').includes(c))
    .join('')

export function sectionVerdict(check: SectionCheck, layout: LayoutReport): Verdict {
  const s = layout.outputSections.find((x) => x.name === check.name)
  if (!check.exists) {
    return s
      ? { passed: false, detail: `the output section ${check.name} exists (VMA ${s.vma}, LMA ${s.lma}${s.orphan ? ', placed as an orphan' : ''})` }
      : { passed: true, detail: `there is no output section ${check.name}` }
  }
  if (!s) return { passed: false, detail: `there is no output section ${check.name}; sections: ${layout.outputSections.map((x) => x.name).join(', ') || 'none'}` }
  const seen = `${check.name}: VMA ${hexOf(s.vma)}, LMA ${hexOf(s.lma)}`
  const problems: string[] = []
  if (check.vma !== undefined && BigInt(check.vma) !== BigInt(s.vma)) problems.push(`VMA is ${hexOf(s.vma)}, not ${check.vma}`)
  if (check.lma !== undefined && BigInt(check.lma) !== BigInt(s.lma)) problems.push(`LMA is ${hexOf(s.lma)}, not ${check.lma}`)
  if (check.align !== undefined) {
    const a = BigInt(check.align)
    if (BigInt(s.vma) % a !== 0n || BigInt(s.lma) % a !== 0n) problems.push(`VMA ${hexOf(s.vma)} / LMA ${hexOf(s.lma)} are not multiples of ${check.align}`)
  }
  return problems.length ? { passed: false, detail: `${check.name}: ${problems.join('; ')}` } : { passed: true, detail: seen }
}

export function segmentVerdict(check: SegmentCheck, layout: LayoutReport): Verdict {
  const seg = layout.segments.find((x) => x.type.replace(/^PT_/, '') === 'LOAD' && x.sections.includes(check.section))
  if (!seg) return { passed: false, detail: `no PT_LOAD program header holds ${check.section}` }
  const flags = letters(seg.flags, 'RWX')
  const seen = `the PT_LOAD with ${seg.sections.join(' ')}: p_vaddr ${hexOf(seg.vaddr)}, p_paddr ${hexOf(seg.paddr)}, flags ${flags || 'none'}`
  const problems: string[] = []
  if (check.vaddr !== undefined && BigInt(check.vaddr) !== BigInt(seg.vaddr)) problems.push(`p_vaddr is ${hexOf(seg.vaddr)}, not ${check.vaddr}`)
  if (check.paddr !== undefined && BigInt(check.paddr) !== BigInt(seg.paddr)) problems.push(`p_paddr is ${hexOf(seg.paddr)}, not ${check.paddr}`)
  if (check.flags !== undefined && letters(check.flags, 'RWX') !== flags) problems.push(`flags are ${flags || 'none'}, not ${letters(check.flags, 'RWX')}`)
  return problems.length ? { passed: false, detail: `the PT_LOAD holding ${check.section}: ${problems.join('; ')}` } : { passed: true, detail: seen }
}

export function symbolVerdict(check: SymbolCheck, symbols: SymbolTable): Verdict {
  const s = symbols.get(check.name)
  if (!s) return { passed: false, detail: `the kernel has no symbol ${check.name}` }
  const seen = `${check.name} = ${hex(s.value)} in ${s.section}`
  const problems: string[] = []
  if (check.value !== undefined && BigInt(check.value) !== s.value) problems.push(`its value is ${hex(s.value)}, not ${check.value}`)
  if (check.section !== undefined && check.section !== s.section) problems.push(`it is in ${s.section}, not ${check.section}`)
  if (check.align !== undefined && s.value % BigInt(check.align) !== 0n) problems.push(`${hex(s.value)} is not a multiple of ${check.align}`)
  return problems.length ? { passed: false, detail: `${check.name}: ${problems.join('; ')}` } : { passed: true, detail: seen }
}
