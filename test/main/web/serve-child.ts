/**
 * A browser-mode server in its own process, for tests that try to end it: starts the host and
 * the server on a scratch workspace and a tiny renderer folder, prints `READY port token`, and
 * stays up until killed. If anything a client sends ends this process, the test sees it exit.
 *
 *   node --import tsx test/main/web/serve-child.ts BASE_DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Host } from '../../../src/main/host/host'
import { startWebServer } from '../../../src/main/web/server'

const base = process.argv[2]
const dist = join(base, 'dist')
mkdirSync(dist, { recursive: true })
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Bootscope</title>')
const host = new Host({ workspaceRoot: join(base, 'ws'), transport: 'websocket' })
await host.core.whenReady()
const server = await startWebServer({ host, distDir: dist })
console.log(`READY ${server.port} ${server.token}`)
