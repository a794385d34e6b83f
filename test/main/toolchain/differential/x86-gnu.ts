/**
 * Differential harness for the x86 targets: a fixture (test/fixtures/link-x86/<name>/) holds
 * GNU as sources (`.s`, `.S`), NASM sources (`.asm`), C sources (`.c`), Rust sources (`.rs`), an
 * optional `script.ld`, and a `target` file (`i386` or `x86_64`). Each source is turned into an
 * object by the real tool (`as --32/--64`, `nasm -felf32/-felf64`, `gcc -m32/-m64 -ffreestanding
 * -c` plus `cc-flags`); sources named `lib-*` go into an `ar rcs` archive `libfix.a`, and a `.rs`
 * file becomes a Rust `staticlib` (`librust.a`), both linked after the objects. Debian's `ld -m
 * elf_i386/elf_x86_64` (plus `ld-flags`, e.g. `-n`) and our linker link the very same files. `compareElf` lists every difference in allocated sections,
 * bytes, symbols and program headers; a fixture with an `expect-error` file must fail in both.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { link, type LinkInput, type LinkResult } from '../../../../src/main/toolchain/link/index'
import { readArchive } from '../../../../src/shared/elf/archive'
import { readRelocatable } from '../../../../src/shared/elf/read-relocatable'
import { readElf } from '../../../../src/shared/elf/reader'
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
  ar: string
  /** Only fixtures with a `.rs` source need it. */
  rustc?: string
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
      sources: files.filter((f) => /\.(s|S|asm|c|rs)$/.test(f)),
      script: files.includes('script.ld') ? 'script.ld' : undefined,
      ldFlags: readWords(join(dir, 'ld-flags')),
      ccFlags: readWords(join(dir, 'cc-flags')),
      expectError: existsSync(errFile) ? readFileSync(errFile, 'utf8').trim() : undefined,
    }
  })
}

/** Builds each source with its real tool; returns the link inputs (objects, then archives) relative to `work`. */
export function buildObjects(fx: X86Fixture, tools: X86Tools, work: string): string[] {
  const is32 = fx.target === 'i386'
  const objects: string[] = []
  const archived: string[] = []
  const archives: string[] = []
  for (const src of fx.sources) {
    const input = join(fx.dir, src)
    if (src.endsWith('.rs')) {
      if (!tools.rustc) throw new Error(`${fx.name}: ${src} needs rustc`)
      execFileSync(tools.rustc, ['--crate-type', 'staticlib', '--edition', '2021', '-C', 'panic=abort', '-C', 'opt-level=2',
        '--target', is32 ? 'i686-unknown-linux-gnu' : 'x86_64-unknown-linux-gnu', input, '-o', join(work, 'librust.a')], { stdio: 'pipe' })
      archives.push('librust.a')
      continue
    }
    const obj = src.replace(/\.(s|S|asm|c)$/, '.o')
    if (src.endsWith('.asm')) execFileSync(tools.nasm, [is32 ? '-felf32' : '-felf64', '-I', fx.dir + '/', input, '-o', join(work, obj)], { stdio: 'pipe' })
    else if (src.endsWith('.c') || src.endsWith('.S')) {
      execFileSync(tools.gcc, [is32 ? '-m32' : '-m64', '-ffreestanding', '-nostdlib', ...fx.ccFlags, '-I', fx.dir, '-c', input, '-o', join(work, obj)], { stdio: 'pipe' })
    } else execFileSync(tools.as, [is32 ? '--32' : '--64', '-I', fx.dir, input, '-o', join(work, obj)], { stdio: 'pipe' })
    ;(src.startsWith('lib-') ? archived : objects).push(obj)
  }
  if (archived.length) {
    execFileSync(tools.ar, ['rcs', 'libfix.a', ...archived], { cwd: work, stdio: 'pipe' })
    archives.unshift('libfix.a')
  }
  return [...objects, ...archives]
}

export interface X86DiffResult {
  gnuOk: boolean
  gnuStderr: string
  ours: LinkResult
  differences: string[]
}

/** ld's flags as `link()` options: -m, -n, -e, -u, --gc-sections (a fixture uses no flag we do not honour). */
export function linkOptionsFor(fx: X86Fixture): { emulation: string; nmagic: boolean; gcSections: boolean; entry?: string; undefinedSymbols: string[] } {
  const flags = fx.ldFlags
  const e = flags.indexOf('-e')
  const known = new Set(['-n', '--gc-sections', '-e', '-u'])
  for (const f of flags) {
    if (f.startsWith('-') && !known.has(f)) throw new Error(`${fx.name}/ld-flags: ${f} is not an ld flag the harness maps to link() options`)
  }
  return {
    emulation: fx.target === 'i386' ? 'elf_i386' : 'elf_x86_64',
    nmagic: flags.includes('-n'),
    gcSections: flags.includes('--gc-sections'),
    undefinedSymbols: flags.flatMap((f, i) => (f === '-u' ? [flags[i + 1]] : [])),
    ...(e >= 0 ? { entry: flags[e + 1] } : {}),
  }
}

export function runX86Fixture(fx: X86Fixture, tools: X86Tools): X86DiffResult {
  const work = mkdtempSync(join(tmpdir(), `bootscope-x86-${fx.name}-`))
  try {
    const objNames = buildObjects(fx, tools, work)
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
    const objects: LinkInput[] = objNames.map((n) => {
      const bytes = new Uint8Array(readFileSync(join(work, n)))
      const r = n.endsWith('.a') ? readArchive(bytes, n) : readRelocatable(bytes, n)
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
