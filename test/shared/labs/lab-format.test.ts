/**
 * The lab.json format: what parses, into what, and how mistakes are reported (code and the
 * line/column of the offending value), plus a mutation fuzz proving no input makes it throw.
 */
import { describe, expect, it } from 'vitest'
import { parseLab, validateLab, LAB_FORMAT_VERSION, DEFAULT_LAB_MAX_STEPS, type Lab } from '../../../src/shared/labs/lab-format'
import { consoleCheckPasses } from '../../../src/shared/labs/console-match'
import { parseJsonWithPositions } from '../../../src/shared/labs/json-source'

const FILE = 'labs/demo/lab.json'

/** A minimal valid lab, with `checks` replaceable. */
function labJson(checks: unknown[] = [CONSOLE], extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      format: 1,
      id: 'demo',
      title: 'Demo',
      summary: 'A lab for tests.',
      files: ['entry.S'],
      build: { sources: ['entry.S'], linkerScript: 'linker.ld' },
      boot: { bios: 'builtin' },
      checks,
      ...extra,
    },
    null,
    2,
  )
}

const CONSOLE = { id: 'says-hi', kind: 'console', contains: 'hi', title: 'Says hi', message: 'It should say hi.' }

function parsed(text: string): Lab {
  const r = parseLab(text, FILE)
  if (!r.ok) throw new Error(`expected a valid lab, got ${r.error.code}: ${r.error.message}`)
  return r.value
}

function failure(text: string, options = {}) {
  const r = parseLab(text, FILE, options)
  if (r.ok) throw new Error('expected an error')
  return r.error
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function where(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle)
  if (i < 0) throw new Error(`${needle} not in text`)
  const before = text.slice(0, i).split('\n')
  return { line: before.length, column: before[before.length - 1].length + 1 }
}

