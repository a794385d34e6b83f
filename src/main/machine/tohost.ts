/**
 * The riscv-tests / HTIF exit protocol (REFERENCE.md, "tohost"): the guest writes a 64-bit command
 * to its `tohost` symbol. An odd value with device 0 ends the test — 1 = pass, `(n << 1) | 1` =
 * failure at test n; device 1, command 1 prints the low byte (the host then clears `tohost` and
 * answers in `fromhost` = tohost + 0x40, as Spike's `bcd` device does).
 */

export const FROMHOST_OFFSET_BYTES = 0x40n
const DEVICE_CONSOLE = 1n
const COMMAND_WRITE = 1n

export class TohostWatch {
  private pa = 0n

  attach(physicalAddress: bigint): void {
    this.pa = physicalAddress
  }

  get address(): bigint {
    return this.pa
  }

  /** Checks the word once; returns the end of the test when the guest reported one. */
  poll(ram: Uint8Array, ramBase: bigint, print: (byte: number) => void): { exitCode: number; message: string } | undefined {
    const at = Number(this.pa - ramBase)
    if (at < 0 || at + 8 > ram.length) return undefined
    const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength)
    const v = view.getBigUint64(at, true)
    if (v === 0n) return undefined
    const device = v >> 56n
    const command = (v >> 48n) & 0xffn
    if (device === 0n && (v & 1n) === 1n) {
      const n = Number(v >> 1n)
      return n === 0 ? { exitCode: 0, message: 'tohost: pass' } : { exitCode: n, message: `tohost: FAIL at test ${n}` }
    }
    view.setBigUint64(at, 0n, true)
    if (device === DEVICE_CONSOLE && command === COMMAND_WRITE) {
      print(Number(v & 0xffn))
      const fromhost = at + Number(FROMHOST_OFFSET_BYTES)
      if (fromhost + 8 <= ram.length) view.setBigUint64(fromhost, (DEVICE_CONSOLE << 56n) | (COMMAND_WRITE << 48n) | 0x100n | (v & 0xffn), true)
      return undefined
    }
    return { exitCode: 1, message: `tohost: unsupported request 0x${v.toString(16)} (only exit codes and console writes are served)` }
  }
}
