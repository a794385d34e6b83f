// Bundles the Node entry points — the `bootscope` CLI, browser mode (`npm run web`) and its core
// worker — into out/node/ with esbuild, so they start in milliseconds and need only the
// package's `dependencies` at run time (`npm ci --omit=dev`); tsx stays a development tool. Run by
// npm's `prepare` (after the wasm) and by `npm run build:node`. Packages stay external: they are
// the runtime dependencies, resolved from node_modules as usual.
//
// Code that finds files of the package (build/wasm, resources, bin, package.json) walks up to
// the package root (src/main/files/package-root.ts), so a bundle needs no special treatment.
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const OUT_DIR = join(root, 'out/node')
export const ENTRIES = {
  bootscope: 'src/main/cli/main.ts',
  web: 'src/main/web/start.ts',
  worker: 'src/main/worker/entry.ts',
}

async function main() {
  let esbuild
  try {
    esbuild = createRequire(join(root, 'package.json'))('esbuild')
  } catch {
    // Installed without dev dependencies: keep the bundles that came with the package.
    if (Object.keys(ENTRIES).every((n) => existsSync(join(OUT_DIR, `${n}.js`)))) return
    throw new Error('esbuild is missing (a dev dependency): run `npm install` to build out/node')
  }
  mkdirSync(OUT_DIR, { recursive: true })
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, join(root, src)])),
    outdir: OUT_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`build-node: ${e.message}`)
    process.exitCode = 1
  })
}
