import { describe, expect, it } from 'vitest'
import { parseNumber, parseScript } from '../../../../src/main/toolchain/link/script-parser'
import type { OutputSectionStmt } from '../../../../src/main/toolchain/link/script-ast'

const RICH = `/* every construct the parser knows */
OUTPUT_FORMAT("elf64-littleriscv", "elf64-littleriscv", "elf64-littleriscv")
OUTPUT_ARCH(riscv)
ENTRY(_start)
MEMORY {
  ROM (rx) : ORIGIN = 0x20000000, LENGTH = 64K
  RAM (!rx) : org = 0x80000000, l = 128M
}
PHDRS { text PT_LOAD FILEHDR PHDRS; data PT_LOAD AT(0x80100000) FLAGS(6); }
BASE = 0xffffffff80200000;
SECTIONS {
  . = BASE;
  PROVIDE(__start = .);
  PROVIDE_HIDDEN(__h = . + 1);
  HIDDEN(__x = 2);
  .text ALIGN(8) : AT(0x80200000) SUBALIGN(4) {
    KEEP(*(.text.entry))
    *(EXCLUDE_FILE(*crt0.o) .text .text.*)
    EXCLUDE_FILE(a.o b.o) *(.init)
    *(SORT(.text.sorted.*)) *(SORT_BY_ALIGNMENT(SORT_BY_NAME(.x*)))
    boot.o(.text)
    FILL(0x90909090)
    . = ALIGN(16);
  } > RAM AT> ROM :text =0x13
  .data : { BYTE(1) SHORT(2) LONG(3) QUAD(4) SQUAD(-5) *(.data) } :data
  .bss (NOLOAD) : ONLY_IF_RW { *(.bss) *(COMMON) }
  /DISCARD/ : { *(.comment) }
  x = a < b ? MAX(a, b) : MIN(a, b) << 2 >> 1 & 0xff | 3;
  y += 1; y -= 1; y *= 2; y /= 2; y <<= 1; y >>= 1; y &= 7; y |= 8;
  ASSERT(. > 0, "dot moved");
  z = ADDR(.text) + SIZEOF(.text) + LOADADDR(.data) + ALIGNOF(.data) + ORIGIN(RAM) + LENGTH(RAM) + DEFINED(x)
      + ABSOLUTE(.) + SEGMENT_START("text-segment", 0x10000) + CONSTANT(MAXPAGESIZE) + SIZEOF_HEADERS + 4K + 1M;
}
`

