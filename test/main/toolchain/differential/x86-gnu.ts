/**
 * Differential harness for the x86 targets: a fixture (test/fixtures/link-x86/<name>/) holds
 * GNU as sources (`.s`, `.S`), NASM sources (`.asm`), C sources (`.c`), an optional `script.ld`,
 * and a `target` file (`i386` or `x86_64`). Each source is turned into an object by the real tool
 * (`as --32/--64`, `nasm -felf32/-felf64`, `gcc -m32/-m64 -ffreestanding -c` plus `cc-flags`),
 * then linked by Debian's `ld -m elf_i386/elf_x86_64` (plus `ld-flags`, e.g. `-n`) and by our
 * linker from the very same objects. `compareElf` lists every difference in allocated sections,
 * bytes, symbols and program headers; a fixture with an `expect-error` file must fail in both.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { link, type LinkResult } from '../../../../src/main/toolchain/link/index'
import { readRelocatable } from '../../../../src/shared/elf/read-relocatable'
import { readElf } from '../../../../src/shared/elf/reader'
import type { ObjectFile } from '../../../../src/main/toolchain/object'
import { compareElf } from './gnu'

export const X86_FIXTURES_DIR = fileURLToPath(new URL('../../../fixtures/link-x86', import.meta.url))

export interface X86Fixture {
  name: string
  dir: string
  target: 'i386' | 'x86_64'
  sources: string[]
  script?: string
  /** Extra ld flags (`ld-flags` file): -n, --gc-sections, -e sym … */
  ldFlags: string[]
  /** Extra gcc flags (`cc-flags` file). */
  ccFlags: string[]
  expectError?: string
}

export interface X86Tools {
  as: string
  ld: string
  nasm: string
  gcc: string
}

const readWords = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').trim().split(/\s+/).filter(Boolean) : [])

export function listX86Fixtures(): X86Fixture[] {
  return readdirSync(X86_FIXTURES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => {
    const dir = join(X86_FIXTURES_DIR, d.name)
    const files = readdirSync(dir).sort()
    const target = readFileSync(join(dir, 'target'), 'utf8').trim()
    if (target !== 'i386' && target !== 'x86_64') throw new Error(`${d.name}/target must say i386 or x86_64, not '${target}'`)
    const errFile = join(dir, 'expect-error')
    return {
      name: d.name,
      dir,
      target,
      sources: files.filter((f) => /\.(s|S|asm|c)$/.test(f)),
      script: files.includes('script.ld') ? 'script.ld' : undefined,
      ldFlags: readWords(join(dir, 'ld-flags')),
      ccFlags: readWords(join(dir, 'cc-flags')),
      expectError: existsSync(errFile) ? readFileSync(errFile, 'utf8').trim() : undefined,
    }
  })
}

/** Builds each source with its real tool; returns the object paths in source order. */
export function buildObjects(fx: X86Fixture, tools: X86Tools, work: string): string[] {
  const is32 = fx.target === 'i386'
  return fx.sources.map((src) => {
    const obj = join(work, src.replace(/\.(s|S|asm|c)$/, '.o'))
    const input = join(fx.dir, src)
    if (src.endsWith('.asm')) execFileSync(tools.nasm, [is32 ? '-felf32' : '-felf64', '-I', fx.dir + '/', input, '-o', obj], { stdio: 'pipe' })
    else if (src.endsWith('.c') || src.endsWith('.S')) {
      execFileSync(tools.gcc, [is32 ? '-m32' : '-m64', '-ffreestanding', '-nostdlib', ...fx.ccFlags, '-I', fx.dir, '-c', input, '-o', obj], { stdio: 'pipe' })
    } else execFileSync(tools.as, [is32 ? '--32' : '--64', '-I', fx.dir, input, '-o', obj], { stdio: 'pipe' })
    return obj
  })
}

export interface X86DiffResult {
  gnuOk: boolean
  gnuStderr: string
  ours: LinkResult
  differences: string[]
}

/** ld's flags as `link()` options: -m, -n, -e (the rest are passed to GNU ld only when we honour them too). */
export function linkOptionsFor(fx: X86Fixture): { emulation: string; nmagic: boolean; entry?: string } {
  const flags = fx.ldFlags
  const e = flags.indexOf('-e')
  return { emulation: fx.target === 'i386' ? 'elf_i386' : 'elf_x86_64', nmagic: flags.includes('-n'), ...(e >= 0 ? { entry: flags[e + 1] } : {}) }
}

export function runX86Fixture(fx: X86Fixture, tools: X86Tools): X86DiffResult {
  const work = mkdtempSync(join(tmpdir(), `bootscope-x86-${fx.name}-`))
  try {
    const objs = buildObjects(fx, tools, work)
    const objNames = objs.map((o) => o.slice(work.length + 1))
    const opts = linkOptionsFor(fx)
    let gnuOk = true
    let gnuStderr = ''
    try {
      execFileSync(tools.ld, ['-m', opts.emulation, ...fx.ldFlags, ...(fx.script ? ['-T', join(fx.dir, fx.script)] : []), ...objNames, '-o', 'gnu.elf'],
        { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (e) {
      gnuOk = false
      gnuStderr = String((e as { stderr?: Buffer }).stderr ?? e)
    }
    const objects: ObjectFile[] = objs.map((o, i) => {
      const r = readRelocatable(new Uint8Array(readFileSync(o)), objNames[i])
      if (!r.ok) throw new Error(r.error.message)
      return r.value
    })
    const ours = link(objects, {
      ...opts,
      script: fx.script ? { file: fx.script, text: readFileSync(join(fx.dir, fx.script), 'utf8') } : undefined,
      readFile: (p) => (existsSync(join(fx.dir, p)) ? readFileSync(join(fx.dir, p), 'utf8') : undefined),
    })
    const differences: string[] = []
    if (gnuOk && ours.elf) {
      const gnu = readElf(new Uint8Array(readFileSync(join(work, 'gnu.elf'))))
      const mine = readElf(ours.elf)
      if (!gnu.ok) throw new Error(gnu.error.message)
      if (!mine.ok) differences.push(`our ELF does not parse: ${mine.error.message}`)
      else {
        differences.push(...compareElf(gnu.value, mine.value))
        if (gnu.value.header.class !== mine.value.header.class) differences.push(`class: gnu ${gnu.value.header.class} ours ${mine.value.header.class}`)
        if (gnu.value.header.machine !== mine.value.header.machine) differences.push(`machine: gnu ${gnu.value.header.machine} ours ${mine.value.header.machine}`)
      }
      writeFileSync(join(work, 'ours.elf'), ours.elf)
    }
    return { gnuOk, gnuStderr, ours, differences }
  } finally {
    if (!process.env.KEEP_DIFF_WORK) rmSync(work, { recursive: true, force: true })
  }
}
