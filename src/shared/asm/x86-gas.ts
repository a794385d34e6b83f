/**
 * Telling x86 GNU as sources from RISC-V ones: both are `.s`/`.S`, so the editor (language id)
 * and the build driver (target) look at the text. x86 when a file says `.code16/.code16gcc/.code32/.code64`,
 * `.intel_syntax`/`.att_syntax`, or names AT&T x86 registers (`%eax`, `%rsp`, `%cr3` …); 64-bit
 * when it says `.code64` (or NASM's `bits 64`).
 */

/** The editor language id of x86 GNU as sources (AT&T and `.intel_syntax`); RISC-V `.s` is `riscv-asm`. */
export const X86_GAS_LANGUAGE = 'x86-gas'

const X86_DIRECTIVE = /^\s*\.(code16gcc|code16|code32|code64|intel_syntax|att_syntax)\b/m
const X86_REGISTER = /%[er]?[abcd]x\b|%[er]?[sb]p\b|%[er]?[sd]i\b|%r(?:[89]|1[0-5])[dwb]?\b|%cr[0-48]\b|%[abcd][lh]\b/

/** Whether GNU as source text is x86 (not RISC-V, whose registers are never written with `%`). */
export function isX86GasSource(text: string): boolean {
  return X86_DIRECTIVE.test(text) || X86_REGISTER.test(text)
}

/** Whether x86 source asks for 64-bit code (`.code64`, NASM `bits 64` / `[BITS 64]`). */
export function saysLongMode(text: string): boolean {
  return /^\s*(\[\s*bits\s+64\s*\]|bits\s+64\b|\.code64\b)/im.test(text)
}
