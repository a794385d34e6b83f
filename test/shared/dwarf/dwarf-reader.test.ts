/**
 * The DWARF reader against GNU binutils as the oracle: every decoded line row equals
 * `objdump --dwarf=decodedline`'s, and at every instruction address the source line and the
 * inlined frames equal `addr2line -f -i`'s — for C kernels from riscv64-unknown-elf-gcc (DWARF 5
 * and 4, -O1 and -O2, zlib-compressed sections), x86 C from gcc -m32/-m64 (ELF32 and ELF64) and a
 * Rust program from rustc (DWARF 4, inlined calls into core).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readElf, type ElfFile } from '../../../src/shared/elf/reader'
import { debugSections, readAranges, readKernelDebugInfo, readLinePrograms } from '../../../src/shared/dwarf'
import { SHF_COMPRESSED } from '../../../src/shared/dwarf/constants'
import { NODE_DECOMPRESSORS } from '../../../src/main/trace/kernel-debug-info'
import { SourceMap } from '../../../src/shared/trace/source-map'
import { FunctionMap } from '../../../src/shared/trace/function-map'
import { BINUTILS_PKG, X86_BINUTILS_PKG, gccX86, gnuObjdump, oracle, x86Objdump } from '../../support/oracles'
import { addr2lineFrames, baseName, decodedLines, type OracleRow } from '../../support/dwarf-oracle'

const FIXTURES = join(__dirname, '../../fixtures')
const C_KERNEL = join(FIXTURES, 'c-kernel')
const work = mkdtempSync(join(tmpdir(), 'bootscope-dwarf-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const rvObjdump = gnuObjdump()
const rvAddr2line = oracle('riscv64-unknown-elf-addr2line', BINUTILS_PKG)
const rvGcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const make = oracle('make', 'make')
const objdump = x86Objdump()
const addr2line = oracle('addr2line', X86_BINUTILS_PKG)
const gcc = gccX86()

function load(path: string): ElfFile {
  const r = readElf(readFileSync(path), { file: path })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

/** Instruction addresses of the executable sections (every `step` bytes). */
function codeAddresses(elf: ElfFile, step: number): bigint[] {
  const out: bigint[] = []
  for (const s of elf.sections) if (s.flags & 4 && s.addr) for (let a = 0; a < s.size; a += step) out.push(s.addr + BigInt(a))
  return out
}

/** Compares everything the reader says about `path` with objdump and addr2line. */
function checkAgainstBinutils(path: string, tools: { objdump: string; addr2line: string }, step: number): { rows: number; addresses: number; inlined: number } {
  const elf = load(path)
  const programs = readLinePrograms(debugSections(elf, NODE_DECOMPRESSORS))
  const ours: OracleRow[] = programs.flatMap((p) => p.rows.map((r) => ({ file: baseName(r.file), line: r.endSequence ? undefined : r.line, address: r.address, isStmt: r.isStmt })))
  const theirs = decodedLines(tools.objdump, path)
  // objdump names the file of an end_sequence row after the previous row; compare those by address.
  const strip = (rows: typeof ours) => rows.map((r) => (r.line === undefined ? { address: r.address } : r))
  expect(strip(ours)).toEqual(strip(theirs))

  const info = readKernelDebugInfo(elf, NODE_DECOMPRESSORS)
  if (!info.ok) throw new Error(info.error.message)
  const lines = new SourceMap(info.value.lines)
  const functions = new FunctionMap(info.value.functions)
  const addresses = codeAddresses(elf, step)
  const frames = addr2lineFrames(tools.addr2line, path, addresses)
  let inlined = 0
  for (const a of addresses) {
    const want = frames.get(a) ?? []
    const at = `0x${a.toString(16)}`
    const loc = lines.locate(a)
    const inner = want[0]
    if (!inner || inner.line === 0) expect(loc, at).toBeUndefined()
    else expect({ at, file: baseName(loc?.file ?? '?'), line: loc?.line }).toEqual({ at, file: baseName(inner.file), line: inner.line })
    const got = functions.framesAt(a)
    if (!got.length) continue // addr2line falls back to ELF symbols (assembly files have no DWARF functions)
    inlined += got.length - 1
    const named = want.map((f, i) => ({ name: f.name, callFile: i + 1 < want.length ? baseName(want[i + 1].file) : undefined, callLine: want[i + 1]?.line }))
    // addr2line names Rust functions by their demangled linkage names: no generic arguments, and
    // a #[no_mangle] function unqualified. Ours are DWARF's qualified names, as gdb shows them
    // (`core::ptr::write_volatile<u64>`, `kernel::kernel_main`): the same function when they agree
    // on everything addr2line shows.
    const asTheirs = (ours: string, theirs: string | undefined) => {
      const bare = ours.replace(/<.*>$/, '')
      return theirs !== undefined && (bare === theirs || bare.endsWith(`::${theirs}`)) ? theirs : ours
    }
    const gotFrames = got.map((f, i) => ({ name: asTheirs(f.name, named[i]?.name), callFile: f.callFile === undefined ? undefined : baseName(f.callFile), callLine: f.callLine }))
    expect({ at, frames: gotFrames }).toEqual({ at, frames: named })
  }
  return { rows: ours.length, addresses: addresses.length, inlined }
}

function buildCKernel(name: string, debugFlags: string, opt = '-O1'): string {
  const out = join(work, name)
  execFileSync(make!.path!, ['-s', '-B', '-C', C_KERNEL, `OUT=${out}`, `CFLAGS_DEBUG=${debugFlags} ${opt}`], { stdio: 'pipe' })
  return out
}

