/**
 * The built-in labs (resources/labs/*): every lab.json is valid, every reference solution builds
 * with GNU as + ld, has the layout its checks claim (readelf/objdump) and boots under QEMU +
 * OpenSBI printing what its console checks expect and shutting down; every starter builds and
 * fails exactly the checks it is meant to fail. The recording-based checks (events, page-table
 * walks) need Bootscope's evaluator and are not decided here; QEMU stands in for what a boot prints.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseLab, type Check, type ConsoleCheck, type Lab } from '../../../src/shared/labs/lab-format'
import { consoleCheckPasses } from '../../../src/shared/labs/console-match'
import { gnuAs, gnuLd, qemu } from '../../support/oracles'
import { X86_LAB_IDS } from './x86-labs'
import { bootQemu, buildLab, elfFacts, STATIC_CHECK_KINDS, staticCheckFails, toolsFrom, type BuildOutcome, type ElfFacts, type QemuBoot } from './gnu-build'

const LABS_DIR = join(__dirname, '../../../resources/labs')
/** Generous: ten QEMU boots run at once, and on a loaded machine OpenSBI alone can take seconds to print its banner. */
const QEMU_TIMEOUT_MS = 30_000
/** RAM on QEMU virt with 128 MiB; OpenSBI owns 0x80000000..0x801fffff. */
const KERNEL_RAM_FIRST = 0x8020_0000n
const KERNEL_RAM_END = 0x8800_0000n

/** What each starter is meant to get wrong: the checks it fails, how its boot ends, and a line it prints (null: nothing). */
const STARTER_EXPECTATIONS: Record<string, { staticFails: string[]; consoleFails: string[]; shutsDown: boolean; prints: string | null }> = {
  // Linked and run at the physical address, paging never turned on.
  'higher-half-sv39': { staticFails: ['linked-high', 'loaded-low'], consoleFails: ['prints-high-pc'], shutsDown: true, prints: 'Hello from rust_main' },
  // No identity mapping: the fetch after `csrw satp` faults forever, nothing is printed.
  'identity-mapping': { staticFails: [], consoleFails: ['reports-entry-cleared'], shutsDown: false, prints: null },
  // No AT(): p_paddr = 0xffffffff8020...., the kernel never runs.
  'vma-vs-lma': { staticFails: ['text-lma', 'rodata-lma', 'data-lma', 'code-segment', 'data-segment'], consoleFails: ['boots'], shutsDown: false, prints: null },
  // Boots fine on one RWX gigapage; the layout is what is wrong (permissions need the recording).
  'sections-permissions': { staticFails: ['no-orphan-text', 'console-code-in-text', 'rodata-aligned', 'data-aligned', 'end-aligned'], consoleFails: [], shutsDown: true, prints: 'Hello from rust_main' },
  // The stubs report no memory and null frames.
  'frame-allocator': { staticFails: [], consoleFails: ['memory-region', 'first-frame-after-kernel', 'frames-advance', 'no-zero-frame'], shutsDown: true, prints: 'memory: 0x0000000000000000 .. 0x0000000000000000' },
}

/** The RISC-V labs (the x86 ones, on the PC, are in x86-labs.test.ts). */
const labIds = readdirSync(LABS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !X86_LAB_IDS.includes(d.name))
  .map((d) => d.name)
  .sort()

function loadLab(id: string): Lab {
  const dir = join(LABS_DIR, id)
  const r = parseLab(readFileSync(join(dir, 'lab.json'), 'utf8'), `resources/labs/${id}/lab.json`, { fileExists: (p) => existsSync(join(dir, p)) })
  if (!r.ok) throw new Error(`${r.error.loc?.file}:${r.error.loc?.line}:${r.error.loc?.column}: ${r.error.message}`)
  return r.value
}

const isStatic = (c: Check) => (STATIC_CHECK_KINDS as readonly string[]).includes(c.kind)
const consoleChecks = (lab: Lab) => lab.checks.filter((c): c is ConsoleCheck => c.kind === 'console')

