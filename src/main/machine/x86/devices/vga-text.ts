/**
 * The VGA text screen: 80×25 cells at physical 0xB8000, two bytes each — a code page 437
 * character and an attribute (foreground bits 0–3, background 4–6, blink/bright 7; REFERENCE.md
 * "x86 PC"). The cells live in guest RAM (the hart writes them at full speed; checkpoints and
 * replay restore them with the rest of memory), so the screen at any step is read from RAM. The
 * CRT controller's index/data ports 0x3D4/0x3D5 hold the cursor position and shape; input status
 * 1 (0x3DA) toggles its retrace bits on each read so retrace-waiting loops end deterministically.
 */
import type { PortDevice } from '../../devices/port-io'

export const VGA_TEXT_BASE = 0xb8000
export const VGA_COLUMNS = 80
export const VGA_ROWS = 25
export const VGA_TEXT_BYTES = VGA_COLUMNS * VGA_ROWS * 2
export const VGA_CRTC_PORT = 0x3d4
export const VGA_INPUT_STATUS_PORT = 0x3da
/** The attribute controller, sequencer, graphics and DAC ports (0x3C0–0x3CF): registers kept, not drawn. */
export const VGA_MISC_PORT = 0x3c0

// CRT controller registers (IBM VGA technical reference, "CRT Controller Registers").
const CRTC_CURSOR_START = 0x0a
const CRTC_CURSOR_END = 0x0b
const CRTC_START_HIGH = 0x0c
const CRTC_START_LOW = 0x0d
const CRTC_CURSOR_HIGH = 0x0e
const CRTC_CURSOR_LOW = 0x0f
const CURSOR_DISABLE = 0x20

/** Code page 437 as Unicode: the glyphs the VGA ROM font draws for each byte. */
const CP437 =
  '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼ !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0'

export function cp437(byte: number): string {
  return CP437[byte & 0xff]
}

export interface VgaScreen {
  /** 25 lines of 80 characters (trailing blanks kept), as Unicode. */
  lines: string[]
  /** 25 × 80 attribute bytes, row by row. */
  attributes: Uint8Array
  /** Cursor cell, or null when the cursor is disabled. */
  cursor: { row: number; column: number } | null
}

/** The text screen in `ram` (physical memory from 0). */
export function readVgaScreen(ram: Uint8Array, cursorOffset: number | null, startOffset = 0): VgaScreen {
  const lines: string[] = []
  const attributes = new Uint8Array(VGA_COLUMNS * VGA_ROWS)
  const base = VGA_TEXT_BASE + startOffset * 2
  for (let r = 0; r < VGA_ROWS; r++) {
    let line = ''
    for (let c = 0; c < VGA_COLUMNS; c++) {
      const at = base + (r * VGA_COLUMNS + c) * 2
      const ch = ram[at] ?? 0
      line += ch === 0 ? ' ' : cp437(ch)
      attributes[r * VGA_COLUMNS + c] = ram[at + 1] ?? 0
    }
    lines.push(line)
  }
  const cursor = cursorOffset === null ? null : { row: Math.floor((cursorOffset - startOffset) / VGA_COLUMNS), column: (cursorOffset - startOffset) % VGA_COLUMNS }
  return { lines, attributes, cursor: cursor && cursor.row >= 0 && cursor.row < VGA_ROWS ? cursor : null }
}

export class VgaText {
  private crtcIndex = 0
  private readonly crtc: number[] = new Array(0x19).fill(0)
  private readonly misc: number[] = new Array(16).fill(0)
  private retrace = 0

  constructor() {
    this.crtc[CRTC_CURSOR_START] = 0x0d
    this.crtc[CRTC_CURSOR_END] = 0x0e
  }

  /** The cursor's cell offset from the screen start, or null when disabled. */
  get cursorOffset(): number | null {
    if (this.crtc[CRTC_CURSOR_START] & CURSOR_DISABLE) return null
    return ((this.crtc[CRTC_CURSOR_HIGH] << 8) | this.crtc[CRTC_CURSOR_LOW]) & 0xffff
  }

  /** The display start (hardware scrolling), in cells. */
  get startOffset(): number {
    return ((this.crtc[CRTC_START_HIGH] << 8) | this.crtc[CRTC_START_LOW]) & 0x3fff
  }

  /** Sets the cursor as the BIOS leaves it (row, column). */
  setCursor(row: number, column: number): void {
    const at = row * VGA_COLUMNS + column
    this.crtc[CRTC_CURSOR_HIGH] = (at >> 8) & 0xff
    this.crtc[CRTC_CURSOR_LOW] = at & 0xff
  }

  screen(ram: Uint8Array): VgaScreen {
    return readVgaScreen(ram, this.cursorOffset, this.startOffset)
  }

  ports(): PortDevice[] {
    return [
      {
        name: 'vga-crtc',
        port: VGA_CRTC_PORT,
        count: 2,
        read: (o) => (o === 0 ? this.crtcIndex : (this.crtc[this.crtcIndex] ?? 0xff)),
        write: (o, size, v) => {
          if (o === 0) {
            this.crtcIndex = v & 0xff
            // `outw 0x3d4` writes index and data at once.
            if (size >= 2 && this.crtcIndex < this.crtc.length) this.crtc[this.crtcIndex] = (v >> 8) & 0xff
          } else if (this.crtcIndex < this.crtc.length) {
            this.crtc[this.crtcIndex] = v & 0xff
          }
        },
      },
      {
        name: 'vga-status',
        port: VGA_INPUT_STATUS_PORT,
        count: 1,
        read: () => {
          this.retrace ^= 0x09 // display enable and vertical retrace alternate
          return this.retrace
        },
        write: () => {},
      },
      {
        name: 'vga-misc',
        port: VGA_MISC_PORT,
        count: 16,
        read: (o) => this.misc[o],
        write: (o, _s, v) => void (this.misc[o] = v & 0xff),
      },
    ]
  }
}
