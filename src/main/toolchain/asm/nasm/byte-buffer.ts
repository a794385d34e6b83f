/**
 * A section's contents while a pass writes them: a growable byte array (capacity doubles), so
 * `resb 13000000` in a progbits section is one zero-filled allocation, not thirteen million
 * array pushes.
 */
export class ByteBuffer {
  private buf = new Uint8Array(256)
  length = 0

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.length + n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }

  push(bytes: ArrayLike<number>): void {
    this.room(bytes.length)
    if (bytes instanceof Uint8Array) this.buf.set(bytes, this.length)
    else for (let i = 0; i < bytes.length; i++) this.buf[this.length + i] = bytes[i]
    this.length += bytes.length
  }

  /** Appends `n` zero bytes (the space past `length` is always zero: nothing writes there). */
  zeros(n: number): void {
    this.room(n)
    this.length += n
  }

  /** A copy of the contents. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}
