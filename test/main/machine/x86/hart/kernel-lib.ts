/**
 * NASM building blocks for the hart's test kernels (paging, exceptions, privilege changes, the
 * triple-fault and #DF-on-IST kernels): a GDT with ring-0 and ring-3 segments and a TSS slot,
 * serial printing (`puts` of a zero-terminated string at ESI/RSI, `puthex` of EAX/RAX), exit
 * through isa-debug-exit, IDT gate setup, and the switch to long mode. Kernels that use them print
 * what they observe; the tests compare that text between QEMU and the hart and assert on it.
 */

/**
 * SAY 'text' prints a string literal, HEX x prints a value (32- or 64-bit code, by __BITS__);
 * IDENTITY_PT32 table, flags fills a 32-bit page table with the identity map of the first 4 MiB
 * (1024 entries of 4 KiB pages with those flags; clobbers eax, edx, edi).
 */
export const SAY = `
%macro SAY 1+
  jmp %%after
%%s: db %1, 0
%%after:
%if __BITS__ == 64
  push rsi
  mov rsi, %%s
  call puts
  pop rsi
%else
  push esi
  mov esi, %%s
  call puts
  pop esi
%endif
%endmacro
%macro HEX 1
%if __BITS__ == 64
  push rax
  mov rax, %1
  call puthex
  pop rax
%else
  push eax
  mov eax, %1
  call puthex
  pop eax
%endif
%endmacro
%macro IDENTITY_PT32 2
  mov edi, %1
  xor eax, eax
%%next:
  mov edx, eax
  shl edx, 12
  or edx, %2
  mov [edi+eax*4], edx
  inc eax
  cmp eax, 1024
  jne %%next
%endmacro
`

/** GDT selectors of `GDT32`. */
export const SEL = { CODE32: 0x08, DATA32: 0x10, CODE64: 0x18, UCODE32: 0x23, UDATA: 0x2b, UCODE64: 0x33, TSS: 0x38 }

/**
 * A flat GDT: 0x08 ring-0 code32, 0x10 ring-0 data, 0x18 ring-0 code64, 0x20 ring-3 code32,
 * 0x28 ring-3 data, 0x30 ring-3 code64, 0x38 a TSS (16 bytes, base filled in by `set_tss`).
 */
export const GDT32 = `
section .data
align 8
gdt:
  dq 0
  dq 0x00CF9A000000FFFF
  dq 0x00CF92000000FFFF
  dq 0x00AF9A000000FFFF
  dq 0x00CFFA000000FFFF
  dq 0x00CFF2000000FFFF
  dq 0x00AFFA000000FFFF
gdt_tss:
  dq 0x0000890000000067
  dq 0
gdt_end:
gdtr:
  dw gdt_end - gdt - 1
  dq gdt
section .text
`

/** Loads the GDT and flat ring-0 segments (32-bit code); ESP = stack_top. */
export const ENTER32 = `
_start:
  cli
  lgdt [gdtr]
  jmp 0x08:.flat
.flat:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov fs, ax
  mov gs, ax
  mov esp, stack_top
`

/** 32-bit printing and exit. puts: ESI = string; puthex: EAX (8 digits); exit: AL = code. All preserve other registers. */
export const IO32 = `
putc:
  push edx
  mov dx, 0x3f8
  out dx, al
  pop edx
  ret
puts:
  push eax
  push esi
.l:
  lodsb
  test al, al
  jz .d
  call putc
  jmp .l
.d:
  pop esi
  pop eax
  ret
puthex:
  push eax
  push ecx
  mov ecx, 8
.l:
  rol eax, 4
  push eax
  and al, 15
  add al, '0'
  cmp al, '9'
  jbe .o
  add al, 'a' - '0' - 10
.o:
  call putc
  pop eax
  dec ecx
  jnz .l
  pop ecx
  pop eax
  ret
nl:
  push eax
  mov al, 10
  call putc
  pop eax
  ret
exit:
  out 0xf4, al
  cli
  hlt
`

/** 64-bit printing and exit (puthex prints 16 digits of RAX). */
export const IO64 = `
putc:
  push rdx
  mov dx, 0x3f8
  out dx, al
  pop rdx
  ret
puts:
  push rax
  push rsi
.l:
  lodsb
  test al, al
  jz .d
  call putc
  jmp .l
.d:
  pop rsi
  pop rax
  ret
puthex:
  push rax
  push rcx
  mov ecx, 16
.l:
  rol rax, 4
  push rax
  and al, 15
  add al, '0'
  cmp al, '9'
  jbe .o
  add al, 'a' - '0' - 10
.o:
  call putc
  pop rax
  dec ecx
  jnz .l
  pop rcx
  pop rax
  ret
nl:
  push rax
  mov al, 10
  call putc
  pop rax
  ret
exit:
  out 0xf4, al
  cli
  hlt
`

