/**
 * The toolchain as it ships. `npm run bench` runs under tsx, whose transform wraps every function
 * and closure in a `__name(…)` call (it keeps names) — a cost on every call that the app
 * (electron-vite) and the CLI (esbuild, scripts/build-node.mjs) do not pay: the seed 002 NASM
 * build measured ~2× slower through tsx than bundled. A benchmark of what a user waits for
 * imports the module bundled as build-node.mjs bundles the CLI (esbuild, ESM, node22, packages
 * external), into a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Imports `source` (a path from the package root) bundled as the shipped code is. */
export async function importShipped<T>(source: string): Promise<T> {
  const esbuild = createRequire(join(ROOT, 'package.json'))('esbuild') as typeof import('esbuild')
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-shipped-'))
  try {
    const outfile = join(dir, 'bundle.mjs')
    await esbuild.build({ entryPoints: [join(ROOT, source)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', logLevel: 'warning' })
    return (await import(pathToFileURL(outfile).href)) as T
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
