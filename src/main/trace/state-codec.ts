/**
 * A machine's state without RAM (`MachineSnapshot`: the hart's bytes, every device's fields, the
 * run's own fields) as text for the recording's `checkpoints` table, and back. Device states are
 * the data `device-state.ts` copies — numbers, bigints, strings, booleans, null/undefined, arrays,
 * typed arrays, Maps, Sets and plain objects — which JSON alone cannot hold (bigints, Maps,
 * typed arrays, undefined, NaN), so every value that is not a plain JSON string, boolean, null or
 * finite number is written as a tagged object `{ "$": tag, "v": … }`:
 * `n` bigint (decimal text), `u` undefined, `f` a non-finite or negative-zero number, `t` a typed
 * array (`c` its class, `v` base64 of its bytes), `m` a Map (`v` [key, value] pairs), `s` a Set,
 * `o` a plain object. Decoding anything else is an error (a damaged row), never a guess.
 */
import type { MachineSnapshot } from '../machine/core/boot-machine'
import type { DeviceState } from '../machine/device-state'

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

const TYPED = {
  Uint8Array,
  Int8Array,
  Uint8ClampedArray,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
  BigUint64Array,
  BigInt64Array,
} as const
type TypedName = keyof typeof TYPED

function encode(v: unknown): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v
  if (v === undefined) return { $: 'u' }
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $: 'f', v: String(v === 0 ? '-0' : v) }
  if (typeof v === 'bigint') return { $: 'n', v: v.toString() }
  if (Array.isArray(v)) return v.map(encode)
  if (ArrayBuffer.isView(v)) {
    const c = v.constructor.name
    if (!(c in TYPED)) throw new Error(`cannot keep a ${c} in a checkpoint`)
    return { $: 't', c, v: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }
  }
  if (v instanceof Map) return { $: 'm', v: [...v].map(([k, x]) => [encode(k), encode(x)]) }
  if (v instanceof Set) return { $: 's', v: [...v].map(encode) }
  if (typeof v === 'object') return { $: 'o', v: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])) }
  throw new Error(`cannot keep a ${typeof v} in a checkpoint`)
}

function decode(j: unknown): unknown {
  if (j === null || typeof j === 'boolean' || typeof j === 'string' || typeof j === 'number') return j
  if (Array.isArray(j)) return j.map(decode)
  if (typeof j !== 'object') throw new Error(`unexpected ${typeof j}`)
  const { $: tag, v, c } = j as { $?: unknown; v?: unknown; c?: unknown }
  switch (tag) {
    case 'u':
      return undefined
    case 'f':
      if (v === '-0') return -0
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v)
      break
    case 'n':
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v)
      break
    case 't': {
      if (typeof c !== 'string' || !(c in TYPED) || typeof v !== 'string') break
      const bytes = Buffer.from(v, 'base64')
      const Ctor = TYPED[c as TypedName]
      if (bytes.length % Ctor.BYTES_PER_ELEMENT) break
      const copy = new Uint8Array(bytes) // aligned, owned
      return new Ctor(copy.buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT)
    }
    case 'm':
      if (Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2)) return new Map(v.map(([k, x]) => [decode(k), decode(x)]))
      break
    case 's':
      if (Array.isArray(v)) return new Set(v.map(decode))
      break
    case 'o':
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]))
      break
  }
  throw new Error(`a value tagged ${JSON.stringify(tag)} is not what the writer writes`)
}

/** The snapshot's devices, run state and console length as JSON text (the hart's bytes go in their own column). */
export function encodeMachineState(s: MachineSnapshot): string {
  return JSON.stringify({ devices: s.devices.map(encode), run: encode(s.run), consoleLength: s.consoleLength })
}

/** The inverse of `encodeMachineState`, with the hart's bytes and the step; throws on text the writer would not write. */
export function decodeMachineState(text: string, hart: Uint8Array, step: bigint): MachineSnapshot {
  const j = JSON.parse(text) as { devices?: unknown; run?: unknown; consoleLength?: unknown }
  if (!Array.isArray(j.devices) || typeof j.consoleLength !== 'number') throw new Error('the machine state has no devices or console length')
  const asState = (x: unknown): DeviceState | undefined => {
    if (x === undefined) return undefined
    if (!(x instanceof Map)) throw new Error('a device state is not a map of fields')
    return x as DeviceState
  }
  const run = asState(decode(j.run))
  if (!run) throw new Error('the machine state has no run state')
  return { step, hart, devices: j.devices.map((d) => asState(decode(d))), run, consoleLength: j.consoleLength }
}
