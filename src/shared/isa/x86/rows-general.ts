/**
 * The general-purpose rows of the x86 table: integer arithmetic and logic, moves, stack,
 * control transfer, string operations, bit operations and port I/O (i386 through x86-64 as
 * gcc, clang, rustc and hand-written boot code use them). Row syntax (parsed by parse-row.ts):
 *
 *   mnemonic operands ; encoding ; flags
 *
 * encoding tokens, in byte order: `ov|o16|o32|o64` operand size, `a16|a32|a64` address size,
 * a leading `66|F2|F3` mandatory prefix, the map (`0F`, `0F 38`, `0F 3A`), the opcode (`XX`, or
 * `XX+r` with a register in its low 3 bits), then `/r`, `/0`…`/7` (ModRM), `/x` (reg field
 * ignored, written 0) or `:XX` (a whole fixed ModRM byte; `:C0+i` for x87 st(i)).
 * Flags are listed in types.ts (`X86RowFlags`).
 *
 * Ordering rule: the encoder picks the SHORTEST matching form and breaks ties by table order,
 * which reproduces nasm's choices (`add eax, 5` → 83 /0 ib; `add eax, 500` → 05 id;
 * `mov eax, ebx` → 89 /r); so within a family, list the store form (`r/m, r`) before the load
 * form (`r, r/m`) and the canonical mnemonic before its aliases (the decoder names a row by the
 * first non-`asm` row of its encoding).
 */

/** Condition codes in encoding order (SDM Vol. 1, Appendix B); the first name is objdump's. */
export const CONDITIONS: readonly (readonly string[])[] = [
  ['o'], ['no'], ['b', 'c', 'nae'], ['ae', 'nb', 'nc'], ['e', 'z'], ['ne', 'nz'], ['be', 'na'], ['a', 'nbe'],
  ['s'], ['ns'], ['p', 'pe'], ['np', 'po'], ['l', 'nge'], ['ge', 'nl'], ['le', 'ng'], ['g', 'nle'],
]

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0')

/** One row per condition-code name: canonical names decode, the aliases are assembler-only. */
function conditional(prefix: string, operands: string, encoding: (cc: number) => string, flags = ''): string[] {
  const rows: string[] = []
  CONDITIONS.forEach((names, cc) => {
    names.forEach((n, i) => rows.push(`${prefix}${n} ${operands} ; ${encoding(cc)} ; ${flags}${i > 0 ? ' asm' : ''}`))
  })
  return rows
}

/** add/or/adc/sbb/and/sub/xor/cmp: opcodes 8·n + 0…5 and the 80/81/82/83 group with /n. */
function alu(name: string, n: number): string[] {
  const b = n * 8
  const lock = name === 'cmp' ? '' : 'lock'
  return [
    `${name} r/m8,r8 ; ${hex(b)} /r ; ${lock}`,
    `${name} r/mv,rv ; ov ${hex(b + 1)} /r ; ${lock}`,
    `${name} r8,r/m8 ; ${hex(b + 2)} /r`,
    `${name} rv,r/mv ; ov ${hex(b + 3)} /r`,
    `${name} al,imm8 ; ${hex(b + 4)}`,
    `${name} accv,immz ; ov ${hex(b + 5)}`,
    `${name} r/m8,imm8 ; 80 /${n} ; ${lock}`,
    `${name} r/mv,immz ; ov 81 /${n} ; ${lock}`,
    `${name} r/m8,imm8 ; 82 /${n} ; i64 dis`,
    `${name} r/mv,simm8 ; ov 83 /${n} ; ${lock}`,
  ]
}

/** rol/ror/rcl/rcr/shl/shr/sar (group 2, /n) by 1, by cl and by imm8. */
function shift(name: string, n: number, flags = ''): string[] {
  return [
    `${name} r/m8,1 ; D0 /${n} ; ${flags}`,
    `${name} r/m8,cl ; D2 /${n} ; ${flags}`,
    `${name} r/m8,imm8 ; C0 /${n} ; ${flags}`,
    `${name} r/mv,1 ; ov D1 /${n} ; ${flags}`,
    `${name} r/mv,cl ; ov D3 /${n} ; ${flags}`,
    `${name} r/mv,imm8 ; ov C1 /${n} ; ${flags}`,
  ]
}

/** A string instruction in its byte form and its word/dword/qword forms. */
function stringOp(name: string, op: number, flags: string): string[] {
  return [
    `${name}b ; ${hex(op)} ; ${flags}`,
    `${name}w ; o16 ${hex(op + 1)} ; ${flags}`,
    `${name}d ; o32 ${hex(op + 1)} ; ${flags}`,
    `${name}q ; o64 ${hex(op + 1)} ; ${flags}`,
  ]
}

