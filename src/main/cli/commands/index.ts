/** The list of `bootscope` subcommands, in the order `--help` shows them. */
import type { CliCommand } from '../command'
import { bootCommand } from './boot'
import { recordCommand } from './record'
import { eventsCommand } from './events'
import { buildCommand } from './build'
import { atCommand } from './at'
import { findCommand } from './find'
import { checkCommand } from './check'
import { gradeCommand } from './grade'
import { gdbCommand } from './gdb'

export const COMMANDS: CliCommand[] = [buildCommand, bootCommand, recordCommand, eventsCommand, atCommand, findCommand, gdbCommand, checkCommand, gradeCommand]
