/**
 * The `nasm` language: NASM syntax for x86 (`.asm`, `.nasm`), highlighted with a Monarch
 * grammar — mnemonics of the x86 table, registers, directives and data keywords, size and
 * operand keywords, preprocessor lines (`%define`, `%macro`, `%if` …, `%1`, `%%label`), numbers
 * in NASM's radix spellings, the three string quotes, labels and `;` comments.
 */
import type { Monaco } from '../monaco'
import { X86_MNEMONICS, X86_REGISTERS } from '../../../../../shared/isa/x86'
import { NASM_DATA, NASM_DIRECTIVES, NASM_KEYWORDS } from '../../../../../shared/asm/nasm-vocabulary'

export function registerNasm(monaco: Monaco): void {
  monaco.languages.register({ id: 'nasm', extensions: ['.asm', '.nasm'], aliases: ['NASM (x86)'] })
  monaco.languages.setLanguageConfiguration('nasm', {
    wordPattern: /%{0,2}[A-Za-z0-9_.$?@#~]+/,
    comments: { lineComment: ';' },
    brackets: [['[', ']'], ['(', ')']],
    autoClosingPairs: [{ open: '[', close: ']' }, { open: '(', close: ')' }, { open: '"', close: '"' }, { open: "'", close: "'" }, { open: '`', close: '`' }],
  })
  monaco.languages.setMonarchTokensProvider('nasm', {
    defaultToken: '',
    ignoreCase: true,
    mnemonics: [...X86_MNEMONICS, 'lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64'],
    registers: X86_REGISTERS.map((r) => r.name),
    directives: NASM_DIRECTIVES.map((d) => d.name),
    data: NASM_DATA.map((d) => d.name),
    keywords: NASM_KEYWORDS.map((d) => d.name),
    tokenizer: {
      root: [
        [/;.*$/, 'comment'],
        [/^\s*%[a-z]+\b/, 'keyword.preprocessor'],
        [/%%[A-Za-z_.?@$][\w.?@$#~]*/, 'type.identifier'],
        [/%\{?-?\d+\}?|%0/, 'variable.parameter'],
        [/^\s*[A-Za-z_.?@$][\w.?@$#~]*:/, 'type.identifier'],
        [/"/, 'string', '@dq'],
        [/'/, 'string', '@sq'],
        [/`/, 'string', '@bq'],
        [/\$\$|\$(?![0-9A-Za-z_])/, 'keyword.operator'],
        [/(0[xh][0-9a-f_]+|\$[0-9][0-9a-f_]*|[0-9][0-9a-f_]*h|0[by][01_]+|[01_]+[by]|0[oq][0-7_]+|[0-7_]+[oq]|0[dt][0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?(e[+-]?[0-9]+)?d?)\b/, 'number'],
        [
          /[A-Za-z_.?@$][\w.?@$#~]*/,
          {
            cases: {
              '@registers': 'variable.predefined',
              '@mnemonics': 'keyword',
              '@directives': 'keyword.directive',
              '@data': 'keyword.directive',
              '@keywords': 'keyword.operator',
              '@default': 'identifier',
            },
          },
        ],
        [/[+\-*/%&|^~<>!=?:]+/, 'operator'],
      ],
      dq: [[/[^"]+/, 'string'], [/"/, 'string', '@pop']],
      sq: [[/[^']+/, 'string'], [/'/, 'string', '@pop']],
      bq: [[/\\./, 'string.escape'], [/[^\\`]+/, 'string'], [/`/, 'string', '@pop']],
    },
  } as never)
}
