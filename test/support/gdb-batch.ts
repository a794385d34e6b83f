/**
 * gdb-multiarch in batch mode against a stub on 127.0.0.1:port, for the gdb tests: the commands
 * go into a script (pagination and confirmations off), gdb connects, runs them and detaches; the
 * output is stdout and stderr together. gdb exits 1 when a command fails: its output says which,
 * and the tests' expectations show it.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { serveGdb } from '../../src/main/gdb/server'
import type { DebugTarget } from '../../src/main/gdb/debug-target'

export async function gdbBatch(o: { gdb: string; dir: string; port: number; elf: string }, commands: string[]): Promise<string> {
  const script = join(o.dir, `cmds-${o.port}.gdb`)
  writeFileSync(script, ['set pagination off', 'set confirm off', 'set width 0', `target remote 127.0.0.1:${o.port}`, ...commands, 'detach', ''].join('\n'))
  const r = await promisify(execFile)(o.gdb, ['-batch', '-nx', '-x', script, o.elf], { timeout: 120_000 }).catch((e: { stdout?: string; stderr?: string }) => e)
  return `${r.stdout ?? ''}${r.stderr ?? ''}`
}

/** `gdbBatch` against a fresh stub serving `target` (closed afterwards). */
export async function gdbAgainst(target: DebugTarget, o: { gdb: string; dir: string; elf: string }, commands: string[]): Promise<string> {
  const server = await serveGdb(target, { port: 0 })
  try {
    return await gdbBatch({ ...o, port: server.port }, commands)
  } finally {
    await server.close()
  }
}
