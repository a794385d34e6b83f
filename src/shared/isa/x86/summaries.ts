/**
 * One-line summaries of what x86 instructions do, for the editor's hover and completion (the
 * table itself is encodings only). Families — jcc, setcc, cmovcc, the string instructions, the
 * SSE arithmetic — are described once by pattern, so a new row of a family needs no entry.
 */
import { CONDITIONS } from './rows-general'

const BASE: Record<string, string> = {
  mov: 'Copy the source to the destination (registers, memory, immediates; also CRn/DRn and segment registers).',
  movzx: 'Move with zero extension.', movsx: 'Move with sign extension.', movsxd: 'Move a dword sign-extended to 64 bits.',
  lea: 'Load the effective address of a memory operand (no memory access).',
  xchg: 'Exchange two operands (with memory: implicitly locked).', cmpxchg: 'Compare the accumulator with the destination; equal: store the source, else load the destination.',
  cmpxchg8b: 'Compare edx:eax with m64; equal: store ecx:ebx.', cmpxchg16b: 'Compare rdx:rax with m128; equal: store rcx:rbx.',
  xadd: 'Exchange and add.', bswap: 'Reverse the byte order of a register.',
  add: 'dest = dest + src; sets CF OF SF ZF AF PF.', adc: 'dest = dest + src + CF.', sub: 'dest = dest − src.', sbb: 'dest = dest − (src + CF).',
  and: 'dest = dest & src; clears CF and OF.', or: 'dest = dest | src.', xor: 'dest = dest ^ src (`xor eax, eax` zeroes a register).',
  cmp: 'Compare: compute dest − src and set the flags only.', test: 'Compute dest & src and set the flags only.',
  inc: 'dest = dest + 1 (CF unchanged).', dec: 'dest = dest − 1 (CF unchanged).', neg: 'Two’s complement negation.', not: 'One’s complement.',
  mul: 'Unsigned multiply of the accumulator: (e/r)dx:(e/r)ax = ax·src.', imul: 'Signed multiply (one, two or three operands).',
  div: 'Unsigned divide (e/r)dx:(e/r)ax by src: quotient in the accumulator, remainder in (e/r)dx; #DE on divide by zero or overflow.',
  idiv: 'Signed divide, as div.', shl: 'Shift left.', sal: 'Shift left (same as shl).', shr: 'Logical shift right.', sar: 'Arithmetic shift right.',
  rol: 'Rotate left.', ror: 'Rotate right.', rcl: 'Rotate left through CF.', rcr: 'Rotate right through CF.',
  shld: 'Double-precision shift left.', shrd: 'Double-precision shift right.',
  bt: 'Copy a bit to CF.', bts: 'Copy a bit to CF and set it.', btr: 'Copy a bit to CF and clear it.', btc: 'Copy a bit to CF and complement it.',
  bsf: 'Index of the lowest set bit (ZF when the source is zero).', bsr: 'Index of the highest set bit.',
  popcnt: 'Count the set bits.', lzcnt: 'Count leading zero bits.', tzcnt: 'Count trailing zero bits.',
  push: 'Decrement the stack pointer and store the operand.', pop: 'Load from the stack and increment the stack pointer.',
  pusha: 'Push all 16/32-bit general registers.', popa: 'Pop all 16/32-bit general registers.',
  pushf: 'Push the flags register.', popf: 'Pop the flags register (IF/IOPL only change with enough privilege).',
  enter: 'Make a stack frame.', leave: 'Tear down a stack frame: sp = bp; pop bp.',
  jmp: 'Jump (short/near relative, indirect through a register or memory, or far to selector:offset).',
  call: 'Push the return address and jump (near or far).', ret: 'Return: pop the return address (and release imm16 bytes).', retf: 'Far return: pop the offset and CS.',
  retw: 'Near return with a 16-bit return address.', retd: 'Near return with a 32-bit return address.', retq: 'Near return with a 64-bit return address.',
  retnw: 'Near return with a 16-bit return address.', retnd: 'Near return with a 32-bit return address.', retnq: 'Near return with a 64-bit return address.',
  retfw: 'Far return popping a 16-bit offset and CS.', retfd: 'Far return popping a 32-bit offset and CS.', retfq: 'Far return popping a 64-bit offset and CS (REX.W).',
  loop: 'Decrement (e/r)cx and jump if it is not zero.', loope: 'Decrement the counter; jump if it is not zero and ZF = 1.', loopne: 'Decrement the counter; jump if it is not zero and ZF = 0.',
  jcxz: 'Jump if cx = 0.', jecxz: 'Jump if ecx = 0.', jrcxz: 'Jump if rcx = 0.',
  int: 'Software interrupt through the IDT vector.', int3: 'Breakpoint (#BP, vector 3).', into: 'Interrupt 4 if OF = 1.', int1: 'Debug trap (ICEBP).',
  iret: 'Return from an interrupt (operand size of the mode).', iretw: 'Return from a 16-bit interrupt frame.', iretd: 'Return from a 32-bit interrupt frame.', iretq: 'Return from a 64-bit interrupt frame (pops RIP, CS, RFLAGS, RSP, SS).',
  hlt: 'Halt until the next interrupt (privileged).', nop: 'No operation.', pause: 'Spin-loop hint.', ud2: 'Raise #UD (invalid opcode) on purpose.',
  cli: 'Clear IF: mask maskable interrupts.', sti: 'Set IF (interrupts are recognised after the next instruction).', cld: 'Clear DF: string operations count up.', std: 'Set DF: string operations count down.',
  clc: 'Clear CF.', stc: 'Set CF.', cmc: 'Complement CF.', sahf: 'Store AH into the flags.', lahf: 'Load the flags into AH.',
  cbw: 'ax = sign-extended al.', cwde: 'eax = sign-extended ax.', cdqe: 'rax = sign-extended eax.', cwd: 'dx:ax = sign-extended ax.', cdq: 'edx:eax = sign-extended eax.', cqo: 'rdx:rax = sign-extended rax.',
  in: 'Read from an I/O port (imm8 or dx).', out: 'Write to an I/O port (imm8 or dx).',
  lgdt: 'Load the GDT register from a 6/10-byte limit+base in memory.', lidt: 'Load the IDT register.', sgdt: 'Store the GDT register.', sidt: 'Store the IDT register.',
  lldt: 'Load the LDT selector.', sldt: 'Store the LDT selector.', ltr: 'Load the task register (TSS selector).', str: 'Store the task register.',
  lmsw: 'Load the machine status word (CR0 low bits).', smsw: 'Store the machine status word.', invlpg: 'Invalidate the TLB entry of a page.',
  invd: 'Invalidate caches without writing back.', wbinvd: 'Write back and invalidate caches.', clts: 'Clear CR0.TS.',
  lar: 'Load access rights of a segment selector.', lsl: 'Load a segment limit.', verr: 'Verify a segment for reading.', verw: 'Verify a segment for writing.',
  cpuid: 'Processor identification and features (leaf in eax, subleaf in ecx).', rdmsr: 'edx:eax = MSR[ecx].', wrmsr: 'MSR[ecx] = edx:eax.', rdtsc: 'edx:eax = time-stamp counter.', rdtscp: 'edx:eax = TSC, ecx = TSC_AUX.', rdpmc: 'Read a performance counter.', xgetbv: 'edx:eax = extended control register XCR[ecx].', xsetbv: 'XCR[ecx] = edx:eax (privileged).',
  syscall: 'Fast system call: rcx = rip, r11 = rflags, jump to LSTAR with CS from STAR.', sysret: 'Return from syscall to 32-bit user code.', sysretq: 'Return from syscall to 64-bit user code.',
  sysenter: 'Fast system call through the SYSENTER MSRs.', sysexit: 'Return from sysenter.', sysexitq: 'Return from sysenter to 64-bit code.', swapgs: 'Exchange GS base with IA32_KERNEL_GS_BASE.',
  monitor: 'Arm address monitoring.', mwait: 'Wait for a write to the monitored address.', rsm: 'Resume from system management mode.',
  lfence: 'Load fence.', sfence: 'Store fence.', mfence: 'Memory fence.', clflush: 'Flush a cache line.',
  fxsave: 'Save x87/MMX/SSE state to a 512-byte area.', fxrstor: 'Restore x87/MMX/SSE state.', fxsave64: 'fxsave with 64-bit pointers.', fxrstor64: 'fxrstor with 64-bit pointers.',
  ldmxcsr: 'Load MXCSR.', stmxcsr: 'Store MXCSR.', emms: 'Empty MMX state.',
  xlatb: 'al = [(e/r)bx + al].', xlat: 'al = [(e/r)bx + al].',
  lds: 'Load a far pointer into ds:reg.', les: 'Load a far pointer into es:reg.', lss: 'Load a far pointer into ss:reg.', lfs: 'Load a far pointer into fs:reg.', lgs: 'Load a far pointer into gs:reg.',
  bound: 'Check an index against bounds (#BR).', arpl: 'Adjust the RPL of a selector.',
  daa: 'Decimal adjust after addition.', das: 'Decimal adjust after subtraction.', aaa: 'ASCII adjust after addition.', aas: 'ASCII adjust after subtraction.', aam: 'ASCII adjust after multiply.', aad: 'ASCII adjust before division.', salc: 'al = CF ? 0xff : 0 (undocumented).',
  fninit: 'Initialise the x87 FPU (no wait).', finit: 'Initialise the x87 FPU.', fnstcw: 'Store the x87 control word.', fstcw: 'Store the x87 control word (waits).', fldcw: 'Load the x87 control word.',
  fnstsw: 'Store the x87 status word.', fstsw: 'Store the x87 status word (waits).', fnclex: 'Clear x87 exceptions.', fclex: 'Clear x87 exceptions (waits).', fwait: 'Wait for pending x87 exceptions.', wait: 'Wait for pending x87 exceptions.',
  fld: 'Push a value onto the x87 stack.', fst: 'Store st0.', fstp: 'Store st0 and pop.', fild: 'Push an integer onto the x87 stack.', fist: 'Store st0 as an integer.', fistp: 'Store st0 as an integer and pop.', fisttp: 'Store st0 truncated to an integer and pop.',
  fxch: 'Exchange st0 and st(i).', fadd: 'Add (x87).', fsub: 'Subtract (x87).', fsubr: 'Reverse subtract (x87).', fmul: 'Multiply (x87).', fdiv: 'Divide (x87).', fdivr: 'Reverse divide (x87).',
  movd: 'Move a dword between a GPR/memory and an MMX/XMM register.', movq: 'Move a qword (GPR/memory/MMX/XMM).',
  movdqa: 'Move 16 aligned bytes (XMM).', movdqu: 'Move 16 unaligned bytes (XMM).', movaps: 'Move aligned packed singles.', movups: 'Move unaligned packed singles.',
  movapd: 'Move aligned packed doubles.', movupd: 'Move unaligned packed doubles.', movss: 'Move a scalar single.', movntdq: 'Non-temporal store of 16 bytes.', movnti: 'Non-temporal store of a GPR.',
  pxor: 'Bitwise XOR of XMM registers (`pxor xmm0, xmm0` zeroes one).', por: 'Bitwise OR (XMM).', pand: 'Bitwise AND (XMM).', pandn: 'Bitwise AND NOT (XMM).',
  cvtsi2sd: 'Convert an integer to a scalar double.', cvtsi2ss: 'Convert an integer to a scalar single.', cvttsd2si: 'Convert a scalar double to an integer, truncating.', cvttss2si: 'Convert a scalar single to an integer, truncating.',
  ucomisd: 'Unordered compare of scalar doubles, setting ZF PF CF.', ucomiss: 'Unordered compare of scalar singles.', comisd: 'Compare scalar doubles.', comiss: 'Compare scalar singles.',
}

