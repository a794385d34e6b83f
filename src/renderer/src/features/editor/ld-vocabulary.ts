/**
 * The words of GNU linker scripts (GNU ld manual, "Linker Scripts"): commands and builtin
 * functions, each with its syntax and a one-line summary where a kernel author is likely to
 * need one. The `gnu-ld` grammar highlights these names and completion offers them.
 */

export interface LdWord {
  name: string
  /** Syntax as the ld manual writes it, e.g. `AT(lma)`; empty for a bare keyword. */
  syntax: string
  summary: string
}

const w = (name: string, syntax = '', summary = ''): LdWord => ({ name, syntax, summary })

export const LD_COMMANDS: readonly LdWord[] = [
  w('ENTRY', 'ENTRY(symbol)', 'The program entry point recorded in the ELF header.'),
  w('OUTPUT_ARCH', 'OUTPUT_ARCH(riscv)', 'The output machine architecture.'),
  w('OUTPUT_FORMAT', 'OUTPUT_FORMAT("elf64-littleriscv")', 'The output object format.'),
  w('OUTPUT', 'OUTPUT(file)', 'The output file name.'),
  w('INPUT', 'INPUT(file …)', 'Extra input files.'),
  w('GROUP', 'GROUP(file …)', 'Archives searched repeatedly.'),
  w('SEARCH_DIR', 'SEARCH_DIR(path)', 'Library search path.'),
  w('STARTUP', 'STARTUP(file)', 'A file linked first.'),
  w('INCLUDE', 'INCLUDE file', 'Include another script.'),
  w('MEMORY', 'MEMORY { name (attr) : ORIGIN = addr, LENGTH = len }', 'Named memory regions for `> region` and `AT> region`.'),
  w('SECTIONS', 'SECTIONS { … }', 'How input sections map to output sections, and where those go.'),
  w('PHDRS', 'PHDRS { name PT_LOAD [FLAGS(f)] ; }', 'Program headers (segments) written explicitly.'),
  w('PROVIDE', 'PROVIDE(symbol = expression)', 'Define `symbol` only if it is referenced and not defined elsewhere.'),
  w('PROVIDE_HIDDEN', 'PROVIDE_HIDDEN(symbol = expression)', 'PROVIDE with hidden visibility.'),
  w('HIDDEN', 'HIDDEN(symbol = expression)', 'Define a symbol with hidden visibility.'),
  w('KEEP', 'KEEP(*(.section))', 'Never discard these input sections, even with --gc-sections.'),
  w('SORT', 'SORT(*)(.section*)', 'Same as SORT_BY_NAME.'),
  w('SORT_BY_NAME', 'SORT_BY_NAME(*)(.section*)', 'Input sections in name order.'),
  w('SORT_BY_ALIGNMENT', 'SORT_BY_ALIGNMENT(*)(.section*)', 'Input sections by decreasing alignment.'),
  w('SORT_NONE', 'SORT_NONE(*)(.section*)', 'Input sections in command-line order.'),
  w('EXCLUDE_FILE', 'EXCLUDE_FILE(file …)', 'Input files a section pattern does not match.'),
  w('FILL', 'FILL(expression)', 'The fill pattern for gaps in this output section.'),
  w('ASSERT', 'ASSERT(expression, "message")', 'Fail the link with `message` when `expression` is zero.'),
  w('AT', 'AT(lma)', 'Load address of the output section (its LMA), when it differs from the VMA.'),
  w('SUBALIGN', 'SUBALIGN(align)', 'Force the alignment of the input sections.'),
  w('ONLY_IF_RO', 'ONLY_IF_RO', 'Create the output section only if all inputs are read-only.'),
  w('ONLY_IF_RW', 'ONLY_IF_RW', 'Create the output section only if some input is writable.'),
  w('NOLOAD', '(NOLOAD)', 'The section takes no space in the file (like .bss).'),
  w('COPY', '(COPY)', 'Legacy section type.'),
  w('INFO', '(INFO)', 'Legacy section type.'),
  w('OVERLAY', 'OVERLAY : { … }', 'Sections sharing one VMA.'),
  w('BYTE', 'BYTE(expression)', '1 byte of data in an output section.'),
  w('SHORT', 'SHORT(expression)', '2 bytes of data in an output section.'),
  w('LONG', 'LONG(expression)', '4 bytes of data in an output section.'),
  w('QUAD', 'QUAD(expression)', '8 bytes of data in an output section.'),
  w('SQUAD', 'SQUAD(expression)', '8 signed bytes of data in an output section.'),
  w('FILEHDR', 'FILEHDR', 'The segment includes the ELF header.'),
  w('PT_LOAD', 'PT_LOAD', 'A loadable segment.'),
  w('PT_NULL'), w('PT_DYNAMIC'), w('PT_INTERP'), w('PT_NOTE'), w('PT_PHDR'), w('PT_TLS'),
  w('FLAGS', 'FLAGS(flags)', 'p_flags of a program header (1 = X, 2 = W, 4 = R).'),
  w('COMMON', '*(COMMON)', 'Common symbols from the inputs.'),
  w('CREATE_OBJECT_SYMBOLS'), w('CONSTRUCTORS'), w('NOCROSSREFS', 'NOCROSSREFS(section …)', 'Refuse references between these sections.'),
  w('INSERT', 'INSERT AFTER|BEFORE section', 'Insert this script into the default one.'), w('AFTER'), w('BEFORE'),
]

