/**
 * The files the editor opens when a workspace is loaded: the built-in example's `entry.S` and
 * `linker.ld`; in a project of the user's own (a C, Rust or NASM kernel built by make or cargo),
 * its main source file and its linker script, so the editor never opens empty on a kernel.
 */

/** Source extensions by preference: what a kernel's author edits most. */
const SOURCE_EXTENSIONS = ['.c', '.rs', '.asm', '.nasm', '.S', '.s', '.cpp', '.zig']
/** Names of a kernel's main file, by preference (without extension). */
const MAIN_NAMES = ['main', 'kmain', 'lib', 'boot', 'entry', 'start', 'kernel']

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1)
const stem = (path: string) => base(path).replace(/\.[^.]+$/, '')
const depth = (path: string) => path.split('/').length
const ext = (path: string) => {
  const b = base(path)
  const dot = b.lastIndexOf('.')
  return dot > 0 ? b.slice(dot) : ''
}

/** Lower is better: extension first, then a main-like name, then nearer the root, then by name. */
function rank(path: string): [number, number, number, string] {
  const e = SOURCE_EXTENSIONS.indexOf(ext(path))
  const n = MAIN_NAMES.indexOf(stem(path).toLowerCase())
  return [e, n < 0 ? MAIN_NAMES.length : n, depth(path), path]
}

function better(a: string, b: string): number {
  const x = rank(a)
  const y = rank(b)
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number)
  return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0
}

/** The paths to open, the one to show first first. `paths` are the workspace's files, relative. */
export function initialFiles(paths: readonly string[]): string[] {
  if (paths.includes('entry.S')) return ['entry.S', 'linker.ld'].filter((p) => paths.includes(p))
  const hidden = (p: string) => p.split('/').some((part) => part.startsWith('.') || part === 'target' || part === 'build' || part === 'node_modules')
  const visible = paths.filter((p) => !hidden(p))
  const source = visible.filter((p) => SOURCE_EXTENSIONS.includes(ext(p))).sort(better)[0]
  const script = visible.filter((p) => ext(p) === '.ld').sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1))[0]
  const out = [source, script].filter((p): p is string => p !== undefined)
  if (out.length) return out
  const readme = visible.find((p) => /^readme(\.md)?$/i.test(p))
  return readme ? [readme] : []
}