const CC: Record<string, string> = {
  o: 'overflow (OF = 1)', no: 'no overflow', b: 'below, unsigned (CF = 1)', c: 'carry (CF = 1)', nae: 'not above or equal (CF = 1)', ae: 'above or equal, unsigned (CF = 0)', nb: 'not below (CF = 0)', nc: 'no carry (CF = 0)',
  e: 'equal (ZF = 1)', z: 'zero (ZF = 1)', ne: 'not equal (ZF = 0)', nz: 'not zero (ZF = 0)', be: 'below or equal, unsigned (CF or ZF)', na: 'not above (CF or ZF)', a: 'above, unsigned (CF = 0 and ZF = 0)', nbe: 'not below or equal',
  s: 'sign (SF = 1)', ns: 'no sign', p: 'parity even (PF = 1)', pe: 'parity even', np: 'parity odd (PF = 0)', po: 'parity odd', l: 'less, signed (SF ≠ OF)', nge: 'not greater or equal (SF ≠ OF)',
  ge: 'greater or equal, signed (SF = OF)', nl: 'not less (SF = OF)', le: 'less or equal, signed (ZF or SF ≠ OF)', ng: 'not greater', g: 'greater, signed (ZF = 0 and SF = OF)', nle: 'not less or equal',
}
const CC_NAMES = new Set(CONDITIONS.flat())

