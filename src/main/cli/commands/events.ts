/**
 * `bootscope events REC.sqlite [--kind K,…] [--from S --to S] [--json]`: lists a recording's
 * events in step order, each explained in words (or as JSON lines for scripts and graders), with
 * the step of the state after the event (`bootscope at REC STEP` shows it; shared/trace/steps.ts).
 */
import { EVENT_KINDS, type EventKind } from '../../../shared/trace/events'
import { stepAfter } from '../../../shared/trace/steps'
import { printError, UsageError, type CliCommand } from '../command'
import { RecordingReader } from '../../trace/recording-reader'
import { explainRow } from '../../trace/recording-damage'
import { incompleteNote } from '../inputs'

const USAGE = `Usage: bootscope events REC.sqlite [--kind K,...] [--from STEP] [--to STEP] [--json]

Lists the events of a recording in step order, explained in words. Step N is the state after N
instructions retired; an event at step N is caused by the instruction about to run there, and the
"after" column is the step whose state shows its effect (what \`bootscope at\` and the timeline open).
  --kind K,...   only these kinds: ${EVENT_KINDS.join(', ')}
  --from, --to   a step range (inclusive)
  --json         one JSON object per line: { id, step, after, kind, pc, data }`

function step(v: string | undefined, flag: string): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new UsageError(`${flag} takes a step number`)
  return Number(v)
}

export const eventsCommand: CliCommand = {
  name: 'events',
  summary: 'list the events of a recording',
  usage: USAGE,
  async run(argv) {
    let path: string | undefined
    let kinds: EventKind[] | undefined
    let from: number | undefined
    let to: number | undefined
    let json = false
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--kind') {
        kinds = (argv[++i] ?? '').split(',').filter(Boolean) as EventKind[]
        const bad = kinds.filter((k) => !EVENT_KINDS.includes(k))
        if (bad.length || kinds.length === 0) throw new UsageError(`unknown event kind ${bad.join(', ') || '(none)'}; kinds: ${EVENT_KINDS.join(', ')}`)
      } else if (a === '--from') from = step(argv[++i], a)
      else if (a === '--to') to = step(argv[++i], a)
      else if (a === '--json') json = true
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
      else if (path) throw new UsageError('one recording at a time')
      else path = a
    }
    if (!path) throw new UsageError('which recording? give the .sqlite file written by `bootscope record`')
    const opened = RecordingReader.open(path)
    if (!opened.ok) {
      printError('events', opened.error)
      return 1
    }
    const r = opened.value
    try {
      const last = r.steps
      for (const e of r.events({ kinds, from, to })) {
        const after = stepAfter(e, last)
        if (json) console.log(JSON.stringify({ id: e.id, step: e.step, after, kind: e.kind, pc: e.pc, data: e.data }))
        else console.log(`${String(e.step).padStart(12)} ${after === e.step ? ' '.repeat(14) : `→ ${String(after).padEnd(12)}`} ${e.kind.padEnd(20)} ${explainRow(path, e)}`)
      }
      if (r.outcome === 'incomplete') process.stderr.write(incompleteNote(r.steps))
    } finally {
      r.close()
    }
    return 0
  },
}
