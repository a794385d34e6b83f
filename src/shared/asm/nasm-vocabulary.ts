/**
 * NASM's vocabulary besides instructions (NASM manual chapters 3, 4, 5 and 7): the assembler
 * directives, the preprocessor directives and the operand keywords, each with its syntax and a
 * one-line summary. One list for two readers: the NASM front end recognises exactly these
 * directive names (a test checks listed ⇔ handled), and the editor completes and explains them.
 */

export interface NasmWord {
  name: string
  /** Arguments as the NASM manual writes them; empty when there are none. */
  args: string
  summary: string
}

const w = (name: string, args: string, summary: string): NasmWord => ({ name, args, summary })

/** Directives and pseudo-instructions (NASM manual 3.2, chapter 7, 8.9, standard macros of chapter 5). */
export const NASM_DIRECTIVES: readonly NasmWord[] = [
  w('bits', '16|32|64', 'Code that follows is assembled for 16-, 32- or 64-bit mode (`[bits 32]` also works).'),
  w('use16', '', 'Same as `bits 16`.'),
  w('use32', '', 'Same as `bits 32`.'),
  w('use64', '', 'Same as `bits 64`.'),
  w('section', 'name [progbits|nobits|note] [alloc] [exec] [write] [align=n]', 'Switch to section `name`; attributes apply when it is first named (`.text` exec align=16, `.data`/`.bss` write align=4, others alloc align=1).'),
  w('segment', 'name [attributes]', 'Same as `section`.'),
  w('global', 'name[:function|:data [size]], …', 'Export a symbol (ELF global binding), optionally with its type and size.'),
  w('extern', 'name, …', 'Declare a symbol defined in another object; references become relocations.'),
  w('common', 'name size[:align]', 'Declare a common (tentative) symbol of `size` bytes.'),
  w('static', 'name, …', 'Accepted: the symbol stays local.'),
  w('default', 'rel|abs', '`default rel`: `[label]` addresses are RIP-relative in 64-bit code (not with fs:/gs:).'),
  w('absolute', 'address', 'Labels that follow are plain numbers counted from `address` (what `struc` uses).'),
  w('org', 'address', 'Only meaningful in flat binary output; an ELF object gets its address from the linker script.'),
  w('cpu', 'name', 'Accepted and ignored: every instruction of the table is allowed.'),
  w('float', 'daz|nodaz|near|…', 'Accepted and ignored.'),
  w('align', 'n[, instruction]', 'Pad with `nop` (or the given instruction/data) to a multiple of `n`; raises the section alignment.'),
  w('alignb', 'n', 'Reserve space (no data) up to a multiple of `n`; for nobits sections.'),
  w('sectalign', 'n|on|off', 'Raise the current section’s alignment to `n`.'),
  w('struc', 'name[, base]', 'Start a structure type: `.field resd 1` lines define `name.field` offsets; `endstruc` defines `name_size`.'),
  w('endstruc', '', 'End a `struc` and return to the previous section.'),
  w('istruc', 'name', 'Start an instance of a structure in data.'),
  w('at', 'name.field, data', 'Place `data` at the offset of `field` in an `istruc` instance (zero padding before it).'),
  w('iend', '', 'End an `istruc` instance, padding it to the structure’s size.'),
  w('required', 'name', 'Accepted and ignored.'),
  w('warning', '…', 'Accepted and ignored.'),
]

/** Data and space pseudo-instructions (NASM manual 3.2.1–3.2.3). */
export const NASM_DATA: readonly NasmWord[] = [
  w('db', 'value, …', 'Define bytes: numbers, characters, strings (`db "text", 0`).'),
  w('dw', 'value, …', 'Define 16-bit words (strings are padded to whole words).'),
  w('dd', 'value, …', 'Define 32-bit doublewords, or single-precision floats (`dd 1.5`).'),
  w('dq', 'value, …', 'Define 64-bit quadwords, or double-precision floats.'),
  w('dt', 'value, …', 'Define 80-bit values (x87 extended floats).'),
  w('do', 'value, …', 'Define 128-bit values.'),
  w('dy', 'value, …', 'Define 256-bit values.'),
  w('dz', 'value, …', 'Define 512-bit values.'),
  w('resb', 'count', 'Reserve `count` bytes (zeros in a progbits section, with a warning).'),
  w('resw', 'count', 'Reserve `count` words.'),
  w('resd', 'count', 'Reserve `count` doublewords.'),
  w('resq', 'count', 'Reserve `count` quadwords.'),
  w('rest', 'count', 'Reserve `count` 10-byte values.'),
  w('reso', 'count', 'Reserve `count` 16-byte values.'),
  w('resy', 'count', 'Reserve `count` 32-byte values.'),
  w('resz', 'count', 'Reserve `count` 64-byte values.'),
  w('incbin', '"file"[, skip[, length]]', 'Include a file’s bytes.'),
  w('equ', 'expression', '`name equ expr` defines a constant (or an address) once; it cannot change.'),
  w('times', 'count statement', 'Repeat a statement: `times 510-($-$$) db 0` pads a boot sector.'),
]