describe('parseLab: valid labs', () => {
  it('reads a minimal lab and fills in the defaults', () => {
    const lab = parsed(labJson())
    expect(lab).toEqual({
      format: LAB_FORMAT_VERSION,
      id: 'demo',
      title: 'Demo',
      summary: 'A lab for tests.',
      readme: 'README.md',
      files: ['entry.S'],
      build: { sources: ['entry.S'], linkerScript: 'linker.ld', asFlags: ['-march=rv64gc'] },
      boot: { bios: 'builtin', memBytes: 128 * 1024 * 1024, maxSteps: DEFAULT_LAB_MAX_STEPS },
      solution: 'solution',
      checks: [{ id: 'says-hi', kind: 'console', title: 'Says hi', message: 'It should say hi.', points: 1, match: { contains: 'hi' }, absent: false }],
    })
  })

  it('normalizes hex values: case, underscores and leading zeros', () => {
    const lab = parsed(labJson([{ id: 'hi', kind: 'region_enter', from: '0xFFFF_FFFF_8000_0000', to: '0x00ffffffffffffffff', title: 't', message: 'm' }]))
    expect(lab.checks[0]).toMatchObject({ kind: 'region_enter', from: '0xffffffff80000000', to: '0xffffffffffffffff' })
  })

  it('reads every check kind into its discriminated shape', () => {
    const base = (id: string) => ({ id, title: 'T', message: 'M' })
    const lab = parsed(
      labJson([
        { ...base('a'), kind: 'console', regex: 'x\\d+', flags: 'm', absent: true, points: 3, hint: 'h' },
        { ...base('b'), kind: 'satp_write', mode: 'Sv39' },
        { ...base('c'), kind: 'region_enter', from: '0x0', to: '0x1' },
        { ...base('d'), kind: 'trap', cause: 12, at: { symbol: 'after_satp', offset: 4 } },
        { ...base('e'), kind: 'no_trap', causes: [12, 13, 15] },
        { ...base('f'), kind: 'order', first: { event: 'satp_write', mode: 'Sv39' }, then: { event: 'sfence_vma', occurrence: 'last' } },
        { ...base('g'), kind: 'translate', va: { symbol: 'text_start' }, perms: 'xr', pageSize: 4096, when: { event: 'region_enter', from: '0xffffffff80000000' } },
        { ...base('h'), kind: 'translate', va: '0x80200000', unmapped: true },
        { ...base('i'), kind: 'section', name: '.rodata', vma: '0xffffffff80201000', lma: '0x80201000', align: 4096 },
        { ...base('j'), kind: 'section', name: '.text.console', exists: false },
        { ...base('k'), kind: 'segment', section: '.text', vaddr: '0xffffffff80200000', paddr: '0x80200000', flags: 'XR' },
        { ...base('l'), kind: 'symbol', name: 'kernel_end', align: 4096, section: '.bss', value: '0xffffffff80215000' },
        { ...base('m'), kind: 'shutdown', maxSteps: 1000 },
        { ...base('n'), kind: 'order', first: { event: 'trap', cause: 12, at: '0x80200020' }, then: { event: 'stop', reason: 'trap-loop' } },
      ]),
    )
    const byId = Object.fromEntries(lab.checks.map((c) => [c.id, c]))
    expect(byId.a).toMatchObject({ kind: 'console', match: { regex: 'x\\d+', flags: 'm' }, absent: true, points: 3, hint: 'h' })
    expect(byId.d).toMatchObject({ kind: 'trap', cause: 12, interrupt: false, at: { symbol: 'after_satp', offset: 4 } })
    expect(byId.f).toMatchObject({ first: { event: 'satp_write', mode: 'Sv39', occurrence: 'first' }, then: { event: 'sfence_vma', occurrence: 'last' } })
    expect(byId.g).toMatchObject({ va: { symbol: 'text_start', offset: 0 }, expect: { mapped: true, perms: 'RX', pageSize: 4096 }, when: { event: 'region_enter', from: '0xffffffff80000000' } })
    expect(byId.h).toMatchObject({ when: 'end', expect: { mapped: false } })
    expect(byId.j).toEqual({ id: 'j', title: 'T', message: 'M', points: 1, kind: 'section', name: '.text.console', exists: false })
    expect(byId.k).toMatchObject({ flags: 'RX' })
    expect(byId.n).toMatchObject({ first: { event: 'trap', cause: 12, at: '0x80200020' }, then: { event: 'stop', reason: 'trap-loop' } })
  })

  it('reads the x86 check kinds: mode, fault, register and vga_text', () => {
    const base = (id: string) => ({ id, title: 'T', message: 'M' })
    const lab = parsed(
      labJson([
        { ...base('a'), kind: 'mode', mode: 'long', maxStep: 5000 },
        { ...base('b'), kind: 'fault', vector: 14, cr2: { symbol: 'stack_bottom', offset: -8 }, at: '0x101000' },
        { ...base('c'), kind: 'fault', vector: 13, absent: true },
        { ...base('d'), kind: 'register', register: 'efer', set: ['LME', 'LMA'], clear: ['NXE'], when: { event: 'mode_change', to: 'compatibility' } },
        { ...base('e'), kind: 'register', register: 'cr3', value: '0x105000' },
        { ...base('f'), kind: 'vga_text', regex: 'Hello.*half', flags: 'i' },
        { ...base('h'), kind: 'multiboot_tag', tag: 6 },
        { ...base('i'), kind: 'frames', regex: 'frames (0x[0-9a-f]+) \\.\\. (0x[0-9a-f]+)', avoid: ['kernel', 'boot_info'], complete: true },
        { ...base('j'), kind: 'frames', regex: 'frame: (0x[0-9a-f]+)' },
        { ...base('g'), kind: 'order', first: { event: 'control_bits', set: 'CR4.PAE' }, then: { event: 'control_bits', set: 'CR0.PG', occurrence: 'last' } },
      ]),
    )
    const byId = Object.fromEntries(lab.checks.map((c) => [c.id, c]))
    expect(byId.a).toMatchObject({ kind: 'mode', mode: 'long', maxStep: 5000 })
    expect(byId.b).toMatchObject({ kind: 'fault', vector: 14, cr2: { symbol: 'stack_bottom', offset: -8 }, at: '0x101000', absent: false })
    expect(byId.c).toMatchObject({ kind: 'fault', vector: 13, absent: true })
    expect(byId.d).toMatchObject({ kind: 'register', register: 'efer', set: ['LME', 'LMA'], clear: ['NXE'], when: { event: 'mode_change', to: 'compatibility', occurrence: 'first' } })
    expect(byId.e).toMatchObject({ kind: 'register', register: 'cr3', set: [], clear: [], value: '0x105000', when: 'end' })
    expect(byId.f).toMatchObject({ kind: 'vga_text', match: { regex: 'Hello.*half', flags: 'i' }, absent: false })
    expect(byId.h).toMatchObject({ kind: 'multiboot_tag', tag: 6 })
    expect(byId.i).toMatchObject({ kind: 'frames', avoid: ['kernel', 'boot_info'], complete: true })
    expect(byId.j).toMatchObject({ kind: 'frames', regex: 'frame: (0x[0-9a-f]+)', avoid: [], complete: false })
    expect(byId.g).toMatchObject({ kind: 'order', first: { event: 'control_bits', set: 'CR4.PAE', occurrence: 'first' }, then: { event: 'control_bits', set: 'CR0.PG', occurrence: 'last' } })
  })

  it('validates the x86 kinds: modes, exception vectors, CR2 only for #PF, bit names per register', () => {
    const t = { id: 'x', title: 't', message: 'm' }
    expect(failure(labJson([{ ...t, kind: 'mode', mode: 'unreal' }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'fault', vector: 15 }])).code).toBe('lab.bad_value') // reserved by the SDM
    expect(failure(labJson([{ ...t, kind: 'fault', vector: 32 }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'fault', vector: 13, cr2: '0x1000' }])).code).toBe('lab.bad_value')
    const typo = labJson([{ ...t, kind: 'register', register: 'cr0', set: ['WPX'] }])
    expect(failure(typo)).toMatchObject({ code: 'lab.bad_value', loc: where(typo, '"WPX"') })
    expect(failure(typo).hint).toContain('did you mean "WP"?')
    expect(failure(labJson([{ ...t, kind: 'register', register: 'cr4' }])).code).toBe('lab.missing_key')
    expect(failure(labJson([{ ...t, kind: 'register', register: 'cr4', set: ['PAE'], clear: ['PAE'] }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'register', register: 'rflags', set: ['IF'] }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'vga_text' }])).code).toBe('lab.missing_key')
    expect(failure(labJson([{ ...t, kind: 'order', first: { event: 'mode_change', to: 'warp' }, then: { event: 'stop' } }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'order', first: { event: 'control_bits', set: 'CR4.PAX' }, then: { event: 'stop' } }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'multiboot_tag', tag: 5 }]))).toMatchObject({ code: 'lab.bad_value', hint: expect.stringContaining('6 (the memory map)') })
    expect(failure(labJson([{ ...t, kind: 'multiboot_tag' }])).code).toBe('lab.missing_key')
    expect(failure(labJson([{ ...t, kind: 'frames', regex: 'frames 0x[0-9a-f]+' }])).message).toContain('needs one capture group (a frame) or two')
    expect(failure(labJson([{ ...t, kind: 'frames', regex: '(0x[0-9a-f]+)', avoid: ['stack'] }])).message).toContain('"avoid" must be one of "kernel", "boot_info"')
    expect(failure(labJson([{ ...t, kind: 'frames', regex: '(0x[0-9a-f+)' }])).code).toBe('lab.bad_regex')
  })

  it('reads and validates the checks that name functions: function_reached and fault_in_function', () => {
    const t = { id: 'x', title: 't', message: 'm' }
    const lab = parsed(
      labJson([
        { ...t, id: 'a', kind: 'function_reached', function: 'kmain', beforeStep: 5000 },
        { ...t, id: 'b', kind: 'function_reached', function: '_start' },
        { ...t, id: 'c', kind: 'fault_in_function', function: 'poke', cause: 15 },
        { ...t, id: 'd', kind: 'fault_in_function', function: 'kmain', absent: true },
      ]),
    )
    const byId = Object.fromEntries(lab.checks.map((c) => [c.id, c]))
    expect(byId.a).toMatchObject({ kind: 'function_reached', function: 'kmain', beforeStep: 5000 })
    expect(byId.b).toEqual({ ...t, id: 'b', points: 1, kind: 'function_reached', function: '_start' })
    expect(byId.c).toMatchObject({ kind: 'fault_in_function', function: 'poke', cause: 15, absent: false })
    expect(byId.d).toMatchObject({ kind: 'fault_in_function', function: 'kmain', absent: true })
    expect(failure(labJson([{ ...t, kind: 'function_reached' }])).code).toBe('lab.missing_key')
    const bad = labJson([{ ...t, kind: 'function_reached', function: 'kmain()' }])
    expect(failure(bad)).toMatchObject({ code: 'lab.bad_value', loc: where(bad, '"kmain()"') })
    expect(failure(labJson([{ ...t, kind: 'fault_in_function', function: 'f', cause: 64 }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'function_reached', function: 'f', beforeStep: 0 }])).code).toBe('lab.bad_value')
  })

  it('accepts a UTF-8 byte-order mark and CRLF line ends', () => {
    expect(parsed('\ufeff' + labJson().replace(/\n/g, '\r\n')).id).toBe('demo')
  })
})

