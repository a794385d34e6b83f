// `npm start`: the desktop app, from a fresh checkout. Electron 45 no longer downloads its binary
// at `npm install`; it does so the first time something asks for its path (`require('electron')`
// runs Electron's own installer when the binary is missing). electron-vite only reads Electron's
// path.txt and fails with "Electron uninstall" before that ever happens. So: ask Electron for its
// path first, hand it to electron-vite (ELECTRON_EXEC_PATH), and run `electron-vite preview`,
// which builds the bundles once and starts the app (a separate `electron-vite build` before it
// built everything twice).
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The Electron executable, downloading it through Electron's installer when it is missing. */
export function electronPath() {
  const require = createRequire(join(root, 'package.json'))
  try {
    return require('electron')
  } catch (e) {
    const first = String(e instanceof Error ? e.message : e).split('\n')[0]
    throw new Error(`cannot get Electron's binary: ${first}`, { cause: e })
  }
}

function main() {
  let electron
  try {
    electron = electronPath()
  } catch (e) {
    console.error(`npm start: ${e.message}`)
    console.error('  hint: Electron downloads its binary on first use; check the network (or ELECTRON_MIRROR), then run `npx install-electron --no` and `npm start` again')
    return 1
  }
  const cli = join(root, 'node_modules/electron-vite/bin/electron-vite.js')
  const r = spawnSync(process.execPath, [cli, 'preview', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_EXEC_PATH: electron },
  })
  if (r.error) console.error(`npm start: ${r.error.message}`)
  return r.status ?? 1
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main()
