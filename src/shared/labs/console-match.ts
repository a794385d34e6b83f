/**
 * Decides a `console` check on the text a boot printed. Pure and tiny, so the recording
 * evaluator, the CLI and the lab tests (which compare against QEMU's output) agree on what
 * "the console matches" means: the whole output of the boot, line breaks as printed (the SBI
 * console turns "\n" into "\r\n", so lab regexes write `\r?\n`).
 */
import type { ConsoleCheck } from './lab-format'

/** True when the check passes on `text`. */
export function consoleCheckPasses(check: Pick<ConsoleCheck, 'match' | 'absent'>, text: string): boolean {
  const found = 'contains' in check.match ? text.includes(check.match.contains) : new RegExp(check.match.regex, check.match.flags).test(text)
  return check.absent ? !found : found
}
