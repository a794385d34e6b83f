/**
 * A recording's overview for the timeline: summary, lanes and the notable events (everything but
 * UART output, which the console pages through separately), with counts per kind.
 */
import { err, ok, type Result } from '../../shared/api/result'
import { MAX_OVERVIEW_EVENTS, type RecordingOverview } from '../../shared/api/boot'
import { EVENT_KINDS } from '../../shared/trace/events'
import { computeLanes } from './lanes'
import { RecordingReader } from './recording-reader'
import { DamagedRecording, oneLine } from './recording-damage'
import { META } from './schema'
import { recordedConfig } from './recorded-boot'
import { MODE_NAMES } from './x86-semantic-events'
import { X86_MODE_CODE } from '../machine/x86/hart/trace-layout'

/** Where the lanes start: a PC boots a Multiboot kernel in ring 0, 32-bit protected mode (the RISC-V machine in M-mode). */
function laneStart(meta: Record<string, string>): { priv: string; mode?: string } {
  return recordedConfig(meta).machine === 'x86-pc' ? { priv: 'ring 0', mode: MODE_NAMES[X86_MODE_CODE.PROTECTED32] } : { priv: 'M' }
}

export function recordingOverview(absPath: string, displayPath: string): Result<RecordingOverview> {
  const opened = RecordingReader.open(absPath)
  if (!opened.ok) return opened
  const r = opened.value
  try {
    const meta = r.meta()
    const steps = Number(meta[META.steps] ?? 0)
    const notable = EVENT_KINDS.filter((k) => k !== 'uart_output')
    const events = r.events({ kinds: notable, limit: MAX_OVERVIEW_EVENTS + 1 })
    const truncated = events.length > MAX_OVERVIEW_EVENTS
    if (truncated) events.length = MAX_OVERVIEW_EVENTS
    const counts = r.countsByKind()
    const lastStep = events.length ? events[events.length - 1].step + 1 : 0
    return ok({
      path: displayPath,
      createdAt: meta[META.createdAt] ?? '',
      kernel: meta[META.kernel] ?? '',
      steps: Math.max(steps, lastStep),
      outcome: meta[META.outcome] ?? 'incomplete',
      schemaVersion: r.version,
      lanes: computeLanes(events, Math.max(steps, lastStep), laneStart(meta)),
      events,
      counts,
      truncated,
      sourceLines: r.sourceLines(),
      functions: r.functions(),
    })
  } catch (e) {
    if (e instanceof DamagedRecording) return err(e.code, e.message)
    return err('trace.read_failed', `cannot read '${displayPath}': ${oneLine((e as Error).message)}`)
  } finally {
    r.close()
  }
}
