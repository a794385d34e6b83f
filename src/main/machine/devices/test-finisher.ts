/**
 * The SiFive test finisher at 0x0010_0000 (QEMU `hw/misc/sifive_test.c`): a 32-bit write of 0x5555
 * ends the run with exit code 0, `(code << 16) | 0x3333` with `code`, 0x7777 asks for a reset.
 * Linux and OpenSBI use it through the `syscon-poweroff`/`syscon-reboot` nodes of the device tree.
 */
import type { AccessSize, Device } from './bus'
import { TEST_FINISHER_BASE, TEST_FINISHER_SIZE_BYTES } from './memory-map'

export const FINISHER_FAIL = 0x3333
export const FINISHER_PASS = 0x5555
export const FINISHER_RESET = 0x7777

export type FinisherRequest = { kind: 'pass'; code: 0 } | { kind: 'fail'; code: number } | { kind: 'reset' }

export class TestFinisher implements Device {
  readonly name = 'test-finisher'
  readonly base = TEST_FINISHER_BASE
  readonly size = TEST_FINISHER_SIZE_BYTES

  constructor(private readonly onRequest: (req: FinisherRequest) => void) {}

  read(_offset: number, _size: AccessSize): bigint {
    return 0n
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    if (offset !== 0) return
    const v = Number(value & 0xffff_ffffn)
    const status = v & 0xffff
    // sifive_test.c: FINISHER_FAIL exits with (val >> 16), FINISHER_PASS with 0; other values are ignored.
    if (status === FINISHER_PASS) this.onRequest({ kind: 'pass', code: 0 })
    else if (status === FINISHER_FAIL) this.onRequest({ kind: 'fail', code: v >>> 16 })
    else if (status === FINISHER_RESET) this.onRequest({ kind: 'reset' })
  }
}
