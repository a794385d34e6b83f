/**
 * What a terminal shows for UART text: a backspace takes back the character before it (U-Boot's
 * autoboot countdown rewrites its digit with "\b\b\b"), a carriage return goes back to the start
 * of the line (CR LF is just a line end), and other control characters (except tab) are not
 * shown. Text in, text out, so both the live console and recorded lines use it.
 */
export function terminalLine(raw: string): string {
  let line = ''
  let col = 0
  for (const ch of raw) {
    if (ch === '\b') col = Math.max(0, col - 1)
    else if (ch === '\r') col = 0
    else if (ch === '\t' || ch >= ' ') {
      line = line.slice(0, col) + ch + line.slice(col + 1)
      col++
    }
  }
  return line
}

/** The whole text, line by line (see `terminalLine`). */
export function terminalText(raw: string): string {
  return raw.split('\n').map(terminalLine).join('\n')
}
