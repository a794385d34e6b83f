/** The list of `bootscope` subcommands, in the order `--help` shows them. */
import type { CliCommand } from '../command'
import { bootCommand } from './boot'

export const COMMANDS: CliCommand[] = [bootCommand]
