/**
 * A little-endian reader over one DWARF section: fixed-size integers, LEB128, C strings and the
 * 32/64-bit DWARF offsets (DWARF 5 §7.4). Reading past the end throws a `DwarfError` naming the
 * section and offset; the public entry points turn it into an error value.
 */

export class DwarfError extends Error {
  constructor(
    readonly section: string,
    readonly offset: number,
    message: string,
  ) {
    super(`${section}+0x${offset.toString(16)}: ${message}`)
  }
}

const utf8 = new TextDecoder()

export class Cursor {
  pos: number
  private readonly view: DataView

  constructor(
    readonly bytes: Uint8Array,
    readonly section: string,
    pos = 0,
  ) {
    this.pos = pos
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length
  }

  fail(message: string, at = this.pos): never {
    throw new DwarfError(this.section, at, message)
  }

  private need(n: number): number {
    const at = this.pos
    if (n < 0 || at + n > this.bytes.length) this.fail(`needs ${n} bytes, only ${Math.max(0, this.bytes.length - at)} left`)
    this.pos += n
    return at
  }

  u8(): number {
    return this.view.getUint8(this.need(1))
  }
  i8(): number {
    return this.view.getInt8(this.need(1))
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true)
  }
  u24(): number {
    const at = this.need(3)
    return this.bytes[at] | (this.bytes[at + 1] << 8) | (this.bytes[at + 2] << 16)
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true)
  }
  u64(): bigint {
    return this.view.getBigUint64(this.need(8), true)
  }
  /** An unsigned integer of `size` bytes (1, 2, 4 or 8) as a bigint: addresses. */
  uint(size: number): bigint {
    switch (size) {
      case 1:
        return BigInt(this.u8())
      case 2:
        return BigInt(this.u16())
      case 4:
        return BigInt(this.u32())
      case 8:
        return this.u64()
      default:
        return this.fail(`unsupported size ${size}`)
    }
  }
  /** A 64-bit value as a number: offsets and lengths, which fit easily. */
  u64n(): number {
    const v = this.u64()
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`offset ${v} is too large`)
    return Number(v)
  }
  /** A section offset in the unit's format: 4 bytes (32-bit DWARF) or 8 (64-bit DWARF). */
  offset(size: 4 | 8): number {
    return size === 4 ? this.u32() : this.u64n()
  }
  uleb(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      const b = this.u8()
      result |= BigInt(b & 0x7f) << shift
      shift += 7n
      if (!(b & 0x80)) return result
    }
  }
  ulebn(): number {
    const v = this.uleb()
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`value ${v} is too large`)
    return Number(v)
  }
  sleb(): bigint {
    let result = 0n
    let shift = 0n
    let b: number
    do {
      b = this.u8()
      result |= BigInt(b & 0x7f) << shift
      shift += 7n
    } while (b & 0x80)
    return b & 0x40 ? result - (1n << shift) : result
  }
  cstr(): string {
    const start = this.pos
    let end = start
    while (end < this.bytes.length && this.bytes[end] !== 0) end++
    if (end >= this.bytes.length) this.fail('unterminated string', start)
    this.pos = end + 1
    return utf8.decode(this.bytes.subarray(start, end))
  }
  skip(n: number): void {
    this.need(n)
  }
  /**
   * An initial length (DWARF 5 §7.4): returns the unit's length, the offset size it declares and
   * where the unit ends.
   */
  initialLength(): { length: number; offsetSize: 4 | 8; end: number } {
    const first = this.u32()
    if (first === 0xffffffff) {
      const length = this.u64n()
      return { length, offsetSize: 8, end: this.pos + length }
    }
    if (first >= 0xfffffff0) this.fail(`reserved initial length 0x${first.toString(16)}`, this.pos - 4)
    return { length: first, offsetSize: 4, end: this.pos + first }
  }
}

/** The C string at `offset` in a string section (.debug_str, .debug_line_str). */
export function stringAt(bytes: Uint8Array | undefined, section: string, offset: number): string {
  if (!bytes) throw new DwarfError(section, offset, 'the section is missing')
  if (offset >= bytes.length) throw new DwarfError(section, offset, 'string offset past the end')
  return new Cursor(bytes, section, offset).cstr()
}
