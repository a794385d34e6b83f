/**
 * `bootscope.json`, the workspace file (issue 16, docs/workspace-file.md): how a kernel built
 * with the author's own tools is built and booted — the build command (make, cargo, a script), the
 * kernel it produces, and the boot options (machine, firmware, memory, initrd, command line,
 * Multiboot modules, step budget). Versioned (`"version": 1`); its JSON schema,
 * resources/schema/bootscope.schema.json, gives editors completion. Without the file the
 * built-in toolchain builds the workspace as before.
 *
 * Parsed here with the place of every value, so a mistake is reported at its line and column.
 */
import type { Diagnostic, SourceLoc } from '../api/result'

export const WORKSPACE_FILE = 'bootscope.json'
export const WORKSPACE_FILE_VERSION = 1

export interface WorkspaceFile {
  version: 1
  build: {
    /** A shell command line (`make`, `cargo build --release`), or argv without a shell. */
    command: string | string[]
    /** Folder to run it in, workspace-relative (default: the workspace). */
    cwd?: string
    env?: Record<string, string>
  }
  /** The ELF (or raw image) the build produces, workspace-relative. */
  kernel: string
  machine?: string
  /** `builtin` (default), `none`, or a firmware file, workspace-relative. */
  firmware?: string
  /** Guest RAM, e.g. `128M`, `1G`. */
  memory?: string
  initrd?: string
  cmdline?: string
  modules?: { path: string; string?: string }[]
  maxSteps?: number
  /** The strict-TLB teaching mode (`bootscope boot --strict-tlb`). */
  strictTlb?: boolean
}

/** "128M" → bytes; K/M/G are binary multiples, like QEMU's -m. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim())
  if (!m) return undefined
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G']
  return Number(m[1]) * unit
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** A JSON value with the place it starts at. */
interface Located {
  value: Json
  loc: { line: number; column: number }
}

class Parser {
  private i = 0
  readonly places = new Map<string, { line: number; column: number }>()
  constructor(private readonly text: string) {}

  private where(at = this.i): { line: number; column: number } {
    let line = 1
    let col = 1
    for (let k = 0; k < at && k < this.text.length; k++) {
      if (this.text[k] === '\n') {
        line++
        col = 1
      } else col++
    }
    return { line, column: col }
  }

  fail(message: string, at = this.i): never {
    throw Object.assign(new Error(message), { place: this.where(at) })
  }

  private ws(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++
  }

  parse(): Located {
    const v = this.value('')
    this.ws()
    if (this.i < this.text.length) this.fail('unexpected text after the JSON value')
    return v
  }

  private value(path: string): Located {
    this.ws()
    const start = this.i
    const loc = this.where(start)
    this.places.set(path, loc)
    const c = this.text[this.i]
    let value: Json
    if (c === '{') value = this.object(path)
    else if (c === '[') value = this.array(path)
    else if (c === '"') value = this.string()
    else if (this.word('true')) value = true
    else if (this.word('false')) value = false
    else if (this.word('null')) value = null
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i))
      if (!m) this.fail(c === undefined ? 'the file ends where a value should be' : `unexpected ${JSON.stringify(c)}: a value (string, number, object, array, true, false, null) should be here`)
      this.i += m[0].length
      value = Number(m[0])
    }
    return { value, loc }
  }

  private word(w: string): boolean {
    if (!this.text.startsWith(w, this.i)) return false
    this.i += w.length
    return true
  }

  private string(): string {
    // eslint-disable-next-line no-control-regex
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(this.text.slice(this.i))
    if (!m) this.fail('an unterminated or malformed string')
    this.i += m[0].length
    return JSON.parse(m[0]) as string
  }

  private object(path: string): { [k: string]: Json } {
    const out: { [k: string]: Json } = {}
    this.i++
    this.ws()
    if (this.text[this.i] === '}') return this.close(out)
    for (;;) {
      this.ws()
      if (this.text[this.i] !== '"') this.fail('a key in double quotes should be here')
      const key = this.string()
      this.ws()
      if (this.text[this.i] !== ':') this.fail(`':' should follow the key "${key}"`)
      this.i++
      out[key] = this.value(`${path}/${key}`).value
      this.ws()
      if (this.text[this.i] === ',') {
        this.i++
        continue
      }
      if (this.text[this.i] === '}') return this.close(out)
      this.fail("',' or '}' should be here")
    }
  }

  /** Steps over the closing bracket. */
  private close<T>(value: T): T {
    this.i++
    return value
  }

  private array(path: string): Json[] {
    const out: Json[] = []
    this.i++
    this.ws()
    if (this.text[this.i] === ']') return this.close(out)
    for (;;) {
      out.push(this.value(`${path}/${out.length}`).value)
      this.ws()
      if (this.text[this.i] === ',') {
        this.i++
        continue
      }
      if (this.text[this.i] === ']') return this.close(out)
      this.fail("',' or ']' should be here")
    }
  }
}

const KEYS = ['$schema', 'version', 'build', 'kernel', 'machine', 'firmware', 'memory', 'initrd', 'cmdline', 'modules', 'maxSteps', 'strictTlb']
const BUILD_KEYS = ['command', 'cwd', 'env']

