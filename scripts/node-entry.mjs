// Runs one of the bundled Node entry points (out/node/*.js, built by scripts/build-node.mjs in
// npm's prepare step): they start at once and need only the package's dependencies. In a checkout
// whose sources changed since that build, the TypeScript source runs through tsx instead (a dev
// dependency), so what runs is always what the sources say; without tsx (`npm ci --omit=dev`)
// the bundle is all there is. Used by bin/bootscope.mjs and `npm run web`.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The newest modification time of a file under `dir`. */
function newest(dir) {
  let t = 0
  if (!existsSync(dir)) return t
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/** Whether the bundle `name` exists and is at least as new as every source under src/main and src/shared. */
export function bundleIsFresh(name) {
  const bundle = join(root, 'out/node', `${name}.js`)
  if (!existsSync(bundle)) return false
  const built = statSync(bundle).mtimeMs
  return built >= newest(join(root, 'src/main')) && built >= newest(join(root, 'src/shared'))
}

/** Imports bundle `name`, or its TypeScript `source` through tsx when the bundle is stale or missing. */
export async function importEntry(name, source) {
  const bundle = join(root, 'out/node', `${name}.js`)
  const tsx = existsSync(join(root, 'node_modules/tsx/package.json'))
  const fromSources = process.env.BOOTSCOPE_FROM_SOURCES === '1' // the bench's "before": always tsx
  if ((!fromSources && bundleIsFresh(name)) || (existsSync(bundle) && !tsx)) return import(pathToFileURL(bundle).href)
  if (!tsx) {
    console.error(`bootscope: out/node/${name}.js is not built: run \`npm install\` (or \`npm run build:node\`)`)
    process.exit(1)
  }
  const { register } = await import('tsx/esm/api')
  register()
  return import(pathToFileURL(join(root, source)).href)
}
