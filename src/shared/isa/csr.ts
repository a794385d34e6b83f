/**
 * Control and status register names, as GNU binutils 2.40 spells them in `csrr a0, mstatus`
 * and prints them in objdump. Numbers from the privileged spec, "CSR Listing" tables
 * (unprivileged counters, supervisor, machine, debug/trigger), plus the F extension's fcsr.
 */

const CSR_LIST: (readonly [string, number])[] = [
  ['fflags', 0x001], ['frm', 0x002], ['fcsr', 0x003],
  ['cycle', 0xc00], ['time', 0xc01], ['instret', 0xc02],
  ['sstatus', 0x100], ['sie', 0x104], ['stvec', 0x105], ['scounteren', 0x106], ['senvcfg', 0x10a],
  ['sscratch', 0x140], ['sepc', 0x141], ['scause', 0x142], ['stval', 0x143], ['sip', 0x144],
  ['satp', 0x180],
  ['mvendorid', 0xf11], ['marchid', 0xf12], ['mimpid', 0xf13], ['mhartid', 0xf14], ['mconfigptr', 0xf15],
  ['mstatus', 0x300], ['misa', 0x301], ['medeleg', 0x302], ['mideleg', 0x303], ['mie', 0x304],
  ['mtvec', 0x305], ['mcounteren', 0x306], ['menvcfg', 0x30a], ['mcountinhibit', 0x320],
  ['mscratch', 0x340], ['mepc', 0x341], ['mcause', 0x342], ['mtval', 0x343], ['mip', 0x344],
  ['mtinst', 0x34a], ['mtval2', 0x34b], ['mseccfg', 0x747],
  ['mcycle', 0xb00], ['minstret', 0xb02],
  ['tselect', 0x7a0], ['tdata1', 0x7a1], ['tdata2', 0x7a2], ['tdata3', 0x7a3], ['tinfo', 0x7a4], ['tcontrol', 0x7a5], ['mcontext', 0x7a8],
  ['dcsr', 0x7b0], ['dpc', 0x7b1], ['dscratch0', 0x7b2], ['dscratch1', 0x7b3],
]
for (let i = 3; i <= 31; i++) {
  CSR_LIST.push([`hpmcounter${i}`, 0xc00 + i], [`mhpmcounter${i}`, 0xb00 + i], [`mhpmevent${i}`, 0x320 + i])
}
// pmpcfg1/3/… exist only on RV32; RV64 packs eight entries per even-numbered pmpcfg.
for (let i = 0; i < 16; i += 2) CSR_LIST.push([`pmpcfg${i}`, 0x3a0 + i])
for (let i = 0; i < 64; i++) CSR_LIST.push([`pmpaddr${i}`, 0x3b0 + i])

/** Every named CSR: name → 12-bit number. */
export const CSR_NAMES: ReadonlyMap<string, number> = new Map(CSR_LIST)
const BY_NUMBER = new Map(CSR_LIST.map(([n, v]) => [v, n] as const))

/** The CSR number for a GNU name (case-insensitive), or undefined. */
export function csrNumber(name: string): number | undefined {
  return CSR_NAMES.get(name.toLowerCase())
}

/** The GNU name of a CSR number, or undefined when GNU prints it as a number. */
export function csrName(num: number): string | undefined {
  return BY_NUMBER.get(num)
}
