/**
 * Model-specific register numbers the x86 machine knows, named as the SDM names them (vol. 4,
 * "Model-Specific Registers (MSRs)", architectural MSRs). The one home for these numbers: the
 * hart's AssemblyScript constants are generated from this table, and `rdmsr`/`wrmsr` views, the
 * CLI and the platform name MSRs with it.
 */

export interface MsrInfo {
  num: number
  name: string
  /** One line: what it holds. */
  summary: string
}

export const MSRS = {
  IA32_TSC: { num: 0x10, name: 'IA32_TSC', summary: 'time-stamp counter' },
  IA32_APIC_BASE: { num: 0x1b, name: 'IA32_APIC_BASE', summary: 'local APIC base address, enable (bit 11), BSP (bit 8)' },
  IA32_SYSENTER_CS: { num: 0x174, name: 'IA32_SYSENTER_CS', summary: 'CS selector of the sysenter target' },
  IA32_SYSENTER_ESP: { num: 0x175, name: 'IA32_SYSENTER_ESP', summary: 'stack pointer loaded by sysenter' },
  IA32_SYSENTER_EIP: { num: 0x176, name: 'IA32_SYSENTER_EIP', summary: 'instruction pointer loaded by sysenter' },
  IA32_MISC_ENABLE: { num: 0x1a0, name: 'IA32_MISC_ENABLE', summary: 'miscellaneous feature enables' },
  IA32_PAT: { num: 0x277, name: 'IA32_PAT', summary: 'page attribute table' },
  IA32_EFER: { num: 0xc0000080, name: 'IA32_EFER', summary: 'extended features: SCE (0), LME (8), LMA (10), NXE (11)' },
  IA32_STAR: { num: 0xc0000081, name: 'IA32_STAR', summary: 'syscall/sysret CS and SS selectors (bits 47:32, 63:48)' },
  IA32_LSTAR: { num: 0xc0000082, name: 'IA32_LSTAR', summary: 'syscall target RIP in 64-bit mode' },
  IA32_CSTAR: { num: 0xc0000083, name: 'IA32_CSTAR', summary: 'syscall target RIP in compatibility mode' },
  IA32_FMASK: { num: 0xc0000084, name: 'IA32_FMASK', summary: 'RFLAGS bits cleared by syscall' },
  IA32_FS_BASE: { num: 0xc0000100, name: 'IA32_FS_BASE', summary: 'FS segment base' },
  IA32_GS_BASE: { num: 0xc0000101, name: 'IA32_GS_BASE', summary: 'GS segment base' },
  IA32_KERNEL_GS_BASE: { num: 0xc0000102, name: 'IA32_KERNEL_GS_BASE', summary: 'GS base swapped in by swapgs' },
  IA32_TSC_AUX: { num: 0xc0000103, name: 'IA32_TSC_AUX', summary: 'value rdtscp returns in ECX' },
} as const satisfies Record<string, MsrInfo>

export type MsrName = keyof typeof MSRS

/** The MSR called `num`, or undefined. */
export function msrByNumber(num: number): MsrInfo | undefined {
  return Object.values(MSRS).find((m) => m.num === num >>> 0)
}
