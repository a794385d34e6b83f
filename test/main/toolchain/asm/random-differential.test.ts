/**
 * Randomised differential tests against GNU as: thousands of `li` constants (GNU's exact
 * sequences) and thousands of table instructions with random registers and immediates (so
 * automatic compression is exercised on every alias row). Deterministic seeds.
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../src/main/toolchain/asm'
import { INSTRUCTIONS, INT_ABI_NAMES, FLOAT_ABI_NAMES, type IsaRow } from '../../../../src/shared/isa'
import { gnuAs } from '../../../support/oracles'
import { gnuAssemble, summarize } from './gnu-object'

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5
    return (x >>>= 0)
  }
}

function randomConstant(next: () => number): bigint {
  const kind = next() % 6
  const r64 = (BigInt(next()) << 32n) | BigInt(next())
  switch (kind) {
    case 0: return BigInt.asIntN(64, r64)
    case 1: return BigInt.asIntN(64, BigInt(next() % 4096) - 2048n)
    case 2: return BigInt.asIntN(64, BigInt.asIntN(32, BigInt(next())))
    case 3: return BigInt.asIntN(64, (BigInt(next() % 64) === 0n ? 1n : BigInt(next() & 0xfff)) << BigInt(next() % 60))
    case 4: return BigInt.asIntN(64, r64 & ~((1n << BigInt(next() % 64)) - 1n))
    default: return BigInt.asIntN(64, BigInt(next() & 0xfffff) << 12n)
  }
}

function randomOperands(row: IsaRow, next: () => number): string | undefined {
  const x = () => INT_ABI_NAMES[next() % 32]
  const xc = () => INT_ABI_NAMES[next() % 4 === 0 ? next() % 32 : 8 + (next() % 8)]
  const f = () => FLOAT_ABI_NAMES[next() % 32]
  const imm12 = () => String((next() % 4096) - 2048)
  const small = () => String((next() % 80) - 16)
  const parts = row.operands ? row.operands.split(',') : []
  const out: string[] = []
  for (const p of parts) {
    switch (p) {
      case 'rd': case 'rs1': case 'rs2': out.push(next() % 2 ? xc() : x()); break
      case 'fd': case 'fs1': case 'fs2': case 'fs3': out.push(f()); break
      case 'imm': out.push(row.format === 'U' ? String(next() % 0x100000) : next() % 2 ? small() : imm12()); break
      case 'uimm': out.push(String(next() % 32)); break
      case 'shamt': out.push(String(next() % (row.format === 'SHIFT32' ? 32 : 64))); break
      case 'csr': out.push(['mstatus', 'sepc', 'satp', 'fcsr', '0x7c0'][next() % 5]); break
      case 'pred': case 'succ': out.push(['r', 'w', 'rw', 'iorw', 'io'][next() % 5]); break
      case 'rm': if (next() % 2) out.push(['rne', 'rtz', 'rdn', 'rup', 'rmm', 'dyn'][next() % 6]); break
      case 'imm(rs1)': {
        const base = next() % 3 === 0 ? 'sp' : xc()
        const scale = row.name.endsWith('d') ? 8 : 4
        out.push(`${next() % 2 ? (next() % 64) * scale : imm12()}(${base})`)
        break
      }
      case '(rs1)': out.push(`(${x()})`); break
      default: return undefined
    }
  }
  return out.join(', ')
}

const as = gnuAs()
describe.skipIf(as.missing)('random programs assemble like GNU as', () => {
  it('li: 3000 random 64-bit constants give GNU\'s exact sequences', () => {
    const next = rng(1234)
    const regs = ['a0', 't1', 's2', 'sp', 'x31', 'ra']
    const src = Array.from({ length: 3000 }, (_, i) => `li ${regs[i % regs.length]}, ${randomConstant(next)}`).join('\n') + '\n'
    const ours = assemble(src, { file: 'li.s' })
    expect(ours.diagnostics).toEqual([])
    const gnu = gnuAssemble(as.path!, src, 'li.s')
    expect(gnu.stderr).toBe('')
    expect(summarize(ours.object!).sections['.text']).toEqual(summarize(gnu.object!).sections['.text'])
  })

  it('5000 random instructions with random registers and immediates (compression included)', () => {
    const next = rng(21)
    const rows = INSTRUCTIONS.filter((r) => r.length === 4 && r.format !== 'B' && r.format !== 'J')
    const lines: string[] = []
    while (lines.length < 5000) {
      const row = rows[next() % rows.length]
      const ops = randomOperands(row, next)
      if (ops === undefined) continue
      lines.push(ops ? `${row.name} ${ops}` : row.name)
    }
    const src = lines.join('\n') + '\n'
    const ours = assemble(src, { file: 'rand.s' })
    const gnu = gnuAssemble(as.path!, src, 'rand.s')
    expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(gnu.stderr).toBe('')
    const a = summarize(ours.object!).sections['.text'].hex
    const b = summarize(gnu.object!).sections['.text'].hex
    if (a !== b) {
      // Point at the first differing instruction to make a failure readable.
      let i = 0
      while (i < a.length && a[i] === b[i]) i++
      const at = Math.floor(i / 2)
      const entry = ours.object!.lines.find((l) => l.offset <= at && at < l.offset + l.size)
      expect({ line: entry && lines[entry.line - 1], ours: a.slice(i - 8, i + 16), gnu: b.slice(i - 8, i + 16) }).toEqual({})
    }
  })

  it('random branches and jumps over random distances relax to the same sizes as GNU', () => {
    const next = rng(34)
    const lines: string[] = ['    .text']
    const labels = 60
    const conds = ['beqz a0', 'bnez s1', 'beqz t0', 'bltz a2', 'bgez a3', 'beq a0, a1', 'bne s0, zero', 'bgtu a4, a5', 'ble t1, t2']
    for (let l = 0; l < labels; l++) {
      lines.push(`L${l}:`)
      const n = 1 + (next() % 6)
      for (let k = 0; k < n; k++) {
        const t = `L${next() % labels}`
        switch (next() % 7) {
          case 0: lines.push(`    ${conds[next() % conds.length]}, ${t}`); break
          case 1: lines.push(`    j ${t}`); break
          case 2: lines.push(`    jal ${t}`); break
          case 3: lines.push(`    .space ${next() % 3 === 0 ? 2 * (next() % 1200) : 2 * (next() % 60)}`); break
          case 4: lines.push(`    beqz a0, ${next() % 2 ? 'external' : t}`); break
          case 5: lines.push(`    .p2align ${1 + (next() % 4)}`); break
          default: lines.push('    addi a0, a0, 1')
        }
      }
    }
    const src = lines.join('\n') + '\n'
    const ours = assemble(src, { file: 'br.s' })
    const gnu = gnuAssemble(as.path!, src, 'br.s')
    expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(gnu.stderr).toBe('')
    expect(summarize(ours.object!)).toEqual(summarize(gnu.object!))
  })
})
