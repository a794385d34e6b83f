/**
 * Saves and restores a device's own state for replay checkpoints, without each device writing
 * its own serializer: every own field holding data (numbers, bigints, strings, booleans, arrays,
 * typed arrays, Maps, Sets and plain objects of those) is deep-copied; fields holding functions
 * or other objects (the bus, interrupt lines, callbacks, the disk) are the device's wiring, not
 * its state, and are left alone. Restoring copies again, so one saved state can be restored many
 * times.
 */
export type DeviceState = Map<string, unknown>

function isData(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'function' && typeof v !== 'symbol'
  if (ArrayBuffer.isView(v)) return true
  const proto = Object.getPrototypeOf(v)
  if (proto === Array.prototype) return (v as unknown[]).every(isData)
  if (proto === Map.prototype) return [...(v as Map<unknown, unknown>)].every(([k, x]) => isData(k) && isData(x))
  if (proto === Set.prototype) return [...(v as Set<unknown>)].every(isData)
  if (proto === Object.prototype || proto === null) return Object.values(v).every(isData)
  return false
}

const copy = <T>(v: T): T => (v !== null && typeof v === 'object' ? structuredClone(v) : v)

export function saveDeviceState(device: object, skip: readonly string[] = []): DeviceState {
  const out: DeviceState = new Map()
  for (const [key, value] of Object.entries(device)) {
    if (!skip.includes(key) && isData(value)) out.set(key, copy(value))
  }
  return out
}

export function loadDeviceState(device: object, state: DeviceState): void {
  const target = device as Record<string, unknown>
  for (const [key, value] of state) target[key] = copy(value)
}
