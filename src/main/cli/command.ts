import { formatDiagnostic, type ApiError } from '../../shared/api/result'

/**
 * One `bootscope` subcommand. Each lives in `commands/<name>.ts` and is listed in
 * `commands/index.ts`; `run` returns the process exit code and prints GNU-style diagnostics.
 */
export interface CliCommand {
  name: string
  /** One line for `bootscope --help`. */
  summary: string
  /** Full usage text for `bootscope help <name>` and usage errors. */
  usage: string
  run(argv: string[]): Promise<number>
}

/** A usage mistake on the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** An error value a command reports: `bootscope CMD: message` (GNU-style `file:line:col:` when it has a location), hint below. */
export function printError(command: string, e: ApiError): void {
  console.error(e.loc ? formatDiagnostic(e) : `bootscope ${command}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`)
}