/** Parses and checks `bootscope.json`; every mistake is a diagnostic at its line and column. */
export function parseWorkspaceFile(text: string, file = WORKSPACE_FILE): { value?: WorkspaceFile; diagnostics: Diagnostic[] } {
  const p = new Parser(text)
  let root: Located
  try {
    root = p.parse()
  } catch (e) {
    const place = (e as { place?: { line: number; column: number } }).place ?? { line: 1, column: 1 }
    return { diagnostics: [{ severity: 'error', code: 'workspace.json_syntax', message: `${file} is not valid JSON: ${(e as Error).message}`, loc: { file, ...place } }] }
  }
  const diagnostics: Diagnostic[] = []
  const at = (path: string): SourceLoc => ({ file, ...(p.places.get(path) ?? { line: 1, column: 1 }) })
  const problem = (path: string, message: string, hint?: string) => diagnostics.push({ severity: 'error', code: 'workspace.file', message, loc: at(path), ...(hint ? { hint } : {}) })
  const v = root.value
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problem('', `${file} holds one JSON object`, 'start from { "version": 1, "build": { "command": "make" }, "kernel": "kernel.elf" }')
    return { diagnostics }
  }
  for (const k of Object.keys(v)) if (!KEYS.includes(k)) problem(`/${k}`, `unknown key "${k}"`, `the keys are ${KEYS.filter((x) => x !== '$schema').join(', ')}`)
  if (v.version !== WORKSPACE_FILE_VERSION) {
    problem(v.version === undefined ? '' : '/version', v.version === undefined ? 'the file has no "version"' : `version ${JSON.stringify(v.version)} is not one this Bootscope reads`, `write "version": ${WORKSPACE_FILE_VERSION}`)
  }
  const str = (key: string, optional = true): string | undefined => {
    const x = v[key]
    if (x === undefined && optional) return undefined
    if (typeof x !== 'string' || x === '') problem(x === undefined ? '' : `/${key}`, x === undefined ? `the file has no "${key}"` : `"${key}" is a non-empty string`)
    return typeof x === 'string' ? x : undefined
  }
  const build = v.build
  let command: string | string[] | undefined
  let cwd: string | undefined
  let env: Record<string, string> | undefined
  if (typeof build !== 'object' || build === null || Array.isArray(build)) {
    problem(build === undefined ? '' : '/build', build === undefined ? 'the file has no "build"' : '"build" is an object', 'e.g. "build": { "command": "make" }')
  } else {
    for (const k of Object.keys(build)) if (!BUILD_KEYS.includes(k)) problem(`/build/${k}`, `unknown key "${k}" in "build"`, `the keys are ${BUILD_KEYS.join(', ')}`)
    const c = build.command
    if (typeof c === 'string' && c.trim()) command = c
    else if (Array.isArray(c) && c.length && c.every((x) => typeof x === 'string' && x)) command = c as string[]
    else problem(c === undefined ? '/build' : '/build/command', 'the build command is a command line ("make") or a non-empty list of arguments (["cargo", "build"])')
    if (build.cwd !== undefined) {
      if (typeof build.cwd === 'string') cwd = build.cwd
      else problem('/build/cwd', '"cwd" is a folder of the workspace')
    }
    if (build.env !== undefined) {
      const e = build.env
      if (typeof e === 'object' && e !== null && !Array.isArray(e) && Object.values(e).every((x) => typeof x === 'string')) env = e as Record<string, string>
      else problem('/build/env', '"env" is an object of strings')
    }
  }
  const kernel = str('kernel', false)
  const out: WorkspaceFile = { version: 1, build: { command: command ?? '', ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) }, kernel: kernel ?? '' }
  for (const key of ['machine', 'firmware', 'memory', 'initrd', 'cmdline'] as const) {
    const s = str(key)
    if (s !== undefined) out[key] = s
  }
  if (out.memory !== undefined && parseSize(out.memory) === undefined) problem('/memory', `memory "${out.memory}" is not a size`, 'e.g. "128M" or "1G"')
  if (v.modules !== undefined) {
    const m = v.modules
    if (!Array.isArray(m)) problem('/modules', '"modules" is a list of { "path": …, "string": … }')
    else {
      out.modules = []
      m.forEach((x, i) => {
        if (typeof x === 'object' && x !== null && !Array.isArray(x) && typeof x.path === 'string' && (x.string === undefined || typeof x.string === 'string')) {
          out.modules!.push({ path: x.path, ...(typeof x.string === 'string' ? { string: x.string } : {}) })
        } else problem(`/modules/${i}`, 'a module is { "path": "file", "string": "its command line" }')
      })
    }
  }
  if (v.maxSteps !== undefined) {
    if (typeof v.maxSteps === 'number' && Number.isSafeInteger(v.maxSteps) && v.maxSteps > 0) out.maxSteps = v.maxSteps
    else problem('/maxSteps', '"maxSteps" is a whole number of instructions')
  }
  if (v.strictTlb !== undefined) {
    if (typeof v.strictTlb === 'boolean') out.strictTlb = v.strictTlb
    else problem('/strictTlb', '"strictTlb" is true or false')
  }
  return diagnostics.length ? { diagnostics } : { value: out, diagnostics }
}
