/**
 * The `riscv-asm` language: GNU assembler syntax for RISC-V (`.S`, `.s`), highlighted with a
 * Monarch grammar — mnemonics (the ISA table and GNU's pseudo-instructions), directives,
 * registers (x/f and ABI names), CSRs, relocation operators
 * (`%hi`, `%pcrel_lo`, …), numbers, labels and comments, and C-preprocessor lines in `.S`.
 */
import type { Monaco } from '../monaco'
import { CSR_NAMES, FLOAT_ABI_NAMES, INSTRUCTIONS, INT_ABI_NAMES } from '../../../../../shared/isa'
import { PSEUDO_INSTRUCTIONS } from '../../../../../shared/asm/pseudo-instructions'

const INT_REGS = [...INT_ABI_NAMES, 'fp', ...range('x', 0, 31)]
const FP_REGS = [...FLOAT_ABI_NAMES, ...range('f', 0, 31)]
const CSRS = [...CSR_NAMES.keys()]
/** Table rows and pseudo-instructions: what the assembler accepts as a mnemonic. */
const MNEMONICS = [...INSTRUCTIONS.map((r) => r.name), ...PSEUDO_INSTRUCTIONS.map((p) => p.name)]

function range(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`)
}

export function registerRiscvAsm(monaco: Monaco): void {
  monaco.languages.register({ id: 'riscv-asm', extensions: ['.S', '.s'], aliases: ['RISC-V Assembly'] })
  monaco.languages.setLanguageConfiguration('riscv-asm', {
    // Names include `.` and `$` (`sfence.vma`, `.text`), so double-click and hovers take them whole.
    wordPattern: /%?[A-Za-z0-9_.$]+/,
    comments: { lineComment: '#', blockComment: ['/*', '*/'] },
    brackets: [['(', ')']],
    autoClosingPairs: [{ open: '(', close: ')' }, { open: '"', close: '"' }],
  })
  monaco.languages.setMonarchTokensProvider('riscv-asm', {
    defaultToken: '',
    intRegs: INT_REGS,
    fpRegs: FP_REGS,
    csrs: CSRS,
    mnemonics: MNEMONICS,
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
          {
            cases: {
              '@intRegs': 'variable.predefined',
              '@fpRegs': 'variable.predefined',
              '@csrs': 'constant',
              '@mnemonics': 'keyword',
              '@default': 'identifier',
            },
          },
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
