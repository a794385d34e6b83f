/** The list of `bootscope` subcommands, in the order `--help` shows them. */
import type { CliCommand } from '../command'

export const COMMANDS: CliCommand[] = []
