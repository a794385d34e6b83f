// `npm run test:build`: the desktop app's bundles build (electron-vite: main with the core worker,
// preload, renderer). Electron itself cannot run here, but its core worker is a plain Node worker
// thread: this starts out/main/worker.js as the app would, builds the built-in RISC-V example and
// the i386 example through it and boots each until the guest ends — proving the bundle finds the
// harts' wasm and the example files from where electron-vite put it.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

const root = fileURLToPath(new URL('..', import.meta.url))
execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
const expected = ['out/main/index.js', 'out/main/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html']
const missing = expected.filter((f) => !existsSync(join(root, f)))
if (missing.length) {
  console.error(`electron-vite build did not produce: ${missing.join(', ')}`)
  process.exit(1)
}
console.log(`electron-vite build: ${expected.join(', ')}`)

/** Starts the bundled core worker and returns a request function (method, args) → result. */
async function startWorker() {
  const worker = new Worker(join(root, 'out/main/worker.js'), { workerData: { allowDebug: false } })
  const pending = new Map()
  let next = 1
  worker.on('message', (m) => {
    if (m.type === 'response') {
      pending.get(m.id)?.(m.result)
      pending.delete(m.id)
    }
  })
  worker.on('error', (e) => {
    console.error(`the bundled core worker crashed: ${e.message}`)
    process.exit(1)
  })
  await new Promise((resolve) => worker.on('message', (m) => m.type === 'ready' && resolve()))
  const request = (method, args) => new Promise((resolve) => {
    const id = next++
    pending.set(id, resolve)
    worker.postMessage({ type: 'request', id, method, args })
  })
  return { request, stop: () => worker.terminate() }
}

/** Builds resources/examples/<name> through the worker and boots it; fails unless the guest ends as expected. */
async function bootExample(request, name, want, dir) {
  const folder = join(root, 'resources/examples', name)
  const sources = readdirSync(folder).filter((f) => /\.(s|S|asm|ld)$/.test(f)).map((f) => ({ path: f, text: readFileSync(join(folder, f), 'utf8') }))
  const built = await request('build.run', { files: sources, script: 'linker.ld' })
  if (!built.ok || !built.value.ok) throw new Error(`${name}: the bundled worker could not build it: ${JSON.stringify(built.ok ? built.value.diagnostics : built.error)}`)
  const booted = await request('boot.run', {
    runId: name, recordingPath: join(dir, `${name}.sqlite`), kernel: { file: 'kernel.elf', bytes: built.value.elf },
    bios: 'builtin', maxSteps: 50_000_000, sourceLines: built.value.sourceLines,
  })
  if (!booted.ok) throw new Error(`${name}: the bundled worker could not boot it: ${booted.error.message}`)
  const { stop, steps } = booted.value
  if (stop.reason !== want) throw new Error(`${name}: the boot stopped with ${stop.reason} (${stop.message}), expected ${want}`)
  console.log(`electron bundle's core worker: ${name} built and booted, ${stop.reason} after ${steps} steps`)
}

const dir = mkdtempSync(join(tmpdir(), 'bootscope-electron-build-'))
const { request, stop } = await startWorker()
try {
  await bootExample(request, 'higher-half', 'shutdown', dir)
  await bootExample(request, 'i386-higher-half', 'shutdown', dir)
} catch (e) {
  console.error(e.message)
  process.exitCode = 1
} finally {
  await stop()
  rmSync(dir, { recursive: true, force: true })
}
