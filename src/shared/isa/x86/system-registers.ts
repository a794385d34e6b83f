/**
 * The x86 system architecture's numbers, named as the SDM names them (vol. 3): control-register
 * and EFLAGS bits, EFER, segment-descriptor and gate types, and the exception vectors with their
 * error-code and double-fault classes. The one home for them: the hart's AssemblyScript constants
 * are generated from this file (`machine/x86/hart/gen-spec.ts`), and register views decode with it.
 */

/** One named bit (or field) of a register. */
export interface BitField {
  name: string
  /** Lowest bit. */
  bit: number
  /** Width in bits (1 for flags). */
  width: number
  summary: string
}

const flag = (name: string, bit: number, summary: string, width = 1): BitField => ({ name, bit, width, summary })

/** CR0 (SDM vol. 3, 2.5 "Control Registers"). */
export const CR0_BITS = [
  flag('PE', 0, 'protection enable'),
  flag('MP', 1, 'monitor coprocessor'),
  flag('EM', 2, 'x87 emulation'),
  flag('TS', 3, 'task switched'),
  flag('ET', 4, 'extension type (always 1)'),
  flag('NE', 5, 'numeric error'),
  flag('WP', 16, 'write protect (supervisor writes honour R/W)'),
  flag('AM', 18, 'alignment mask'),
  flag('NW', 29, 'not write-through'),
  flag('CD', 30, 'cache disable'),
  flag('PG', 31, 'paging'),
] as const

/** CR4. */
export const CR4_BITS = [
  flag('VME', 0, 'virtual-8086 mode extensions'),
  flag('PVI', 1, 'protected-mode virtual interrupts'),
  flag('TSD', 2, 'time stamp disable (rdtsc at CPL 0 only)'),
  flag('DE', 3, 'debugging extensions'),
  flag('PSE', 4, 'page size extensions (4 MiB pages in 32-bit paging)'),
  flag('PAE', 5, 'physical address extension'),
  flag('MCE', 6, 'machine-check enable'),
  flag('PGE', 7, 'page global enable'),
  flag('PCE', 8, 'performance-monitoring counter enable'),
  flag('OSFXSR', 9, 'OS supports fxsave/fxrstor (SSE enabled)'),
  flag('OSXMMEXCPT', 10, 'OS handles unmasked SIMD exceptions (#XM)'),
  flag('UMIP', 11, 'user-mode instruction prevention'),
  flag('FSGSBASE', 16, 'rdfsbase and friends'),
  flag('PCIDE', 17, 'process-context identifiers'),
  flag('OSXSAVE', 18, 'xsave enabled'),
  flag('SMEP', 20, 'supervisor-mode execution prevention'),
  flag('SMAP', 21, 'supervisor-mode access prevention'),
] as const

/** IA32_EFER (SDM vol. 3, 2.2.1 "Extended Feature Enable Register"). */
export const EFER_BITS = [
  flag('SCE', 0, 'syscall/sysret enable'),
  flag('LME', 8, 'long mode enable'),
  flag('LMA', 10, 'long mode active (read-only: set by CR0.PG with LME)'),
  flag('NXE', 11, 'execute-disable bit enable'),
] as const

/** EFLAGS (SDM vol. 1, 3.4.3). */
export const EFLAGS_BITS = [
  flag('CF', 0, 'carry'),
  flag('PF', 2, 'parity (of the low byte)'),
  flag('AF', 4, 'auxiliary carry (bit 3)'),
  flag('ZF', 6, 'zero'),
  flag('SF', 7, 'sign'),
  flag('TF', 8, 'trap (single step)'),
  flag('IF', 9, 'interrupt enable'),
  flag('DF', 10, 'direction'),
  flag('OF', 11, 'overflow'),
  flag('IOPL', 12, 'I/O privilege level', 2),
  flag('NT', 14, 'nested task'),
  flag('RF', 16, 'resume'),
  flag('VM', 17, 'virtual-8086 mode'),
  flag('AC', 18, 'alignment check / access control'),
  flag('VIF', 19, 'virtual interrupt flag'),
  flag('VIP', 20, 'virtual interrupt pending'),
  flag('ID', 21, 'cpuid available'),
] as const

/** The system-descriptor and gate types (S = 0), SDM vol. 3, Table 3-2. */
export const SYSTEM_DESCRIPTOR_TYPES = {
  TSS16_AVAILABLE: 1,
  LDT: 2,
  TSS16_BUSY: 3,
  CALL_GATE16: 4,
  TASK_GATE: 5,
  INTERRUPT_GATE16: 6,
  TRAP_GATE16: 7,
  TSS_AVAILABLE: 9,
  TSS_BUSY: 11,
  CALL_GATE: 12,
  INTERRUPT_GATE: 14,
  TRAP_GATE: 15,
} as const

/** Double-fault classes, SDM vol. 3, Table 6-4 "Interrupt and Exception Classes". */
export type ExceptionClass = 'benign' | 'contributory' | 'page-fault'

export interface ExceptionVector {
  vector: number
  /** The SDM's mnemonic (#DE, #PF, …). */
  mnemonic: string
  name: string
  errorCode: boolean
  kind: 'fault' | 'trap' | 'abort' | 'interrupt' | 'fault/trap'
  dfClass: ExceptionClass
}

const v = (vector: number, mnemonic: string, name: string, errorCode: boolean, kind: ExceptionVector['kind'], dfClass: ExceptionClass = 'benign'): ExceptionVector =>
  ({ vector, mnemonic, name, errorCode, kind, dfClass })

/** Protected-mode exceptions and interrupts, SDM vol. 3, Table 6-1. */
export const EXCEPTION_VECTORS: readonly ExceptionVector[] = [
  v(0, '#DE', 'divide error', false, 'fault', 'contributory'),
  v(1, '#DB', 'debug', false, 'fault/trap'),
  v(2, 'NMI', 'non-maskable interrupt', false, 'interrupt'),
  v(3, '#BP', 'breakpoint', false, 'trap'),
  v(4, '#OF', 'overflow', false, 'trap'),
  v(5, '#BR', 'bound range exceeded', false, 'fault'),
  v(6, '#UD', 'invalid opcode', false, 'fault'),
  v(7, '#NM', 'device not available', false, 'fault'),
  v(8, '#DF', 'double fault', true, 'abort'),
  v(10, '#TS', 'invalid TSS', true, 'fault', 'contributory'),
  v(11, '#NP', 'segment not present', true, 'fault', 'contributory'),
  v(12, '#SS', 'stack-segment fault', true, 'fault', 'contributory'),
  v(13, '#GP', 'general protection', true, 'fault', 'contributory'),
  v(14, '#PF', 'page fault', true, 'fault', 'page-fault'),
  v(16, '#MF', 'x87 floating-point error', false, 'fault'),
  v(17, '#AC', 'alignment check', true, 'fault'),
  v(18, '#MC', 'machine check', false, 'abort'),
  v(19, '#XM', 'SIMD floating-point exception', false, 'fault'),
  v(20, '#VE', 'virtualization exception', false, 'fault'),
  v(21, '#CP', 'control protection', true, 'fault', 'contributory'),
]

/** The vector's description, or undefined for a reserved/user vector. */
export function exceptionVector(vector: number): ExceptionVector | undefined {
  return EXCEPTION_VECTORS.find((e) => e.vector === vector)
}

/** The SDM mnemonic of each exception vector by number (`'#PF'`), for generated constants. */
export const VECTOR_BY_MNEMONIC: Readonly<Record<string, number>> = Object.fromEntries(
  EXCEPTION_VECTORS.map((e) => [e.mnemonic.replace('#', ''), e.vector]),
)
