/**
 * The `riscv-asm` language: GNU assembler syntax for RISC-V (`.S`, `.s`), highlighted with a
 * Monarch grammar — directives, registers (x/f and ABI names), CSRs, relocation operators
 * (`%hi`, `%pcrel_lo`, …), numbers, labels and comments, and C-preprocessor lines in `.S`.
 */
import type { Monaco } from '../monaco'

const INT_REGS = ['zero', 'ra', 'sp', 'gp', 'tp', 'fp', ...range('t', 0, 6), ...range('s', 0, 11), ...range('a', 0, 7), ...range('x', 0, 31)]
const FP_REGS = [...range('ft', 0, 11), ...range('fs', 0, 11), ...range('fa', 0, 7), ...range('f', 0, 31)]
const CSRS = [
  'mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mtvec', 'mcounteren', 'menvcfg', 'mscratch', 'mepc', 'mcause', 'mtval', 'mip',
  'mhartid', 'mvendorid', 'marchid', 'mimpid', 'mcycle', 'minstret', 'sstatus', 'sie', 'stvec', 'scounteren', 'senvcfg',
  'sscratch', 'sepc', 'scause', 'stval', 'sip', 'satp', 'cycle', 'time', 'instret', 'fflags', 'frm', 'fcsr',
  ...range('pmpcfg', 0, 15), ...range('pmpaddr', 0, 63),
]

function range(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`)
}

export function registerRiscvAsm(monaco: Monaco): void {
  monaco.languages.register({ id: 'riscv-asm', extensions: ['.S', '.s', '.asm'], aliases: ['RISC-V Assembly'] })
  monaco.languages.setLanguageConfiguration('riscv-asm', {
    comments: { lineComment: '#', blockComment: ['/*', '*/'] },
    brackets: [['(', ')']],
    autoClosingPairs: [{ open: '(', close: ')' }, { open: '"', close: '"' }],
  })
  monaco.languages.setMonarchTokensProvider('riscv-asm', {
    defaultToken: '',
    intRegs: INT_REGS,
    fpRegs: FP_REGS,
    csrs: CSRS,
    tokenizer: {
      root: [
        [/^\s*#\s*(define|undef|include|if|ifdef|ifndef|elif|else|endif)\b.*$/, 'keyword.preprocessor'],
        [/#.*$/, 'comment'],
        [/\/\/.*$/, 'comment'],
        [/\/\*/, 'comment', '@comment'],
        [/^\s*[A-Za-z_.$][\w.$]*:/, 'type.identifier'],
        [/^\s*\d+:/, 'type.identifier'],
        [/\.[A-Za-z_][\w.]*/, 'keyword.directive'],
        [/%(hi|lo|pcrel_hi|pcrel_lo|tprel_hi|tprel_lo|tprel_add|got_pcrel_hi)\b/, 'keyword.operator'],
        [/"/, 'string', '@string'],
        [/0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d+[bf]?\b/, 'number'],
        [/'.'/, 'number'],
        [
          /[A-Za-z_][\w.]*/,
          { cases: { '@intRegs': 'variable.predefined', '@fpRegs': 'variable.predefined', '@csrs': 'constant', '@default': 'identifier' } },
        ],
        [/[+\-*/%&|^~<>!=]+/, 'operator'],
      ],
      comment: [
        [/\*\//, 'comment', '@pop'],
        [/./, 'comment'],
      ],
      string: [
        [/\\./, 'string.escape'],
        [/"/, 'string', '@pop'],
        [/[^\\"]+/, 'string'],
      ],
    },
  } as never)
}
