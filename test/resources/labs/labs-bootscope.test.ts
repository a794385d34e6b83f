/**
 * The built-in labs on Bootscope's own path: built with our toolchain (`toolchain/build`) and
 * booted on our machine with the built-in SBI, as "Check my work" will do. The reference
 * solutions must pass their layout checks (on our linker's layout report) and console checks
 * and shut down within their budget; the starters must fail the same checks as under GNU +
 * QEMU (labs.test.ts). Events and page-table checks wait for the recording evaluator.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseLab, type Check, type ConsoleCheck, type Lab } from '../../../src/shared/labs/lab-format'
import { consoleCheckPasses } from '../../../src/shared/labs/console-match'
import { build, type BuildResult } from '../../../src/main/toolchain/build'
import { Machine } from '../../../src/main/machine/machine'
import { STATIC_CHECK_KINDS, staticCheckFails, type ElfFacts } from './gnu-build'

const LABS_DIR = join(__dirname, '../../../resources/labs')
const LAB_IDS = ['higher-half-sv39', 'identity-mapping', 'vma-vs-lma', 'sections-permissions', 'frame-allocator']

/** As in labs.test.ts, the checks each starter is meant to fail; `boots: false` when the loader refuses it. */
const STARTER_FAILS: Record<string, { layout: string[]; console: string[]; boots: boolean; stop?: string }> = {
  'higher-half-sv39': { layout: ['linked-high', 'loaded-low'], console: ['prints-high-pc'], boots: true, stop: 'shutdown' },
  'identity-mapping': { layout: [], console: ['reports-entry-cleared'], boots: true, stop: 'trap-loop' },
  'vma-vs-lma': { layout: ['text-lma', 'rodata-lma', 'data-lma', 'code-segment', 'data-segment'], console: ['boots'], boots: false },
  'sections-permissions': { layout: ['no-orphan-text', 'console-code-in-text', 'rodata-aligned', 'data-aligned', 'end-aligned'], console: [], boots: true, stop: 'shutdown' },
  'frame-allocator': { layout: [], console: ['memory-region', 'first-frame-after-kernel', 'frames-advance', 'no-zero-frame'], boots: true, stop: 'shutdown' },
}

function loadLab(id: string): Lab {
  const dir = join(LABS_DIR, id)
  const r = parseLab(readFileSync(join(dir, 'lab.json'), 'utf8'), `resources/labs/${id}/lab.json`, { fileExists: (p) => existsSync(join(dir, p)) })
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

function buildVariant(id: string, lab: Lab, variant: 'starter' | 'solution'): BuildResult {
  const dir = join(LABS_DIR, id)
  const files = [...lab.build.sources, lab.build.linkerScript].map((f) => ({
    path: f,
    text: readFileSync(variant === 'solution' && lab.files.includes(f) ? join(dir, lab.solution, f) : join(dir, f), 'utf8'),
  }))
  return build({ files, script: lab.build.linkerScript })
}

/** Our build's layout report and symbol table, in the shape the GNU-side static checker reads. */
function factsOf(b: BuildResult): ElfFacts {
  const layout = b.layout!
  return {
    sections: layout.outputSections.map((s) => ({ name: s.name, vma: BigInt(s.vma), lma: BigInt(s.lma), size: BigInt(s.size) })),
    segments: layout.segments.map((s) => ({ type: s.type.replace(/^PT_/, ''), vaddr: BigInt(s.vaddr), paddr: BigInt(s.paddr), flags: s.flags, sections: s.sections })),
    symbols: b.symbols.map((s) => ({ name: s.name, value: s.value, section: s.section })),
  }
}

async function boot(lab: Lab, elf: Uint8Array): Promise<{ loaded: boolean; console: string; stop?: string; step?: bigint }> {
  const created = await Machine.create({ kernel: { bytes: elf, file: 'k.elf' }, bios: lab.boot.bios, memBytes: lab.boot.memBytes })
  if (!created.ok) return { loaded: false, console: '' }
  const stop = await created.value.run({ maxSteps: lab.boot.maxSteps })
  return { loaded: true, console: created.value.consoleText(), stop: stop.reason, step: stop.step }
}

const isStatic = (c: Check) => (STATIC_CHECK_KINDS as readonly string[]).includes(c.kind)
const consoleChecks = (lab: Lab) => lab.checks.filter((c): c is ConsoleCheck => c.kind === 'console')
const failedLayout = (lab: Lab, facts: ElfFacts) => lab.checks.filter((c) => isStatic(c) && staticCheckFails(c, facts) !== undefined).map((c) => c.id).sort()
const failedConsole = (lab: Lab, text: string) => consoleChecks(lab).filter((c) => !consoleCheckPasses(c, text)).map((c) => c.id).sort()

describe('built-in labs on Bootscope’s toolchain and machine', () => {
  it.each(LAB_IDS)('%s: the solution builds, passes its layout and console checks and shuts down in budget', async (id) => {
    const lab = loadLab(id)
    const b = buildVariant(id, lab, 'solution')
    expect(b.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(failedLayout(lab, factsOf(b))).toEqual([])
    const run = await boot(lab, b.elf!)
    expect(run.loaded).toBe(true)
    expect(failedConsole(lab, run.console), run.console).toEqual([])
    expect(run.stop).toBe('shutdown')
    const shutdown = lab.checks.find((c) => c.kind === 'shutdown')
    if (shutdown?.kind === 'shutdown') expect(run.step! <= BigInt(shutdown.maxSteps)).toBe(true)
  })

  it.each(LAB_IDS)('%s: the starter builds and fails exactly the checks it is meant to', async (id) => {
    const lab = loadLab(id)
    const expected = STARTER_FAILS[id]
    const b = buildVariant(id, lab, 'starter')
    expect(b.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(failedLayout(lab, factsOf(b))).toEqual([...expected.layout].sort())
    const run = await boot(lab, b.elf!)
    expect(run.loaded).toBe(expected.boots)
    expect(failedConsole(lab, run.console), run.console).toEqual([...expected.console].sort())
    if (expected.stop) expect(run.stop).toBe(expected.stop)
  })
})