describe('parseLab: errors point at the offending value', () => {
  it('reports JSON syntax errors with their line and column', () => {
    const text = '{\n  "format": 1,\n  "id": "demo",,\n}'
    const e = failure(text)
    expect(e.code).toBe('lab.json_syntax')
    expect(e.loc).toMatchObject({ file: FILE, line: 3, column: 16 })
  })

  it('rejects comments, trailing commas, single quotes and hex numbers with a hint', () => {
    expect(failure('{ // x\n}')).toMatchObject({ code: 'lab.json_syntax', message: expect.stringContaining('comments') })
    expect(failure('{"a": [1, 2,]}')).toMatchObject({ code: 'lab.json_syntax', message: expect.stringContaining('trailing comma') })
    expect(failure("{'a': 1}")).toMatchObject({ code: 'lab.json_syntax' })
    expect(failure('{"a": 0x10}').hint).toMatch(/"0x80200000"/)
  })

  it('rejects duplicate keys at the second one', () => {
    const text = '{"format": 1,\n "format": 1}'
    expect(failure(text)).toMatchObject({ code: 'lab.json_syntax', message: 'duplicate key "format"', loc: { line: 2, column: 2 } })
  })

  it('names an unknown key and suggests the closest one', () => {
    const text = labJson([{ ...CONSOLE, mesage: 'typo' }])
    const e = validateLab(text, FILE).errors.find((x) => x.code === 'lab.unknown_key')!
    expect(e.message).toContain('"mesage"')
    expect(e.hint).toContain('did you mean "message"?')
    expect(e.loc).toMatchObject(where(text, '"mesage"'))
  })

  it('reports a wrong type at the value', () => {
    const text = labJson().replace('"title": "Demo"', '"title": 42')
    const e = failure(text)
    expect(e).toMatchObject({ code: 'lab.wrong_type', message: '"title" in the lab must be a string, not a number' })
    expect(e.loc).toMatchObject(where(text, '42'))
  })

  it('reports an unknown check kind with a suggestion', () => {
    const text = labJson([{ ...CONSOLE, kind: 'satp-write' }])
    const e = failure(text)
    expect(e.code).toBe('lab.unknown_check_kind')
    expect(e.hint).toContain('did you mean "satp_write"?')
    expect(e.loc).toMatchObject(where(text, '"satp-write"'))
  })

  it('reports bad hex, numbers where hex is needed, and values past 64 bits', () => {
    const mk = (from: unknown) => labJson([{ id: 'r', kind: 'region_enter', title: 't', message: 'm', from, to: '0xffffffffffffffff' }])
    expect(failure(mk('0xffffffff8020000g'))).toMatchObject({ code: 'lab.bad_hex' })
    expect(failure(mk('80200000'))).toMatchObject({ code: 'lab.bad_hex' })
    expect(failure(mk(2149580800))).toMatchObject({ code: 'lab.bad_hex', hint: expect.stringContaining('"0x80200000"') })
    const text = mk('0x1ffffffff80200000')
    expect(failure(text)).toMatchObject({ code: 'lab.bad_hex', message: expect.stringContaining('64 bits'), loc: where(text, '"0x1ffffffff80200000"') })
  })

  it('requires the keys of each kind and says which', () => {
    expect(failure(labJson([{ id: 's', kind: 'satp_write', title: 't', message: 'm' }]))).toMatchObject({ code: 'lab.missing_key', message: expect.stringContaining('"mode"') })
    expect(failure(labJson([{ id: 's', kind: 'translate', va: '0x0', title: 't', message: 'm' }]))).toMatchObject({ code: 'lab.missing_key' })
    expect(failure(labJson([{ id: 's', kind: 'console', title: 't', message: 'm' }]))).toMatchObject({ code: 'lab.missing_key' })
    expect(failure(labJson([{ kind: 'console', contains: 'x', title: 't', message: 'm' }]))).toMatchObject({ code: 'lab.missing_key', message: expect.stringContaining('"id"') })
  })

  it('rejects contradictory checks', () => {
    const t = { id: 'x', title: 't', message: 'm' }
    expect(failure(labJson([{ ...t, kind: 'translate', va: '0x0', unmapped: true, pa: '0x0' }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'section', name: '.x', exists: false, align: 8 }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'console', contains: 'a', regex: 'b' }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'region_enter', from: '0x10', to: '0x1' }])).code).toBe('lab.bad_value')
  })

  it('validates regexes, flags, permissions, causes, page sizes and alignments', () => {
    const t = { id: 'x', title: 't', message: 'm' }
    expect(failure(labJson([{ ...t, kind: 'console', regex: '(' }])).code).toBe('lab.bad_regex')
    expect(failure(labJson([{ ...t, kind: 'console', regex: 'a', flags: 'gg' }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'translate', va: '0x0', perms: 'RWZ' }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'no_trap', causes: [10] }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'no_trap', causes: [] }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'translate', va: '0x0', pageSize: 8192 }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'symbol', name: 's', align: 24 }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, kind: 'shutdown', maxSteps: 1.5 }])).code).toBe('lab.bad_value')
  })

  it('validates event selectors: kind names from the trace and per-kind filters', () => {
    const t = { id: 'x', title: 't', message: 'm', kind: 'order' }
    const unknown = labJson([{ ...t, first: { event: 'satp_writ' }, then: { event: 'stop' } }])
    expect(failure(unknown)).toMatchObject({ code: 'lab.bad_value', hint: 'did you mean "satp_write"?', loc: where(unknown, '"satp_writ"') })
    expect(failure(labJson([{ ...t, first: { event: 'sfence_vma', mode: 'Sv39' }, then: { event: 'stop' } }])).code).toBe('lab.unknown_key')
    expect(failure(labJson([{ ...t, first: { event: 'stop', reason: 'exploded' }, then: { event: 'stop' } }])).code).toBe('lab.bad_value')
    expect(failure(labJson([{ ...t, first: { event: 'stop' }, then: { event: 'stop', occurrence: 'second' } }])).code).toBe('lab.bad_value')
  })

  it('rejects duplicate check ids at the second id', () => {
    const text = labJson([CONSOLE, { ...CONSOLE, contains: 'ho' }])
    const e = failure(text)
    expect(e.code).toBe('lab.duplicate_id')
    expect(e.loc!.line).toBeGreaterThan(where(text, '"says-hi"').line)
  })

  it('rejects ids that are not kebab-case, an unknown format version and a bad bios', () => {
    expect(failure(labJson([], { id: 'My Lab' })).message).toContain('kebab-case')
    expect(failure(labJson([CONSOLE], { format: 2 }))).toMatchObject({ code: 'lab.format_version', hint: 'update Bootscope to open this lab' })
    expect(failure(labJson([CONSOLE], { boot: { bios: 'opensbi' } })).code).toBe('lab.bad_value')
  })

  it('rejects paths that leave the lab folder', () => {
    for (const p of ['../x.S', '/etc/passwd', 'a\\b.S', 'C:/x.S', 'a//b.S', './a.S']) {
      expect(failure(labJson([CONSOLE], { files: [p] })).code, p).toBe('lab.bad_path')
    }
  })

  it('allows only assembler options that cannot name files or outputs', () => {
    const build = (asFlags: string[]) => ({ build: { sources: ['entry.S'], linkerScript: 'linker.ld', asFlags } })
    expect(parsed(labJson([CONSOLE], build(['-march=rv64imac_zicsr', '-mabi=lp64', '-mno-relax', '-DQEMU=1']))).build.asFlags).toHaveLength(4)
    for (const bad of ['-o/tmp/x', '-I..', '--defsym=x=1', '-march=rv64gc -o x', 'march=rv64gc']) {
      expect(failure(labJson([CONSOLE], build([bad]))).code, bad).toBe('lab.bad_value')
    }
  })

  it('rejects an edited file the build does not use', () => {
    const text = labJson([CONSOLE], { files: ['entry.S', 'notes.txt'] })
    expect(failure(text)).toMatchObject({ code: 'lab.unused_file', loc: where(text, '"notes.txt"') })
  })

  it('with a file listing, reports missing starter, solution and build files', () => {
    const present = new Set(['README.md', 'entry.S', 'linker.ld'])
    const r = validateLab(labJson(), FILE, { fileExists: (p) => present.has(p) })
    expect(r.errors.map((e) => e.code)).toEqual(['lab.missing_file'])
    expect(r.errors[0].message).toContain('solution/entry.S')
    present.add('solution/entry.S')
    expect(validateLab(labJson(), FILE, { fileExists: (p) => present.has(p) }).errors).toEqual([])
    // The error points at the entry of "files" that names the file.
    const text = labJson()
    expect(validateLab(text, FILE, { fileExists: (p) => p !== 'solution/entry.S' }).errors[0].loc).toMatchObject(where(text, '"entry.S"'))
    present.delete('linker.ld')
    expect(validateLab(labJson(), FILE, { fileExists: (p) => present.has(p) }).errors[0].message).toContain('linker.ld')
  })

  it('collects every error, not just the first', () => {
    const text = labJson([{ ...CONSOLE, kind: 'nope' }, { id: 'b', kind: 'satp_write', title: 't', message: 'm', mode: 'Sv40' }], { title: 1 })
    expect(validateLab(text, FILE).errors.map((e) => e.code)).toEqual(['lab.wrong_type', 'lab.unknown_check_kind', 'lab.bad_value'])
  })
})

