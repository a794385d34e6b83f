/**
 * GNU as x86 errors are one line with file:line:column and a hint, like the RISC-V front end's:
 * registers of another mode, two memory operands, unknown mnemonics (with a guess), bad
 * operands, 64-bit code in an elf32 object, out-of-range values and jumps.
 */
import { describe, expect, it } from 'vitest'
import { assembleGasX86 } from '../../../../../src/main/toolchain/asm/gas-x86'

function firstError(src: string, elf: 32 | 64 = 32) {
  const r = assembleGasX86(src, { file: 'boot.s', elf })
  expect(r.object).toBeUndefined()
  const e = r.diagnostics.find((d) => d.severity === 'error')!
  expect(e.message).not.toContain('\n')
  return { message: e.message, hint: e.hint, line: e.loc?.line, column: e.loc?.column, file: e.loc?.file }
}

describe('GNU as x86 diagnostics', () => {
  it('says a 64-bit register is not available in 32-bit code, at the operand', () => {
    expect(firstError('\tnop\n\tmovq %rax, %rbx\n')).toMatchObject({ file: 'boot.s', line: 2, column: 7, message: '`rax` is not available in `.code32`' })
  })

  it('refuses two memory operands with the fix', () => {
    const e = firstError('\tmovl (%eax), (%ebx)\n')
    expect(e).toMatchObject({ line: 1, message: '`mov` cannot take two memory operands', hint: 'load one of them into a register first' })
  })

  it('guesses the mnemonic that was meant', () => {
    expect(firstError('\tmovzbll %al, %eax\n\tlgdtx gdtr\n')).toMatchObject({ line: 1, column: 2, message: 'no such instruction: `movzbll`' })
    expect(firstError('\tljump $8, $x\n').hint).toBe('did you mean `ljmp`?')
  })

  it('points at a bad register name and a bad scale', () => {
    expect(firstError('\tmovl %eaz, %ebx\n')).toMatchObject({ line: 1, column: 8, message: 'bad register name `%eaz`' })
    expect(firstError('\tmovl (%eax,%ebx,3), %ecx\n')).toMatchObject({ line: 1, message: 'scale factor of 3 is not one of 1, 2, 4 or 8' })
  })

  it('refuses .code64 in an elf32 object and says how to build 64-bit code', () => {
    const e = firstError('\t.code64\n')
    expect(e.message).toBe('64-bit code is not possible in an elf32 object (as --32)')
    expect(e.hint).toContain('--arch x86_64')
  })

  it('reports values that do not fit once they are known, and short jumps out of reach', () => {
    expect(firstError('\t.byte end - start\nstart:\n\t.fill 300, 1, 0\nend:\n')).toMatchObject({ line: 1, message: 'value of 300 too large for field of 1 byte' })
    expect(firstError('\tjecxz far\n\t.fill 200, 1, 0x90\nfar:\n')).toMatchObject({ line: 1, message: 'jump target is out of range (200 does not fit in 8 bits)' })
  })

  it('names the TLS operators of the other ELF class and refuses @tpoff as a RIP-relative address', () => {
    expect(firstError('\tmovq %fs:x@ntpoff, %rax\n', 64)).toMatchObject({ line: 1, message: '@NTPOFF reloc is not supported with 64-bit output format' })
    expect(firstError('\tleal x@tlsld(%ebx), %eax\n').message).toBe('@TLSLD reloc is not supported with 32-bit output format')
    expect(firstError('\tmovl x@tpoff(%rip), %eax\n', 64)).toMatchObject({ message: 'non-pc-relative relocation for pc-relative field' })
    expect(firstError('\tmovl x@tpofff, %eax\n').message).toBe('unknown relocation operator `@tpofff`')
  })

  it('refuses an alignment on .lcomm (x86 ELF takes none), a weak common and a common that is defined', () => {
    expect(firstError('\t.lcomm buf, 16, 8\n')).toMatchObject({ line: 1, message: '.lcomm takes a symbol, a size' })
    expect(firstError('\t.weak w\n\t.comm w, 4\n').message).toBe('symbol `w` can not be both weak and common')
    expect(firstError('x:\n\t.comm x, 4\n').message).toBe('symbol `x` is already defined')
    expect(firstError('\t.comm x, 4, 3\n').message).toBe('common alignment 3 is not a power of 2')
  })

  it('refuses non-zero data in a @nobits section with GNU as\'s words (zeros are space there)', () => {
    expect(firstError('\t.bss\n\t.byte 0\n\t.long 5\n')).toMatchObject({ line: 3, message: 'attempt to store non-zero value in section `.bss`' })
    expect(firstError('\t.bss\n\t.fill 2, 4, 1\n')).toMatchObject({ line: 2, message: 'attempt to fill section `.bss` with non-zero value' })
    expect(firstError('\t.section .mybss, "aw", @nobits\n\t.ascii "x"\n').hint).toContain('`.data`')
    const ok = assembleGasX86('\t.bss\n\t.byte 0\n\t.asciz ""\n\t.balign 8, 1\n', { file: 'boot.s', elf: 32 })
    expect(ok.object?.sections.find((s) => s.name === '.bss')?.size).toBe(8)
    expect(ok.diagnostics).toMatchObject([{ severity: 'warning', message: 'ignoring fill value in section `.bss`', loc: { line: 4 } }])
  })

  it('names the pseudo-prefixes it knows when given another', () => {
    expect(firstError('\t{vex} movl %eax, %ebx\n')).toMatchObject({ line: 1, column: 2, message: 'pseudo-prefix `{vex}` is not supported' })
    expect(firstError('\t{load}\n').message).toBe('expected an instruction after `{load}`')
  })

  it('reports an undefined numeric label at its reference', () => {
    expect(firstError('\tjmp 1f\n\tret\n')).toMatchObject({ line: 1, message: 'undefined local label `1f`' })
  })
})
