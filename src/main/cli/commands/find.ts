/**
 * `bootscope find REC.sqlite STEP (--pc ADDR | --change ADDR [--len N] [--physical]) [--back]
 * [--limit N] [--json]`: history search on a replayed recording — where the PC next (or last)
 * reaches an address, or where the value at an address next (or last) changes.
 */
import type { FindQuery } from '../../../shared/api/replay'
import { printError, UsageError, type CliCommand } from '../command'
import { checkpointNote, numberArg, replayNotes } from '../inputs'
import { ReplaySession } from '../../trace/replay'

const USAGE = `Usage: bootscope find REC.sqlite STEP (--pc ADDR | --change ADDR [--len N] [--physical]) [--back] [--limit N] [--json]

Searches the recording from STEP, forward (or backward with --back):
  --pc ADDR       the next step at which the PC is ADDR (the instruction there is about to run)
  --change ADDR   the next step at which the N bytes at ADDR (default 8) differ from before:
                  the instruction one step earlier stored them. ADDR is virtual as the kernel
                  sees it at STEP, or physical with --physical
  --limit N       examine at most N instructions (default 5000000)
  --json          the result as one JSON object`

export const findCommand: CliCommand = {
  name: 'find',
  summary: 'search a recording for a PC or a change in memory',
  usage: USAGE,
  async run(argv) {
    const positional: string[] = []
    let target: FindQuery['target'] | undefined
    let length = 8
    let physical = false
    let backward = false
    let json = false
    let limit: number | undefined
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--pc') target = { pc: numberArg(argv[++i], a) }
      else if (a === '--change') target = { change: { address: numberArg(argv[++i], a), length: 8 } }
      else if (a === '--len') length = Number(numberArg(argv[++i], a))
      else if (a === '--physical') physical = true
      else if (a === '--back') backward = true
      else if (a === '--limit') limit = Number(numberArg(argv[++i], a))
      else if (a === '--json') json = true
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
      else positional.push(a)
    }
    const [path, stepText, ...extra] = positional
    if (!path || stepText === undefined || extra.length) throw new UsageError('give a recording and a step: bootscope find REC.sqlite STEP --pc ADDR')
    if (!/^\d+$/.test(stepText)) throw new UsageError('STEP is a number of retired instructions')
    if (!target) throw new UsageError('what to find: --pc ADDR or --change ADDR')
    if ('change' in target) target = { change: { ...target.change, length, physical } }
    const opened = await ReplaySession.open(path)
    if (!opened.ok) {
      printError('find', opened.error)
      return 1
    }
    process.stderr.write(replayNotes(opened.value))
    const r = await opened.value.find({ from: Number(stepText), direction: backward ? 'backward' : 'forward', target, limit })
    process.stderr.write(checkpointNote(opened.value))
    if (!r.ok) {
      printError('find', r.error)
      return 1
    }
    if (json) console.log(JSON.stringify(r.value))
    else console.log(r.value.step === null ? `not found: ${r.value.message} (${r.value.scanned} instructions examined)` : `step ${r.value.step}: ${r.value.message}`)
    return r.value.step === null ? 1 : 0
  },
}