export const LD_FUNCTIONS: readonly LdWord[] = [
  w('ADDR', 'ADDR(section)', 'The VMA of an output section.'),
  w('LOADADDR', 'LOADADDR(section)', 'The LMA (load address) of an output section.'),
  w('SIZEOF', 'SIZEOF(section)', 'The size in bytes of an output section.'),
  w('ALIGN', 'ALIGN(align) or ALIGN(exp, align)', '`.` (or `exp`) rounded up to a multiple of `align`.'),
  w('ALIGNOF', 'ALIGNOF(section)', 'The alignment of an output section.'),
  w('ORIGIN', 'ORIGIN(region)', 'The start of a MEMORY region.'),
  w('LENGTH', 'LENGTH(region)', 'The length of a MEMORY region.'),
  w('MAX', 'MAX(a, b)', 'The larger value.'),
  w('MIN', 'MIN(a, b)', 'The smaller value.'),
  w('DEFINED', 'DEFINED(symbol)', '1 if `symbol` is defined, else 0.'),
  w('ABSOLUTE', 'ABSOLUTE(exp)', 'The value of `exp` as an absolute (non-section-relative) value.'),
  w('SEGMENT_START', 'SEGMENT_START("segment", default)', 'The base address of a segment (`-T` options), else `default`.'),
  w('CONSTANT', 'CONSTANT(MAXPAGESIZE|COMMONPAGESIZE)', 'A target constant.'),
  w('MAXPAGESIZE'), w('COMMONPAGESIZE'),
  w('NEXT', 'NEXT(exp)', 'The next unallocated address that is a multiple of `exp`.'),
  w('BLOCK', 'BLOCK(exp)', 'Same as ALIGN(exp).'),
  w('DATA_SEGMENT_ALIGN', 'DATA_SEGMENT_ALIGN(maxpagesize, commonpagesize)'),
  w('DATA_SEGMENT_END', 'DATA_SEGMENT_END(exp)'),
  w('DATA_SEGMENT_RELRO_END', 'DATA_SEGMENT_RELRO_END(offset, exp)'),
  w('LOG2CEIL', 'LOG2CEIL(exp)', 'ceil(log2(exp)).'),
  w('SIZEOF_HEADERS', 'SIZEOF_HEADERS', 'The size of the ELF and program headers.'),
]