export const GENERAL_ROWS: readonly string[] = [
  ...['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'].flatMap((m, n) => alu(m, n)),

  'inc rv ; ov 40+r ; i64',
  'inc r/m8 ; FE /0 ; lock',
  'inc r/mv ; ov FF /0 ; lock',
  'dec rv ; ov 48+r ; i64',
  'dec r/m8 ; FE /1 ; lock',
  'dec r/mv ; ov FF /1 ; lock',

  'test r/m8,r8 ; 84 /r',
  'test r/mv,rv ; ov 85 /r',
  'test r8,r/m8 ; 84 /r ; asm',
  'test rv,r/mv ; ov 85 /r ; asm',
  'test al,imm8 ; A8',
  'test accv,immz ; ov A9',
  'test r/m8,imm8 ; F6 /0',
  'test r/mv,immz ; ov F7 /0',
  'test r/m8,imm8 ; F6 /1 ; dis',
  'test r/mv,immz ; ov F7 /1 ; dis',
  'not r/m8 ; F6 /2 ; lock',
  'not r/mv ; ov F7 /2 ; lock',
  'neg r/m8 ; F6 /3 ; lock',
  'neg r/mv ; ov F7 /3 ; lock',
  'mul r/m8 ; F6 /4',
  'mul r/mv ; ov F7 /4',
  'imul r/m8 ; F6 /5',
  'imul r/mv ; ov F7 /5',
  'imul rv,r/mv ; ov 0F AF /r',
  'imul rv,r/mv,simm8 ; ov 6B /r',
  'imul rv,r/mv,immz ; ov 69 /r',
  'imul rv,simm8 ; ov 6B /r ; asm dup',
  'imul rv,immz ; ov 69 /r ; asm dup',
  'div r/m8 ; F6 /6',
  'div r/mv ; ov F7 /6',
  'idiv r/m8 ; F6 /7',
  'idiv r/mv ; ov F7 /7',

  ...shift('rol', 0), ...shift('ror', 1), ...shift('rcl', 2), ...shift('rcr', 3),
  ...shift('shl', 4), ...shift('shr', 5), ...shift('sal', 4, 'asm'), ...shift('sal', 6, 'dis'), ...shift('sar', 7),
  'shld r/mv,rv,imm8 ; ov 0F A4 /r',
  'shld r/mv,rv,cl ; ov 0F A5 /r',
  'shrd r/mv,rv,imm8 ; ov 0F AC /r',
  'shrd r/mv,rv,cl ; ov 0F AD /r',

  'mov r/m8,r8 ; 88 /r',
  'mov r/mv,rv ; ov 89 /r',
  'mov r8,r/m8 ; 8A /r',
  'mov rv,r/mv ; ov 8B /r',
  'mov r64.rm,sreg ; 8C /r ; asm nasm',
  'mov rv.rm,sreg ; ov 8C /r',
  'mov m16,sreg ; 8C /r',
  'mov sreg,r/m16 ; 8E /r',
  'mov sreg,r32.rm ; 8E /r ; asm',
  'mov sreg,r64.rm ; 8E /r ; asm x64',
  'mov al,moffs8 ; A0',
  'mov accv,moffsv ; ov A1',
  'mov moffs8,al ; A2',
  'mov moffsv,accv ; ov A3',
  'mov r8,imm8 ; B0+r',
  'mov rv,immv ; ov B8+r',
  'mov r/m8,imm8 ; C6 /0',
  'mov r/mv,immz ; ov C7 /0',
  'mov r32.rm,cr ; 0F 20 /r ; i64 nomod',
  'mov r64.rm,cr ; 0F 20 /r ; x64 nomod',
  'mov r32.rm,dr ; 0F 21 /r ; i64 nomod',
  'mov r64.rm,dr ; 0F 21 /r ; x64 nomod',
  'mov cr,r32.rm ; 0F 22 /r ; i64 nomod',
  'mov cr,r64.rm ; 0F 22 /r ; x64 nomod',
  'mov dr,r32.rm ; 0F 23 /r ; i64 nomod',
  'mov dr,r64.rm ; 0F 23 /r ; x64 nomod',

  'movzx rv,r/m8 ; ov 0F B6 /r',
  'movzx r32,r/m16 ; o32 0F B7 /r',
  'movzx r64,r/m16 ; o64 0F B7 /r',
  'movsx rv,r/m8 ; ov 0F BE /r',
  'movsx r32,r/m16 ; o32 0F BF /r',
  'movsx r64,r/m16 ; o64 0F BF /r',
  'movsxd r64,r/m32 ; o64 63 /r',
  'arpl r/m16,r16 ; 63 /r ; i64',
  'lea rv,m ; ov 8D /r',

  'xchg rv,accv ; ov 90+r',
  'xchg accv,rv ; ov 90+r ; asm',
  'xchg r8,r/m8 ; 86 /r ; lock asm',
  'xchg r/m8,r8 ; 86 /r ; lock',
  'xchg rv,r/mv ; ov 87 /r ; lock asm',
  'xchg r/mv,rv ; ov 87 /r ; lock',
  'cmpxchg r/m8,r8 ; 0F B0 /r ; lock',
  'cmpxchg r/mv,rv ; ov 0F B1 /r ; lock',
  'cmpxchg8b m64 ; 0F C7 /1 ; lock msz',
  'cmpxchg16b m128 ; o64 0F C7 /1 ; lock msz',
  'xadd r/m8,r8 ; 0F C0 /r ; lock',
  'xadd r/mv,rv ; ov 0F C1 /r ; lock',
  'bswap r32 ; o32 0F C8+r',
  'bswap r64 ; o64 0F C8+r',

  'push rv ; ov 50+r ; d64',
  'push r/mv ; ov FF /6 ; d64',
  'push simm8 ; ov 6A ; d64',
  'push immz ; ov 68 ; d64',
  'push es ; 06 ; i64',
  'push cs ; 0E ; i64',
  'push ss ; 16 ; i64',
  'push ds ; 1E ; i64',
  'push fs ; 0F A0',
  'push gs ; 0F A8',
  'pop rv ; ov 58+r ; d64',
  'pop r/mv ; ov 8F /0 ; d64',
  'pop es ; 07 ; i64',
  'pop ss ; 17 ; i64',
  'pop ds ; 1F ; i64',
  'pop fs ; 0F A1',
  'pop gs ; 0F A9',
  'pusha ; ov 60 ; i64 asm',
  'pushaw ; o16 60 ; i64',
  'pushad ; o32 60 ; i64',
  'popa ; ov 61 ; i64 asm',
  'popaw ; o16 61 ; i64',
  'popad ; o32 61 ; i64',
  'pushf ; ov 9C ; d64 asm',
  'pushfw ; o16 9C ; d64',
  'pushfd ; o32 9C ; i64',
  'pushfq ; o64 9C ; d64',
  'popf ; ov 9D ; d64 asm',
  'popfw ; o16 9D ; d64',
  'popfd ; o32 9D ; i64',
  'popfq ; o64 9D ; d64',
  'enter imm16,imm8 ; ov C8 ; d64',
  'leave ; ov C9 ; d64',

  ...conditional('j', 'rel8', (cc) => hex(0x70 + cc), 'branch'),
  ...conditional('j', 'relz', (cc) => `ov 0F ${hex(0x80 + cc)}`, 'branch f64'),
  'jmp rel8 ; EB ; branch',
  'jmp relz ; ov E9 ; branch f64',
  'jmp r/mv ; ov FF /4 ; f64 msz',
  'jmp ptr16:z ; ov EA ; i64',
  'jmp mfar ; ov FF /5 ; msz',
  'call relz ; ov E8 ; branch f64',
  'call r/mv ; ov FF /2 ; f64 msz',
  'call ptr16:z ; ov 9A ; i64',
  'call mfar ; ov FF /3 ; msz',
  'jcxz rel8 ; a16 E3 ; i64',
  'jecxz rel8 ; a32 E3',
  'jrcxz rel8 ; a64 E3',
  'loop rel8 ; E2',
  'loope rel8 ; E1',
  'loopz rel8 ; E1 ; asm',
  'loopne rel8 ; E0',
  'loopnz rel8 ; E0 ; asm',
  'ret ; ov C3 ; d64',
  'ret imm16 ; ov C2 ; d64',
  'retn ; ov C3 ; d64 asm',
  'retn imm16 ; ov C2 ; d64 asm',
  'retf ; ov CB',
  'retf imm16 ; ov CA',
  // nasm's sized returns: retw/retd/retq = retnw/retnd/retnq, retfw/retfd/retfq (48 CB in 64-bit code).
  // nasm 2.16 writes `retw imm16` without 66 in every mode (its insns.dat quirk), unlike `retnw imm16`.
  'retw imm16 ; C2 ; asm',
  ...(['', 'n'] as const).flatMap((n) => [
    `ret${n}w ; o16 C3 ; d64 asm`, ...(n ? ['retnw imm16 ; o16 C2 ; d64 asm'] : []),
    `ret${n}d ; o32 C3 ; d64 asm`, `ret${n}d imm16 ; o32 C2 ; d64 asm`,
    `ret${n}q ; o64 C3 ; d64 asm`, `ret${n}q imm16 ; o64 C2 ; d64 asm`,
  ]),
  'retfw ; o16 CB ; asm', 'retfw imm16 ; o16 CA ; asm',
  'retfd ; o32 CB ; asm', 'retfd imm16 ; o32 CA ; asm',
  'retfq ; o64 CB ; asm', 'retfq imm16 ; o64 CA ; asm',
  'int3 ; CC',
  'int imm8 ; CD',
  'into ; CE ; i64',
  'int1 ; F1',
  'icebp ; F1 ; asm',
  'iret ; ov CF ; asm',
  'iretw ; o16 CF',
  'iretd ; o32 CF',
  'iretq ; o64 CF',

  ...conditional('set', 'r/m8', (cc) => `0F ${hex(0x90 + cc)} /x`),
  ...conditional('cmov', 'rv,r/mv', (cc) => `ov 0F ${hex(0x40 + cc)} /r`),

  'bt r/mv,rv ; ov 0F A3 /r',
  'bt r/mv,imm8 ; ov 0F BA /4',
  'bts r/mv,rv ; ov 0F AB /r ; lock',
  'bts r/mv,imm8 ; ov 0F BA /5 ; lock',
  'btr r/mv,rv ; ov 0F B3 /r ; lock',
  'btr r/mv,imm8 ; ov 0F BA /6 ; lock',
  'btc r/mv,rv ; ov 0F BB /r ; lock',
  'btc r/mv,imm8 ; ov 0F BA /7 ; lock',
  'bsf rv,r/mv ; ov 0F BC /r',
  'bsr rv,r/mv ; ov 0F BD /r',
  'popcnt rv,r/mv ; ov F3 0F B8 /r',
  'tzcnt rv,r/mv ; ov F3 0F BC /r',
  'lzcnt rv,r/mv ; ov F3 0F BD /r',

  'nop ; 90',
  'pause ; F3 90',
  'nop r/mv ; ov 0F 1F /0',
  'hlt ; F4',
  'cmc ; F5',
  'clc ; F8',
  'stc ; F9',
  'cli ; FA',
  'sti ; FB',
  'cld ; FC',
  'std ; FD',
  'sahf ; 9E',
  'lahf ; 9F',
  'cbw ; o16 98',
  'cwde ; o32 98',
  'cdqe ; o64 98',
  'cwd ; o16 99',
  'cdq ; o32 99',
  'cqo ; o64 99',
  'xlatb ; D7',
  'xlat ; D7 ; asm',
  'salc ; D6 ; i64 asm',
  'daa ; 27 ; i64',
  'das ; 2F ; i64',
  'aaa ; 37 ; i64',
  'aas ; 3F ; i64',
  'aam imm8 ; D4 ; i64',
  'aam ; D4 0A ; i64 asm',
  'aad imm8 ; D5 ; i64',
  'aad ; D5 0A ; i64 asm',
  'bound rv,m ; ov 62 /r ; i64',
  'les rv,m ; ov C4 /r ; i64',
  'lds rv,m ; ov C5 /r ; i64',
  'lss rv,m ; ov 0F B2 /r',
  'lfs rv,m ; ov 0F B4 /r',
  'lgs rv,m ; ov 0F B5 /r',

  'in al,imm8 ; E4',
  'in ax,imm8 ; o16 E5',
  'in eax,imm8 ; o32 E5',
  'in al,dx ; EC',
  'in ax,dx ; o16 ED',
  'in eax,dx ; o32 ED',
  'out imm8,al ; E6',
  'out imm8,ax ; o16 E7',
  'out imm8,eax ; o32 E7',
  'out dx,al ; EE',
  'out dx,ax ; o16 EF',
  'out dx,eax ; o32 EF',

  'insb ; 6C ; rep',
  'insw ; o16 6D ; rep',
  'insd ; o32 6D ; rep',
  'outsb ; 6E ; rep',
  'outsw ; o16 6F ; rep',
  'outsd ; o32 6F ; rep',
  ...stringOp('movs', 0xa4, 'rep'),
  ...stringOp('cmps', 0xa6, 'repe'),
  ...stringOp('stos', 0xaa, 'rep'),
  ...stringOp('lods', 0xac, 'rep'),
  ...stringOp('scas', 0xae, 'repe'),
]
