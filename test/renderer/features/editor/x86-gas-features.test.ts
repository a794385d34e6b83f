/**
 * The x86 GNU as editor features, without Monaco: comments (`#`, `/*`, cpp lines are code),
 * words with `%`, the syntax and `.codeNN` in force at a line, the cursor's context after
 * labels, prefixes and `;`, completions by syntax and mode (AT&T suffixed spellings and
 * `%registers`; Intel names; no `%rax` in `.code32`), hovers that explain AT&T spellings through
 * the x86 table, and the AT&T mnemonic mapping the editor shares with the front end.
 */
import { describe, expect, it } from 'vitest'
import { gasCodeAt, gasSyntaxAt, gasX86CommentStart, gasX86Completions, gasX86Context, gasX86Instruction, gasX86WordAt, gasX86WordHover } from '../../../../src/renderer/src/features/editor/x86-gas-features'
import { findDefinitions } from '../../../../src/renderer/src/features/editor/definitions'
import { attMnemonic, attMnemonicSpellings } from '../../../../src/shared/isa/x86'
import { X86_GAS_DIRECTIVES } from '../../../../src/shared/asm/x86-gas-vocabulary'
import { gasArchOfText, languageOf } from '../../../../src/shared/api/workspace'

const SRC = `# boot stub
    .code32
    .globl _start
_start:
    movl $stack_top, %esp   # "not # a string"
1:  hlt
    jmp 1b
    .code64
long_mode:
    movq %rax, %rbx
    .intel_syntax noprefix
    mov rax, rbx
    .att_syntax
    ret
`

describe('x86 GAS text', () => {
  it('finds comments: #, /* */, not inside strings; a cpp line is code', () => {
    expect(gasX86CommentStart('    movl $1, %eax # one')).toBe(18)
    expect(gasX86CommentStart('    .ascii "# not" /* yes */')).toBe(19)
    expect(gasX86CommentStart('#define STACK 0x1000')).toBe('#define STACK 0x1000'.length)
  })

  it('takes words with their % and without the $ of an immediate', () => {
    expect(gasX86WordAt('    movl $stack_top, %esp', 12)?.word).toBe('stack_top')
    expect(gasX86WordAt('    movl $stack_top, %esp', 25)?.word).toBe('%esp')
    expect(gasX86WordAt('    movl $stack_top, %esp', 6)?.word).toBe('movl')
  })

  it('knows the syntax and the code size in force at each line', () => {
    expect(gasSyntaxAt(SRC, 5)).toEqual({ syntax: 'att', prefix: true })
    expect(gasSyntaxAt(SRC, 12)).toEqual({ syntax: 'intel', prefix: false })
    expect(gasSyntaxAt(SRC, 14)).toEqual({ syntax: 'att', prefix: true })
    expect(gasCodeAt(SRC, 1, 64)).toBe(64)
    expect(gasCodeAt(SRC, 5)).toBe(32)
    expect(gasCodeAt(SRC, 10)).toBe(64)
  })

  it('reads the cursor context after labels, prefixes and the ; separator', () => {
    expect(gasX86Context('1:  hl')).toEqual({ kind: 'statement', prefix: 'hl' })
    expect(gasX86Context('    lock incl (%e')).toEqual({ kind: 'operand', mnemonic: 'incl', index: 0, prefix: '(%e'.slice(1) })
    expect(gasX86Context('    rep; movs')).toEqual({ kind: 'statement', prefix: 'movs' })
    expect(gasX86Context('    movl $1, %e')).toEqual({ kind: 'operand', mnemonic: 'movl', index: 1, prefix: '%e' })
    expect(gasX86Context('    nop # movl')).toEqual({ kind: 'comment' })
  })
})