describe('parseScript', () => {
  it('parses every directive of a rich script into statements', () => {
    const r = parseScript(RICH, 'rich.ld')
    expect(r.diagnostics).toEqual([])
    const s = r.script!
    expect(s.entry?.name).toBe('_start')
    expect(s.outputArch).toBe('riscv')
    expect(s.memory.map((m) => [m.name, m.attrs])).toEqual([['ROM', 'rx'], ['RAM', '!rx']])
    expect(s.phdrs?.map((p) => [p.name, p.fileHdr, p.phdrs, !!p.at, !!p.flags])).toEqual([['text', true, true, false, false], ['data', false, false, true, true]])
    const sections = s.items.find((i) => i.kind === 'sections')
    if (!sections || sections.kind !== 'sections') throw new Error('no SECTIONS')
    const text = sections.items.find((i) => i.kind === 'output' && i.name === '.text') as OutputSectionStmt
    expect(text.region).toBe('RAM')
    expect(text.lmaRegion).toBe('ROM')
    expect(text.phdrs).toEqual(['text'])
    // `ALIGN(8)` before the colon is the address, as in ld.
    expect(text.addr && text.at && text.subalign && text.fill).toBeTruthy()
    const inputs = text.items.filter((i) => i.kind === 'input')
    expect(inputs[0]).toMatchObject({ keep: true, filePattern: '*', sections: [{ pattern: '.text.entry' }] })
    expect(inputs[1]).toMatchObject({ sections: [{ pattern: '.text', excludeFiles: ['*crt0.o'] }, { pattern: '.text.*', excludeFiles: [] }] })
    expect(inputs[2]).toMatchObject({ excludeFiles: ['a.o', 'b.o'], sections: [{ pattern: '.init' }] })
    expect(inputs[3]).toMatchObject({ sections: [{ pattern: '.text.sorted.*', sort: 'name' }] })
    expect(inputs[5]).toMatchObject({ filePattern: 'boot.o' })
    const bss = sections.items.find((i) => i.kind === 'output' && i.name === '.bss') as OutputSectionStmt
    expect(bss.type).toBe('NOLOAD')
    expect(bss.constraint).toBe('ONLY_IF_RW')
    expect(sections.items.some((i) => i.kind === 'output' && i.name === '/DISCARD/')).toBe(true)
  })

  it('reads numbers with K and M suffixes, hex, octal and radix suffixes', () => {
    expect(parseNumber('4K')).toBe(4096n)
    expect(parseNumber('2M')).toBe(2n * 1024n * 1024n)
    expect(parseNumber('0x80200000')).toBe(0x80200000n)
    expect(parseNumber('010')).toBe(8n)
    expect(parseNumber('ffh')).toBe(255n)
    expect(parseNumber('12z')).toBeUndefined()
  })

  it('points a missing semicolon at the line and column where it went wrong', () => {
    const r = parseScript('SECTIONS {\n  . = 0x80000000\n  .text : { *(.text) }\n}\n', 'k.ld')
    expect(r.script).toBeUndefined()
    const d = r.diagnostics[0]
    expect(d.code).toBe('link.script_syntax')
    expect(d.loc).toEqual({ file: 'k.ld', line: 3, column: 3 })
    expect(d.hint).toMatch(/semicolon/)
  })

  it('reports an unclosed SECTIONS block', () => {
    const r = parseScript('SECTIONS {\n .text : { *(.text) }\n', 'k.ld')
    expect(r.diagnostics[0].message).toMatch(/SECTIONS is not closed/)
  })

  it('reports an unknown directive with what it expected', () => {
    const r = parseScript('SECTONS { }', 'k.ld')
    expect(r.diagnostics[0].message).toMatch(/SECTONS|expected/)
    expect(r.diagnostics[0].loc).toMatchObject({ line: 1, column: 1 })
  })

  it('keeps an error on one line when the token it quotes spans lines or is long (fuzz inputs)', () => {
    // A string running over several lines taken as an output section's name; junk taken as a directive.
    const inputs = [
      'SECTIONS {\n  . = 0x80000000;\n" .+ = 0xffffffffffffffff\n  ASSERT(SIZEOF(.text) < 0x1000, "text too big")\n}\n',
      'OUTPUT_ARCH( scv" )\nENTRY( _entry )\n\nSCTIONS\n{\n . = 0x80000000;\n}\n"',
      '/y(!@;[\\\n\n0qzL%04AORIGIN(4g,y|wa0/tF99999999999999999999r1K~OUTPUT_ARCH(riscv)4u0x8000000000000000',
    ]
    for (const text of inputs) {
      const d = parseScript(text, 'k.ld').diagnostics[0]
      expect(d.code).toBe('link.script_syntax')
      expect(d.message).not.toContain('\n')
      expect(d.message.length).toBeLessThan(160)
    }
  })

  it('includes files through readFile, and names a missing one', () => {
    const files: Record<string, string> = { 'mem.ld': 'MEMORY { RAM (rwx) : ORIGIN = 0x80000000, LENGTH = 1M }' }
    const ok = parseScript('INCLUDE mem.ld\nSECTIONS { .text : { *(.text) } > RAM }', 'k.ld', { readFile: (p) => files[p] })
    expect(ok.diagnostics).toEqual([])
    expect(ok.script!.memory[0].name).toBe('RAM')
    const missing = parseScript('INCLUDE nope.ld', 'k.ld', { readFile: (p) => files[p] })
    expect(missing.diagnostics[0]).toMatchObject({ code: 'link.script_syntax', loc: { file: 'k.ld', line: 1, column: 9 } })
    expect(missing.diagnostics[0].message).toContain('nope.ld')
  })

  it('stops a script that includes itself', () => {
    const r = parseScript('INCLUDE self.ld', 'self.ld', { readFile: () => 'INCLUDE self.ld' })
    expect(r.diagnostics[0].message).toMatch(/nested more than/)
  })

  it('never throws or hangs on 100 000 mangled scripts', () => {
    let seed = 0xdecafbad
    const rand = (n: number) => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) % n
    }
    const ALPHABET = '{}()[];:=,.*?"/<>!~+-|&^%0123456789abcdefxKM \n\tSECTIONSALIGN'
    const tokens = RICH.split(/(\s+)/)
    let failures = 0
    for (let i = 0; i < 100_000; i++) {
      let text: string
      const mode = i % 3
      if (mode === 0) {
        const chars = RICH.split('')
        for (let k = 0, n = 1 + rand(6); k < n; k++) chars[rand(chars.length)] = ALPHABET[rand(ALPHABET.length)]
        text = chars.join('')
      } else if (mode === 1) {
        const t = tokens.slice()
        for (let k = 0, n = 1 + rand(4); k < n; k++) t.splice(rand(t.length), 1)
        text = t.join('')
      } else {
        text = RICH.slice(0, rand(RICH.length))
      }
      const r = parseScript(text, 'fuzz.ld', { readFile: () => undefined })
      if (!r.script) {
        failures++
        expect(r.diagnostics[0].loc?.line).toBeGreaterThan(0)
      }
    }
    expect(failures).toBeGreaterThan(10_000)
  })
})
