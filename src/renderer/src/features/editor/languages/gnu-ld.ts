/**
 * The `gnu-ld` language: GNU linker scripts (`.ld`), highlighted with a Monarch grammar —
 * commands (SECTIONS, MEMORY, ENTRY, …), builtin functions (ADDR, ALIGN, LOADADDR, …), the
 * location counter, section names, numbers with K/M suffixes and C comments.
 */
import type { Monaco } from '../monaco'
import { LD_COMMANDS, LD_FUNCTIONS } from '../ld-vocabulary'

const COMMANDS = LD_COMMANDS.map((w) => w.name)
const FUNCTIONS = LD_FUNCTIONS.map((w) => w.name)

export function registerGnuLd(monaco: Monaco): void {
  monaco.languages.register({ id: 'gnu-ld', extensions: ['.ld', '.lds'], aliases: ['GNU Linker Script'] })
  monaco.languages.setLanguageConfiguration('gnu-ld', {
    // Names include `.` and `$` (`sfence.vma`, `.text`), so double-click and hovers take them whole.
    wordPattern: /[A-Za-z0-9_.$]+/,
    comments: { blockComment: ['/*', '*/'] },
    brackets: [['{', '}'], ['(', ')']],
    autoClosingPairs: [{ open: '{', close: '}' }, { open: '(', close: ')' }, { open: '/*', close: ' */' }],
  })
  monaco.languages.setMonarchTokensProvider('gnu-ld', {
    defaultToken: '',
    commands: COMMANDS,
    functions: FUNCTIONS,
    tokenizer: {
      root: [
        [/\/\*/, 'comment', '@comment'],
        [/"[^"]*"/, 'string'],
        [/\/DISCARD\//, 'keyword'],
        [/\.(?=\s*[=+\-*/&|<>]?=)/, 'variable.predefined'],
        [/\.[A-Za-z_][\w.*]*/, 'type.identifier'],
        [/0[xX][0-9a-fA-F]+[KM]?|\d+[KM]?/, 'number'],
        [/[A-Z_][A-Z_0-9]*(?=\s*\()|[A-Z_][A-Z_0-9]*/, { cases: { '@commands': 'keyword', '@functions': 'predefined', '@default': 'identifier' } }],
        [/[A-Za-z_][\w]*/, 'identifier'],
        [/[{}()]/, '@brackets'],
        [/[=+\-*/%&|<>!?:~]+/, 'operator'],
      ],
      comment: [
        [/\*\//, 'comment', '@pop'],
        [/./, 'comment'],
      ],
    },
  } as never)
}
