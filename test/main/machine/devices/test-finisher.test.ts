import { describe, expect, it } from 'vitest'
import { TestFinisher, type FinisherRequest } from '../../../../src/main/machine/devices/test-finisher'

function run(value: bigint): FinisherRequest[] {
  const got: FinisherRequest[] = []
  new TestFinisher((r) => got.push(r)).write(0, 4, value)
  return got
}

describe('TestFinisher', () => {
  it('reads 0x5555 as a pass with exit code 0', () => {
    expect(run(0x5555n)).toEqual([{ kind: 'pass', code: 0 }])
  })
  it('reads (code << 16) | 0x3333 as a failure with that code', () => {
    expect(run((42n << 16n) | 0x3333n)).toEqual([{ kind: 'fail', code: 42 }])
  })
  it('reads 0x7777 as a reset request', () => {
    expect(run(0x7777n)).toEqual([{ kind: 'reset' }])
  })
  it('ignores other values', () => {
    expect(run(0x1234n)).toEqual([])
  })
})