describe('consoleCheckPasses', () => {
  const lab = parsed(
    labJson([
      { id: 'a', kind: 'console', contains: 'Hello', title: 't', message: 'm' },
      { id: 'b', kind: 'console', regex: 'end: (0x[0-9a-f]+)\\r?\\nframe 0: \\1', title: 't', message: 'm' },
      { id: 'c', kind: 'console', regex: 'panic', flags: 'i', absent: true, title: 't', message: 'm' },
    ]),
  )
  const [contains, backref, absent] = lab.checks as Extract<Lab['checks'][number], { kind: 'console' }>[]

  it('matches substrings, regexes with backreferences across CRLF, and absences', () => {
    expect(consoleCheckPasses(contains, 'OpenSBI\r\nHello\r\n')).toBe(true)
    expect(consoleCheckPasses(contains, 'hello')).toBe(false)
    expect(consoleCheckPasses(backref, 'end: 0x80214000\r\nframe 0: 0x80214000\r\n')).toBe(true)
    expect(consoleCheckPasses(backref, 'end: 0x80214000\r\nframe 0: 0x0\r\n')).toBe(false)
    expect(consoleCheckPasses(absent, 'all good')).toBe(true)
    expect(consoleCheckPasses(absent, 'Kernel PANIC')).toBe(false)
  })
})

