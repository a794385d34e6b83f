/**
 * The x87 rows of the x86 table: what freestanding compiler output and kernels use (state
 * save/restore, control word, loads, stores, integer conversions, arithmetic, compares,
 * conditional moves and the constants). Row syntax: see rows-general.ts; `:C0+i` is a ModRM
 * byte with mod 11 whose rm field is st(i).
 *
 * The register forms with st(i) as destination (DC/DE E0–FF) follow Intel's SDM names
 * (`fsub st(i), st0` = DC E8+i); GNU tools print some of them with the mnemonic swapped (the
 * AT&T "fsub/fsubr" quirk), which the AT&T printer handles, not the table.
 */
const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0')

/** fadd/fmul/fcom/fcomp/fsub/fsubr/fdiv/fdivr: D8 /n m32, DC /n m64, and the register forms. */
function arith(name: string, n: number): string[] {
  const reg = `D8 :${hex(0xc0 + 8 * n)}+i`
  // fcom/fcomp print (and are usually written) with one operand; the others with st0 first.
  if (n === 2 || n === 3) return [`${name} m32 ; D8 /${n}`, `${name} m64 ; DC /${n}`, `${name} st(i) ; ${reg}`, `${name} st0,st(i) ; ${reg} ; asm`, `${name} ; D8 :${hex(0xc1 + 8 * n)} ; asm`]
  const rows = [`${name} m32 ; D8 /${n}`, `${name} m64 ; DC /${n}`, `${name} st0,st(i) ; ${reg}`, `${name} st(i) ; ${reg} ; asm`]
  // DC with st(i) as destination swaps the sub/subr and div/divr encodings (SDM opcode map, escape DC).
  const toSti = n >= 4 ? n ^ 1 : n
  return [
    ...rows,
    `${name} st(i),st0 ; DC :${hex(0xc0 + 8 * toSti)}+i`,
    `${name}p st(i),st0 ; DE :${hex(0xc0 + 8 * toSti)}+i`,
    `${name}p st(i) ; DE :${hex(0xc0 + 8 * toSti)}+i ; asm`,
    `${name}p ; DE :${hex(0xc1 + 8 * toSti)} ; asm`,
    `fi${name.slice(1)} m32 ; DA /${n}`,
    `fi${name.slice(1)} m16 ; DE /${n}`,
  ]
}

/** The no-operand D9 E0–FF group, in encoding order (empty = reserved). */
const D9_GROUP = [
  'fchs', 'fabs', '', '', 'ftst', 'fxam', '', '', 'fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz', '',
  'f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp', 'fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos',
]

export const X87_ROWS: readonly string[] = [
  ...['add', 'mul', 'com', 'comp', 'sub', 'subr', 'div', 'divr'].flatMap((m, n) => arith('f' + m, n)),
  'ficom m32 ; DA /2', 'ficom m16 ; DE /2', 'ficomp m32 ; DA /3', 'ficomp m16 ; DE /3',
  'fcompp ; DE :D9',
  'fld m32 ; D9 /0',
  'fld m64 ; DD /0',
  'fld m80 ; DB /5',
  'fld st(i) ; D9 :C0+i',
  'fst m32 ; D9 /2',
  'fst m64 ; DD /2',
  'fst st(i) ; DD :D0+i',
  'fstp m32 ; D9 /3',
  'fstp m64 ; DD /3',
  'fstp m80 ; DB /7',
  'fstp st(i) ; DD :D8+i',
  'fild m16 ; DF /0',
  'fild m32 ; DB /0',
  'fild m64 ; DF /5',
  'fist m16 ; DF /2',
  'fist m32 ; DB /2',
  'fistp m16 ; DF /3',
  'fistp m32 ; DB /3',
  'fistp m64 ; DF /7',
  'fisttp m16 ; DF /1',
  'fisttp m32 ; DB /1',
  'fisttp m64 ; DD /1',
  'fbld m80 ; DF /4',
  'fbstp m80 ; DF /6',
  'fxch st(i) ; D9 :C8+i',
  'fxch st0,st(i) ; D9 :C8+i ; asm',
  'fxch ; D9 :C9 ; asm',
  'fucom st(i) ; DD :E0+i',
  'fucom ; DD :E1 ; asm',
  'fucomp st(i) ; DD :E8+i',
  'fucomp ; DD :E9 ; asm',
  'fucompp ; DA :E9',
  'fcomi st0,st(i) ; DB :F0+i',
  'fcomi st(i) ; DB :F0+i ; asm',
  'fcomip st0,st(i) ; DF :F0+i',
  'fcomip st(i) ; DF :F0+i ; asm',
  'fucomi st0,st(i) ; DB :E8+i',
  'fucomi st(i) ; DB :E8+i ; asm',
  'fucomip st0,st(i) ; DF :E8+i',
  'fucomip st(i) ; DF :E8+i ; asm',
  ...['b', 'e', 'be', 'u'].map((c, n) => `fcmov${c} st0,st(i) ; DA :${hex(0xc0 + 8 * n)}+i`),
  ...['nb', 'ne', 'nbe', 'nu'].map((c, n) => `fcmov${c} st0,st(i) ; DB :${hex(0xc0 + 8 * n)}+i`),
  'ffree st(i) ; DD :C0+i',
  'fnop ; D9 :D0',
  ...D9_GROUP.flatMap((m, i) => (m ? [`${m} ; D9 :${hex(0xe0 + i)}`] : [])),
  'fninit ; DB :E3',
  'finit ; DB :E3 ; wait',
  'fnclex ; DB :E2',
  'fclex ; DB :E2 ; wait',
  'fnstsw ax ; DF :E0',
  'fnstsw m16 ; DD /7 ; msz',
  'fstsw ax ; DF :E0 ; wait',
  'fstsw m16 ; DD /7 ; wait msz',
  'fnstcw m16 ; D9 /7 ; msz',
  'fstcw m16 ; D9 /7 ; wait msz',
  'fldcw m16 ; D9 /5 ; msz',
  'fnstenv m ; D9 /6',
  'fstenv m ; D9 /6 ; wait',
  'fldenv m ; D9 /4',
  'fnsave m ; DD /6',
  'fsave m ; DD /6 ; wait',
  'frstor m ; DD /4',
  'fwait ; 9B',
  'wait ; 9B ; asm',
]
