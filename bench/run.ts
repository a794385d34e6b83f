/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line), prints one
 * table with ratios against the peers measured in the same run, and writes it as JSON and
 * Markdown to bench/results/. The machine is shared and noisy: compare ratios, not absolutes.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpus } from 'node:os'
import type { BenchResult, Benchmark } from './bench-types'

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url))
const RESULTS_DIR = join(BENCH_DIR, 'results')

function ratio(r: BenchResult): string {
  if (!r.peer || r.peer.value === 0) return ''
  return `${(r.value / r.peer.value).toFixed(2)}×`
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3)
}

async function main(): Promise<void> {
  const only = process.argv.slice(2)
  const files = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort()
  const rows: (BenchResult & { suite: string })[] = []
  const failures: string[] = []
  for (const f of files) {
    const suite = f.replace(/\.bench\.ts$/, '')
    process.stderr.write(`bench: ${suite}…\n`)
    try {
      const mod = (await import(join(BENCH_DIR, f))) as { default: Benchmark }
      for (const r of await mod.default()) rows.push({ suite, ...r })
    } catch (e) {
      failures.push(`${suite}: ${(e as Error).message}`)
    }
  }
  const header = '| suite | benchmark | value | peer | ratio (ours ÷ peer) | goal |\n|---|---|---|---|---|---|'
  const lines = rows.map(
    (r) =>
      `| ${r.suite} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.peer ? `${r.peer.name}: ${fmt(r.peer.value)} ${r.unit}` : '—'} | ${ratio(r)} | ${r.goal ?? ''}${r.met === undefined ? '' : r.met ? ' ✓' : ' ✗'} |`,
  )
  const when = new Date().toISOString()
  const md = `# Bootscope benchmarks\n\n${when} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n\n${header}\n${lines.join('\n')}\n${failures.length ? `\nFailed:\n${failures.map((f) => `- ${f}`).join('\n')}\n` : ''}`
  mkdirSync(RESULTS_DIR, { recursive: true })
  const stamp = when.replace(/[:.]/g, '-')
  writeFileSync(join(RESULTS_DIR, `${stamp}.json`), JSON.stringify({ when, node: process.version, results: rows, failures }, null, 2))
  writeFileSync(join(RESULTS_DIR, `${stamp}.md`), md)
  writeFileSync(join(RESULTS_DIR, 'latest.md'), md)
  console.log(md)
  if (failures.length) process.exitCode = 1
}

void main()
