/**
 * GOT-relative references in a static x86-64 executable, as GNU ld 2.40 resolves them
 * (elf64-x86-64.c elf_x86_64_convert_load_reloc; x86-64 psABI "Optimize GOTPCRELX
 * Relocations"). Position-independent code — a Rust `staticlib`, gcc's default PIE objects —
 * reaches data and functions through GOT slots; in a static link the linker rewrites what it can
 * into direct references, before layout:
 * - `mov foo@GOTPCREL(%rip), %reg` (R_X86_64_GOTPCREL) → `lea foo(%rip), %reg` (PC32);
 * - with R_X86_64_(REX_)GOTPCRELX: `mov` → `mov $foo, %reg` (R_X86_64_32S with REX.W, else _32),
 *   `call *` → `addr32 call foo`, `jmp *` → `jmp foo; nop`, `test`/`add`…`cmp` → their `$imm` forms;
 * - anything else (an indirect `call *foo@GOTPCREL(%rip)` with plain GOTPCREL, an absolute symbol
 *   with a big value) gets a GOT slot: an 8-byte `.got` entry holding the address, plus the three
 *   reserved `.got.plt` words that `_GLOBAL_OFFSET_TABLE_` names. ld glues both sections to the
 *   first object (its "dynobj"), so they are orphans placed like that object's own sections.
 * Slots for local symbols come first, object by object; global ones follow in the order ld's
 * symbol hash table is walked (bfd hash.c), which is what decides the bytes of `.got`.
 */
import {
  R_X86_64_32, R_X86_64_32S, R_X86_64_GOTPCREL, R_X86_64_GOTPCRELX, R_X86_64_PC32, R_X86_64_REX_GOTPCRELX, SHF_ALLOC, SHF_WRITE, SHT_PROGBITS, EM_X86_64,
} from '../../../../shared/elf/constants'
import type { ObjectFile, ObjSection, Reloc } from '../../object'
import type { SymbolTable } from '../input'

const GOT_ENTRY_BYTES = 8
/** .got.plt's reserved words: the dynamic section's address and two for the dynamic linker. */
const GOT_PLT_RESERVED = 3
const REX_W = 8
const REX_R = 4
const REX_B = 1

export interface GotPlan {
  objects: ObjectFile[]
  /** Slot index for a GOT-relative relocation's symbol, by `slotKey`. */
  slots: Map<string, number>
  /** For each slot, a (object, symbol) whose value the slot holds. */
  targets: { obj: number; sym: number }[]
  /** Where the GOT sections are: object 0's section indices (undefined when there is no GOT). */
  got?: { obj: number; got: number; gotPlt: number }
}

/** The key of the symbol a relocation names: globals by name (one slot per symbol), locals by object. */
export function slotKey(objects: ObjectFile[], obj: number, sym: number): string {
  const s = objects[obj].symbols[sym]
  return s && s.bind !== 'local' ? `g:${s.name}` : `l:${obj}:${sym}`
}

/** bfd_hash_hash (bfd/hash.c) on a 64-bit host: the bucket a name lands in. */
export function bfdHash(name: string): bigint {
  const M = (1n << 64n) - 1n
  let h = 0n
  const bytes = new TextEncoder().encode(name)
  for (const b of bytes) {
    const c = BigInt(b)
    h = (h + c + (c << 17n)) & M
    h ^= h >> 2n
  }
  const len = BigInt(bytes.length)
  h = (h + len + (len << 17n)) & M
  h ^= h >> 2n
  return h
}

/** bfd's default hash table size, and the primes it grows through when more than 3/4 full. */
const BFD_HASH_SIZES = [4051, 8191, 16381, 32749, 65521, 131071, 262139, 524287, 1048573]

/** The order `elf_link_hash_traverse` visits these global names, given how many names the table holds. */
export function hashTraversalOrder(names: string[], tableCount: number): string[] {
  let size = BFD_HASH_SIZES[0]
  for (const s of BFD_HASH_SIZES) {
    size = s
    if (tableCount <= Math.floor((s * 3) / 4)) break
  }
  const n = BigInt(size)
  return names.map((name, i) => ({ name, i, bucket: bfdHash(name) % n }))
    // Same bucket: the later-inserted name is first in the chain.
    .sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : b.i - a.i))
    .map((x) => x.name)
}

type Kind = 'section' | 'abs' | 'undef' | 'undefweak'

function symbolKind(objects: ObjectFile[], symtab: SymbolTable, obj: number, sym: number): Kind {
  let s = objects[obj].symbols[sym]
  if (!s) return 'undef'
  if (s.bind !== 'local' || s.section === 'undef') {
    const g = symtab.globals.get(s.name)
    if (!g) return s.bind === 'weak' ? 'undefweak' : 'undef'
    s = objects[g.obj].symbols[g.sym]
  }
  return s.section === 'abs' ? 'abs' : 'section'
}

/**
 * Rewrites one GOT-relative relocation in place when ld would, returning false when it needs a
 * slot. `d` is a private copy of the section's bytes.
 */
