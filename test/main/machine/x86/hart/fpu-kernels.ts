/**
 * An x87 and SSE-state test kernel (32-bit): computations whose results are exact in double
 * precision (so an 80-bit FPU and the hart's binary64 registers must agree bit for bit), integer
 * and BCD loads and stores with the rounding control, compares into C3/C2/C0 and EFLAGS, the
 * 80-bit format through fld/fstp m80, fnstenv/fnsave/frstor, and fxsave/fxrstor with ldmxcsr/
 * stmxcsr. It prints each result in hex; the test compares QEMU's output with the hart's.
 */
import { ENTER32, GDT32, IO32, SAY, STACK } from './kernel-lib'

/** Prints `label=` and the dword at `mem`. */
const SHOW = (label: string, mem: string): string => `  SAY '${label}='\n  mov eax, ${mem}\n  call puthex\n  call nl`
/** Prints the dword at `mem` without the exception flags (bits 5:0): the hart does not model them (PE from inexact results …). */
const SHOW_NOEXC = (label: string, mem: string): string => `  SAY '${label}='\n  mov eax, ${mem}\n  and eax, ~0x3f\n  call puthex\n  call nl`
/** The same for a dword holding FCW (low half) and FSW (high half). */
const SHOW_FCW_FSW = (label: string, mem: string): string => `  SAY '${label}='\n  mov eax, ${mem}\n  and eax, ~0x3f0000\n  call puthex\n  call nl`
/** Prints a qword as two dwords (high first). */
const SHOW64 = (label: string, mem: string): string => `  SAY '${label}='\n  mov eax, [${mem}+4]\n  call puthex\n  mov eax, [${mem}]\n  call puthex\n  call nl`

export const FPU32 = `
${SAY}
${ENTER32}
  mov eax, cr0
  and eax, ~0xc                        ; EM = 0, TS = 0
  or eax, 0x22                         ; MP, NE
  mov cr0, eax
  mov eax, cr4
  or eax, 0x600
  mov cr4, eax
  fninit
  fnstcw [cw]
${SHOW('fcw after fninit', '[cw]')}
  fild dword [i5]
  fild dword [i3]
  faddp st1, st0
  fistp dword [out]
${SHOW('5+3', '[out]')}
  fld qword [d1_5]
  fld dword [f2]
  fmulp st1, st0
  fstp qword [outq]
${SHOW64('1.5*2', 'outq')}
  fld qword [d7]
  fld qword [d2]
  fdivp st1, st0                       ; 7 / 2 = 3.5
  fstp dword [out]
${SHOW('7/2 as single', '[out]')}
  fld qword [d2]
  fld qword [d7]
  fsubrp st1, st0                      ; st1 = st0 - st1 = 7 - 2
  fistp word [out]
${SHOW('7-2 word', '[out]')}
  fld1
  fldz
  fcomip st0, st1                      ; 0 < 1: CF
  pushfd
  pop eax
  and eax, 0x45
  mov [out], eax
${SHOW('fcomip 0,1 flags', '[out]')}
  fld qword [d7]
  fcomp qword [d2]                     ; 7 > 2: C3 = C2 = C0 = 0
  fnstsw ax
  and eax, 0x4500
  mov [out], eax
${SHOW('fcom 7,2 C3C2C0', '[out]')}
  fld qword [d2]
  fcom qword [d2]
  fnstsw ax
  and eax, 0x4500
  mov [out], eax
${SHOW('fcom 2,2', '[out]')}
  fstp st0
  fstp st0
  fld dword [fm2_5]
  frndint                              ; nearest even: -2
  fistp dword [out]
${SHOW('rint -2.5', '[out]')}
  fldcw [cw_down]
  fld dword [fm2_5]
  fistp dword [out]                    ; round down: -3
${SHOW('-2.5 down', '[out]')}
  fld dword [fm2_5]
  fisttp dword [out]                   ; truncate: -2
${SHOW('-2.5 trunc', '[out]')}
  fldcw [cw]
  fild qword [i64]
  fistp qword [outq]
${SHOW64('i64 round trip', 'outq')}
  fld tword [ext1]
  fchs
  fstp tword [out80]
${SHOW('-1.0 ext lo', '[out80]')}
${SHOW('-1.0 ext hi', '[out80+4]')}
${SHOW('-1.0 ext exp', '[out80+8]')}
  fld qword [d2]
  fsqrt                                ; not exact, but correctly rounded either way
  fld qword [d1_5]
  fxch
  fstp qword [outq]
${SHOW64('sqrt 2', 'outq')}
  fabs
  fstp qword [outq]
${SHOW64('abs 1.5', 'outq')}
  fbld [bcd]
  fistp dword [out]
${SHOW('fbld 1234', '[out]')}
  fild dword [i5]
  fbstp [outbcd]
${SHOW('fbstp 5', '[outbcd]')}
  fild dword [i3]
  fild dword [i5]
  fnstenv [env]
${SHOW_NOEXC('env fsw top', '[env+4]')}
${SHOW('env tags', '[env+8]')}
  fnsave [save]
  fnstsw ax
  and eax, 0x3800
  mov [out], eax
${SHOW('top after fnsave', '[out]')}
  frstor [save]
  fistp dword [out]
${SHOW('after frstor st0', '[out]')}
  fistp dword [out]
${SHOW('after frstor st1', '[out]')}
  ; SSE state
  mov dword [mx], 0x1f80 | 0x6000      ; RC = toward zero
  ldmxcsr [mx]
  cvtsd2si eax, [d7_9]                 ; 7.9 → 7 with RC = toward zero
  mov [out], eax
${SHOW('cvtsd2si 7.9 rz', '[out]')}
  movsd xmm3, [d7]
  fild dword [i3]
  fxsave [fx]
${SHOW_NOEXC('fxsave mxcsr', '[fx+24]')}
${SHOW_FCW_FSW('fxsave fcw', '[fx]')}
${SHOW('fxsave xmm3 hi', '[fx+160+3*16+4]')}
  xorps xmm3, xmm3
  mov dword [mx], 0x1f80
  ldmxcsr [mx]
  fxrstor [fx]
  stmxcsr [out]
${SHOW_NOEXC('mxcsr after fxrstor', '[out]')}
  movsd [outq], xmm3
${SHOW64('xmm3 after fxrstor', 'outq')}
  fistp dword [out]
${SHOW('st0 after fxrstor', '[out]')}
  mov al, 0
  call exit
${IO32}
${GDT32}
section .data
align 16
i5: dd 5
i3: dd 3
f2: dd 2.0
fm2_5: dd -2.5
d1_5: dq 1.5
d2: dq 2.0
d7: dq 7.0
d7_9: dq 7.9
i64: dq -1234567890123
ext1: dt 1.0
bcd: dq 0x1234
  dw 0
cw: dw 0
cw_down: dw 0x077f
align 4
out: dd 0
mx: dd 0
align 8
outq: dq 0
out80: times 16 db 0
outbcd: times 16 db 0
env: times 32 db 0
save: times 112 db 0
align 16
fx: times 512 db 0
${STACK}
`
