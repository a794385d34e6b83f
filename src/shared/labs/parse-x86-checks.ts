/**
 * Validation of the x86 check kinds of a lab.json (docs/labs.md, "x86 checks"): `mode` (an
 * operating mode reached), `fault` (an exception of a vector, with its address and CR2),
 * `register` (CR0/CR2/CR3/CR4/EFER bits or value at a moment of the boot) and `vga_text` (the
 * VGA text screen shows something). Bit names are the SDM's, from the one table of them
 * (`shared/isa/x86/system-registers.ts`), so a misspelt bit is an error with a suggestion.
 */
import { CR0_BITS, CR4_BITS, EFER_BITS, exceptionVector } from '../isa/x86/system-registers'
import { didYouMean, Issues, member, readBoolean, readEnum, readHex, readInteger, wrongType, type Fields } from './json-fields'
import type { JsonNode } from './json-source'
import type { AddressRef, EventSelector, X86CheckedRegister, X86ModeName } from './lab-format'

export const X86_MODES: readonly X86ModeName[] = ['real', 'protected', 'compatibility', 'long']
export const X86_CHECKED_REGISTERS: readonly X86CheckedRegister[] = ['cr0', 'cr2', 'cr3', 'cr4', 'efer']

/** "long mode (64-bit)" and "ring 0, long mode (64-bit)" (the timeline's words) name the mode `long`. */
export function modeOfLabel(label: string): X86ModeName | undefined {
  return /\b(real|protected|compatibility|long) mode\b/.exec(label)?.[1] as X86ModeName | undefined
}

/** The named bits of each register a `register` check may name in `set`/`clear`. */
export const X86_REGISTER_BITS: Record<X86CheckedRegister, readonly { name: string; bit: number }[]> = {
  cr0: CR0_BITS,
  cr2: [],
  cr3: [
    { name: 'PWT', bit: 3 },
    { name: 'PCD', bit: 4 },
  ],
  cr4: CR4_BITS,
  efer: EFER_BITS,
}

/** The bits a `control_bits` selector names: `CR0.PG`, `CR4.PAE`, `EFER.LME` … (single-bit fields of CR0, CR4, EFER). */
export const CONTROL_BIT_NAMES: readonly string[] = [
  ...CR0_BITS.map((b) => `CR0.${b.name}`),
  ...CR4_BITS.map((b) => `CR4.${b.name}`),
  ...EFER_BITS.map((b) => `EFER.${b.name}`),
]

/** The keys each x86 kind adds to the common ones. */
export const X86_KIND_KEYS = {
  mode: ['mode', 'maxStep'],
  fault: ['vector', 'at', 'cr2', 'absent'],
  register: ['register', 'set', 'clear', 'value', 'when'],
  vga_text: ['contains', 'regex', 'flags', 'absent'],
} as const

/** What the shared readers give the x86 ones (they live in parse-checks.ts). */
export interface SharedReaders {
  addressRef(issues: Issues, what: string, node: JsonNode): AddressRef | undefined
  when(issues: Issues, f: Fields): 'end' | EventSelector | undefined
}

export function readModeCheck(issues: Issues, f: Fields): { kind: 'mode'; mode: X86ModeName; maxStep?: number } | undefined {
  const mode = readEnum(issues, f, 'mode', X86_MODES, true)
  const maxStep = readInteger(issues, f, 'maxStep', false, { min: 0, max: 10_000_000_000 })
  if (!mode) return undefined
  return { kind: 'mode', mode, ...(maxStep !== undefined ? { maxStep } : {}) }
}

export function readFaultCheck(issues: Issues, f: Fields, shared: SharedReaders): { kind: 'fault'; vector: number; at?: AddressRef; cr2?: AddressRef; absent: boolean } | undefined {
  const vector = readInteger(issues, f, 'vector', true, { min: 0, max: 31 })
  if (vector !== undefined && !exceptionVector(vector)) {
    return issues.add('lab.bad_value', `"vector": ${vector} is not an x86 exception (vectors 0–31 the SDM defines)`, f.byKey.get('vector')!.value.pos, 'e.g. 14 for #PF (page fault), 13 for #GP, 8 for #DF')
  }
  const atNode = member(issues, f, 'at', false)
  const at = atNode && shared.addressRef(issues, '"at"', atNode)
  const cr2Node = member(issues, f, 'cr2', false)
  const cr2 = cr2Node && shared.addressRef(issues, '"cr2"', cr2Node)
  if (cr2Node && vector !== undefined && vector !== 14) return issues.add('lab.bad_value', '"cr2" applies to page faults only (vector 14): other exceptions leave CR2 alone', cr2Node.pos)
  const absent = readBoolean(issues, f, 'absent') ?? false
  if (vector === undefined || (atNode && !at) || (cr2Node && !cr2)) return undefined
  return { kind: 'fault', vector, absent, ...(at !== undefined ? { at } : {}), ...(cr2 !== undefined ? { cr2 } : {}) }
}

export function readRegisterCheck(
  issues: Issues,
  f: Fields,
  shared: SharedReaders,
): { kind: 'register'; register: X86CheckedRegister; set: string[]; clear: string[]; value?: string; when: 'end' | EventSelector } | undefined {
  const register = readEnum(issues, f, 'register', X86_CHECKED_REGISTERS, true)
  const bits = register ? X86_REGISTER_BITS[register].map((b) => b.name) : []
  const names = (key: 'set' | 'clear'): string[] | undefined => {
    const node = member(issues, f, key, false)
    if (!node) return []
    if (node.type !== 'array') return wrongType(issues, f, key, node, `an array of ${register ?? 'register'} bit names`)
    const out: string[] = []
    for (const n of node.items) {
      if (n.type !== 'string') return issues.add('lab.wrong_type', `an entry of "${key}" must be a bit name string`, n.pos)
      if (register && !bits.includes(n.value)) {
        return issues.add('lab.bad_value', `${register} has no bit ${JSON.stringify(n.value)}`, n.pos, `${didYouMean(n.value, bits)}${register}'s bits: ${bits.join(' ') || 'none by name (use "value")'}`)
      }
      out.push(n.value)
    }
    return out
  }
  const set = names('set')
  const clear = names('clear')
  const value = readHex(issues, f, 'value', false)
  const when = shared.when(issues, f)
  if (!register || !set || !clear || !when) return undefined
  if (set.length === 0 && clear.length === 0 && value === undefined) {
    return issues.add('lab.missing_key', `${f.what} needs what to expect: "set" and/or "clear" (bit names), or "value"`, f.pos, 'e.g. "register": "cr0", "set": ["PG", "WP"]')
  }
  const both = set.find((b) => clear.includes(b))
  if (both) return issues.add('lab.bad_value', `bit ${both} cannot be both in "set" and in "clear"`, f.pos)
  return { kind: 'register', register, set, clear, when, ...(value !== undefined ? { value } : {}) }
}
