/**
 * The memory view's rows: bytes (as the API returns them, one hex string) laid out in rows
 * (16 by default; the side panel fits 8) with their addresses and ASCII, each byte marked when it differs from the same address in the
 * dump shown before — the way a debugger shows what the last steps wrote.
 */

export interface DumpByte {
  /** Two hex digits. */
  hex: string
  changed: boolean
}

export interface DumpRow {
  /** Address of the row's first byte, hex (0x…, 16 digits when above 32 bits). */
  address: string
  bytes: DumpByte[]
  ascii: string
}

export interface Dump {
  address: string
  /** Hex, two digits a byte, no prefix. */
  bytes: string
}

/** Bytes of a dump keyed by absolute address, for comparing two dumps that may not line up. */
function byteMap(d: Dump | undefined): Map<bigint, string> {
  const m = new Map<bigint, string>()
  if (!d) return m
  const base = BigInt(d.address)
  for (let i = 0; i * 2 < d.bytes.length; i++) m.set(base + BigInt(i), d.bytes.slice(i * 2, i * 2 + 2))
  return m
}

export function formatAddress(a: bigint): string {
  const digits = a > 0xffff_ffffn ? 16 : 8
  return `0x${a.toString(16).padStart(digits, '0')}`
}

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.'
}

/** Rows of `current`; a byte is `changed` when `previous` covered its address with another value. */
export function hexDump(current: Dump, previous?: Dump, perRow = 16): DumpRow[] {
  const before = byteMap(previous)
  const base = BigInt(current.address)
  const rows: DumpRow[] = []
  const count = Math.floor(current.bytes.length / 2)
  for (let off = 0; off < count; off += perRow) {
    const bytes: DumpByte[] = []
    let ascii = ''
    for (let i = off; i < Math.min(count, off + perRow); i++) {
      const hex = current.bytes.slice(i * 2, i * 2 + 2).toLowerCase()
      const old = before.get(base + BigInt(i))
      bytes.push({ hex, changed: old !== undefined && old.toLowerCase() !== hex })
      ascii += printable(parseInt(hex, 16))
    }
    rows.push({ address: formatAddress(base + BigInt(off)), bytes, ascii })
  }
  return rows
}
