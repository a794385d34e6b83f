/**
 * The NASM editor features, without Monaco: comments and words, the cursor's context, the
 * `bits` in force, completions by mode (no `rax` in 32-bit code), hovers with encodings from
 * the x86 table, macros and labels found in the text, `.local` label definitions, and that
 * the shared vocabulary lists exactly the directives the NASM front end handles.
 */
import { describe, expect, it } from 'vitest'
import { bitsAt, encodingText, findNasmLocalLabel, macrosIn, nasmCommentStart, nasmCompletions, nasmContext, nasmLabelsIn, nasmWordAt, nasmWordHover } from '../../../../src/renderer/src/features/editor/nasm-features'
import { findDefinitions } from '../../../../src/renderer/src/features/editor/definitions'
import { NASM_DIRECTIVES } from '../../../../src/shared/asm/nasm-vocabulary'
import { DIRECTIVE_HANDLERS } from '../../../../src/main/toolchain/asm/nasm/directives'
import { languageOf } from '../../../../src/shared/api/workspace'
import { x86RowsByMnemonic } from '../../../../src/shared/isa/x86'

const SRC = `bits 32
%define VGA 0xb8000
%macro print 1
    mov al, %1
%endmacro
start:
    mov esp, stack_top ; "not a ; string"
.loop:
    jmp .loop
check:
.loop:
    jne .loop
bits 64
long_mode:
    mov rax, 1
gdt64 equ 0
`

describe('NASM editor features', () => {
  it('opens .asm and .nasm files as NASM', () => {
    expect(languageOf('boot/boot.asm')).toBe('nasm')
    expect(languageOf('x.NASM')).toBe('nasm')
    expect(languageOf('entry.S')).toBe('riscv-asm')
  })

  it('finds comments outside strings and words with NASM characters', () => {
    expect(nasmCommentStart("db 'a;b', 0 ; c")).toBe(12)
    expect(nasmWordAt('    jmp .loop', 11)).toEqual({ word: '.loop', start: 9, end: 14 })
    expect(nasmWordAt('%define VGA 1', 3)?.word).toBe('%define')
    expect(nasmWordAt('mov al, 1 ; comment', 15)).toBeUndefined()
  })

  it('knows what the cursor is in: statement, operand n, comment; after labels, prefixes and times', () => {
    expect(nasmContext('  mo')).toEqual({ kind: 'statement', prefix: 'mo' })
    expect(nasmContext('start: mov eax, e')).toEqual({ kind: 'operand', mnemonic: 'mov', index: 1, prefix: 'e' })
    expect(nasmContext('rep movs')).toEqual({ kind: 'statement', prefix: 'movs' })
    expect(nasmContext('times 510-($-$$) d')).toEqual({ kind: 'statement', prefix: 'd' })
    expect(nasmContext('nop ; mo')).toEqual({ kind: 'comment' })
  })

  it('reads the bits in force at a line', () => {
    expect(bitsAt(SRC, 7)).toBe(32)
    expect(bitsAt(SRC, 15)).toBe(64)
    expect(bitsAt('nop\n', 1, 32)).toBe(32)
    expect(bitsAt('[BITS 16]\nnop\n', 2)).toBe(16)
  })

  it('completes instructions with their operand forms, and registers of the current mode only', () => {
    const stmt = nasmCompletions({ kind: 'statement', prefix: 'l' }, 32)
    const lgdt = stmt.find((c) => c.label === 'lgdt')!
    expect(lgdt.detail).toBe('lgdt m')
    expect(lgdt.documentation).toMatch(/GDT register/)
    expect(stmt.some((c) => c.label === 'swapgs')).toBe(false) // 64-bit only
    expect(stmt.some((c) => c.label === 'section' && c.kind === 'directive')).toBe(true)
    const ops32 = nasmCompletions({ kind: 'operand', mnemonic: 'mov', index: 0, prefix: '' }, 32).map((c) => c.label)
    expect(ops32).toContain('eax')
    expect(ops32).not.toContain('rax')
    expect(ops32).not.toContain('r8d')
    const ops64 = nasmCompletions({ kind: 'operand', mnemonic: 'mov', index: 0, prefix: '' }, 64, ['kmain'], macrosIn(SRC)).map((c) => c.label)
    expect(ops64).toEqual(expect.arrayContaining(['rax', 'r15', 'cr3', 'xmm8', 'dword', 'kmain', 'VGA']))
    expect(nasmCompletions({ kind: 'statement', prefix: '%' }, 32).map((c) => c.label)).toContain('%macro')
  })

  it('hovers an instruction with its summary and encodings, a register with its class, a directive with its meaning', () => {
    const h = nasmWordHover('lgdt', 32)!
    expect(h[0]).toMatch(/^\*\*lgdt\*\* — Load the GDT register/)
    expect(h[1]).toBe('`lgdt m` — 0F 01 /2')
    expect(nasmWordHover('swapgs', 32)).toContain('not available in `bits 32`')
    expect(nasmWordHover('rax', 32)).toEqual(['**rax**: 64-bit general register 0', '`rax` is not available in `bits 32`'])
    expect(nasmWordHover('times', 64)![1]).toMatch(/Repeat a statement/)
  })

  it('writes encodings as the SDM does', () => {
    const row = (name: string) => x86RowsByMnemonic(name.split(' ')[0]).find((r) => r.name === name)!
    expect(encodingText(row('add r/mv,simm8 ; ov 83 /0'))).toBe('83 /0 ib')
    expect(encodingText(row('mov r64.rm,cr ; 0F 20 /r'))).toBe('0F 20 /r')
    expect(encodingText(row('swapgs ; 0F 01 :F8'))).toBe('0F 01 F8')
    expect(encodingText(row('iretq ; o64 CF'))).toBe('REX.W CF')
  })

  it('finds labels, equ constants and macros in the text', () => {
    expect(nasmLabelsIn(SRC)).toEqual(['start', 'check', 'long_mode', 'gdt64'])
    expect(macrosIn(SRC)).toEqual([{ name: 'VGA', kind: 'define' }, { name: 'print', kind: 'macro' }])
  })

  it('goes to the `.local` label of the enclosing label, and to definitions across files', () => {
    expect(findNasmLocalLabel('.loop', SRC, 9)).toEqual({ line: 8, column: 1, endColumn: 6 })
    expect(findNasmLocalLabel('.loop', SRC, 12)).toEqual({ line: 11, column: 1, endColumn: 6 })
    const defs = findDefinitions('VGA', [{ path: 'boot.asm', text: SRC, language: 'nasm' }])
    expect(defs).toEqual([{ path: 'boot.asm', line: 2, column: 9, endColumn: 12 }])
    expect(findDefinitions('gdt64', [{ path: 'boot.asm', text: SRC, language: 'nasm' }])).toEqual([{ path: 'boot.asm', line: 16, column: 1, endColumn: 6 }])
  })

  it('lists exactly the directives the NASM front end handles', () => {
    const blockDirectives = ['align', 'alignb', 'struc', 'endstruc', 'istruc', 'at', 'iend']
    expect(NASM_DIRECTIVES.map((d) => d.name).sort()).toEqual([...Object.keys(DIRECTIVE_HANDLERS), ...blockDirectives].sort())
  })
})
