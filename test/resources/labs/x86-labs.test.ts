/**
 * The built-in x86 labs (resources/labs/i386-*, x86-64-*) against the reference tools: every
 * lab.json is valid and booted on the PC, its README describes every check, each edited file's
 * solution differs from the starter; solution and starter build with GNU as (i386) or nasm
 * (x86-64) and GNU ld, and boot on QEMU — the i386 labs with `-kernel` (Multiboot 1), the x86-64
 * ones from a GRUB 2 ISO (Multiboot 2). There the solution passes every console check and the
 * starter fails exactly the console checks it is meant to fail (and, for the frame allocator, the
 * frames checks on GRUB's memory map). The recording-based checks are decided by Bootscope's
 * evaluator in test/main/labs/builtin-labs.test.ts.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseLab, type ConsoleCheck, type Lab } from '../../../src/shared/labs/lab-format'
import { consoleCheckPasses } from '../../../src/shared/labs/console-match'
import { nasmOracle, x86As, x86Ld } from '../../support/oracles'
import { grubIsoTools, qemuX86_64, runQemuGrubIso, runQemuMultiboot1 } from '../../support/x86-tools'
import { X86_LAB_IDS } from './x86-labs'
import { framesVerdict } from '../../../src/main/labs/multiboot-checks'
import { readElf } from '../../../src/shared/elf/reader'
import type { TraceEvent } from '../../../src/shared/trace/events'

const LABS_DIR = join(__dirname, '../../../resources/labs')

/** The console checks each starter fails under QEMU (the others pass). */
const STARTER_CONSOLE_FAILS: Record<string, string[]> = {
  'i386-higher-half': ['prints-high'],
  'i386-identity-mapping': ['reports-pde0-cleared'],
  'x86-64-long-mode': ['prints-hello'],
  'x86-64-guard-page': ['reports-fault'],
  'x86-64-double-fault-ist': ['handler-reports'],
  'x86-64-frame-allocator': ['allocates-frames'],
}

function loadLab(id: string): Lab {
  const dir = join(LABS_DIR, id)
  const r = parseLab(readFileSync(join(dir, 'lab.json'), 'utf8'), `resources/labs/${id}/lab.json`, { fileExists: (p) => existsSync(join(dir, p)) })
  if (!r.ok) throw new Error(`${r.error.loc?.file}:${r.error.loc?.line}:${r.error.loc?.column}: ${r.error.message}`)
  return r.value
}

const consoleChecks = (lab: Lab) => lab.checks.filter((c): c is ConsoleCheck => c.kind === 'console')
const is64 = (id: string) => id.startsWith('x86-64-')

describe('built-in x86 labs: lab.json and folders', () => {
  it.each(X86_LAB_IDS)('%s: lab.json is valid, its id is the folder name, and it boots on the PC (no firmware)', (id) => {
    const lab = loadLab(id)
    expect(lab.id).toBe(id)
    expect(lab.boot.bios).toBe('none')
    expect(Object.keys(STARTER_CONSOLE_FAILS)).toContain(id)
  })

  it.each(X86_LAB_IDS)('%s: the README explains the lab and describes every check by its title', (id) => {
    const lab = loadLab(id)
    const readme = readFileSync(join(LABS_DIR, id, lab.readme), 'utf8')
    expect(readme.startsWith(`# ${lab.title}`)).toBe(true)
    expect(readme).toContain('Check my work')
    for (const c of lab.checks) expect(readme, `${c.id} is not described`).toContain(c.title)
  })

  it.each(X86_LAB_IDS)('%s: every edited file has a solution that differs from the starter', (id) => {
    const lab = loadLab(id)
    for (const f of lab.files) expect(readFileSync(join(LABS_DIR, id, lab.solution, f), 'utf8')).not.toBe(readFileSync(join(LABS_DIR, id, f), 'utf8'))
  })
})

const tools = [x86As(), x86Ld(), nasmOracle(), qemuX86_64()]
const grub = grubIsoTools()
const missing = tools.find((t) => t.missing) ?? (grub.missing ? grub : undefined)

