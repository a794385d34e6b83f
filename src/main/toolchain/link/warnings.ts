/**
 * Layout warnings a kernel author wants before booting: the mistakes that link fine and then
 * fail at load or run time (REFERENCE.md, "ELF and linker scripts"). A higher-half section
 * without AT() gets p_paddr in the higher half, which QEMU and firmware cannot load; a page
 * shared by sections of different permissions cannot be mapped right; an LMA outside MEMORY is
 * probably a typo; overlapping LMAs mean one section's bytes overwrite another's at load.
 */
import { SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS } from '../../../shared/elf/constants'
import type { OutSec } from './input'
import type { LayoutWarning } from './layout-report'
import type { Script } from './script-ast'
import type { Segment } from './segments'
import type { LinkTarget } from './targets/target'

const PAGE_4K = 0x1000n
const h = (v: bigint) => '0x' + v.toString(16)

export function layoutWarnings(outs: OutSec[], segs: Segment[], regions: Map<string, { origin: bigint; length: bigint }>, script: Script, target: LinkTarget): LayoutWarning[] {
  const higherHalf = target.higherHalf
  const w: LayoutWarning[] = []
  const alloc = outs.filter((o) => (o.flags & SHF_ALLOC) !== 0 && o.size > 0n)
  const higher = alloc.filter((o) => o.vma >= higherHalf && o.lma === o.vma)
  if (higher.length) {
    const o = higher[0]
    w.push({
      code: 'link.higher_half_lma',
      message: `${higher.map((x) => x.name).join(', ')} ${higher.length > 1 ? 'have' : 'has'} a higher-half VMA (${h(o.vma)}) and no AT(): p_paddr = ${h(o.lma)}, which QEMU and firmware that load by physical address cannot place`,
      loc: o.stmt?.loc,
      hint: `give the sections a physical load address, e.g. \`${o.name} : AT(ADDR(${o.name}) - ${target.higherHalfHintOffset}) { … }\``,
    })
  }
  const byVma = [...alloc].sort((a, b) => (a.vma < b.vma ? -1 : a.vma > b.vma ? 1 : 0))
  for (let i = 1; i < byVma.length; i++) {
    const a = byVma[i - 1]
    const b = byVma[i]
    const perm = (o: OutSec) => o.flags & (SHF_WRITE | SHF_EXECINSTR)
    if (perm(a) === perm(b)) continue
    const lastPageA = (a.vma + a.size - 1n) / PAGE_4K
    const firstPageB = b.vma / PAGE_4K
    if (lastPageA === firstPageB) {
      w.push({
        code: 'link.shared_page_permissions',
        message: `${a.name} and ${b.name} share the 4 KiB page at ${h(firstPageB * PAGE_4K)} but need different permissions (${perm(a) & SHF_EXECINSTR ? 'X' : perm(a) & SHF_WRITE ? 'W' : 'R'} vs ${perm(b) & SHF_EXECINSTR ? 'X' : perm(b) & SHF_WRITE ? 'W' : 'R'})`,
        loc: b.stmt?.loc,
        hint: `put \`. = ALIGN(4K);\` before ${b.name} so each page holds one kind of section`,
      })
    }
  }
  if (script.memory.length) {
    for (const o of alloc) {
      if (o.type === SHT_NOBITS) continue
      const inside = [...regions.values()].some((r) => o.lma >= r.origin && o.lma + o.size <= r.origin + r.length)
      if (!inside) {
        w.push({
          code: 'link.lma_outside_memory',
          message: `${o.name}'s load address ${h(o.lma)}..${h(o.lma + o.size)} lies outside every MEMORY region`,
          loc: o.stmt?.loc,
          hint: 'use AT>region (or >region) so the section loads where memory exists',
        })
      }
    }
  }
  const loaded = alloc.filter((o) => o.type !== SHT_NOBITS).sort((a, b) => (a.lma < b.lma ? -1 : a.lma > b.lma ? 1 : 0))
  for (let i = 1; i < loaded.length; i++) {
    const a = loaded[i - 1]
    const b = loaded[i]
    if (a.lma + a.size > b.lma) {
      w.push({
        code: 'link.lma_overlap',
        message: `section ${b.name} LMA [${h(b.lma)},${h(b.lma + b.size - 1n)}] overlaps section ${a.name} LMA [${h(a.lma)},${h(a.lma + a.size - 1n)}]`,
        loc: b.stmt?.loc ?? a.stmt?.loc,
        hint: 'give one of them a different AT() so their load images do not overwrite each other',
      })
    }
  }
  void segs
  return w
}
