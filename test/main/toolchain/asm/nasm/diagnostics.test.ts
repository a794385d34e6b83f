/**
 * What a NASM user sees when the source is wrong: one error per problem, at file:line:column,
 * with a hint where we can tell what was meant.
 */
import { describe, expect, it } from 'vitest'
import { assembleNasm } from '../../../../../src/main/toolchain/asm/nasm'

const errors = (src: string, format: 'elf32' | 'elf64' = 'elf64') =>
  assembleNasm(src, { file: 'k.asm', format }).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.loc?.line}:${d.loc?.column} ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`)

describe('NASM diagnostics', () => {
  it('names the register that is not available in the current bits', () => {
    expect(errors('bits 32\nmov rax, 1\n', 'elf32')).toEqual(['2:5 `rax` is not available in `bits 32` (hint: use `eax`, or write `bits 64` before 64-bit code)'])
  })

  it('refuses two memory operands and an unsized memory operand', () => {
    expect(errors('mov [rax], [rbx]\n')).toEqual(['1:1 `mov` cannot take two memory operands (hint: load one of them into a register first)'])
    expect(errors('inc [rax]\n')).toEqual(['1:5 operation size not specified (hint: write `byte`, `word`, `dword` or `qword` before the memory operand)'])
  })

  it('suggests the NASM spelling of GNU mnemonics', () => {
    expect(errors('movzbl eax, [rax]\n')).toEqual(['1:1 unknown instruction `movzbl` (hint: did you mean `movzx`? (NASM uses Intel mnemonics without size suffixes))'])
  })

  it('reports undefined symbols and redefined labels where they are used', () => {
    expect(errors('jmp nowhere\n')).toEqual(['1:5 symbol `nowhere` not defined (hint: define it, or declare it with `extern`)'])
    expect(errors('a: nop\na: nop\n')).toEqual(['2:1 label `a` redefined (hint: it was first defined at k.asm:1)'])
  })

  it('keeps differences of addresses in two sections to data that subtracts an address of its own section', () => {
    const src = (line: string) => `section .data\nt: dd 0\nsection .text\nh: nop\n${line}\n`
    expect(errors(src('mov eax, t - $'))).toEqual(['5:12 the difference of addresses in different sections is not a constant (hint: only data (`dd target - $`) can hold it, as a PC-relative relocation)'])
    expect(errors(src('dd $ - t'))).toEqual(['5:4 a difference of addresses in two sections can only subtract an address of the section it is in (hint: e.g. `dd target - $` (a PC-relative relocation))'])
    expect(errors(src('x equ t - h'))).toEqual(['5:3 `x` cannot be a difference of addresses in different sections'])
  })

  it('explains a negative times count (code that outgrew its space) and a short jump out of range', () => {
    expect(errors('times 2 nop\ntimes 1-($-$$) db 0\n')).toEqual(['2:1 `times` value -1 is negative (hint: the code before it is probably larger than the space it should fit in)'])
    expect(errors('jmp short far_away\ntimes 200 nop\nfar_away:\n')).toEqual(['1:5 short jump is out of range (hint: remove `short`, or use a near jump)'])
  })

  it('reports preprocessor errors: unterminated blocks, wrong macro arity, %error', () => {
    expect(errors('%if 1\nnop\n')).toEqual(['1:1 `%if` without `%endif` (hint: close every %if with %endif)'])
    expect(errors('%macro m 2\nnop\n%endmacro\nm 1\n')).toEqual(['4:1 macro `m` takes 2 parameters, not 1'])
    expect(errors('%error "stop here"\n')).toEqual(['1:1 stop here'])
  })

  it('bounds runaway macro expansion with an error instead of hanging', () => {
    const r = errors('%macro boom 0\nboom\n%endmacro\nboom\n')
    expect(r[0]).toMatch(/macros nested more than 100 deep/)
  })
})
