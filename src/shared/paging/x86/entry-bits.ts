/**
 * x86 paging-structure entry bits and the page-fault error code, as the SDM names them (vol. 3,
 * 4.3 "32-bit paging", 4.4 "PAE paging", 4.5 "4-level paging", 4.7 "Page-fault exceptions").
 * The one home for these numbers: the hart's walker constants are generated from here, and the
 * page-table views and walkers decode with them.
 */
import type { BitField } from '../../isa/x86/system-registers'

const flag = (name: string, bit: number, summary: string, width = 1): BitField => ({ name, bit, width, summary })

/** Bits of a paging-structure entry (PML4E, PDPTE, PDE, PTE) that the walker reads or sets. */
export const PAGE_ENTRY_BITS = [
  flag('P', 0, 'present'),
  flag('RW', 1, 'read/write (0: writes fault at CPL 3, and at CPL < 3 with CR0.WP)'),
  flag('US', 2, 'user/supervisor (1: CPL 3 may access)'),
  flag('PWT', 3, 'page-level write-through'),
  flag('PCD', 4, 'page-level cache disable'),
  flag('A', 5, 'accessed (set by the walker)'),
  flag('D', 6, 'dirty (set by the walker on a write; leaf entries only)'),
  flag('PS', 7, 'page size: this PDE/PDPTE maps a large page (PAT in a 4 KiB PTE)'),
  flag('G', 8, 'global (kept across CR3 writes when CR4.PGE = 1; leaf entries only)'),
  flag('PAT_LARGE', 12, 'PAT bit of a large-page entry'),
  flag('XD', 63, 'execute-disable (with EFER.NXE; 64-bit entries only)'),
] as const

/** The page-fault error code pushed with #PF (SDM vol. 3, Figure 4-12). */
export const PF_ERROR_BITS = [
  flag('P', 0, '0: the page was not present; 1: a protection violation'),
  flag('WR', 1, 'the access was a write'),
  flag('US', 2, 'the access was at CPL 3'),
  flag('RSVD', 3, 'a reserved bit was set in a paging-structure entry'),
  flag('ID', 4, 'the access was an instruction fetch (with NXE or SMEP)'),
  flag('PK', 5, 'protection-key violation'),
] as const
