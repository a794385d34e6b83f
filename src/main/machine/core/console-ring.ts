/**
 * What a machine keeps of its console (issue 10 item 11): the last `CONSOLE_RING_BYTES` bytes in
 * a ring, so a guest printing in a loop cannot grow the host's memory without limit. Every byte
 * still reaches the machine's listeners as it is printed (the recorder keeps the full text in the
 * recording, the CLI prints it); the ring is for `consoleText()` — tests, the labs' live checks,
 * a prompt the host waits for — which look at the recent output. `length` counts every byte ever
 * printed, so a position in the output (a checkpoint's `consoleLength`) stays meaningful after
 * the ring wraps.
 */

/** Bytes of console output a machine keeps (1 MiB); older output is in the recording only. */
export const CONSOLE_RING_BYTES = 1 << 20

export class ConsoleRing {
  /** Byte i of the output is at `buf[i % capacity]` (the buffer grows up to the capacity first). */
  private buf: Uint8Array
  /** Bytes printed since reset. */
  private total = 0
  /** Bytes before this position are not held even if within the last `capacity` (see `truncate`). */
  private heldFrom = 0

  constructor(readonly capacity = CONSOLE_RING_BYTES) {
    this.buf = new Uint8Array(Math.min(capacity, 4096))
  }

  /** Every byte printed so far, whether or not the ring still holds it. */
  get length(): number {
    return this.total
  }

  /** Where the output the ring holds begins. */
  get start(): number {
    return Math.max(this.total - this.capacity, this.heldFrom, 0)
  }

  push(byte: number): void {
    if (this.total === this.buf.length && this.buf.length < this.capacity) {
      const grown = new Uint8Array(Math.min(this.capacity, this.buf.length * 2))
      grown.set(this.buf)
      this.buf = grown
    }
    this.buf[this.total % this.capacity] = byte
    this.total++
  }

  /**
   * Back to `length` bytes printed (a checkpoint restored): what was printed after is forgotten.
   * Output before `length` that later output overwrote stays lost, so the ring then holds less.
   */
  truncate(length: number): void {
    if (length >= this.total) return
    this.heldFrom = this.start
    this.total = Math.max(0, length)
  }

  /** The text printed from byte `from` on, as latin1 (only what the ring still holds). */
  textSince(from = 0): string {
    const start = Math.max(from, this.start)
    if (start >= this.total) return ''
    const a = start % this.capacity
    const b = a + (this.total - start)
    if (b <= this.buf.length) return Buffer.from(this.buf.subarray(a, b)).toString('latin1')
    return Buffer.concat([this.buf.subarray(a), this.buf.subarray(0, b - this.buf.length)]).toString('latin1')
  }

  /** The text the ring holds: all of the output until it exceeds the capacity. */
  text(): string {
    return this.textSince(0)
  }
}
