/**
 * Decides the Multiboot check kinds of a lab (docs/labs.md, "Multiboot checks") on a recording's
 * events: the boot information the loader handed over (`boot_info`, decoded at the hand-off),
 * the kernel's loaded segments (`segment_loaded`) and the console. `multiboot_tag`: what the tag
 * holds shows in the console, so a kernel that read another tag, wrong offsets or nothing fails
 * with the values it should have printed. `frames`: the frames an allocator printed are whole
 * 4 KiB frames of available memory, each handed out once, away from the kernel and the boot
 * information (a check with `avoid` decides only that), and (with `complete`) all of them.
 */
import type { FramesCheck, FrameOwner, MultibootTagCheck } from '../../shared/labs/lab-format'
import { MULTIBOOT_TAGS_READ } from '../../shared/labs/parse-multiboot-checks'
import { hex, type TraceEvent } from '../../shared/trace/events'
import type { Verdict } from './layout-checks'

const PAGE = 0x1000n
/** [start, end) in bytes, with what is there. */
interface Range {
  start: bigint
  end: bigint
  what: string
}

/** The hex numbers on each console line. */
function numbersByLine(console: string): { line: string; numbers: Set<bigint> }[] {
  return console.split('\n').map((line) => ({ line, numbers: new Set([...line.matchAll(/0x([0-9a-f]+)/gi)].map((m) => BigInt(`0x${m[1]}`))) }))
}

const noBootInfo = 'the recording has no Multiboot boot information (the kernel was not entered by a Multiboot loader with EBX pointing at one)'

export function multibootTagVerdict(c: MultibootTagCheck, info: TraceEvent<'boot_info'> | undefined, console: string): Verdict {
  if (!info) return { passed: false, detail: noBootInfo }
  const d = info.data
  const tagName = MULTIBOOT_TAGS_READ[c.tag]
  if (d.protocol !== 'Multiboot 2') return { passed: false, detail: `the kernel was booted with ${d.protocol}, whose boot information has no tags`, step: 0 }
  if (!d.tags.some((t) => t.startsWith(`${c.tag} `))) {
    return { passed: false, detail: `the boot information at ${d.address} has no tag ${c.tag} (${tagName}); the loader passed tags ${d.tags.join(', ') || 'none'}`, step: 0 }
  }
  const lines = numbersByLine(console)
  const shown = (values: bigint[]) => lines.some((l) => values.every((v) => l.numbers.has(v)))
  switch (c.tag) {
    case 6: {
      const areas = d.memoryMap.filter((a) => a.type === 1)
      const missing = areas.filter((a) => !shown([BigInt(a.base), BigInt(a.length)]))
      const all = areas.map((a) => `start ${a.base} length ${a.length}`).join('; ')
      if (missing.length === 0) return { passed: true, detail: `the console shows each available area of tag 6: ${all}` }
      return {
        passed: false,
        detail: `tag 6 (${tagName}) at the hand-off lists ${areas.length} available area${areas.length === 1 ? '' : 's'} (${all}); no console line shows ${missing.map((a) => `start ${a.base} with length ${a.length}`).join(', nor ')} — the kernel did not read the memory map, or read other bytes than its entries`,
      }
    }
    case 1:
    case 2: {
      const text = c.tag === 1 ? d.cmdline : d.bootLoader
      if (!text) return { passed: false, detail: `${tagName} in tag ${c.tag} is empty: there is nothing to see the kernel print`, step: 0 }
      return console.includes(text) ? { passed: true, detail: `the console shows ${tagName} ${JSON.stringify(text)}` } : { passed: false, detail: `the console never shows ${tagName} ${JSON.stringify(text)} that tag ${c.tag} holds` }
    }
    case 3: {
      if (d.modules.length === 0) return { passed: false, detail: 'the boot information has no module tags', step: 0 }
      const missing = d.modules.filter((m) => !shown([BigInt(m.start), BigInt(m.end)]))
      return missing.length === 0
        ? { passed: true, detail: `the console shows each module's start and end (${d.modules.map((m) => `${m.start}–${m.end}`).join(', ')})` }
        : { passed: false, detail: `no console line shows the start and end of module ${missing.map((m) => `${m.start}–${m.end}`).join(', ')} (tag 3)` }
    }
  }
}

/** The runs of frames the console shows: [first, last] per match. */
function printedRuns(regex: string, console: string): { first: bigint; last: bigint; text: string }[] | string {
  const out: { first: bigint; last: bigint; text: string }[] = []
  for (const m of console.matchAll(new RegExp(regex, 'g'))) {
    const parse = (s: string | undefined) => {
      try {
        return s === undefined ? undefined : BigInt(s)
      } catch {
        return undefined
      }
    }
    const first = parse(m[1])
    const last = m.length > 2 ? parse(m[2]) : first
    if (first === undefined || last === undefined) return `${JSON.stringify(m[0])} does not hold frame addresses (0x… or decimal)`
    out.push({ first, last, text: m[0] })
  }
  return out
}

const overlaps = (a: { start: bigint; end: bigint }, b: { start: bigint; end: bigint }) => a.start < b.end && b.start < a.end
const span = (r: Range) => `${hex(r.start)}–${hex(r.end - 1n)}`

