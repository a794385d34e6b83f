/** The list of `bootscope` subcommands, in the order `--help` shows them. */
import type { CliCommand } from '../command'
import { bootCommand } from './boot'
import { recordCommand } from './record'
import { eventsCommand } from './events'

export const COMMANDS: CliCommand[] = [bootCommand, recordCommand, eventsCommand]
