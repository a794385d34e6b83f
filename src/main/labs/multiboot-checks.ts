/**
 * Decides the Multiboot check kinds of a lab (docs/labs.md, "Multiboot checks") on a recording's
 * events: the boot information the loader handed over (`boot_info`, decoded at the hand-off),
 * the kernel's loaded segments (`segment_loaded`), the console and the replay. `multiboot_tag`: the
 * real loads — read watches in the replayed hart on the tag's fields (each available area's start
 * and length, the string, each module's start and end) — so a kernel that read another tag,
 * wrong offsets or nothing fails naming the bytes no instruction loaded. `frames`: the frames an allocator printed are whole
 * 4 KiB frames of available memory, each handed out once, away from the kernel and the boot
 * information (a check with `avoid` decides only that), and (with `complete`) all of them.
 */
import type { FramesCheck, FrameOwner, MultibootTagCheck, MultibootTagRead } from '../../shared/labs/lab-format'
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

const noBootInfo = 'the recording has no Multiboot boot information (the kernel was not entered by a Multiboot loader with EBX pointing at one)'

/** Bytes of a tag the kernel must load to have read it, in physical memory, with what they hold. */
export interface TagField {
  pa: bigint
  length: number
  what: string
}

/** The first load by the guest that touches a field (a read watch in the replay), or undefined when none does; a string when it cannot tell. */
export type FirstLoad = (field: TagField) => Promise<{ step: number; pc: bigint } | undefined | string>

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true)
const u64 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true)

/**
 * The fields of tag `tag` in the Multiboot 2 boot information `info` (its bytes at the hand-off,
 * at physical `address`): the start and length of each available area (tag 6), the string (1, 2),
 * each module's start and end (3). Undefined when the tag is not there.
 */
export function tagFields(tag: MultibootTagRead, info: Uint8Array, address: bigint): TagField[] | undefined {
  const total = Math.min(info.length, info.length >= 4 ? u32(info, 0) : 0)
  const fields: TagField[] = []
  let found = false
  for (let at = 8; at + 8 <= total; at += (u32(info, at + 4) + 7) & ~7) {
    const type = u32(info, at)
    const size = u32(info, at + 4)
    if (type === 0 || size < 8) break
    if (type !== tag) continue
    found = true
    const pa = (off: number) => address + BigInt(at + off)
    if (tag === 6) {
      const entrySize = u32(info, at + 8)
      for (let e = at + 16; entrySize >= 24 && e + 24 <= at + size; e += entrySize) {
        if (u32(info, e + 16) !== 1) continue
        const area = `available area ${hex(u64(info, e))} (+${hex(u64(info, e + 8))})`
        fields.push({ pa: pa(e - at), length: 8, what: `the start of ${area}` }, { pa: pa(e - at + 8), length: 8, what: `the length of ${area}` })
      }
    } else if (tag === 3) {
      fields.push({ pa: pa(8), length: 4, what: `the start of module ${hex(BigInt(u32(info, at + 8)))}` }, { pa: pa(12), length: 4, what: `the end of module ${hex(BigInt(u32(info, at + 8)))}` })
    } else {
      const text = info.subarray(at + 8, at + size)
      const n = text.indexOf(0)
      if (n > 0) fields.push({ pa: pa(8), length: n, what: JSON.stringify(new TextDecoder().decode(text.subarray(0, n))) })
    }
  }
  return found ? fields : undefined
}

/**
 * Decided on the loads the kernel made (read watches on the tag's fields in the replay), not on
 * what it printed: every field of the tag (see `tagFields`) was loaded by some instruction.
 */
export async function multibootTagVerdict(c: MultibootTagCheck, info: TraceEvent<'boot_info'> | undefined, bytes: Uint8Array | string, firstLoad: FirstLoad): Promise<Verdict> {
  if (!info) return { passed: false, detail: noBootInfo }
  const d = info.data
  const tagName = MULTIBOOT_TAGS_READ[c.tag]
  if (d.protocol !== 'Multiboot 2') return { passed: false, detail: `the kernel was booted with ${d.protocol}, whose boot information has no tags`, step: 0 }
  if (!d.tags.some((t) => t.startsWith(`${c.tag} `))) {
    return { passed: false, detail: `the boot information at ${d.address} has no tag ${c.tag} (${tagName}); the loader passed tags ${d.tags.join(', ') || 'none'}`, step: 0 }
  }
  if (typeof bytes === 'string') return { passed: false, detail: bytes }
  const fields = tagFields(c.tag, bytes, BigInt(d.address))
  if (!fields) return { passed: false, detail: `tag ${c.tag} is listed at the hand-off but not found in the boot information's bytes at ${d.address}`, step: 0 }
  if (fields.length === 0) {
    const none = c.tag === 6 ? 'no available area' : c.tag === 3 ? 'no module' : `an empty ${tagName}`
    return { passed: false, detail: `tag ${c.tag} (${tagName}) holds ${none}: there is nothing for the kernel to read`, step: 0 }
  }
  const loads: { field: TagField; step: number; pc: bigint }[] = []
  const missing: TagField[] = []
  for (const f of fields) {
    const hit = await firstLoad(f)
    if (typeof hit === 'string') return { passed: false, detail: hit }
    if (hit) loads.push({ field: f, ...hit })
    else missing.push(f)
  }
  const span = (f: TagField) => `${hex(f.pa)}–${hex(f.pa + BigInt(f.length) - 1n)}`
  if (missing.length) {
    const read = loads.length ? `; it did load ${loads.map((l) => `${l.field.what} (step ${l.step})`).join(', ')}` : ''
    return {
      passed: false,
      detail: `no instruction loaded ${missing.map((f) => `${f.what} (${span(f)})`).join(', nor ')} from tag ${c.tag} (${tagName}) of the boot information at ${d.address}${read} — the kernel did not read the tag, or read other bytes than its ${c.tag === 6 ? 'entries' : 'fields'}`,
    }
  }
  loads.sort((a, b) => a.step - b.step)
  const first = loads[0]
  return {
    passed: true,
    detail: `the kernel loaded ${loads.map((l) => l.field.what).join(', ')} from tag ${c.tag} at ${d.address}: the first at step ${first.step} (pc ${hex(first.pc)}), the last at step ${loads[loads.length - 1].step}`,
    step: first.step,
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
