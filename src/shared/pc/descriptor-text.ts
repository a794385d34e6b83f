/**
 * The descriptor tables in words, a line per entry, for the timeline's lgdt/lidt/ltr events
 * ("0x8: code 64-bit DPL0 …", "vector 14 #PF (page fault): interrupt gate → 0x… (pf_handler)").
 * Formatted from the decoded tables (descriptor-tables.ts, which the GDT/IDT/TSS inspectors
 * show), so the timeline and the inspectors read the bytes one way.
 */
import { describeSegment, SYSTEM_TYPE_NAMES } from '../isa/x86/register-fields'
import { SYSTEM_DESCRIPTOR_TYPES } from '../isa/x86/system-registers'
import { vectorName } from '../isa/x86/exceptions'
import { decodeGdt, decodeIdt, decodeTss, TSS_MIN_BYTES } from './descriptor-tables'

/** One line: where the entry is (selector, vector or TSS field) and what it says. */
export interface DescriptorLine {
  /** `0x08`, `vector 14 #PF (page fault)`, `vectors 32–47`, `RSP0`. */
  name: string
  text: string
}

type Symbolize = (va: bigint) => string | null

const hex = (v: bigint | number) => `0x${v.toString(16)}`
const symbolWords = (s: string | null) => (s ? ` (${s})` : '')

/** The GDT (or an LDT) in `bytes` (limit + 1 bytes from its base); `long`: IA-32e mode. */
export function gdtLines(bytes: Uint8Array, long: boolean): DescriptorLine[] {
  return decodeGdt(bytes, long).map((d) => ({
    name: hex(d.selector),
    text: d.index === 0 ? 'null descriptor' : d.class === 'null' ? 'empty' : describeSegment(d.attrs, BigInt(d.base), Number(BigInt(d.limit))),
  }))
}

/** The IDT's present gates, consecutive vectors from 32 up with the same gate in one line ("vectors 32–47: …"). */
export function idtLines(bytes: Uint8Array, long: boolean, symbol: Symbolize = () => null): DescriptorLine[] {
  const lines: DescriptorLine[] = []
  let run: { first: number; last: number; text: string } | undefined
  const flush = () => {
    if (!run) return
    const name = run.first !== run.last ? `vectors ${run.first}–${run.last}` : `vector ${run.first}${run.first < 32 ? ` ${vectorName(run.first)}` : ''}`
    lines.push({ name, text: run.text })
    run = undefined
  }
  for (const g of decodeIdt(bytes, long)) {
    const kind = SYSTEM_TYPE_NAMES[g.typeBits] ?? `type ${g.typeBits} (not a gate)`
    const offset = BigInt(g.offset)
    const handler = g.typeBits === SYSTEM_DESCRIPTOR_TYPES.TASK_GATE ? `TSS selector ${hex(g.selector)}` : `${hex(offset)}${symbolWords(symbol(offset))}, selector ${hex(g.selector)}`
    const text = `${kind} → ${handler}${g.ist ? `, IST${g.ist}` : ''}, DPL${g.dpl}`
    if (run && run.text === text && run.last === g.vector - 1 && g.vector >= 32) {
      run.last = g.vector
      continue
    }
    flush()
    run = { first: g.vector, last: g.vector, text }
  }
  flush()
  return lines
}

/** The TSS's stacks (RSP0–2 and IST1–7; SS:ESP0–2, CR3 and EIP in a 32-bit TSS), zero fields left out, and the I/O map base. */
export function tssLines(bytes: Uint8Array, long: boolean, symbol: Symbolize = () => null): DescriptorLine[] {
  if (bytes.length < TSS_MIN_BYTES) return []
  const tss = decodeTss(bytes, long)
  const lines: DescriptorLine[] = []
  const pointer = (name: string, value: bigint, what: string) => {
    if (value !== 0n) lines.push({ name, text: `${hex(value)}${symbolWords(symbol(value))}: ${what}` })
  }
  if (long) {
    for (const s of tss.stacks) {
      const n = Number(s.name.slice(3))
      const what = s.name.startsWith('IST') ? `interrupt stack ${n} (for gates with IST = ${n})` : `stack pointer loaded on a switch to ring ${n}`
      pointer(s.name, BigInt(s.value), what)
    }
  } else {
    const value = (name: string) => BigInt(tss.stacks.find((s) => s.name === name)?.value ?? 0)
    for (let i = 0; i < 3; i++) {
      const ss = value(`SS${i}`)
      const esp = value(`ESP${i}`)
      if (esp !== 0n || ss !== 0n) lines.push({ name: `SS${i}:ESP${i}`, text: `${hex(ss)}:${hex(esp)}${symbolWords(symbol(esp))}: stack loaded on a switch to ring ${i}` })
    }
    for (const f of tss.task ?? []) pointer(f.name, BigInt(f.value), f.name === 'CR3' ? 'page directory loaded on a task switch' : 'where a task switch to this TSS resumes')
  }
  lines.push({ name: 'I/O map base', text: `${hex(tss.iomapBase)}${tss.iomapBase >= bytes.length ? ' (beyond the limit: no I/O permission bitmap)' : ''}` })
  return lines
}
