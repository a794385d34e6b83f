/** The built-in x86 labs (issue 15), booted on the PC; the RISC-V ones are the others. */
export const X86_LAB_IDS = ['i386-higher-half', 'i386-identity-mapping', 'x86-64-long-mode', 'x86-64-frame-allocator', 'x86-64-guard-page', 'x86-64-double-fault-ist']
