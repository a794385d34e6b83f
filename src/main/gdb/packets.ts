/**
 * GDB Remote Serial Protocol framing (gdb manual, "Overview" of Appendix E): `$data#cs` with a
 * two-digit hex modulo-256 checksum, `}` escapes (byte XOR 0x20) for `#$}*`, `+`/`-`
 * acknowledgements until QStartNoAckMode, and a lone 0x03 byte as the interrupt request.
 * `PacketReader` turns a byte stream into these events; the encoders build replies.
 */

export type Incoming = { kind: 'packet'; data: string } | { kind: 'bad-checksum' } | { kind: 'interrupt' } | { kind: 'ack' } | { kind: 'nack' }

const ESCAPED = new Set([0x23, 0x24, 0x7d, 0x2a]) // # $ } *

export class PacketReader {
  private buf: number[] = []
  private inPacket = false
  private checksumDigits: number[] | undefined

  /** Feeds received bytes; returns the complete events they finish. */
  push(bytes: Uint8Array): Incoming[] {
    const out: Incoming[] = []
    for (const b of bytes) {
      if (this.checksumDigits) {
        this.checksumDigits.push(b)
        if (this.checksumDigits.length === 2) {
          const want = parseInt(String.fromCharCode(...this.checksumDigits), 16)
          const raw = this.buf
          let sum = 0
          for (const x of raw) sum = (sum + x) & 0xff
          this.checksumDigits = undefined
          this.inPacket = false
          this.buf = []
          out.push(sum === want ? { kind: 'packet', data: unescape(raw) } : { kind: 'bad-checksum' })
        }
      } else if (this.inPacket) {
        if (b === 0x23) this.checksumDigits = []
        else this.buf.push(b)
      } else if (b === 0x24) {
        this.inPacket = true
        this.buf = []
      } else if (b === 0x03) out.push({ kind: 'interrupt' })
      else if (b === 0x2b) out.push({ kind: 'ack' })
      else if (b === 0x2d) out.push({ kind: 'nack' })
    }
    return out
  }
}

function unescape(raw: number[]): string {
  const out: number[] = []
  for (let i = 0; i < raw.length; i++) out.push(raw[i] === 0x7d && i + 1 < raw.length ? raw[++i] ^ 0x20 : raw[i])
  return Buffer.from(out).toString('latin1')
}

/** `$data#cs` with the characters the protocol reserves escaped. */
export function framePacket(data: string): Buffer {
  const bytes: number[] = []
  for (const ch of Buffer.from(data, 'latin1')) {
    if (ESCAPED.has(ch)) bytes.push(0x7d, ch ^ 0x20)
    else bytes.push(ch)
  }
  let sum = 0
  for (const x of bytes) sum = (sum + x) & 0xff
  return Buffer.concat([Buffer.from('$'), Buffer.from(bytes), Buffer.from(`#${sum.toString(16).padStart(2, '0')}`)])
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'))
}

/** A little-endian register value of `bytes` bytes, as the `g` and `p` packets carry it. */
export function regHex(value: bigint, bytes: number): string {
  let out = ''
  let v = BigInt.asUintN(bytes * 8, value)
  for (let i = 0; i < bytes; i++) {
    out += Number(v & 0xffn).toString(16).padStart(2, '0')
    v >>= 8n
  }
  return out
}

/** Text as an `O` console-output packet, or as a qRcmd reply payload: hex of the bytes. */
export function textHex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex')
}