function relax(d: Uint8Array, r: Reloc, kind: Kind): boolean {
  const o = r.offset
  if (o < 2 || kind === 'abs') return false
  const opcode = d[o - 2]
  const modrm = d[o - 1]
  if (r.type === R_X86_64_GOTPCREL) {
    // Only a load can become a lea: the REX prefix stays as it is.
    if (opcode !== 0x8b || kind === 'undef' || kind === 'undefweak') return false
    d[o - 2] = 0x8d
    r.type = R_X86_64_PC32
    return true
  }
  const rexAt = r.type === R_X86_64_REX_GOTPCRELX && o >= 3 ? o - 3 : -1
  const rex = rexAt >= 0 ? d[rexAt] : 0
  const toImmediate = (newOpcode: number, digit: number) => {
    d[o - 2] = newOpcode
    d[o - 1] = 0xc0 | (digit << 3) | ((modrm >> 3) & 7)
    // The register moves from ModRM.reg to ModRM.rm, so REX.R becomes REX.B.
    if (rexAt >= 0 && rex & REX_R) d[rexAt] = (rex & ~REX_R) | REX_B
    r.type = rex & REX_W ? R_X86_64_32S : R_X86_64_32
    r.addend += 4n
    return true
  }
  if (opcode === 0xff && modrm === 0x15) {
    // call *foo@GOTPCREL(%rip) → addr32 call foo
    d[o - 2] = 0x67
    d[o - 1] = 0xe8
    r.type = R_X86_64_PC32
    return true
  }
  if (opcode === 0xff && modrm === 0x25) {
    // jmp *foo@GOTPCREL(%rip) → jmp foo; nop
    d[o - 2] = 0xe9
    d.copyWithin(o - 1, o, o + 4)
    d[o + 3] = 0x90
    r.offset = o - 1
    r.type = R_X86_64_PC32
    return true
  }
  if ((modrm & 0xc7) !== 0x05) return false
  if (opcode === 0x8b) return toImmediate(0xc7, 0)
  if (opcode === 0x85) return toImmediate(0xf7, 0)
  if ((opcode & 0xc7) === 0x03) return toImmediate(0x81, (opcode >> 3) & 7)
  return false
}

const isGotRelative = (t: number) => t === R_X86_64_GOTPCREL || t === R_X86_64_GOTPCRELX || t === R_X86_64_REX_GOTPCRELX

/**
 * Relaxes what can be relaxed and sizes the GOT for the rest (x86-64 objects only), looking only
 * at sections that are linked (`live`): after --gc-sections, as ld scans relocations after it.
 */
export function planGot(objects: ObjectFile[], symtab: SymbolTable, live: (obj: number, section: number) => boolean): GotPlan {
  const slots = new Map<string, number>()
  const targets: { obj: number; sym: number }[] = []
  const localKeys: string[] = []
  const globalKeys: string[] = []
  const firstRef = new Map<string, { obj: number; sym: number }>()
  const rewritten = objects.map((o, oi) => {
    if (o.machine !== EM_X86_64 || !o.sections.some((s) => s.relocs.some((r) => isGotRelative(r.type)))) return o
    const sections = o.sections.map((s, si): ObjSection => {
      if (!s.relocs.some((r) => isGotRelative(r.type)) || (s.flags & SHF_ALLOC) === 0 || !live(oi, si)) return s
      const data = s.data.slice()
      const relocs = s.relocs.map((r) => ({ ...r }))
      for (const r of relocs) {
        if (!isGotRelative(r.type)) continue
        if (relax(data, r, symbolKind(objects, symtab, oi, r.symbol))) continue
        const key = slotKey(objects, oi, r.symbol)
        if (firstRef.has(key)) continue
        firstRef.set(key, { obj: oi, sym: r.symbol })
        ;(key.startsWith('g:') ? globalKeys : localKeys).push(key)
      }
      return { ...s, data, relocs }
    })
    return { ...o, sections }
  })
  if (!firstRef.size) return { objects: rewritten, slots, targets }
  const names = new Set<string>()
  for (const o of objects) for (const s of o.symbols) if (s.bind !== 'local' && s.name) names.add(s.name)
  const globalOrder = hashTraversalOrder(globalKeys.map((k) => k.slice(2)), names.size).map((n) => `g:${n}`)
  for (const key of [...localKeys, ...globalOrder]) {
    slots.set(key, targets.length)
    targets.push(firstRef.get(key)!)
  }
  // The GOT sections, glued to the first object like ld's dynobj sections.
  const first = rewritten[0]
  const got: ObjSection = { name: '.got', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, align: GOT_ENTRY_BYTES, data: new Uint8Array(targets.length * GOT_ENTRY_BYTES), size: targets.length * GOT_ENTRY_BYTES, entsize: 0, relocs: [] }
  const gotPlt: ObjSection = { name: '.got.plt', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, align: GOT_ENTRY_BYTES, data: new Uint8Array(GOT_PLT_RESERVED * GOT_ENTRY_BYTES), size: GOT_PLT_RESERVED * GOT_ENTRY_BYTES, entsize: GOT_ENTRY_BYTES, relocs: [] }
  const gotIndex = first.sections.length
  rewritten[0] = {
    ...first,
    sections: [...first.sections, got, gotPlt],
    symbols: [...first.symbols, { name: '_GLOBAL_OFFSET_TABLE_', section: gotIndex + 1, value: 0n, size: 0n, bind: 'local', type: 'object', visibility: 0 }],
  }
  return { objects: rewritten, slots, targets, got: { obj: 0, got: gotIndex, gotPlt: gotIndex + 1 } }
}