const STRING_OPS: Record<string, string> = {
  movs: 'Copy [(e/r)si] to es:[(e/r)di] and advance both', cmps: 'Compare [(e/r)si] with es:[(e/r)di] and advance both', stos: 'Store the accumulator to es:[(e/r)di] and advance it',
  lods: 'Load [(e/r)si] into the accumulator and advance it', scas: 'Compare the accumulator with es:[(e/r)di] and advance it', ins: 'Read port dx into es:[(e/r)di] and advance it', outs: 'Write [(e/r)si] to port dx and advance it',
}
const WIDTH: Record<string, string> = { b: 'bytes', w: 'words', d: 'doublewords', q: 'quadwords' }
const SSE_OPS: Record<string, string> = { add: 'Add', sub: 'Subtract', mul: 'Multiply', div: 'Divide', min: 'Minimum of', max: 'Maximum of', sqrt: 'Square root of', and: 'Bitwise AND of', or: 'Bitwise OR of', xor: 'Bitwise XOR of', andn: 'Bitwise AND NOT of', rcp: 'Approximate reciprocal of', rsqrt: 'Approximate reciprocal square root of' }
const SSE_KIND: Record<string, string> = { ps: 'packed singles', pd: 'packed doubles', ss: 'scalar singles', sd: 'scalar doubles' }

