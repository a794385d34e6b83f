/**
 * The VGA text screen as software sees it: 80×25 cells at physical 0xB8000, each a character
 * byte (code page 437) and an attribute byte (low nibble foreground, high nibble background,
 * the 16 CGA colours; bit 7 blinks or selects a bright background). The lab checks read its
 * text, the inspector draws it in colour; both go through here.
 */
export const VGA_TEXT_BASE = 0xb8000
export const VGA_COLUMNS = 80
export const VGA_ROWS = 25
export const VGA_TEXT_BYTES = VGA_COLUMNS * VGA_ROWS * 2

/** The 16 CGA colours (the VGA text palette's defaults), by index. */
export const CGA_COLOURS = [
  '#000000', '#0000aa', '#00aa00', '#00aaaa', '#aa0000', '#aa00aa', '#aa5500', '#aaaaaa',
  '#555555', '#5555ff', '#55ff55', '#55ffff', '#ff5555', '#ff55ff', '#ffff55', '#ffffff',
] as const

/** A run of cells of one attribute on a row. */
export interface VgaRun {
  text: string
  fg: number
  bg: number
}

/** A printable character for a code-page-437 byte: ASCII as is, NUL as blank, others as '·'. */
function cellChar(b: number): string {
  return b === 0 ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·'
}

/** The screen's rows as runs of equal attributes, from the 4000 bytes at 0xB8000. */
export function vgaRows(bytes: Uint8Array): VgaRun[][] {
  const rows: VgaRun[][] = []
  for (let r = 0; r < VGA_ROWS; r++) {
    const runs: VgaRun[] = []
    for (let c = 0; c < VGA_COLUMNS; c++) {
      const i = (r * VGA_COLUMNS + c) * 2
      const ch = cellChar(bytes[i] ?? 0)
      const attr = bytes[i + 1] ?? 0
      const fg = attr & 0xf
      const bg = (attr >> 4) & 0x7
      const last = runs[runs.length - 1]
      if (last && last.fg === fg && last.bg === bg) last.text += ch
      else runs.push({ text: ch, fg, bg })
    }
    rows.push(runs)
  }
  return rows
}

/** The screen as text: 25 lines, trailing blanks dropped, trailing empty lines dropped. */
export function vgaText(bytes: Uint8Array): string {
  return vgaRows(bytes)
    .map((runs) => runs.map((r) => r.text).join('').trimEnd())
    .join('\n')
    .trimEnd()
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