describe.skipIf(!!missing)('built-in x86 labs built with GNU as/nasm + ld and booted on QEMU', () => {
  const work = mkdtempSync(join(tmpdir(), 'bootscope-x86-labs-'))
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  function buildGnu(id: string, lab: Lab, variant: 'starter' | 'solution'): string {
    const dir = join(LABS_DIR, id)
    const from = (f: string) => (variant === 'solution' && lab.files.includes(f) ? join(dir, lab.solution, f) : join(dir, f))
    const objects = lab.build.sources.map((src, i) => {
      const obj = join(work, `${id}-${variant}-${i}.o`)
      if (src.endsWith('.asm')) execFileSync('nasm', ['-f', is64(id) ? 'elf64' : 'elf32', '-o', obj, from(src)])
      else execFileSync('as', [is64(id) ? '--64' : '--32', '-o', obj, from(src)])
      return obj
    })
    const out = join(work, `${id}-${variant}.elf`)
    execFileSync('ld', ['-m', is64(id) ? 'elf_x86_64' : 'elf_i386', '-T', from(lab.build.linkerScript), '-o', out, ...objects])
    return out
  }

  function bootQemu(id: string, elf: string, timeoutMs?: number) {
    return is64(id) ? runQemuGrubIso(elf, { timeoutMs: timeoutMs ?? 90_000 }) : runQemuMultiboot1(elf, { timeoutMs: timeoutMs ?? 30_000 })
  }

  it.each(X86_LAB_IDS)('%s: the solution passes every console check; the starter fails exactly its own', (id) => {
    const lab = loadLab(id)
    const solution = bootQemu(id, buildGnu(id, lab, 'solution'))
    expect(solution.timedOut).toBe(false)
    for (const c of consoleChecks(lab)) expect(consoleCheckPasses(c, solution.serial), `solution: ${c.id} on ${JSON.stringify(solution.serial.slice(-400))}`).toBe(true)
    // The higher-half starter (no AT()) asks to be loaded at 0xC01.....: QEMU's loader starts it anyway and it
    // jumps to 0xC0102000, where nothing was loaded. What it runs there is whatever QEMU's multiboot buffer held
    // (not zeroed: run to run it either loops silently until killed, or runs zeros — add [eax], al with EAX =
    // 0x2badb002 — into a #PF with no IDT and a triple fault, which -no-reboot ends). Either way it prints nothing.
    const lost = id === 'i386-higher-half'
    const starter = bootQemu(id, buildGnu(id, lab, 'starter'), lost ? 10_000 : undefined)
    if (lost) expect(starter.serial).toBe('')
    else expect(starter.timedOut).toBe(false)
    const failed = consoleChecks(lab).filter((c) => !consoleCheckPasses(c, starter.serial)).map((c) => c.id)
    expect(failed).toEqual(STARTER_CONSOLE_FAILS[id])
    if (id === 'x86-64-frame-allocator') framesUnderGrub(lab, buildGnu(id, lab, 'solution'), solution.serial, starter.serial)
  }, 240_000)

  /**
   * The frames checks on GRUB's boot: its memory map (SeaBIOS's e820) and where it put the boot
   * information, as the solution printed them, and the kernel's segments from the ELF ld wrote.
   * The solution's frames pass every frames check there too; the starter's (none) fail them all.
   */
  function framesUnderGrub(lab: Lab, elfPath: string, solutionSerial: string, starterSerial: string): void {
    const areas = [...solutionSerial.matchAll(/start: (0x[0-9a-f]+), length: (0x[0-9a-f]+)/g)].map((m) => ({ base: m[1], length: m[2], type: 1, typeName: 'available' }))
    const mbi = /multiboot_start: (0x[0-9a-f]+), multiboot_end: (0x[0-9a-f]+)/.exec(solutionSerial)!
    expect(areas.length).toBeGreaterThan(1)
    const info = {
      id: 2,
      step: 0,
      kind: 'boot_info',
      pc: null,
      data: { protocol: 'Multiboot 2', address: mbi[1], size: `0x${(BigInt(mbi[2]) - BigInt(mbi[1])).toString(16)}`, cmdline: null, bootLoader: 'GRUB', memoryMap: areas, modules: [], elfSections: 0, tags: ['6 mmap'] },
    } as TraceEvent<'boot_info'>
    const elf = readElf(new Uint8Array(readFileSync(elfPath)))
    if (!elf.ok) throw new Error(elf.error.message)
    const segments = elf.value.segments
      .filter((s) => s.type === 1)
      .map((s, i) => ({ id: 10 + i, step: 0, kind: 'segment_loaded', pc: null, data: { vaddr: `0x${s.vaddr.toString(16)}`, paddr: `0x${s.paddr.toString(16)}`, memsz: `0x${s.memsz.toString(16)}`, filesz: `0x${s.filesz.toString(16)}`, flags: '', sections: [], file: 'kernel.elf' } }) as TraceEvent<'segment_loaded'>)
    for (const c of lab.checks) {
      if (c.kind !== 'frames') continue
      expect(framesVerdict(c, info, segments, solutionSerial), `solution under GRUB: ${c.id}`).toMatchObject({ passed: true })
      expect(framesVerdict(c, info, segments, starterSerial).passed, `starter under GRUB: ${c.id}`).toBe(false)
    }
  }
})
