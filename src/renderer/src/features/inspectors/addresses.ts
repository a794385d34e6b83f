/**
 * Addresses as the inspectors take and show them: what the user types (hex, with or without 0x,
 * with _ separators) normalised for the API, sizes in words, and whether a range holds an address.
 */

const HEX = /^(0x)?([0-9a-f]+)$/i

/** `ffff_ffff_8020_0000`, `0xFFFFFFFF80200000` → `0xffffffff80200000`; undefined when not a 64-bit hex number. */
export function parseAddress(text: string): string | undefined {
  const m = HEX.exec(text.trim().replace(/_/g, ''))
  if (!m) return undefined
  const v = BigInt(`0x${m[2]}`)
  if (v >= 1n << 64n) return undefined
  return `0x${v.toString(16)}`
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']

/** Bytes (hex, as the API gives sizes) in the largest binary unit that divides them: `0x40000000` → `1 GiB`. */
export function formatSize(hexBytes: string): string {
  let n = BigInt(hexBytes)
  let unit = 0
  while (n >= 1024n && n % 1024n === 0n && unit < UNITS.length - 1) {
    n /= 1024n
    unit++
  }
  return `${n} ${UNITS[unit]}`
}

/** True when `address` lies in [start, start + size). All hex. */
export function inRange(address: string, start: string, size: string): boolean {
  const a = BigInt(address)
  const s = BigInt(start)
  return a >= s && a < s + BigInt(size)
}
