/**
 * The `x86-gas` language: GNU assembler syntax for x86 (`.s`, `.S` in an x86 project), AT&T by
 * default and `.intel_syntax`, highlighted with a Monarch grammar — mnemonics (the x86 table's
 * names and their AT&T spellings: `movl`, `movzbl`, `lret` …), prefixes, `%registers` and bare
 * ones (Intel noprefix), `$immediates`, directives, numbers, labels, `#` and `/* … *\/`
 * comments, and C-preprocessor lines in `.S`.
 */
import type { Monaco } from '../monaco'
import { X86_REGISTERS, attMnemonicSpellings } from '../../../../../shared/isa/x86'

const PREFIXES = ['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'data16', 'data32', 'addr16', 'addr32', 'rex64']
const INTEL_WORDS = ['byte', 'word', 'dword', 'qword', 'tbyte', 'xmmword', 'ptr', 'offset', 'flat']

export function registerX86Gas(monaco: Monaco): void {
  monaco.languages.register({ id: 'x86-gas', aliases: ['x86 Assembly (GNU as)'] })
  monaco.languages.setLanguageConfiguration('x86-gas', {
    wordPattern: /%?[A-Za-z0-9_.$]+/,
    comments: { lineComment: '#', blockComment: ['/*', '*/'] },
    brackets: [['(', ')'], ['[', ']']],
    autoClosingPairs: [{ open: '(', close: ')' }, { open: '[', close: ']' }, { open: '"', close: '"' }],
  })
  monaco.languages.setMonarchTokensProvider('x86-gas', {
    defaultToken: '',
    ignoreCase: true,
    registers: X86_REGISTERS.map((r) => r.name),
    mnemonics: [...attMnemonicSpellings(), ...PREFIXES],
    intelWords: INTEL_WORDS,
    tokenizer: {
      root: [
        [/^\s*#\s*(define|undef|include|if|ifdef|ifndef|elif|else|endif)\b.*$/, 'keyword.preprocessor'],
        [/#.*$/, 'comment'],
        [/\/\*/, 'comment', '@comment'],
        [/^\s*[A-Za-z_.$][\w.$]*:/, 'type.identifier'],
        [/^\s*\d+:/, 'type.identifier'],
        [/\.[A-Za-z_][\w.]*/, 'keyword.directive'],
        [/%[A-Za-z][\w()]*/, 'variable.predefined'],
        [/\$/, 'keyword.operator'],
        [/"/, 'string', '@string'],
        [/0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d+[bf]?\b/, 'number'],
        [/'.'?/, 'number'],
        [
          /[A-Za-z_][\w.]*/,
          {
            cases: {
              '@registers': 'variable.predefined',
              '@mnemonics': 'keyword',
              '@intelWords': 'keyword.operator',
              '@default': 'identifier',
            },
          },
        ],
        [/[+\-*/%&|^~<>!=]+/, 'operator'],
      ],
      comment: [[/\*\//, 'comment', '@pop'], [/[^*]+/, 'comment'], [/\*/, 'comment']],
      string: [[/\\./, 'string.escape'], [/[^\\"]+/, 'string'], [/"/, 'string', '@pop']],
    },
  } as never)
}
