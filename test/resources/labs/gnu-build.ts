/**
 * Test support for the built-in labs: builds a lab folder (starter, or with its solution files
 * laid over the starter) with GNU as and ld as its lab.json says, reads the result's facts
 * with objdump/readelf (sections with VMA and LMA, PT_LOAD headers, symbols), decides the
 * static checks (section, segment, symbol) on them, and boots the ELF under QEMU + OpenSBI.
 * GNU binutils and QEMU are the oracles; nothing here is Bootscope's own toolchain or machine.
 */
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import type { Check, Lab } from '../../../src/shared/labs/lab-format'

const run = promisify(execFile)

export interface Tools {
  as: string
  ld: string
  /** Same prefix as `as`: objdump and readelf come with the same binutils package. */
  objdump: string
  readelf: string
}

export function toolsFrom(asPath: string, ldPath: string): Tools {
  return { as: asPath, ld: ldPath, objdump: asPath.replace(/-as$/, '-objdump'), readelf: asPath.replace(/-as$/, '-readelf') }
}

export type BuildOutcome = { ok: true; elf: string } | { ok: false; stderr: string }

/** Copies the lab's build inputs into `out` (solution files over the starter when asked) and builds k.elf there. */
export async function buildLab(tools: Tools, labDir: string, lab: Lab, out: string, variant: 'starter' | 'solution'): Promise<BuildOutcome> {
  mkdirSync(out, { recursive: true })
  for (const f of [...lab.build.sources, lab.build.linkerScript]) {
    const from = variant === 'solution' && lab.files.includes(f) ? join(labDir, lab.solution, f) : join(labDir, f)
    mkdirSync(dirname(join(out, f)), { recursive: true })
    copyFileSync(from, join(out, f))
  }
  try {
    const objects: string[] = []
    for (const src of lab.build.sources) {
      const obj = join(out, src.replace(/\.[sS]$/, '') + '.o')
      await run(tools.as, [...lab.build.asFlags, '-o', obj, join(out, src)])
      objects.push(obj)
    }
    const elf = join(out, 'k.elf')
    await run(tools.ld, ['-T', join(out, lab.build.linkerScript), '-o', elf, ...objects])
    return { ok: true, elf }
  } catch (e) {
    return { ok: false, stderr: String((e as { stderr?: string }).stderr ?? e) }
  }
}

export interface ElfFacts {
  sections: { name: string; vma: bigint; lma: bigint; size: bigint }[]
  segments: { type: string; vaddr: bigint; paddr: bigint; flags: string; sections: string[] }[]
  symbols: { name: string; value: bigint; section: string }[]
}

