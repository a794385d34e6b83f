import { describe, expect, it } from 'vitest'
import { parseBreakpointsFile } from '../../../../src/renderer/src/features/breakpoints/breakpoints-file'

describe('the breakpoints file', () => {
  it('keeps well-formed breakpoints and watches, and drops the rest', () => {
    const text = JSON.stringify({
      version: 1,
      breakpoints: [
        { file: 'main.c', line: 31, enabled: true },
        { file: '/home/me/lib/shutdown.c', line: 6 }, // enabled unless it says otherwise
        { file: 'entry.S', line: 4, enabled: false },
        { file: 'main.c', line: 0 },
        { file: 7, line: 3 },
        { line: 3 },
        null,
      ],
      watches: [{ address: '0xFFFFFFFFC0201000', length: 4 }, { address: '0x80200000' }, { address: 'seen' }, { address: '0x1', length: 99 }],
      extra: 'ignored',
    })
    expect(parseBreakpointsFile(text)).toEqual({
      breakpoints: [
        { file: 'main.c', line: 31, enabled: true },
        { file: '/home/me/lib/shutdown.c', line: 6, enabled: true },
        { file: 'entry.S', line: 4, enabled: false },
      ],
      watches: [
        { address: '0xffffffffc0201000', length: 4 },
        { address: '0x80200000', length: 8 },
        { address: '0x1', length: 8 },
      ],
    })
  })

  it('reads a file without lists as empty, and throws on text that is not JSON', () => {
    expect(parseBreakpointsFile('{"version": 1}')).toEqual({ breakpoints: [], watches: [] })
    expect(() => parseBreakpointsFile('{ breakpoints')).toThrow()
  })
})
