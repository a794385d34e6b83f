import { describe, expect, it } from 'vitest'
import { terminalLine, terminalText } from '../../../../src/renderer/src/features/console/terminal-text'

describe('terminal text', () => {
  it("shows U-Boot's countdown as a terminal does: backspaces rewrite the digit", () => {
    expect(terminalLine('Hit any key to stop autoboot:  2 \b\b\b 1 \b\b\b 0 ')).toBe('Hit any key to stop autoboot:  0 ')
  })

  it('treats CR LF as a line end and a lone CR as a return to the line start', () => {
    expect(terminalText('hello\r\nworld\r\n')).toBe('hello\nworld\n')
    expect(terminalLine('progress 10%\rprogress 99%')).toBe('progress 99%')
    expect(terminalLine('abcdef\rXY')).toBe('XYcdef')
  })

  it('drops other control characters and keeps tabs', () => {
    expect(terminalLine('a\u0007b\tc\u001b')).toBe('ab\tc')
    expect(terminalLine('\b\bok')).toBe('ok')
  })
})