describe('x86 GAS completion and hovers', () => {
  const att = { syntax: 'att' as const, prefix: true }
  const intel = { syntax: 'intel' as const, prefix: false }

  it('offers AT&T spellings in AT&T syntax and Intel names in Intel syntax', () => {
    const a = gasX86Completions({ kind: 'statement', prefix: 'mov' }, att, 32).map((c) => c.label)
    expect(a).toEqual(expect.arrayContaining(['movl', 'movb', 'movzbl', 'lret', 'ljmp', 'cltd']))
    const i = gasX86Completions({ kind: 'statement', prefix: 'mov' }, intel, 32).map((c) => c.label)
    expect(i).toEqual(expect.arrayContaining(['mov', 'movzx', 'retf']))
    expect(i).not.toContain('movl')
    expect(gasX86Completions({ kind: 'statement', prefix: '.co' }, att, 32).map((c) => c.label)).toEqual(expect.arrayContaining(['.code16', '.code32', '.code64', '.intel_syntax']))
  })

  it('leaves out instructions of other modes and registers the mode lacks', () => {
    const c32 = gasX86Completions({ kind: 'statement', prefix: '' }, intel, 32).map((c) => c.label)
    expect(c32).not.toContain('swapgs')
    expect(c32).toContain('pusha')
    const regs32 = gasX86Completions({ kind: 'operand', mnemonic: 'movl', index: 1, prefix: '%' }, att, 32).map((c) => c.label)
    expect(regs32).toContain('%esp')
    expect(regs32).not.toContain('%rax')
    expect(regs32).not.toContain('%r8d')
    const regs64 = gasX86Completions({ kind: 'operand', mnemonic: 'mov', index: 1, prefix: '' }, intel, 64, ['kernel_main']).map((c) => c.label)
    expect(regs64).toEqual(expect.arrayContaining(['rax', 'r8d', 'kernel_main']))
  })

  it('explains an AT&T mnemonic as the table instruction, size and forms, with its encodings', () => {
    const h = gasX86WordHover('movzbl', 'att', 32)!
    expect(h[0]).toContain('`movzx` with long (dword) operands from a byte source')
    expect(h[1]).toMatch(/movzx rv, r\/m8` — 0F B6 \/r/)
    expect(h.join('\n')).toContain('AT&T writes the operands source first')
    const l = gasX86WordHover('ljmp', 'att', 32)!
    expect(l[0]).toContain('far `jmp`')
    expect(gasX86WordHover('%cr3', 'att', 64)![0]).toContain('control register')
    expect(gasX86WordHover('.code16', 'att', 32)![0]).toContain('.code16')
    expect(gasX86WordHover('swapgs', 'intel', 32)!.join('\n')).toContain('not available in `.code32`')
  })

  it('maps AT&T names to the table as the front end does (shared function)', () => {
    expect(attMnemonic('movl', false)).toEqual({ mnemonic: 'mov', size: 32 })
    expect(attMnemonic('movslq', false)).toEqual({ mnemonic: 'movsxd', size: 64, srcSize: 32 })
    expect(attMnemonic('fildll', false)).toEqual({ mnemonic: 'fild', size: 64 })
    expect(gasX86Instruction('movq', 'att')).toEqual({ mnemonic: 'mov', size: 64 })
    expect(gasX86Instruction('movl', 'intel')).toEqual({ mnemonic: 'mov', size: 32 })
    expect(attMnemonicSpellings()).toEqual(expect.arrayContaining(['addl', 'fldl', 'fistpll', 'movzwl', 'lretq', 'iretq']))
    expect(attMnemonicSpellings()).not.toContain('clcl')
  })

  it('lists x86 directives without the RISC-V-only ones, with .word as 2 bytes', () => {
    const names = X86_GAS_DIRECTIVES.map((d) => d.name)
    expect(names).not.toContain('.option')
    expect(new Set(names).size).toBe(names.length)
    expect(X86_GAS_DIRECTIVES.find((d) => d.name === '.word')!.summary).toContain('2 bytes')
  })

  it('finds label definitions in x86 GAS files for go to definition', () => {
    expect(findDefinitions('long_mode', [{ path: 'boot.S', text: SRC, language: 'x86-gas' }])).toEqual([{ path: 'boot.S', line: 9, column: 1, endColumn: 10 }])
  })
})

describe('x86 GAS files are told from RISC-V ones', () => {
  it('by their text: .code32, %registers, AT&T mnemonics vs RISC-V instructions and .option', () => {
    expect(gasArchOfText(SRC)).toBe('x86-gas')
    expect(gasArchOfText('.intel_syntax noprefix\nmov eax, 1\n')).toBe('x86-gas')
    expect(gasArchOfText('_start:\n    la sp, stack_top\n    call kmain\n')).toBe('riscv-asm')
    expect(gasArchOfText('    .option norvc\n')).toBe('riscv-asm')
    expect(gasArchOfText('    .globl x\n    .data\nx: .quad 1\n')).toBeUndefined()
  })

  it('by the project when the text does not say; .asm stays nasm', () => {
    expect(languageOf('boot.S', { text: SRC })).toBe('x86-gas')
    expect(languageOf('data.s', { text: '.data\n.quad 1\n', x86Project: true })).toBe('x86-gas')
    expect(languageOf('data.s', { text: '.data\n.quad 1\n' })).toBe('riscv-asm')
    expect(languageOf('entry.S', { text: 'la sp, top\n', x86Project: true })).toBe('riscv-asm')
    expect(languageOf('boot.asm', { x86Project: true })).toBe('nasm')
  })
})