describe('built-in labs: lab.json and folders', () => {
  it('the RISC-V labs are the five of issue 7, each with its starter expectations', () => {
    expect(labIds).toEqual(Object.keys(STARTER_EXPECTATIONS).sort())
  })

  it.each(labIds)('%s: lab.json is valid, its id is the folder name and every named file exists', (id) => {
    const lab = loadLab(id)
    expect(lab.id).toBe(id)
    expect(lab.boot.bios).toBe('builtin')
  })

  it.each(labIds)('%s: the README explains the lab and what "Check my work" looks at', (id) => {
    const lab = loadLab(id)
    const readme = readFileSync(join(LABS_DIR, id, lab.readme), 'utf8')
    expect(readme.startsWith(`# ${lab.title}`)).toBe(true)
    expect(readme).toContain('Check my work')
    // Every check is described to the student by its title.
    for (const c of lab.checks) expect(readme, `${c.id} is not described`).toContain(c.title)
  })

  it.each(labIds)('%s: every edited file has a reference solution that differs from the starter', (id) => {
    const lab = loadLab(id)
    for (const f of lab.files) {
      const starter = readFileSync(join(LABS_DIR, id, f), 'utf8')
      const solution = readFileSync(join(LABS_DIR, id, lab.solution, f), 'utf8')
      expect(solution, `${f} is the same in the starter and the solution`).not.toBe(starter)
    }
  })

  it.each(labIds)('%s: the starter expectations name real checks of the right kinds', (id) => {
    const lab = loadLab(id)
    const e = STARTER_EXPECTATIONS[id]
    for (const c of e.staticFails) expect(isStatic(lab.checks.find((x) => x.id === c)!), c).toBe(true)
    for (const c of e.consoleFails) expect(lab.checks.find((x) => x.id === c)?.kind, c).toBe('console')
  })
})

const as = gnuAs()
const ld = gnuLd()
const q = qemu()

interface Built {
  lab: Lab
  starter: BuildOutcome
  solution: BuildOutcome
  starterFacts?: ElfFacts
  solutionFacts?: ElfFacts
}

