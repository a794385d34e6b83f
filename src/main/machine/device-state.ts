/**
 * Saves and restores a device's own state for replay checkpoints, without each device writing
 * its own serializer: every own field holding data (numbers, bigints, strings, booleans, arrays,
 * typed arrays, Maps, Sets and plain objects of those) is deep-copied; fields holding functions
 * or other objects (the bus, interrupt lines, callbacks, the disk) are the device's wiring, not
 * its state, and are left alone. Restoring copies again, so one saved state can be restored many
 * times.
 */
export type DeviceState = Map<string, unknown>

/** What `copyData` returns for a value that is not data (wiring). */
const NOT_DATA = Symbol('not data')
const typedSlice = Object.getPrototypeOf(Uint8Array.prototype).slice as (this: ArrayBufferView) => ArrayBufferView

/**
 * A deep copy of `v` when it is data, else `NOT_DATA`: one walk (checking and copying), as
 * structuredClone would copy it (a Buffer becomes a Uint8Array), but a view copies only its bytes
 * and there is no per-call cost (structuredClone's made a checkpoint's device state cost ~10× more).
 */
function copyData(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' ? NOT_DATA : v
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) return new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength))
    return Buffer.isBuffer(v) ? new Uint8Array(v) : typedSlice.call(v)
  }
  const proto = Object.getPrototypeOf(v)
  if (proto === Array.prototype) {
    const a = v as unknown[]
    const out: unknown[] = new Array(a.length)
    for (let i = 0; i < a.length; i++) {
      const c = copyData(a[i])
      if (c === NOT_DATA) return NOT_DATA
      out[i] = c
    }
    return out
  }
  if (proto === Map.prototype) {
    const out = new Map<unknown, unknown>()
    for (const [k, x] of v as Map<unknown, unknown>) {
      const [ck, cx] = [copyData(k), copyData(x)]
      if (ck === NOT_DATA || cx === NOT_DATA) return NOT_DATA
      out.set(ck, cx)
    }
    return out
  }
  if (proto === Set.prototype) {
    const out = new Set<unknown>()
    for (const x of v as Set<unknown>) {
      const c = copyData(x)
      if (c === NOT_DATA) return NOT_DATA
      out.add(c)
    }
    return out
  }
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v)) {
      const c = copyData((v as Record<string, unknown>)[k])
      if (c === NOT_DATA) return NOT_DATA
      out[k] = c
    }
    return out
  }
  return NOT_DATA
}

export function saveDeviceState(device: object, skip: readonly string[] = []): DeviceState {
  const out: DeviceState = new Map()
  for (const key of Object.keys(device)) {
    if (skip.includes(key)) continue
    const c = copyData((device as Record<string, unknown>)[key])
    if (c !== NOT_DATA) out.set(key, c)
  }
  return out
}

export function loadDeviceState(device: object, state: DeviceState): void {
  const target = device as Record<string, unknown>
  for (const [key, value] of state) target[key] = copyData(value)
}
