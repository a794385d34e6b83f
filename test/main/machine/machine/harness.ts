/**
 * Shared set-up for the machine's integration tests: whether the real hart (wasm) is available,
 * and a `boot` helper that builds a fixture kernel, boots it and collects the console and events.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Hart } from '../../../../src/main/machine/hart/hart'
import { Machine, type MachineConfig, type MachineEvent, type RunOptions, type StopInfo } from '../../../../src/main/machine/machine'

export const HART_SOURCE = fileURLToPath(new URL('../../../../src/main/machine/hart/hart.ts', import.meta.url))
export const hartMissing = !existsSync(HART_SOURCE)
if (hartMissing) console.warn('skipping machine integration tests: src/main/machine/hart/hart.ts is not there yet')

/** BOOTSCOPE_HART_WASM=path runs these tests on another build of the hart (e.g. one being debugged). */
const WASM_OVERRIDE = process.env.BOOTSCOPE_HART_WASM
export const createHart: MachineConfig['createHart'] = WASM_OVERRIDE ? async (o) => new Hart(o, WASM_OVERRIDE) : undefined

export interface BootResult {
  machine: Machine
  stop: StopInfo
  text: string
  events: MachineEvent[]
}

export async function boot(config: MachineConfig, run: RunOptions = {}): Promise<BootResult> {
  const events: MachineEvent[] = []
  const created = await Machine.create({ createHart, ...config, listener: (e) => events.push(e) })
  if (!created.ok) throw new Error(`${created.error.message}${created.error.hint ? ` (hint: ${created.error.hint})` : ''}`)
  const stop = await created.value.run({ maxSteps: 50_000_000, ...run })
  return { machine: created.value, stop, text: created.value.consoleText(), events }
}
