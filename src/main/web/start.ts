/**
 * `npm run web`: browser mode from the command line. Starts the host and the server on
 * 127.0.0.1, prints one line `Bootscope: http://127.0.0.1:PORT/?token=TOKEN` when ready, and
 * stops cleanly on SIGINT/SIGTERM.
 *
 *   tsx src/main/web/start.ts [--port N] [--workspace DIR]
 */
import { join } from 'node:path'
import { Host } from '../host/host'
import { bootscopeHome, WEB_DIST_DIR } from '../host/paths'
import { startWebServer, type RunningWebServer } from './server'

/** How long a clean stop may take before the process exits anyway. */
const STOP_GRACE_MS = 3000

function parseArgs(argv: string[]): { port: number; workspace: string } {
  let port = 0
  let workspace = process.env.BOOTSCOPE_WORKSPACE || join(bootscopeHome(), 'workspace')
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--port') port = Number(argv[++i])
    else if (a.startsWith('--port=')) port = Number(a.slice(7))
    else if (a === '--workspace') workspace = argv[++i]
    else if (a.startsWith('--workspace=')) workspace = a.slice(12)
    else {
      console.error(`bootscope web: unknown option '${a}'\nusage: npm run web -- [--port N] [--workspace DIR]`)
      process.exit(2)
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('bootscope web: --port takes a number from 0 to 65535')
    process.exit(2)
  }
  return { port, workspace }
}

async function main(): Promise<void> {
  const { port, workspace } = parseArgs(process.argv.slice(2))
  const host = new Host({ workspaceRoot: workspace, transport: 'websocket', allowDebug: process.env.BOOTSCOPE_DEBUG === '1' })
  await host.core.whenReady()
  // Signal handlers go in before the ready line: whoever reads that line may stop us at once.
  const running: { server?: RunningWebServer } = {}
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    // Never hang on the way out: whatever is still open after this long is abandoned.
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref()
    await running.server?.close()
    await host.dispose()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
  running.server = await startWebServer({ host, distDir: WEB_DIST_DIR, port })
  console.log(`Bootscope: ${running.server.url}`)
}

main().catch((e) => {
  console.error(`bootscope web: ${(e as Error).message}`)
  process.exit(1)
})
