/**
 * The e2e fixture: starts browser mode exactly as `npm run web` does (a real server process with
 * a real core worker and SQLite), in a fresh workspace, and reads the URL from the line it prints.
 */
import { test as base } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface WebApp {
  url: string
  workspace: string
  process: ChildProcess
  output: () => string
}

/** `prepare` fills the workspace folder before the app opens it (else the app copies in its example). */
export async function startWebApp(prepare?: (workspace: string) => void): Promise<WebApp> {
  const workspace = join(mkdtempSync(join(tmpdir(), 'bootscope-e2e-')), 'workspace')
  prepare?.(workspace)
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/web/start.ts', '--workspace', workspace], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start:\n${out}`)), 30_000)
    child.stdout!.on('data', () => {
      const m = /^Bootscope: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => reject(new Error(`browser mode exited with ${code}:\n${out}`)))
  })
  return { url, workspace, process: child, output: () => out }
}

export async function stopWebApp(app: WebApp): Promise<number | null> {
  if (app.process.exitCode !== null || app.process.signalCode !== null) return app.process.exitCode
  const exited = new Promise<number | null>((r) => app.process.once('exit', (code) => r(code)))
  app.process.kill('SIGTERM')
  return exited
}

export const test = base.extend<{ web: WebApp }>({
  web: async ({}, use) => {
    const app = await startWebApp()
    await use(app)
    await stopWebApp(app)
  },
})

export { expect } from '@playwright/test'