/**
 * 32-bit IDT helpers: set_gate32 (EAX = vector, EBX = handler, ECX = type/DPL byte e.g. 0x8E /
 * 0xEE / 0x8F) writes an interrupt/trap gate with selector 0x08 into `idt`; lidt32 loads it.
 */
export const IDT32 = `
set_gate32:
  push edi
  lea edi, [idt + eax*8]
  mov word [edi], bx
  mov word [edi+2], 0x08
  mov byte [edi+4], 0
  mov byte [edi+5], cl
  push ebx
  shr ebx, 16
  mov word [edi+6], bx
  pop ebx
  pop edi
  ret
lidt32:
  lidt [idtr]
  ret
section .data
align 8
idtr:
  dw 256*8 - 1
  dd idt
section .bss
alignb 8
idt: resb 256*16
section .text
`

/**
 * 64-bit IDT helpers: set_gate64 (EAX = vector, RBX = handler, ECX = type/DPL byte, EDX = IST)
 * writes a 16-byte gate with selector 0x18 into `idt64`; lidt64 loads it.
 */
export const IDT64 = `
set_gate64:
  push rdi
  mov edi, eax
  shl edi, 4
  add rdi, idt64
  mov word [rdi], bx
  mov word [rdi+2], 0x18
  mov byte [rdi+4], dl
  mov byte [rdi+5], cl
  push rbx
  shr rbx, 16
  mov word [rdi+6], bx
  shr rbx, 16
  mov dword [rdi+8], ebx
  mov dword [rdi+12], 0
  pop rbx
  pop rdi
  ret
lidt64:
  lidt [idtr64]
  ret
section .data
align 8
idtr64:
  dw 256*16 - 1
  dq idt64
section .bss
alignb 16
idt64: resb 256*16
section .text
`

/**
 * 32-bit code that identity-maps the first GiB with user-accessible 2 MiB pages (pml4/pdpt/pd in .bss) and enters
 * 64-bit mode at `long_start` (SDM vol. 3, 9.8.5).
 */
export const TO_LONG = `
  mov edi, pd
  xor eax, eax
.pde:
  mov edx, eax
  shl edx, 21
  or edx, 0x87
  mov [edi+eax*8], edx
  mov dword [edi+eax*8+4], 0
  inc eax
  cmp eax, 512
  jne .pde
  mov dword [pdpt], pd + 7
  mov dword [pml4], pdpt + 7
  mov eax, pml4
  mov cr3, eax
  mov eax, cr4
  or eax, 0x20
  mov cr4, eax
  mov ecx, 0xC0000080
  rdmsr
  or eax, 0x900
  wrmsr
  mov eax, cr0
  or eax, 0x80010000
  mov cr0, eax
  jmp 0x18:long_start
section .bss
alignb 4096
pml4: resb 4096
pdpt: resb 4096
pd: resb 4096
section .text
`

/** The stack every kernel uses. */
export const STACK = `
section .bss
alignb 16
resb 65536
stack_top:
section .text
`

/**
 * 32-bit IDT setup for a flat program (tests that set the machine up themselves): loads a flat GDT
 * (0x08 code, 0x10 data) and interrupt gates (selector 0x08) for `vectors` → labels `vec_<n>`,
 * then the IDT. The tables are `GATE_TABLES32`, placed anywhere in the program.
 */
export function gates32(vectors: number[]): string {
  return `
  lgdt [gdtr]
  jmp 0x08:.cs
.cs:
${vectors.map((v) => `  mov eax, vec_${v}\n  mov [idt + ${v * 8}], ax\n  mov word [idt + ${v * 8 + 2}], 0x08\n  mov word [idt + ${v * 8 + 4}], 0x8e00\n  shr eax, 16\n  mov [idt + ${v * 8 + 6}], ax`).join('\n')}
  lidt [idtr]
`
}
export const GATE_TABLES32 = `
align 8
gdt: dq 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF
gdtr: dw 23
  dd gdt
idtr: dw 256*8-1
  dd idt
align 8
idt: times 256*8 db 0
`
