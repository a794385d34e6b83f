/**
 * The assembler directives Bootscope's assembler accepts (GNU `as` manual, "Assembler
 * Directives", plus RISC-V `.option`), with their argument syntax and a one-line summary. One
 * list for two readers: the assembler suggests the closest name for a misspelt directive, and
 * the editor offers the same names for completion. Directives that are accepted and ignored
 * (`.file`, CFI, …) are listed too, marked so.
 */

export interface AsmDirective {
  /** With the leading dot: `.section`. */
  name: string
  /** Arguments as the GNU manual writes them; empty when there are none. */
  args: string
  summary: string
  /** Accepted and ignored: metadata GNU records but a linker does not need. */
  ignored?: true
}

const d = (name: string, args: string, summary: string): AsmDirective => ({ name, args, summary })
const ignored = (name: string): AsmDirective => ({ ...d(name, '…', 'Accepted for GNU compatibility and ignored (metadata a linker does not need).'), ignored: true })

export const ASM_DIRECTIVES: readonly AsmDirective[] = [
  // Sections
  d('.section', 'name[, "flags"[, @type]]', 'Switch to section `name` (flags: a alloc, w write, x execute, M merge, S strings, T TLS).'),
  d('.text', '', 'Switch to `.text`.'),
  d('.data', '', 'Switch to `.data`.'),
  d('.rodata', '', 'Switch to `.rodata`.'),
  d('.bss', '', 'Switch to `.bss` (no file bytes: only zeros may be emitted).'),
  d('.sdata', '', 'Switch to `.sdata` (small data).'),
  d('.sbss', '', 'Switch to `.sbss` (small zero-initialised data).'),
  d('.previous', '', 'Switch back to the section before the last switch.'),
  d('.pushsection', 'name[, "flags"[, @type]]', 'Push the current section and switch to `name`.'),
  d('.popsection', '', 'Return to the section saved by `.pushsection`.'),
  // Symbols
  d('.globl', 'symbol', 'Make `symbol` visible to the linker (global binding).'),
  d('.global', 'symbol', 'Same as `.globl`.'),
  d('.local', 'symbol', 'Give `symbol` local binding.'),
  d('.weak', 'symbol', 'Give `symbol` weak binding.'),
  d('.hidden', 'symbol', 'ELF visibility hidden.'),
  d('.protected', 'symbol', 'ELF visibility protected.'),
  d('.internal', 'symbol', 'ELF visibility internal.'),
  d('.type', 'symbol, @function|@object', 'Set the ELF symbol type.'),
  d('.size', 'symbol, expression', 'Set the ELF symbol size, e.g. `.size f, . - f`.'),
  d('.equ', 'symbol, expression', 'Define `symbol` as the value of `expression`.'),
  d('.set', 'symbol, expression', 'Same as `.equ` (may be redefined).'),
  d('.equiv', 'symbol, expression', 'Like `.equ`, but an error if `symbol` is already defined.'),
  d('.comm', 'symbol, size[, align]', 'A common (global, zero-initialised) symbol in `.bss`.'),
  d('.lcomm', 'symbol, size[, align]', 'A local zero-initialised symbol in `.bss`.'),
  // Data
  d('.byte', 'expr[, …]', '1-byte values.'),
  d('.half', 'expr[, …]', '2-byte values.'),
  d('.hword', 'expr[, …]', '2-byte values.'),
  d('.2byte', 'expr[, …]', '2-byte values (unaligned).'),
  d('.short', 'expr[, …]', '2-byte values.'),
  d('.word', 'expr[, …]', '4-byte values.'),
  d('.4byte', 'expr[, …]', '4-byte values (unaligned).'),
  d('.long', 'expr[, …]', '4-byte values.'),
  d('.int', 'expr[, …]', '4-byte values.'),
  d('.quad', 'expr[, …]', '8-byte values.'),
  d('.8byte', 'expr[, …]', '8-byte values (unaligned).'),
  d('.dword', 'expr[, …]', '8-byte values.'),
  d('.uleb128', 'expr[, …]', 'Unsigned LEB128 values.'),
  d('.sleb128', 'expr[, …]', 'Signed LEB128 values.'),
  d('.float', 'number[, …]', 'IEEE single-precision values.'),
  d('.single', 'number[, …]', 'IEEE single-precision values.'),
  d('.double', 'number[, …]', 'IEEE double-precision values.'),
  d('.ascii', '"string"[, …]', 'String bytes, no terminating zero.'),
  d('.asciz', '"string"[, …]', 'String bytes with a terminating zero.'),
  d('.string', '"string"[, …]', 'Same as `.asciz`.'),
  d('.incbin', '"file"', 'The bytes of a workspace file.'),
  // Space and alignment
  d('.align', 'p2[, fill[, max]]', 'Align to 2^p2 bytes (RISC-V: the argument is a power of two).'),
  d('.p2align', 'p2[, fill[, max]]', 'Align to 2^p2 bytes.'),
  d('.balign', 'bytes[, fill[, max]]', 'Align to a multiple of `bytes`.'),
  d('.zero', 'size', '`size` zero bytes.'),
  d('.space', 'size[, fill]', '`size` bytes of `fill` (default 0).'),
  d('.skip', 'size[, fill]', 'Same as `.space`.'),
  d('.fill', 'repeat[, size[, value]]', '`repeat` copies of a `size`-byte `value`.'),
  d('.org', 'offset[, fill]', 'Advance the location counter to `offset` within the section.'),
  // Assembly control
  d('.option', 'push|pop|rvc|norvc|relax|norelax|pic|nopic|arch, +c', 'RISC-V assembler options.'),
  d('.include', '"file"', 'Assemble a workspace file here.'),
  d('.macro', 'name[ args]', 'Define a macro, up to `.endm`.'),
  d('.endm', '', 'End a `.macro`.'),
  d('.exitm', '', 'Leave the current macro expansion early.'),
  d('.purgem', 'name', 'Forget a macro.'),
  d('.altmacro', '', 'Alternate macro syntax on.'),
  d('.noaltmacro', '', 'Alternate macro syntax off.'),
  d('.rept', 'count', 'Repeat the lines up to `.endr` `count` times.'),
  d('.irp', 'symbol, values…', 'Repeat the lines up to `.endr` once per value.'),
  d('.irpc', 'symbol, chars', 'Repeat the lines up to `.endr` once per character.'),
  d('.endr', '', 'End a `.rept`, `.irp` or `.irpc`.'),
  d('.if', 'expression', 'Assemble what follows if `expression` is not zero.'),
  d('.ifdef', 'symbol', 'Assemble what follows if `symbol` is defined.'),
  d('.ifndef', 'symbol', 'Assemble what follows if `symbol` is not defined.'),
  d('.elseif', 'expression', 'Else-if branch of a conditional.'),
  d('.else', '', 'Else branch of a conditional.'),
  d('.endif', '', 'End a conditional.'),
  d('.err', '', 'Stop with an error.'),
  d('.error', '"message"', 'Stop with an error message.'),
  d('.warning', '"message"', 'Print a warning.'),
  // Accepted and ignored
  ...['.file', '.ident', '.attribute', '.end', '.loc', '.addrsig', '.addrsig_sym', '.eabi_attribute', '.sleb128_dummy'].map(ignored),
  ...[
    '.cfi_startproc', '.cfi_endproc', '.cfi_def_cfa_offset', '.cfi_offset', '.cfi_restore', '.cfi_def_cfa', '.cfi_sections',
    '.cfi_remember_state', '.cfi_restore_state', '.cfi_def_cfa_register', '.cfi_rel_offset', '.cfi_adjust_cfa_offset',
    '.cfi_signal_frame', '.cfi_return_column', '.cfi_undefined', '.cfi_same_value',
  ].map(ignored),
]

/** Every directive name, for "did you mean" suggestions. */
export const ASM_DIRECTIVE_NAMES: readonly string[] = ASM_DIRECTIVES.map((x) => x.name)
