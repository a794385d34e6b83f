// `npm run test:build`: the desktop app's bundles build (electron-vite: main with the core worker,
// preload, renderer). Electron itself cannot run here; this proves what it would load exists.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
const expected = ['out/main/index.js', 'out/main/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html']
const missing = expected.filter((f) => !existsSync(join(root, f)))
if (missing.length) {
  console.error(`electron-vite build did not produce: ${missing.join(', ')}`)
  process.exit(1)
}
console.log(`electron-vite build: ${expected.join(', ')}`)
