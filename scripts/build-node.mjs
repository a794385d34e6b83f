// Bundles the Node entry points — the `bootscope` CLI, browser mode (`npm run web`) and its core
// worker — into out/node/ with esbuild, so they start in milliseconds and need only the
// package's `dependencies` at run time (`npm ci --omit=dev`); tsx stays a development tool. Run by
// npm's `prepare` (after the wasm) and by `npm run build:node`. Packages stay external: they are
// the runtime dependencies, resolved from node_modules as usual.
//
// A few modules find files next to their own source (`new URL('../../build/wasm/…',
// import.meta.url)`); in a bundle import.meta.url is the bundle's, so for the modules listed in
// SOURCE_RELATIVE the bundle gets the URL of the source file instead (relative to the bundle, so
// the checkout can move). host/paths.ts is not among them: it tells a bundle from the sources by
// its own URL, and finds the package root by walking up.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const OUT_DIR = join(root, 'out/node')
export const ENTRIES = {
  bootscope: 'src/main/cli/main.ts',
  web: 'src/main/web/start.ts',
  worker: 'src/main/worker/entry.ts',
}
const SOURCE_RELATIVE = ['src/main/cli/main.ts', 'src/main/labs/grade.ts']

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
  const sourceRelative = {
    name: 'source-relative-import-meta-url',
    setup(build) {
      const files = new Set(SOURCE_RELATIVE.map((f) => join(root, f)))
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!files.has(args.path)) return undefined
        const rel = relative(OUT_DIR, args.path).split('\\').join('/')
        const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`)
        return { contents: text, loader: 'ts', resolveDir: dirname(args.path) }
      })
    },
  }
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
    plugins: [sourceRelative],
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`build-node: ${e.message}`)
    process.exitCode = 1
  })
}