describe.skipIf(rvObjdump.missing || rvAddr2line.missing || rvGcc.missing || make.missing)('DWARF of a RISC-V C kernel (riscv64-unknown-elf-gcc)', () => {
  const tools = () => ({ objdump: rvObjdump.path!, addr2line: rvAddr2line.path! })

  it('reads DWARF 5 line programs and inlined frames as binutils does', () => {
    const path = buildCKernel('dwarf5.elf', '-g')
    expect(load(path).sections.some((s) => s.name === '.debug_line_str')).toBe(true)
    const n = checkAgainstBinutils(path, tools(), 2)
    expect(n.rows).toBeGreaterThan(30)
    expect(n.inlined).toBeGreaterThan(0)
  })

  it('reads DWARF 4 line programs (C-string directory and file tables) as binutils does', () => {
    const n = checkAgainstBinutils(buildCKernel('dwarf4.elf', '-gdwarf-4'), tools(), 2)
    expect(n.inlined).toBeGreaterThan(0)
  })

  it('reads -O2 code, where more is inlined and functions have several ranges', () => {
    checkAgainstBinutils(buildCKernel('o2.elf', '-g', '-O2'), tools(), 2)
  })

  it('reads zlib-compressed debug sections (SHF_COMPRESSED) to the same tables', () => {
    const path = buildCKernel('gz.elf', '-g -gz=zlib')
    expect(load(path).sections.find((s) => s.name === '.debug_line')!.flags & SHF_COMPRESSED).toBeTruthy()
    checkAgainstBinutils(path, tools(), 2)
    const plain = readKernelDebugInfo(load(buildCKernel('plain.elf', '-g')), NODE_DECOMPRESSORS)
    const zipped = readKernelDebugInfo(load(path), NODE_DECOMPRESSORS)
    expect(zipped).toEqual(plain)
  })

  it('says which section and why when a compressed section cannot be decompressed here', () => {
    const r = readKernelDebugInfo(load(buildCKernel('gz2.elf', '-g -gz=zlib')), {})
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/\.debug_\w+\+0x0: the section is zlib-compressed/)
  })

  it('names the functions of the kernel at their addresses, innermost inlined call first', () => {
    const elf = load(buildCKernel('names.elf', '-g'))
    const info = readKernelDebugInfo(elf, NODE_DECOMPRESSORS)
    if (!info.ok) throw new Error(info.error.message)
    const map = new FunctionMap(info.value.functions)
    const sym = (n: string) => elf.symbols.find((s) => s.name === n)!.value
    expect(map.functionAt(sym('kernel_main'))).toBe('kernel_main')
    expect(map.functionAt(sym('map_gigapage'))).toBe('map_gigapage')
    expect(map.rangesOf('map_gigapage')[0].low).toBe(sym('map_gigapage'))
    expect(info.value.units).toEqual(['start.S', 'main.c'])
    // .debug_aranges covers every function's code.
    const aranges = readAranges(debugSections(elf)).flatMap((u) => u.ranges)
    for (const f of info.value.functions) expect(aranges.some((r) => r.low <= BigInt(f.low) && BigInt(f.high) <= r.high), f.name).toBe(true)
  })

  it('reports a truncated line program as an error naming the section and offset', () => {
    const elf = load(buildCKernel('cut.elf', '-g'))
    const s = elf.sections.find((x) => x.name === '.debug_line')!
    const cut = { ...elf, sections: elf.sections.map((x) => (x === s ? { ...s, data: s.data.subarray(0, 20) } : x)) }
    const r = readKernelDebugInfo(cut, NODE_DECOMPRESSORS)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/^bad DWARF in \.debug_line\+0x[0-9a-f]+: /)
  })
})

const X86_C = `
static volatile unsigned long table[512];
static inline __attribute__((always_inline)) unsigned long entry(unsigned long pa) {
  return (pa >> 12 << 10) | 0xcf;
}
__attribute__((noinline)) void map_page(unsigned long va, unsigned long pa) {
  table[(va >> 22) & 511] = entry(pa);
}
void kernel_main(void) {
  for (unsigned long i = 0; i < 4; i++)
    map_page(i << 22, i << 22);
  for (;;) {}
}
`

describe.skipIf(objdump.missing || addr2line.missing || gcc.missing)('DWARF of x86 C (gcc -m32 / -m64)', () => {
  for (const bits of [32, 64]) {
    it(`reads an ELF${bits} kernel's line table and frames as binutils does`, () => {
      const src = join(work, `x86-${bits}.c`)
      writeFileSync(src, X86_C)
      const out = join(work, `x86-${bits}.elf`)
      execFileSync(gcc.path!, [`-m${bits}`, '-g', '-O1', '-ffreestanding', '-fno-pic', '-nostdlib', '-static', '-Wl,-e,kernel_main', '-Wl,--build-id=none', src, '-o', out])
      expect(load(out).header.class).toBe(bits === 32 ? 1 : 2)
      const n = checkAgainstBinutils(out, { objdump: objdump.path!, addr2line: addr2line.path! }, 1)
      expect(n.inlined).toBeGreaterThan(0)
    })
  }
})

describe.skipIf(objdump.missing || addr2line.missing)('DWARF of a Rust program (rustc, fixture)', () => {
  it('reads rustc DWARF 4 with calls inlined from core as binutils does', () => {
    const n = checkAgainstBinutils(join(FIXTURES, 'rust-kernel/rust-kernel.elf'), { objdump: objdump.path!, addr2line: addr2line.path! }, 1)
    expect(n.inlined).toBeGreaterThan(0)
  })
})
