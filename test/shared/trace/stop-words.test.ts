import { describe, expect, it } from 'vitest'
import { DEBUG_EXIT_SUCCESS_STATUS, exitCodeWords, outcomeTone, stopTone } from '../../../src/shared/trace/stop-words'

/** The message pc-machine.ts records for a write to isa-debug-exit. */
const debugExit = (value: number) => ({
  reason: 'shutdown',
  exitCode: (value << 1) | 1,
  message: `the guest wrote 0x${value.toString(16)} to isa-debug-exit (port 0xf4): exit status ${(value << 1) | 1} = (0x${value.toString(16)} << 1) | 1`,
})

describe('how a boot ended: tone and exit status in words', () => {
  it('reads isa-debug-exit status 33 ((0x10 << 1) | 1) as the conventional success of test kernels', () => {
    expect(DEBUG_EXIT_SUCCESS_STATUS).toBe(33)
    expect(stopTone(debugExit(0x10))).toBe('success')
    expect(exitCodeWords(debugExit(0x10))).toBe('exit status 33 = (0x10 << 1) | 1 from isa-debug-exit: the conventional success of QEMU test kernels')
  })

  it('reads other isa-debug-exit statuses (0x11 → 35, 0 → 1) as failures and says which status succeeds', () => {
    expect(stopTone(debugExit(0x11))).toBe('failure')
    expect(stopTone(debugExit(0))).toBe('failure')
    expect(exitCodeWords(debugExit(0x7f))).toBe('exit status 255 = (0x7f << 1) | 1 from isa-debug-exit: not the success status 33')
  })

  it('takes the success status a lab declares over the convention', () => {
    expect(stopTone(debugExit(0x10), 35)).toBe('failure')
    expect(stopTone(debugExit(0x11), 35)).toBe('success')
    expect(exitCodeWords(debugExit(0x11), 35)).toContain('the success status this lab declares')
  })

  it('keeps 0 as the success of every other shutdown (SBI, test finisher) and says nothing about it', () => {
    const sbi = { reason: 'shutdown', exitCode: 0, message: 'the guest shut down through SBI' }
    expect(stopTone(sbi)).toBe('success')
    expect(exitCodeWords(sbi)).toBeUndefined()
    expect(stopTone({ ...sbi, exitCode: 3 })).toBe('failure')
    expect(exitCodeWords({ ...sbi, exitCode: 3 })).toBe('exit status 3: not the success status 0')
  })

  it('keeps the tones of the other outcomes', () => {
    expect(outcomeTone('trap-loop')).toBe('failure')
    expect(outcomeTone('cancelled')).toBe('neutral')
    expect(stopTone({ reason: 'triple-fault', exitCode: null, message: 'triple fault' })).toBe('failure')
  })
})
