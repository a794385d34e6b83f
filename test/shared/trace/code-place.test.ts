/**
 * Code places for event texts: a PC of the C test kernel (riscv64-unknown-elf-gcc -g, built by
 * make) named by function — with the inlined call — and by line as addr2line names it; the address
 * each event kind is about (a trap's epc, a return's target); a load address carried to the link
 * address through the segments; the words the timeline shows; DWARF paths with `..` made plain.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { kernelDebugInfoOf } from '../../../src/main/trace/kernel-debug-info'
import { readElf } from '../../../src/shared/elf/reader'
import { CodePlaces, codeAddressOf, normalPath, placeWords } from '../../../src/shared/trace/code-place'
import type { TraceEvent } from '../../../src/shared/trace/events'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const addr2line = oracle('riscv64-unknown-elf-addr2line', 'binutils-riscv64-unknown-elf')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')
const dir = mkdtempSync(join(tmpdir(), 'bootscope-place-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const event = (kind: string, data: object, pc: string | null = null): TraceEvent => ({ id: 1, step: 5, kind, pc, data }) as unknown as TraceEvent

describe.skipIf(make.missing || gcc.missing || addr2line.missing)('code places of a C kernel', () => {
  const out = join(dir, 'kernel.elf')
  execFileSync(make.path!, ['-s', '-B', '-C', C_KERNEL, `OUT=${out}`], { stdio: 'pipe' })
  const bytes = readFileSync(out)
  const debug = kernelDebugInfoOf(bytes)!
  const elf = readElf(bytes)
  if (!elf.ok) throw new Error(elf.error.message)
  const symbol = (name: string) => elf.value.symbols.find((s) => s.name === name)!.value
  const lineOf = (pc: bigint) => {
    const [file, line] = execFileSync(addr2line.path!, ['-e', out, `0x${pc.toString(16)}`], { encoding: 'utf8' }).trim().split(':')
    return { file, line: Number(line) }
  }
  const hex = (n: bigint) => `0x${n.toString(16)}`

  it('names the function and the line addr2line names, and the inlined call', () => {
    const places = new CodePlaces(debug.lines, debug.functions)
    const pc = symbol('map_gigapage')
    expect(places.at(pc)).toMatchObject({ pc: hex(pc), function: 'map_gigapage', loc: lineOf(pc) })
    // The satp write is write_satp inlined into kernel_main.
    const inlined = debug.functions.find((f) => f.name === 'write_satp' && f.depth > 0)!
    expect(places.at(inlined.low)?.function).toBe('write_satp (inlined into kernel_main)')
    expect(places.at('0x10')).toBeUndefined()
    expect(places.at('not an address')).toBeUndefined()
  })

  it('takes the address each event is about, and carries a load address to its link address', () => {
    const main = symbol('kernel_main')
    // The kernel as if linked 0x40000000 above where it is loaded: the load address finds the same place.
    const segments = [{ vaddr: 0xffffffff00000000n + main - (main % 0x1000n), paddr: main - (main % 0x1000n), memsz: 0x10000n }]
    const shift = segments[0].vaddr - segments[0].paddr
    const linked = new CodePlaces(
      debug.lines.map((l) => ({ ...l, address: hex(BigInt(l.address) + shift) })),
      debug.functions.map((f) => ({ ...f, low: hex(BigInt(f.low) + shift), high: hex(BigInt(f.high) + shift) })),
      segments,
    )
    expect(linked.at(main)?.function).toBe('kernel_main')
    expect(codeAddressOf(event('trap', { epc: hex(main), cause: '5' }, '0x1'))).toBe(hex(main))
    expect(codeAddressOf(event('trap_return', { target: '0x80200000', to: 'S' }, '0x2'))).toBe('0x80200000')
    expect(codeAddressOf(event('region_enter', { region: '.text', va: '0x80200010', symbol: null }, null))).toBe('0x80200010')
    expect(codeAddressOf(event('satp_write', {}, '0x80200044'))).toBe('0x80200044')
    expect(codeAddressOf(event('uart_output', { text: 'x' }, '0x80200044'))).toBeNull()
    const places = new CodePlaces(debug.lines, debug.functions)
    expect(places.ofEvent(event('trap', { epc: hex(symbol('map_gigapage')) }, '0x0'))?.function).toBe('map_gigapage')
  })

  it('says it in words, with the path shortened as asked', () => {
    expect(placeWords({ pc: '0x1', function: 'kernel_main', loc: { file: '/w/main.c', line: 42, column: 3 } }, (f) => f.replace('/w/', ''))).toBe('in `kernel_main` (main.c:42)')
    expect(placeWords({ pc: '0x1', function: '_start' })).toBe('in `_start`')
    expect(placeWords({ pc: '0x1', loc: { file: 'entry.S', line: 7, column: 1 } })).toBe('at entry.S:7')
  })
})

describe('DWARF paths made plain', () => {
  it('drops `.` and folds `..`', () => {
    expect(normalPath('/tmp/ws/../lib/./extra.c')).toBe('/tmp/lib/extra.c')
    expect(normalPath('/tmp//ws/main.c')).toBe('/tmp/ws/main.c')
    expect(normalPath('../lib/x.c')).toBe('../lib/x.c')
    expect(normalPath('a/b/../../c.c')).toBe('c.c')
    expect(normalPath('/..')).toBe('/')
  })
})