/** Preprocessor directives (NASM manual chapter 4), written with their `%`. */
export const NASM_PREPROCESSOR: readonly NasmWord[] = [
  w('%define', 'name[(params)] body', 'Single-line macro; the body is expanded where the macro is used.'),
  w('%idefine', 'name[(params)] body', 'Case-insensitive `%define`.'),
  w('%xdefine', 'name body', 'Single-line macro whose body is expanded now, at the definition.'),
  w('%ixdefine', 'name body', 'Case-insensitive `%xdefine`.'),
  w('%undef', 'name', 'Remove a single-line macro.'),
  w('%assign', 'name expression', 'Define a numeric macro from an expression evaluated now (`%assign i i+1`).'),
  w('%macro', 'name nparams[-max][+] [defaults]', 'Multi-line macro until `%endmacro`: `%1`…`%n` parameters, `%0` their count, `%%label` local labels.'),
  w('%imacro', 'name nparams', 'Case-insensitive `%macro`.'),
  w('%endmacro', '', 'End a `%macro`.'),
  w('%rotate', 'n', 'Rotate the macro parameters left by `n`.'),
  w('%rep', 'count', 'Repeat the lines until `%endrep` `count` times.'),
  w('%endrep', '', 'End a `%rep` block.'),
  w('%exitrep', '', 'Leave the innermost `%rep` block.'),
  w('%if', 'expression', 'Assemble the lines that follow when the expression is non-zero (constants and macros only).'),
  w('%ifdef', 'name', 'Assemble when `name` is a defined single-line macro.'),
  w('%ifndef', 'name', 'Assemble when `name` is not defined.'),
  w('%ifidn', 'text1, text2', 'Assemble when the texts are identical (after expansion).'),
  w('%ifidni', 'text1, text2', 'Case-insensitive `%ifidn`.'),
  w('%ifnum', 'text', 'Assemble when the text is a number.'),
  w('%ifstr', 'text', 'Assemble when the text is a string.'),
  w('%ifid', 'text', 'Assemble when the text is an identifier.'),
  w('%ifmacro', 'name', 'Assemble when `name` is a multi-line macro.'),
  w('%ifempty', 'text', 'Assemble when the text is empty.'),
  w('%elif', 'expression', 'Else-if of a `%if` family block (also `%elifdef`, `%elifndef`, …).'),
  w('%else', '', 'The other branch of a `%if` block.'),
  w('%endif', '', 'End a `%if` block.'),
  w('%include', '"file"', 'Insert another source file here.'),
  w('%error', '"message"', 'Stop the build with an error at this line.'),
  w('%warning', '"message"', 'Report a warning at this line.'),
  w('%fatal', '"message"', 'Stop preprocessing with an error.'),
]

/** Operand keywords (NASM manual 3.2–3.3, 3.7). */
export const NASM_KEYWORDS: readonly NasmWord[] = [
  w('byte', '', 'Operand size 8 bits.'),
  w('word', '', 'Operand size 16 bits.'),
  w('dword', '', 'Operand size 32 bits.'),
  w('qword', '', 'Operand size 64 bits.'),
  w('tword', '', 'Operand size 80 bits (x87 extended).'),
  w('oword', '', 'Operand size 128 bits (SSE).'),
  w('strict', '', 'Keep the written immediate size: `push strict dword 5` is 68 id, not 6A ib.'),
  w('short', '', 'A jump with an 8-bit displacement (error when the target is out of reach).'),
  w('near', '', 'A jump with a 16/32-bit displacement.'),
  w('far', '', 'A far jump or call through memory: `jmp far [ptr]` loads CS and the offset.'),
  w('rel', '', 'RIP-relative address: `[rel label]` (64-bit code).'),
  w('abs', '', 'Absolute address even under `default rel`: `[abs label]`.'),
  w('wrt', '', '`call f wrt ..plt`, `[rel x wrt ..gotpcrel]`: the kind of relocation.'),
  w('seg', '', 'The segment of a symbol (not available in ELF output).'),
  w('nosplit', '', '`[nosplit eax*2]`: keep the scaled index instead of `[eax+eax]`.'),
]
