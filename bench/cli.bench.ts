/**
 * How fast the `bootscope` command starts: `bootscope --version` and `bootscope build` of the
 * example from the bundle (out/node/bootscope.js, what `npx bootscope` runs) against the same
 * commands from the TypeScript sources through tsx (what it ran before the bundle;
 * BOOTSCOPE_FROM_SOURCES=1), with a bare `node -e 0` as the floor. Median wall time of several runs.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchResult } from './bench-types'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RUNS = 7
const EXAMPLE = join(ROOT, 'resources/examples/higher-half')

function medianMs(args: string[], env: Record<string, string> = {}): number {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`)
    times.push(performance.now() - t0)
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]
}

export default async function (): Promise<BenchResult[]> {
  spawnSync(process.execPath, [join(ROOT, 'scripts/build-node.mjs')], { cwd: ROOT })
  const bin = join(ROOT, 'bin/bootscope.mjs')
  const build = [bin, 'build', '-T', join(EXAMPLE, 'linker.ld'), join(EXAMPLE, 'entry.S'), join(EXAMPLE, 'main.S'), '-o', join(ROOT, 'out/bench-example.elf')]
  const floor = medianMs(['-e', '0'])
  const versionTsx = medianMs([bin, '--version'], { BOOTSCOPE_FROM_SOURCES: '1' })
  const version = medianMs([bin, '--version'])
  const buildTsx = medianMs(build, { BOOTSCOPE_FROM_SOURCES: '1' })
  const buildBundled = medianMs(build)
  return [
    { name: 'node -e 0 (the floor)', value: floor, unit: 'ms' },
    { name: 'bootscope --version, bundled', value: version, unit: 'ms', peer: { name: 'from sources through tsx', value: versionTsx }, goal: '≤ 100 ms', met: version <= 100 },
    { name: 'bootscope build (example), bundled', value: buildBundled, unit: 'ms', peer: { name: 'from sources through tsx', value: buildTsx } },
  ]
}