describe('parseJsonWithPositions', () => {
  it('gives every node its start and end position', () => {
    const r = parseJsonWithPositions('{\n  "a": [1, "x"]\n}')
    if (!r.ok || r.node.type !== 'object') throw new Error('parse failed')
    const arr = r.node.members[0].value
    expect(arr.pos).toEqual({ line: 2, column: 8, endLine: 2, endColumn: 16 })
    if (arr.type !== 'array') throw new Error('not an array')
    expect(arr.items[1].pos).toMatchObject({ line: 2, column: 12 })
  })

  it('agrees with JSON.parse on valid documents', () => {
    const doc = { a: [1, -2.5e3, true, false, null], 'b\n"': { c: 'é\u0001\\/' }, d: [] as unknown[], e: {} }
    const r = parseJsonWithPositions(JSON.stringify(doc, null, 1))
    expect(r.ok).toBe(true)
    const toValue = (n: any): unknown =>
      n.type === 'object' ? Object.fromEntries(n.members.map((m: any) => [m.key, toValue(m.value)]))
      : n.type === 'array' ? n.items.map(toValue)
      : n.type === 'null' ? null
      : n.value
    expect(toValue((r as { node: unknown }).node)).toEqual(doc)
  })

  it('refuses nesting past its depth limit instead of overflowing the stack', () => {
    const r = parseJsonWithPositions('['.repeat(100_000))
    expect(r.ok).toBe(false)
  })
})

