/**
 * The bundled CLI (scripts/build-node.mjs → out/node/): it needs only the package's runtime
 * dependencies, so it works after `npm ci --omit=dev`. Checked by reading the bundles' imports,
 * and by running `bin/bootscope.mjs` from a copy of the package whose node_modules holds only what
 * `npm ls --omit=dev` lists (no tsx, no esbuild): it must boot a kernel from the bundle.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { builtinModules } from 'node:module'
import { cpSync, mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { buildKernel } from '../fixtures/machine/build-kernel'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BUNDLES = ['bootscope', 'web', 'worker']

describe('the bundled CLI and browser-mode server', () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-node.mjs')], { cwd: ROOT, stdio: 'pipe' })

  it('import nothing but Node built-ins and the package’s dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
    for (const name of BUNDLES) {
      const text = readFileSync(join(ROOT, 'out/node', `${name}.js`), 'utf8')
      const imported = [...text.matchAll(/(?:^|\n)\s*import\s[^'"]*?from\s*"([^"]+)"|import\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2])
      const bare = imported.filter((s) => !s.startsWith('.') && !s.startsWith('/'))
      expect(bare.length).toBeGreaterThan(0)
      expect(bare.filter((s) => !allowed.has(s.split('/')[0].startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0])), name).toEqual([])
    }
  })

  it('boots a kernel from a copy of the package installed without dev dependencies', () => {
    const copy = mkdtempSync(join(tmpdir(), 'bootscope-omit-dev-'))
    for (const f of ['package.json', 'bin', 'scripts', 'resources', 'build/wasm', 'out/node']) cpSync(join(ROOT, f), join(copy, f), { recursive: true })
    mkdirSync(join(copy, 'node_modules'))
    const runtime = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((p) => p.includes('/node_modules/') && !p.slice(p.indexOf('/node_modules/') + 14).includes('/node_modules/'))
    for (const p of runtime) {
      const name = p.slice(p.indexOf('/node_modules/') + 14)
      if (name.includes('/')) mkdirSync(join(copy, 'node_modules', name.split('/')[0]), { recursive: true })
      symlinkSync(p, join(copy, 'node_modules', name))
    }
    expect(runtime.map((p) => basename(p))).not.toContain('tsx')
    const k = buildKernel(['uart-hello.S'], 'm-mode.ld')
    writeFileSync(join(copy, 'k.elf'), k.bytes)
    const r = spawnSync(process.execPath, [join(copy, 'bin/bootscope.mjs'), 'boot', 'k.elf', '--bios', 'none'], { cwd: copy, encoding: 'utf8' })
    expect(r.stdout.startsWith('hello from M-mode over the 16550\n'), r.stderr).toBe(true)
    expect(r.stderr).toContain('bootscope boot: shutdown')
    expect(r.status).toBe(3) // the fixture's own exit code through the test finisher
  }, 120_000)
})