/** Whole frames of `ranges` minus anything overlapping `holes`, as sorted [start, end) runs. */
function freeRuns(areas: Range[], holes: Range[]): Range[] {
  let runs = areas.map((a) => ({ start: (a.start + PAGE - 1n) & ~(PAGE - 1n), end: a.end & ~(PAGE - 1n), what: a.what })).filter((r) => r.end > r.start)
  for (const h of holes) {
    const hs = h.start & ~(PAGE - 1n)
    const he = (h.end + PAGE - 1n) & ~(PAGE - 1n)
    runs = runs.flatMap((r) => (overlaps(r, { start: hs, end: he }) ? [{ ...r, end: hs }, { ...r, start: he }].filter((x) => x.end > x.start) : [r]))
  }
  return runs.sort((a, b) => (a.start < b.start ? -1 : 1))
}

export function framesVerdict(c: FramesCheck, info: TraceEvent<'boot_info'> | undefined, segments: TraceEvent<'segment_loaded'>[], console: string): Verdict {
  if (!info) return { passed: false, detail: noBootInfo }
  const runs = printedRuns(c.regex, console)
  if (typeof runs === 'string') return { passed: false, detail: runs }
  if (runs.length === 0) return { passed: false, detail: `the console shows no frames matching /${c.regex}/: the allocator handed out none, or they were not printed` }
  const available: Range[] = info.data.memoryMap.filter((a) => a.type === 1).map((a) => ({ start: BigInt(a.base), end: BigInt(a.base) + BigInt(a.length), what: `available area ${a.base} (+${a.length})` }))
  const kernelFile = segments[0]?.data.file
  const owners: Record<FrameOwner, Range[]> = {
    kernel: segments
      .filter((s) => s.data.file === kernelFile && BigInt(s.data.memsz) > 0n)
      .map((s) => ({ start: BigInt(s.data.paddr), end: BigInt(s.data.paddr) + BigInt(s.data.memsz), what: `the kernel's segment (${s.data.sections.join(', ') || 'no sections'}) loaded at ${s.data.paddr}–${hex(BigInt(s.data.paddr) + BigInt(s.data.memsz) - 1n)}` })),
    boot_info: [{ start: BigInt(info.data.address), end: BigInt(info.data.address) + BigInt(info.data.size), what: `the boot information at ${info.data.address}–${hex(BigInt(info.data.address) + BigInt(info.data.size) - 1n)}` }],
  }
  const frames: Range[] = []
  for (const r of runs) {
    if (r.first % PAGE !== 0n || r.last % PAGE !== 0n) return { passed: false, detail: `${JSON.stringify(r.text)}: ${hex(r.first % PAGE ? r.first : r.last)} is not the address of a 4 KiB frame (not a multiple of 4096)` }
    if (r.last < r.first) return { passed: false, detail: `${JSON.stringify(r.text)}: the run ends before it starts` }
    const f = { start: r.first, end: r.last + PAGE, what: r.text }
    // A check that names owners to avoid decides that alone (unless `complete`): one broken idea, one failed check.
    const onlyAvoid = c.avoid.length > 0 && !c.complete
    if (!onlyAvoid && !available.some((a) => f.start >= a.start && f.end <= a.end)) {
      const bad = [...frameAddresses(f)].find((x) => !available.some((a) => x >= a.start && x + PAGE <= a.end))!
      return { passed: false, detail: `frame ${hex(bad)} (${JSON.stringify(r.text)}) is not wholly inside an available area of the memory map (${available.map(span).join(', ')}): it is reserved, past the end of RAM, or only partly usable` }
    }
    const twice = onlyAvoid ? undefined : frames.find((g) => overlaps(g, f))
    if (twice) return { passed: false, detail: `frame ${hex(f.start > twice.start ? f.start : twice.start)} is handed out twice (${JSON.stringify(twice.what)} and ${JSON.stringify(r.text)})` }
    for (const owner of c.avoid) {
      const hit = owners[owner].find((o) => overlaps(o, f))
      if (hit) {
        const first = f.start > (hit.start & ~(PAGE - 1n)) ? f.start : hit.start & ~(PAGE - 1n)
        return { passed: false, detail: `frame ${hex(first)} (${JSON.stringify(r.text)}) holds ${hit.what}: whoever gets that frame overwrites ${owner === 'kernel' ? 'the kernel' : 'the boot information the kernel still reads'}` }
      }
    }
    frames.push(f)
  }
  const count = frames.reduce((n, f) => n + (f.end - f.start) / PAGE, 0n)
  if (c.complete) {
    const free = freeRuns(available, [...owners.kernel, ...owners.boot_info])
    const given = [...frames].sort((a, b) => (a.start < b.start ? -1 : 1))
    for (const r of free) {
      let at = r.start
      for (const g of given) if (g.start <= at && g.end > at) at = g.end
      if (at < r.end) return { passed: false, detail: `frame ${hex(at)} is free (in ${r.what}, not the kernel's nor the boot information's) but was never handed out: the allocator stops early, skips too much, or misses an area` }
    }
    const extra = given.find((g) => !free.some((r) => g.start >= r.start && g.end <= r.end))
    if (extra) return { passed: false, detail: `${JSON.stringify(extra.what)} hands out frames that are not free (they hold the kernel or the boot information)` }
    return { passed: true, detail: `all ${count} free frames were handed out once each: ${free.map(span).join(', ')}` }
  }
  return { passed: true, detail: `${count} frames in ${runs.length} run${runs.length === 1 ? '' : 's'}, all in available memory${c.avoid.length ? `, none overlapping ${c.avoid.map((o) => (o === 'kernel' ? 'the kernel' : 'the boot information')).join(' or ')}` : ''}` }
}

function* frameAddresses(r: Range): Generator<bigint> {
  for (let x = r.start; x < r.end; x += PAGE) yield x
}