/** What an instruction does, in one line; undefined for a mnemonic without a description. */
export function x86InstructionSummary(mnemonic: string): string | undefined {
  const m = mnemonic.toLowerCase()
  if (BASE[m]) return BASE[m]
  for (const [prefix, what] of [['j', 'Jump if'], ['set', 'Set the byte to 1 if'], ['cmov', 'Move if']] as const) {
    if (m.startsWith(prefix) && CC_NAMES.has(m.slice(prefix.length))) return `${what} ${CC[m.slice(prefix.length)]}${prefix === 'set' ? ', else 0' : ''}.`
  }
  const s = /^(movs|cmps|stos|lods|scas|ins|outs)([bwdq])$/.exec(m)
  if (s) return `${STRING_OPS[s[1]]} (${WIDTH[s[2]]}); repeatable with rep${s[1] === 'cmps' || s[1] === 'scas' ? 'e/repne' : ''}.`
  const f = /^(add|sub|mul|div|min|max|sqrt|andn|and|or|xor|rcp|rsqrt)(ps|pd|ss|sd)$/.exec(m)
  if (f) return `${SSE_OPS[f[1]]} ${SSE_KIND[f[2]]} (SSE).`
  if (m.startsWith('p') && m.length > 3) return 'SSE2 integer operation on XMM registers.'
  if (m.startsWith('f')) return 'x87 floating-point instruction.'
  return undefined
}
