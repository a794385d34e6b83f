/**
 * Characters typed in the console as a PC keyboard sends them: IBM scan code set 1 (what the
 * i8042 delivers with translation on), US layout. A key is its make code, then its break code
 * (make | 0x80); characters that need Shift or Ctrl are wrapped in that modifier's make and break.
 */

const SHIFT = 0x2a
const CTRL = 0x1d
const BREAK = 0x80

/** Unshifted characters → make code (set 1, US). */
const PLAIN: Record<string, number> = {
  '1': 0x02, '2': 0x03, '3': 0x04, '4': 0x05, '5': 0x06, '6': 0x07, '7': 0x08, '8': 0x09, '9': 0x0a, '0': 0x0b, '-': 0x0c, '=': 0x0d,
  q: 0x10, w: 0x11, e: 0x12, r: 0x13, t: 0x14, y: 0x15, u: 0x16, i: 0x17, o: 0x18, p: 0x19, '[': 0x1a, ']': 0x1b,
  a: 0x1e, s: 0x1f, d: 0x20, f: 0x21, g: 0x22, h: 0x23, j: 0x24, k: 0x25, l: 0x26, ';': 0x27, "'": 0x28, '`': 0x29,
  '\\': 0x2b, z: 0x2c, x: 0x2d, c: 0x2e, v: 0x2f, b: 0x30, n: 0x31, m: 0x32, ',': 0x33, '.': 0x34, '/': 0x35, ' ': 0x39,
}

/** Shifted characters → the unshifted key they share. */
const SHIFTED: Record<string, string> = {
  '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0', _: '-', '+': '=',
  '{': '[', '}': ']', ':': ';', '"': "'", '~': '`', '|': '\\', '<': ',', '>': '.', '?': '/',
}

/** Control characters with keys of their own. */
const CONTROL_KEYS: Record<number, number> = { 0x0a: 0x1c, 0x0d: 0x1c, 0x08: 0x0e, 0x7f: 0x0e, 0x09: 0x0f, 0x1b: 0x01 }

const press = (make: number) => [make, make | BREAK]
const withModifier = (mod: number, make: number) => [mod, make, make | BREAK, mod | BREAK]

/** The scan codes (set 1) of typing byte `b`; [] for a character the US keyboard cannot type. */
export function scanCodesFor(b: number): number[] {
  if (CONTROL_KEYS[b] !== undefined) return press(CONTROL_KEYS[b])
  const ch = String.fromCharCode(b)
  if (PLAIN[ch] !== undefined) return press(PLAIN[ch])
  const lower = ch.toLowerCase()
  if (ch !== lower && PLAIN[lower] !== undefined) return withModifier(SHIFT, PLAIN[lower])
  if (SHIFTED[ch] !== undefined) return withModifier(SHIFT, PLAIN[SHIFTED[ch]])
  if (b >= 1 && b <= 26) return withModifier(CTRL, PLAIN[String.fromCharCode(b + 0x60)]) // Ctrl-A … Ctrl-Z
  return []
}
