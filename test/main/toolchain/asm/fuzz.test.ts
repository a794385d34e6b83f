/**
 * The assembler must survive any input: 100 000 random and mutated programs (slices of the
 * fixture corpus with characters, tokens and lines mutated) must never throw and never hang.
 * Runaway `.rept`/macro recursion is bounded by limits that produce diagnostics.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../src/main/toolchain/asm'

const FIXTURES = join(__dirname, '../../../fixtures/asm')
const corpus = readdirSync(FIXTURES).map((f) => ({ name: f, lines: readFileSync(join(FIXTURES, f), 'utf8').split('\n') }))

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5
    return (x >>>= 0)
  }
}

const TOKENS = [
  ',', '(', ')', '%hi(', '%lo(', '%pcrel_lo(', '1b', '1f', '.', ':', ';', '#', '"', "'", '\\', '-', '<<', '>>', '*', '/', '%',
  '0x', '99999999999999999999', '-2049', '4096', 'sp', 'x0', 'a0', 'zero', '.rept 5', '.endr', '.macro m a', '.endm', 'm 1',
  '.irp x, 1, 2', '.section', '.text', '.bss', '.align 12', '.space 16', '.equ Q, Q+1', '.set n, n*2', '#if', '#endif', '#define X X',
  '#include "x"', '.incbin "x"', 'li', 'la', 'call', 'c.lui', '\n', '\t', '\u00e9', '\0', '.option pop', '.option push', '/*', '*/',
]

function mutate(next: () => number): { src: string; file: string } {
  const doc = corpus[next() % corpus.length]
  const start = next() % doc.lines.length
  const lines = doc.lines.slice(start, start + 1 + (next() % 12))
  const n = next() % 6
  for (let k = 0; k < n; k++) {
    const li = next() % lines.length
    const line = lines[li]
    const pos = line.length ? next() % line.length : 0
    switch (next() % 7) {
      case 0: lines[li] = line.slice(0, pos) + line.slice(pos + 1 + (next() % 4)); break
      case 1: lines[li] = line.slice(0, pos) + TOKENS[next() % TOKENS.length] + line.slice(pos); break
      case 2: lines[li] = line.slice(0, pos) + String.fromCharCode(next() % 128) + line.slice(pos); break
      case 3: lines.splice(li, 1, line, line); break
      case 4: lines.splice(li, 1); if (!lines.length) lines.push(''); break
      case 5: lines[li] = line.replace(/[0-9]+/, String(next() % 3 ? next() % 3000 : next())); break
      default: lines[li] = TOKENS[next() % TOKENS.length] + ' ' + TOKENS[next() % TOKENS.length]
    }
  }
  return { src: lines.join('\n'), file: next() % 2 ? 'f.S' : 'f.s' }
}

function randomText(next: () => number): string {
  const len = next() % 120
  let s = ''
  for (let i = 0; i < len; i++) s += next() % 5 === 0 ? TOKENS[next() % TOKENS.length] : String.fromCharCode(32 + (next() % 95))
  return s
}

/** A hang detector, not a speed assertion: any input should finish in far less. */
const HANG_MS = 5000

describe('assembler fuzzing', () => {
  it('never throws or hangs on 100 000 random and mutated inputs', () => {
    const next = rng(0xa55)
    const readFile = (p: string) => (p === 'x' ? new TextEncoder().encode('nop\n#include "x"\n.include "x"\n') : undefined)
    let slowest = 0
    let failures = 0
    let withObject = 0
    for (let i = 0; i < 100_000; i++) {
      const { src, file } = i % 4 === 0 ? { src: randomText(next), file: 'r.s' } : mutate(next)
      const t0 = performance.now()
      try {
        const r = assemble(src, { file, readFile })
        if (r.object) withObject++
        if (!r.object && !r.diagnostics.some((d) => d.severity === 'error')) failures++
      } catch (e) {
        throw new Error(`assemble threw on input #${i} (${JSON.stringify(src)})`, { cause: e })
      }
      slowest = Math.max(slowest, performance.now() - t0)
    }
    expect(failures).toBe(0) // no object always comes with an error diagnostic
    expect(withObject).toBeGreaterThan(10_000) // the mutations still produce many valid programs
    expect(slowest).toBeLessThan(HANG_MS)
  })
})
