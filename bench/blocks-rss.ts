/**
 * Helper of bench/blocks.bench.ts (not a bench itself): boots OpenSBI + U-Boot to its prompt and
 * runs `crc32` of 64 MiB with the engine named on the command line, in a process of its own, and
 * prints that process's peak RSS — the block compiler's memory cost next to the interpreter's.
 */
import { Hart } from '../src/main/machine/hart/hart'
import type { HartEngine, HartOptions } from '../src/main/machine/hart/hart-api'
import { CRC32_COMMAND, uBootAtPrompt } from './long.bench'

const engine = process.argv[2] as HartEngine
const m = await uBootAtPrompt({ createHart: async (o: HartOptions) => new Hart({ ...o, engine }) })
m.addListener((ev) => {
  if (ev.kind === 'uart' && ev.byte === 0x20 && m.consoleText().endsWith('\n=> ')) m.pause()
})
m.sendInput(CRC32_COMMAND)
const stop = await m.run({ maxSteps: m.steps + 10_000_000_000n })
if (stop.reason !== 'paused') throw new Error(`crc32 did not finish: ${stop.reason}`)
console.log(JSON.stringify({ engine, steps: Number(m.steps), rssMiB: process.resourceUsage().maxRSS / 1024 }))
