/**
 * The `gnu-ld` language: GNU linker scripts (`.ld`), highlighted with a Monarch grammar —
 * commands (SECTIONS, MEMORY, ENTRY, …), builtin functions (ADDR, ALIGN, LOADADDR, …), the
 * location counter, section names, numbers with K/M suffixes and C comments.
 */
import type { Monaco } from '../monaco'

const COMMANDS = [
  'ENTRY', 'OUTPUT_ARCH', 'OUTPUT_FORMAT', 'OUTPUT', 'INPUT', 'GROUP', 'SEARCH_DIR', 'STARTUP', 'INCLUDE', 'MEMORY', 'SECTIONS',
  'PHDRS', 'PROVIDE', 'PROVIDE_HIDDEN', 'HIDDEN', 'KEEP', 'SORT', 'SORT_BY_NAME', 'SORT_BY_ALIGNMENT', 'SORT_NONE',
  'EXCLUDE_FILE', 'FILL', 'ASSERT', 'AT', 'SUBALIGN', 'ONLY_IF_RO', 'ONLY_IF_RW', 'NOLOAD', 'COPY', 'INFO', 'OVERLAY',
  'BYTE', 'SHORT', 'LONG', 'QUAD', 'SQUAD', 'FILEHDR', 'PT_LOAD', 'PT_NULL', 'PT_DYNAMIC', 'PT_INTERP', 'PT_NOTE', 'PT_PHDR', 'PT_TLS',
  'FLAGS', 'COMMON', 'CREATE_OBJECT_SYMBOLS', 'CONSTRUCTORS', 'NOCROSSREFS', 'INSERT', 'AFTER', 'BEFORE',
]
const FUNCTIONS = [
  'ADDR', 'LOADADDR', 'SIZEOF', 'ALIGN', 'ALIGNOF', 'ORIGIN', 'LENGTH', 'MAX', 'MIN', 'DEFINED', 'ABSOLUTE', 'SEGMENT_START',
  'CONSTANT', 'MAXPAGESIZE', 'COMMONPAGESIZE', 'NEXT', 'BLOCK', 'DATA_SEGMENT_ALIGN', 'DATA_SEGMENT_END', 'DATA_SEGMENT_RELRO_END', 'LOG2CEIL', 'SIZEOF_HEADERS',
]

export function registerGnuLd(monaco: Monaco): void {
  monaco.languages.register({ id: 'gnu-ld', extensions: ['.ld', '.lds'], aliases: ['GNU Linker Script'] })
  monaco.languages.setLanguageConfiguration('gnu-ld', {
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