describe('parseLab never throws', () => {
  /** A deterministic PRNG (mulberry32), so a failure is reproducible from its seed. */
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }
  const seedDoc = labJson([
    CONSOLE,
    { id: 't', kind: 'translate', va: { symbol: 'text_start', offset: 8 }, perms: 'RX', when: { event: 'satp_write', mode: 'Sv39' }, title: 't', message: 'm' },
    { id: 'o', kind: 'order', first: { event: 'trap', cause: 12, at: '0x80200020' }, then: { event: 'stop', reason: 'shutdown' }, title: 't', message: 'm' },
    { id: 's', kind: 'segment', section: '.text', paddr: '0x80200000', flags: 'RX', title: 't', message: 'm' },
  ])
  const ALPHABET = [...'{}[]":,0123456789-+.eExabcdfz\\ \n\tu_\u00e9\ud800']
  const VALUES = ['null', 'true', '0', '-1', '1e309', '"0x"', '"0xfff_"', '[]', '{}', '"Sv39"', '"' + 'a'.repeat(50) + '"', '4096', '1.5']

  it('on 20 000 random mutations of a valid lab.json', () => {
    const rand = rng(7)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]
    let valid = 0
    for (let n = 0; n < 20_000; n++) {
      let s = seedDoc
      const edits = 1 + Math.floor(rand() * 4)
      for (let k = 0; k < edits; k++) {
        const i = Math.floor(rand() * s.length)
        const op = rand()
        if (op < 0.3) s = s.slice(0, i) + s.slice(i + 1 + Math.floor(rand() * 8))
        else if (op < 0.6) s = s.slice(0, i) + pick(ALPHABET) + s.slice(i)
        else if (op < 0.8) {
          // Replace a JSON value-ish token with another value, keeping the syntax plausible.
          const m = /("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)/g
          const tokens = [...s.matchAll(m)]
          if (tokens.length > 0) {
            const t = pick(tokens)
            s = s.slice(0, t.index) + pick(VALUES) + s.slice(t.index! + t[0].length)
          }
        } else s = s.slice(0, i) + s.slice(Math.floor(rand() * s.length))
      }
      const r = parseLab(s, FILE, { fileExists: () => rand() < 0.5 })
      if (r.ok) valid++
      else {
        expect(typeof r.error.code).toBe('string')
        expect(r.error.loc!.line).toBeGreaterThanOrEqual(1)
        expect(r.error.loc!.column).toBeGreaterThanOrEqual(1)
      }
    }
    // Most mutations break something; some must survive, or the mutator is too blunt to test the validator.
    expect(valid).toBeGreaterThan(0)
    expect(valid).toBeLessThan(20_000)
  })

  it('on random byte strings and random JSON values', () => {
    const rand = rng(11)
    const randomValue = (depth: number): unknown => {
      const r = rand()
      if (depth > 3 || r < 0.3) return [null, true, 1, -1, 'x', '0x10', 4096, 'Sv39'][Math.floor(rand() * 8)]
      if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(depth + 1))
      const keys = ['kind', 'id', 'title', 'message', 'checks', 'files', 'build', 'boot', 'va', 'event', 'first', 'then', 'symbol', 'causes', 'format']
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [keys[Math.floor(rand() * keys.length)], randomValue(depth + 1)]))
    }
    for (let n = 0; n < 5_000; n++) {
      const bytes = Array.from({ length: Math.floor(rand() * 40) }, () => String.fromCharCode(Math.floor(rand() * 128))).join('')
      expect(() => parseLab(bytes, FILE)).not.toThrow()
      expect(() => parseLab(JSON.stringify(randomValue(0)), FILE)).not.toThrow()
    }
  })
})