describe.skipIf(as.missing || ld.missing)('built-in labs built with GNU as and ld', () => {
  const tools = toolsFrom(as.path!, ld.path!)
  const work = mkdtempSync(join(tmpdir(), 'bootscope-labs-'))
  const built = new Map<string, Built>()
  const boots = new Map<string, { starter?: QemuBoot; solution?: QemuBoot }>()

  beforeAll(async () => {
    await Promise.all(
      labIds.map(async (id) => {
        const lab = loadLab(id)
        const dir = join(LABS_DIR, id)
        const [starter, solution] = await Promise.all([buildLab(tools, dir, lab, join(work, id, 'starter'), 'starter'), buildLab(tools, dir, lab, join(work, id, 'solution'), 'solution')])
        const b: Built = { lab, starter, solution }
        if (starter.ok) b.starterFacts = await elfFacts(tools, starter.elf)
        if (solution.ok) b.solutionFacts = await elfFacts(tools, solution.elf)
        built.set(id, b)
      }),
    )
    if (q.missing) return
    // All boots at once: the two starters that hang cost one time limit, not two.
    await Promise.all(
      [...built].flatMap(([id, b]) =>
        (['starter', 'solution'] as const).map(async (variant) => {
          const out = b[variant]
          if (!out.ok) return
          const boot = await bootQemu(q.path!, out.elf, QEMU_TIMEOUT_MS)
          boots.set(id, { ...boots.get(id), [variant]: boot })
        }),
      ),
    )
  })

  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it.each(labIds)('%s: the solution and the starter both build', (id) => {
    const b = built.get(id)!
    expect(b.solution.ok ? '' : b.solution.stderr).toBe('')
    expect(b.starter.ok ? '' : b.starter.stderr).toBe('')
  })

  it.each(labIds)('%s: the solution passes every section, segment and symbol check', (id) => {
    const b = built.get(id)!
    const failures = b.lab.checks.filter(isStatic).map((c) => [c.id, staticCheckFails(c, b.solutionFacts!)])
    expect(failures.filter(([, why]) => why !== undefined)).toEqual([])
  })

  it.each(labIds)('%s: the starter fails exactly the layout checks it is meant to', (id) => {
    const b = built.get(id)!
    const failed = b.lab.checks.filter((c) => isStatic(c) && staticCheckFails(c, b.starterFacts!) !== undefined).map((c) => c.id)
    expect(failed.sort()).toEqual([...STARTER_EXPECTATIONS[id].staticFails].sort())
  })

  it.each(labIds)('%s: the solution loads at physical addresses in RAM, above the firmware (readelf -lW)', (id) => {
    const loads = built.get(id)!.solutionFacts!.segments.filter((s) => s.type === 'LOAD')
    expect(loads.length).toBeGreaterThan(0)
    for (const s of loads) {
      expect(s.paddr >= KERNEL_RAM_FIRST && s.paddr < KERNEL_RAM_END, `p_paddr 0x${s.paddr.toString(16)}`).toBe(true)
      // Every kernel here runs in the higher half at PA + 0xffffffff00000000.
      expect(s.vaddr - s.paddr).toBe(0xffff_ffff_0000_0000n)
    }
    expect(loads[0].paddr).toBe(KERNEL_RAM_FIRST)
  })

  it('vma-vs-lma: the starter has p_paddr in the higher half, equal to p_vaddr (readelf -lW)', () => {
    const loads = built.get('vma-vs-lma')!.starterFacts!.segments.filter((s) => s.type === 'LOAD')
    expect(loads.length).toBeGreaterThan(0)
    for (const s of loads) {
      expect(s.paddr).toBe(s.vaddr)
      expect(s.paddr >= 0xffff_ffff_8000_0000n).toBe(true)
    }
  })

  describe.skipIf(q.missing)('booted under QEMU with OpenSBI', () => {
    it.each(labIds)('%s: the solution prints what every console check expects and shuts down', (id) => {
      const b = built.get(id)!
      const boot = boots.get(id)!.solution!
      expect(boot.bannerSeen).toBe(true)
      const failed = consoleChecks(b.lab).filter((c) => !consoleCheckPasses(c, boot.console))
      expect(failed.map((c) => c.id), `console was:\n${boot.console}`).toEqual([])
      expect(boot.exited, 'QEMU had to be killed: the kernel did not shut down').toBe(true)
    })

    it.each(labIds)('%s: the starter fails exactly the console checks it is meant to', (id) => {
      const b = built.get(id)!
      const boot = boots.get(id)!.starter!
      const e = STARTER_EXPECTATIONS[id]
      expect(boot.bannerSeen).toBe(true)
      const failed = consoleChecks(b.lab).filter((c) => !consoleCheckPasses(c, boot.console))
      expect(failed.map((c) => c.id).sort(), `console was:\n${boot.console}`).toEqual([...e.consoleFails].sort())
      expect(boot.exited).toBe(e.shutsDown)
      if (e.prints === null) expect(boot.console.trim()).toBe('')
      else expect(boot.console).toContain(e.prints)
    })

    it('frame-allocator: the solution reads the RAM size from the device tree, not a constant', { timeout: QEMU_TIMEOUT_MS + 5_000 }, async () => {
      // Same kernel, 256 MiB of RAM: the printed region must follow the device tree.
      const b = built.get('frame-allocator')!
      if (!b.solution.ok) throw new Error('solution did not build')
      const boot = await bootQemu(q.path!, b.solution.elf, QEMU_TIMEOUT_MS, 256)
      expect(boot.exited).toBe(true)
      expect(boot.console).toContain('memory: 0x0000000080000000 .. 0x0000000090000000')
    })
  })
})
