/**
 * The NASM front end must survive any input: 100 000 random and mutated programs (slices of
 * the NASM fixture corpus with characters, tokens and lines mutated, and random token soup)
 * must never throw, never hang, and every failure must come with a one-line error that has a
 * file:line:column. Runaway macros, %rep and times are bounded by limits that produce errors.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assembleNasm } from '../../../../../src/main/toolchain/asm/nasm'

const FIXTURES = join(__dirname, '../../../../fixtures/nasm')
const corpus = readdirSync(FIXTURES).filter((f) => f.endsWith('.asm')).map((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n'))

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5
    return (x >>>= 0)
  }
}

const TOKENS = [
  ',', '[', ']', '(', ')', ':', ';', '"', "'", '`', '\\', '-', '<<', '>>>', '*', '//', '%%', '$', '$$', '?', '0x', '99999999999999999999999', '-129',
  'byte', 'dword', 'qword', 'strict', 'short', 'near', 'far', 'rel', 'abs', 'wrt ..plt', 'rax', 'eax', 'ah', 'sil', 'r15', 'cr3', 'xmm9', 'st3', 'fs:',
  'times 3', 'times -1', 'db', 'dq 1.5', 'resb', 'equ', 'bits 16', 'bits 64', 'section .bss', 'global x', 'extern y', 'default rel', 'align 4096',
  '%define X X', '%define F(a) a+F(a)', '%macro m 1', '%endmacro', 'm 1', '%rep 3', '%endrep', '%if 1', '%else', '%endif', '%assign i i+1', '%include "x"',
  'struc s', 'endstruc', 'istruc s', 'at s.a, db 1', 'iend', 'incbin "x"', 'jmp $', 'jmp short $+200', 'mov [rax], [rbx]', 'push', 'lock', 'rep',
  '\n', '\t', 'é', '\0', '%%l:', 'jmp %%l', '..@1', '.local', 'x:', 'x:', '0:0', 'jmp 0x08:x',
]

function mutate(next: () => number): string {
  const doc = corpus[next() % corpus.length]
  const start = next() % doc.length
  const lines = doc.slice(start, start + 1 + (next() % 16))
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
  return lines.join('\n')
}

function randomText(next: () => number): string {
  const len = next() % 160
  let s = ''
  for (let i = 0; i < len; i++) s += next() % 4 === 0 ? ' ' + TOKENS[next() % TOKENS.length] + ' ' : String.fromCharCode(32 + (next() % 95))
  return s
}

/** A hang detector, not a speed assertion: any input should finish in far less. */
const HANG_MS = 5000
const readFile = (p: string) => (p === 'x' ? new TextEncoder().encode('nop\n%include "x"\n') : undefined)

describe('NASM front end fuzzing', () => {
  for (let part = 0; part < 4; part++) {
    it(`never throws or hangs, and explains every failure (inputs ${part * 25_000}…${part * 25_000 + 24_999} of 100 000)`, () => {
      const next = rng(0x4a5 + part)
      let slowest = 0
      let withObject = 0
      const unexplained: string[] = []
      for (let i = 0; i < 25_000; i++) {
        const src = i % 4 === 0 ? randomText(next) : mutate(next)
        const t0 = performance.now()
        let r: ReturnType<typeof assembleNasm>
        try {
          r = assembleNasm(src, { file: 'f.asm', format: i % 3 === 0 ? 'elf32' : 'elf64', readFile })
        } catch (e) {
          throw new Error(`assembleNasm threw on input #${i} (${JSON.stringify(src)})`, { cause: e })
        }
        slowest = Math.max(slowest, performance.now() - t0)
        if (r.object) withObject++
        const errors = r.diagnostics.filter((d) => d.severity === 'error')
        if (!r.object && errors.length === 0) unexplained.push(src)
        for (const d of r.diagnostics) {
          if (!d.loc || d.loc.line < 1 || d.loc.column < 1 || d.message.includes('\n') || /\bat .*\(.*:\d+:\d+\)/.test(d.message)) unexplained.push(`${JSON.stringify(d)} for ${JSON.stringify(src)}`)
        }
      }
      expect(unexplained.slice(0, 5)).toEqual([])
      expect(withObject).toBeGreaterThan(2_500) // the mutations still produce many valid programs
      expect(slowest).toBeLessThan(HANG_MS)
    })
  }
})
