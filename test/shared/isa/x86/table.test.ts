/**
 * The x86 table is the single source of encodings for both assemblers, the disassembler and
 * the x86 hart's generated decoder, so its invariants are checked here: rows parse, names are
 * unique, decodable rows never overlap unless declared, and the lookups find what they should.
 */
import { describe, expect, it } from 'vitest'
import { ALLOWED_OVERLAPS, X86_MNEMONICS, X86_ROWS, isDecodable, x86DecodeCandidates, x86RowsByMnemonic, type X86Row } from '../../../../src/shared/isa/x86'

/** Whether two decodable rows can match the same instruction bytes in some mode. */
function overlap(a: X86Row, b: X86Row): boolean {
  if (a.map !== b.map || a.prefix !== b.prefix || !(a.modes & b.modes)) return false
  const range = (r: X86Row) => [r.opcode, r.opcode + (r.plusReg ? 7 : 0)]
  const [a0, a1] = range(a)
  const [b0, b1] = range(b)
  if (a1 < b0 || b1 < a0) return false
  const sa = a.opsize
  const sb = b.opsize
  if (typeof sa === 'number' && typeof sb === 'number' && sa !== sb) return false
  if (a.addrSize !== undefined && b.addrSize !== undefined && a.addrSize !== b.addrSize) return false
  if (!a.modrm || !b.modrm) return true // same opcode, one without ModRM: the decoder could not tell
  const ra = a.modrm.reg
  const rb = b.modrm.reg
  if (ra !== 'r' && rb !== 'r' && !a.modrm.anyReg && !b.modrm.anyReg && ra !== rb) return false
  if (a.modrm.mod !== 'any' && b.modrm.mod !== 'any' && a.modrm.mod !== b.modrm.mod && !a.flags.nomod && !b.flags.nomod) return false
  if (a.modrm.rm !== undefined && b.modrm.rm !== undefined && a.modrm.rm !== b.modrm.rm) return false
  return true
}

describe('x86 table rows', () => {
  it('parse into unique names, each valid in some mode', () => {
    expect(X86_ROWS.length).toBeGreaterThan(800)
    expect(new Set(X86_ROWS.map((r) => r.name)).size).toBe(X86_ROWS.length)
    for (const r of X86_ROWS) expect({ row: r.source, modes: r.modes > 0 }).toEqual({ row: r.source, modes: true })
  })

  it('cover what the x86 hart and kernels need: system, string, x87 and SSE2 instructions', () => {
    const need = ['lgdt', 'lidt', 'ltr', 'invlpg', 'iretq', 'syscall', 'sysret', 'sysenter', 'swapgs', 'cpuid', 'rdmsr', 'wrmsr', 'rdtsc', 'rdtscp',
      'in', 'out', 'insb', 'outsd', 'movsq', 'stosb', 'cmpxchg8b', 'cmpxchg16b', 'xadd', 'bswap', 'popcnt', 'lzcnt', 'tzcnt', 'movsxd', 'cqo',
      'fninit', 'fxsave', 'fxrstor', 'fnstcw', 'fldcw', 'movdqa', 'movdqu', 'movaps', 'pxor', 'movq', 'movd', 'cvtsi2sd', 'lfence', 'mfence', 'pause', 'ud2', 'hlt', 'wbinvd', 'invd']
    expect(need.filter((m) => x86RowsByMnemonic(m).length === 0)).toEqual([])
    expect(X86_MNEMONICS).toContain('jnz')
  })

  it('do not overlap unless the overlap is declared', () => {
    const allowed = new Set(ALLOWED_OVERLAPS.map(([s, g]) => `${s}|${g}`))
    const rows = X86_ROWS.filter(isDecodable)
    const bad: string[] = []
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++)
        if (overlap(rows[i], rows[j]) && !allowed.has(`${rows[i].name}|${rows[j].name}`) && !allowed.has(`${rows[j].name}|${rows[i].name}`)) bad.push(`${rows[i].name} ~ ${rows[j].name}`)
    expect(bad).toEqual([])
  })

  it('declares only overlaps that exist, with rows that exist', () => {
    const byName = new Map(X86_ROWS.map((r) => [r.name, r]))
    for (const [s, g] of ALLOWED_OVERLAPS) {
      expect(byName.has(s), s).toBe(true)
      expect(byName.has(g), g).toBe(true)
      expect(overlap(byName.get(s)!, byName.get(g)!), `${s} ~ ${g}`).toBe(true)
    }
  })

  it('decode candidates put the specific row first (nop before xchg, REX.W variants before their base)', () => {
    expect(x86DecodeCandidates('legacy', 0x90).map((r) => r.mnemonic)).toEqual(['pause', 'nop', 'xchg'])
    expect(x86DecodeCandidates('legacy', 0x93).map((r) => r.mnemonic)).toEqual(['xchg'])
    expect(x86DecodeCandidates('0F', 0xc7)[0].mnemonic).toBe('cmpxchg16b')
    expect(x86DecodeCandidates('0F', 0x01).slice(0, 4).every((r) => r.modrm?.rm !== undefined)).toBe(true)
    expect(x86DecodeCandidates('0F', 0xbc).map((r) => r.mnemonic)).toEqual(['tzcnt', 'bsf'])
  })

  it('keeps assembler-only spellings out of the decoder', () => {
    expect(x86DecodeCandidates('legacy', 0x74).map((r) => r.mnemonic)).toEqual(['je'])
    expect(x86DecodeCandidates('legacy', 0xd7).map((r) => r.mnemonic)).toEqual(['xlatb'])
  })
})