/** Sections from `objdump -h` (the only GNU view with LMAs), segments from `readelf -lW`, symbols from `readelf -sW`. */
export async function elfFacts(tools: Tools, elf: string): Promise<ElfFacts> {
  const [h, l, s, S] = await Promise.all([
    run(tools.objdump, ['-h', '-w', elf]),
    run(tools.readelf, ['-lW', elf]),
    run(tools.readelf, ['-sW', elf]),
    run(tools.readelf, ['-SW', elf]),
  ])
  const sections: ElfFacts['sections'] = []
  // objdump -h -w: "  1 .text  00000022  ffffffff80200000  0000000080200000  00001000  2**1  CONTENTS, ..."
  for (const m of h.stdout.matchAll(/^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+2\*\*\d+/gm)) {
    sections.push({ name: m[1], size: BigInt('0x' + m[2]), vma: BigInt('0x' + m[3]), lma: BigInt('0x' + m[4]) })
  }
  const segments: ElfFacts['segments'] = []
  for (const m of l.stdout.matchAll(/^\s+(\w+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+([RWE ]+?)\s+0x[0-9a-f]+$/gm)) {
    segments.push({ type: m[1], vaddr: BigInt('0x' + m[2]), paddr: BigInt('0x' + m[3]), flags: m[4].replace(/\s/g, '').replace('E', 'X'), sections: [] })
  }
  const mapping = l.stdout.split('Section to Segment mapping:')[1] ?? ''
  for (const m of mapping.matchAll(/^\s+(\d+)\s+(.*)$/gm)) {
    const seg = segments[Number(m[1])]
    if (seg) seg.sections = m[2].trim().split(/\s+/).filter(Boolean)
  }
  const sectionByIndex = new Map<string, string>()
  for (const m of S.stdout.matchAll(/^\s*\[\s*(\d+)\]\s+(\S+)/gm)) sectionByIndex.set(m[1], m[2])
  const symbols: ElfFacts['symbols'] = []
  // readelf -sW: "  12: ffffffff80200000     0 NOTYPE  GLOBAL DEFAULT    1 _start"
  for (const m of s.stdout.matchAll(/^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+\w+\s+\w+\s+\w+\s+(\w+)\s+(\S+)$/gm)) {
    symbols.push({ name: m[3], value: BigInt('0x' + m[1]), section: m[2] === 'ABS' ? '*ABS*' : (sectionByIndex.get(m[2]) ?? m[2]) })
  }
  return { sections, segments, symbols }
}

export const STATIC_CHECK_KINDS = ['section', 'segment', 'symbol'] as const

/** Decides a section/segment/symbol check on GNU's view of the ELF; the reason when it fails. */
export function staticCheckFails(check: Check, facts: ElfFacts): string | undefined {
  const hex = (v: bigint) => '0x' + v.toString(16)
  switch (check.kind) {
    case 'section': {
      const s = facts.sections.find((x) => x.name === check.name)
      if (!check.exists) return s ? `${check.name} exists` : undefined
      if (!s) return `no section ${check.name}`
      if (check.vma !== undefined && BigInt(check.vma) !== s.vma) return `VMA ${hex(s.vma)}`
      if (check.lma !== undefined && BigInt(check.lma) !== s.lma) return `LMA ${hex(s.lma)}`
      if (check.align !== undefined && (s.vma % BigInt(check.align) !== 0n || s.lma % BigInt(check.align) !== 0n)) return `VMA ${hex(s.vma)} / LMA ${hex(s.lma)} not aligned`
      return undefined
    }
    case 'segment': {
      const seg = facts.segments.find((x) => x.type === 'LOAD' && x.sections.includes(check.section))
      if (!seg) return `no PT_LOAD holds ${check.section}`
      if (check.vaddr !== undefined && BigInt(check.vaddr) !== seg.vaddr) return `p_vaddr ${hex(seg.vaddr)}`
      if (check.paddr !== undefined && BigInt(check.paddr) !== seg.paddr) return `p_paddr ${hex(seg.paddr)}`
      if (check.flags !== undefined && check.flags !== seg.flags) return `flags ${seg.flags}`
      return undefined
    }
    case 'symbol': {
      const sym = facts.symbols.find((x) => x.name === check.name)
      if (!sym) return `no symbol ${check.name}`
      if (check.value !== undefined && BigInt(check.value) !== sym.value) return `value ${hex(sym.value)}`
      if (check.section !== undefined && check.section !== sym.section) return `in ${sym.section}`
      if (check.align !== undefined && sym.value % BigInt(check.align) !== 0n) return `value ${hex(sym.value)} not aligned`
      return undefined
    }
    default:
      throw new Error(`${check.kind} is not a static check`)
  }
}

/** Where QEMU 7.2's OpenSBI banner ends: its last line before the kernel runs. */
const OPENSBI_LAST_BANNER_LINE = /^Boot HART MEDELEG.*$/m

export interface QemuBoot {
  /** What the kernel printed (after OpenSBI's banner). */
  console: string
  /** QEMU exited by itself (the guest shut down) rather than being killed at the time limit. */
  exited: boolean
  /** OpenSBI's banner was seen, so the firmware ran and handed over. */
  bannerSeen: boolean
}

/** Boots `elf` on `qemu-system-riscv64 -M virt -bios default` with `memMiB` of RAM, killing it after `timeoutMs`. */
export async function bootQemu(qemu: string, elf: string, timeoutMs: number, memMiB = 128): Promise<QemuBoot> {
  const args = ['-M', 'virt', '-m', `${memMiB}M`, '-nographic', '-bios', 'default', '-kernel', elf]
  let stdout: string
  let exited: boolean
  try {
    const r = await run(qemu, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 24 })
    stdout = r.stdout
    exited = true
  } catch (e) {
    const x = e as { stdout?: string; killed?: boolean; signal?: string }
    stdout = x.stdout ?? ''
    exited = !(x.killed || x.signal)
  }
  const m = OPENSBI_LAST_BANNER_LINE.exec(stdout)
  return { console: m ? stdout.slice(m.index + m[0].length).replace(/^\r?\n/, '') : stdout, exited, bannerSeen: m !== null }
}
