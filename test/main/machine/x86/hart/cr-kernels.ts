/**
 * A 32-bit kernel probing the control registers: for each CR4 bit and CR0 value given, it writes the
 * register and prints whether the write raised #GP (with its error code) and what the register reads
 * back — which CR4 bits this CPU model accepts (`docs/x86-cpu.md`), CR0.ET hard-wired, NW without CD
 * and PG without PE refused.
 */
import { ENTER32, GDT32, IDT32, IO32, SAY, STACK } from './kernel-lib'

/** CR4 bits (SDM vol. 3A, 2.5) this CPU model implements: name and bit. */
export const CR4_IMPLEMENTED: [string, number][] = [
  ['TSD', 2], ['DE', 3], ['PSE', 4], ['PAE', 5], ['MCE', 6], ['PGE', 7], ['PCE', 8], ['OSFXSR', 9], ['OSXMMEXCPT', 10],
]
/** CR4 bits of features our CPUID does not report: a write setting one is #GP(0). */
export const CR4_RESERVED: [string, number][] = [
  ['VME', 0], ['PVI', 1], ['UMIP', 11], ['LA57', 12], ['VMXE', 13], ['SMXE', 14], ['FSGSBASE', 16], ['PCIDE', 17],
  ['OSXSAVE', 18], ['SMEP', 20], ['SMAP', 21], ['PKE', 22], ['bit 31', 31],
]

/** Writes `value` (an instruction operand) to `cr` through EAX, with #GP caught; prints the outcome and the read-back. */
const probe = (label: string, cr: 'cr0' | 'cr4', value: string): string => `
  mov dword [gp_taken], 0
  mov dword [resume], .after_${label.replace(/\W/g, '_')}
  mov eax, ${value}
  mov ${cr}, eax
.after_${label.replace(/\W/g, '_')}:
  SAY '${label}: '
  call outcome
  mov eax, ${cr}
  call puthex
  SAY 10`

/** CR0 writes a CPU accepts: label and the instructions that compute the value from [cr0_start]. */
export const CR0_LEGAL: [string, string][] = [
  ['cr0 without ET', '[cr0_start]\n  and eax, ~0x10'], // ET is hard-wired to 1
  ['cr0 CD and NW', '[cr0_start]\n  or eax, 0x60000000'],
  ['cr0 WP AM NE MP', '[cr0_start]\n  or eax, 0x00050022'],
]
/** CR0 writes the SDM answers with #GP(0) (vol. 3A, 2.5 and MOV—Move to/from Control Registers). */
export const CR0_ILLEGAL: [string, string][] = [
  ['cr0 NW without CD', '[cr0_start]\n  or eax, 0x20000000'],
  ['cr0 PG without PE', '[cr0_start]\n  and eax, ~1\n  or eax, 0x80000000'],
]
/** A reserved CR0 bit: the SDM says setting it has no effect (it reads back clear). */
export const CR0_RESERVED: [string, string] = ['cr0 bit 6 (reserved)', '[cr0_start]\n  or eax, 0x40']

/** The kernel, probing the CR4 bits `cr4Bits` and then the CR0 writes `cr0Probes`. */
export const controlRegisters32 = (cr4Bits: [string, number][], cr0Probes: [string, string][]): string => `
${SAY}
${ENTER32}
  mov eax, 13
  mov ebx, gp_handler
  mov ecx, 0x8E
  call set_gate32
  call lidt32
  mov eax, cr0
  mov [cr0_start], eax
  mov eax, cr4
  mov [cr4_start], eax
  SAY 'cr0 at entry '
  mov eax, [cr0_start]
  call puthex
  SAY 10
${cr4Bits.map(([name, bit]) => `${probe(`cr4 ${name}`, 'cr4', `[cr4_start]\n  or eax, ${1 << bit >>> 0}`)}
  mov eax, [cr4_start]
  mov cr4, eax`).join('\n')}
${cr0Probes.map(([label, value]) => `${probe(label, 'cr0', value)}
  mov eax, [cr0_start]
  mov cr0, eax`).join('\n')}
  mov al, 0x26
  jmp exit

; Prints "#GP(error) " or "ok ".
outcome:
  cmp dword [gp_taken], 0
  je .ok
  SAY '#GP('
  mov eax, [gp_error]
  call puthex
  SAY ') '
  ret
.ok:
  SAY 'ok '
  ret

gp_handler:
  pop dword [gp_error]
  mov dword [gp_taken], 1
  push eax
  mov eax, [resume]
  mov [esp + 4], eax
  pop eax
  iret
${IO32}
${IDT32}
section .data
cr0_start: dd 0
cr4_start: dd 0
gp_taken: dd 0
gp_error: dd 0
resume: dd 0
${GDT32}
${STACK}
`
