/**
 * A 64-bit kernel for the model-specific registers a kernel touches, compared with QEMU: EFER after
 * entering long mode, IA32_APIC_BASE, PAT and MISC_ENABLE as reset leaves them, round trips through the
 * syscall MSRs (STAR, LSTAR, CSTAR, SFMASK) and SYSENTER_CS/ESP/EIP, FS/GS bases — the base MSRs, an
 * access through GS, swapgs exchanging GS_BASE with KERNEL_GS_BASE, a segment load in 64-bit mode
 * resetting the base — and the time stamp counter: rdtscp's ECX from TSC_AUX, a write to IA32_TSC
 * seen by rdtsc, and rdtsc counting up. Each line names what it printed; values that depend on speed
 * are printed as facts (a comparison), not as numbers.
 */
import { ENTER32, GDT32, IO64, SAY, STACK, TO_LONG } from './kernel-lib'

/** rdmsr of `msr` printed as `name value`. */
const show = (name: string, msr: number): string => `
  mov ecx, ${msr}
  rdmsr
  shl rdx, 32
  or rax, rdx
  SAY '${name} '
  call puthex
  call nl`

/** wrmsr of a 64-bit pattern into `msr`, then rdmsr printed. */
const roundTrip = (name: string, msr: number, value: bigint): string => `
  mov ecx, ${msr}
  mov rax, 0x${value.toString(16)}
  mov rdx, rax
  shr rdx, 32
  wrmsr${show(`${name} after writing 0x${value.toString(16)}:`, msr)}`

export const MSRS64 = `
${SAY}
${ENTER32}
${TO_LONG}
bits 64
long_start:
  mov rsp, stack_top
${show('efer', 0xc0000080)}
${show('apic base', 0x1b)}
${show('pat', 0x277)}
${show('misc enable', 0x1a0)}
${roundTrip('star', 0xc0000081, 0x0023001000000000n)}
${roundTrip('lstar', 0xc0000082, 0xffff800000123456n)}
${roundTrip('cstar', 0xc0000083, 0xffff800000654321n)}
${roundTrip('sfmask', 0xc0000084, 0x47700n)}
${roundTrip('sysenter_cs', 0x174, 0x8n)}
${roundTrip('sysenter_esp', 0x175, 0xffff800000200000n)}
${roundTrip('sysenter_eip', 0x176, 0xffff800000300000n)}
${roundTrip('pat', 0x277, 0x0007010600070106n)}
${roundTrip('fs base', 0xc0000100, 0x1000n)}
${roundTrip('gs base', 0xc0000101, 0x2000n)}
${roundTrip('kernel gs base', 0xc0000102, 0x3000n)}
  ; An access through GS uses GS_BASE; swapgs exchanges it with KERNEL_GS_BASE.
  mov rax, gs_data
  mov rdx, rax
  shr rdx, 32
  mov ecx, 0xc0000101
  wrmsr
  mov rax, [gs:8]
  SAY 'gs:8 '
  call puthex
  call nl
  swapgs
${show('after swapgs: gs base', 0xc0000101)}
${show('after swapgs: kernel gs base', 0xc0000102)}
  swapgs
${show('after a second swapgs: gs base', 0xc0000101)}
  ; Loading FS with a selector in 64-bit mode takes the base from the descriptor (0).
  mov ax, 0x10
  mov fs, ax
${show('fs base after mov fs, 0x10', 0xc0000100)}
  ; rdtscp: ECX = TSC_AUX.
  mov ecx, 0xc0000103
  mov eax, 0x1234
  xor edx, edx
  wrmsr
  xor ecx, ecx
  rdtscp
  mov eax, ecx
  SAY 'rdtscp ecx '
  call puthex
  call nl
  ; A write to IA32_TSC moves the counter there: the high half reads back right after.
  mov ecx, 0x10
  xor eax, eax
  mov edx, 0x1000
  wrmsr
  rdtsc
  mov eax, edx
  SAY 'tsc high after writing 0x100000000000 '
  call puthex
  call nl
  rdtsc
  shl rdx, 32
  or rax, rdx
  mov rbx, rax
  mov ecx, 100
.spin:
  loop .spin
  rdtsc
  shl rdx, 32
  or rax, rdx
  cmp rax, rbx
  seta al
  movzx eax, al
  SAY 'rdtsc counts up '
  call puthex
  call nl
  mov al, 0x25
  jmp exit
${IO64}
section .data
align 8
gs_data: dq 0x1111111111111111, 0x2222222222222222
bits 32
${GDT32}
${STACK}
`
