/**
 * GOT-relative references in a static x86 executable, as GNU ld 2.40 resolves them
 * (elf64-x86-64.c elf_x86_64_convert_load_reloc, elf32-i386.c elf_i386_convert_load_reloc;
 * the psABIs' "Optimize GOTPCRELX Relocations"). Position-independent code — a Rust `staticlib`,
 * gcc's default PIE objects — reaches data and functions through GOT slots; in a static link the
 * linker rewrites what it can into direct references, before layout. On x86-64:
 * - `mov foo@GOTPCREL(%rip), %reg` (R_X86_64_GOTPCREL) → `lea foo(%rip), %reg` (PC32);
 * - with R_X86_64_(REX_)GOTPCRELX: `mov` → `mov $foo, %reg` (R_X86_64_32S with REX.W, else _32),
 *   `call *` → `addr32 call foo`, `jmp *` → `jmp foo; nop`, `test`/`add`…`cmp` → their `$imm` forms;
 * - anything else (an indirect `call *foo@GOTPCREL(%rip)` with plain GOTPCREL, an absolute symbol
 *   with a big value) gets a GOT slot: an 8-byte `.got` entry holding the address, plus the three
 *   reserved `.got.plt` words that `_GLOBAL_OFFSET_TABLE_` names.
 * On i386 (gcc -m32 without -fno-pic): `mov foo@GOT(%reg), %reg` (R_386_GOT32X) → `mov $foo, %reg`,
 * `call`/`jmp *foo@GOT(%reg)` → direct, `test`/binops → `$foo`; R_386_GOTPC and R_386_GOTOFF keep
 * `_GLOBAL_OFFSET_TABLE_` (the start of a 12-byte `.got.plt`) alive. ld glues the GOT sections to
 * the first object (its "dynobj"), so they are orphans placed like that object's own sections.
 * Slots for local symbols come first, object by object; global ones follow in the order ld's
 * symbol hash table is walked (bfd hash.c), which is what decides the bytes of `.got`.
 */
import {
  EM_386, EM_X86_64, R_386_32, R_386_GOT32, R_386_GOT32X, R_386_GOTOFF, R_386_GOTPC, R_386_PC32, R_X86_64_32, R_X86_64_32S, R_X86_64_GOTPC32,
  R_X86_64_GOTPC64, R_X86_64_GOTOFF64, R_X86_64_GOTPCREL, R_X86_64_GOTPCRELX, R_X86_64_PC32, R_X86_64_REX_GOTPCRELX, SHF_ALLOC, SHF_WRITE, SHT_PROGBITS,
} from '../../../../shared/elf/constants'
import type { ObjectFile, ObjSection, Reloc } from '../../object'
import type { SymbolTable } from '../input'

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
  /**
   * Where the GOT lives: object 0's section indices (`got` is -1 when there are no slots, only
   * `.got.plt`), its `_GLOBAL_OFFSET_TABLE_` symbol, and the slot size. Undefined: no GOT at all.
   */
  got?: { obj: number; got: number; gotPlt: number; symbol: number; entryBytes: number }
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
 * Rewrites one x86-64 GOT-relative relocation in place when ld would, returning false when it
 * needs a slot. `d` is a private copy of the section's bytes.
 */
function relax64(d: Uint8Array, r: Reloc, kind: Kind): boolean {
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

/**
 * Rewrites one i386 R_386_GOT32X (or, for a load only, R_386_GOT32) the way ld does for a
 * non-PIC output: the GOT load becomes an immediate, the indirect branch a direct one.
 */
function relax32(d: Uint8Array, r: Reloc, kind: Kind): boolean {
  const o = r.offset
  if (o < 2 || kind !== 'section') return false
  const opcode = d[o - 2]
  const modrm = d[o - 1]
  const reg = (modrm >> 3) & 7
  // Only a displacement of 32 bits ([disp32] or [reg+disp32]) has the room of an immediate.
  const disp32 = (modrm & 0xc7) === 0x05 || (modrm & 0xc0) === 0x80
  if (!disp32) return false
  if (r.type === R_386_GOT32) {
    if (opcode !== 0x8b || (modrm & 0xc0) !== 0x80) return false
    d[o - 2] = 0x8d
    r.type = R_386_GOTOFF
    return true
  }
  const toImmediate = (newOpcode: number, digit: number) => {
    d[o - 2] = newOpcode
    d[o - 1] = 0xc0 | (digit << 3) | reg
    r.type = R_386_32
    return true
  }
  if (opcode === 0xff && reg === 2) {
    d[o - 2] = 0x67
    d[o - 1] = 0xe8
    r.type = R_386_PC32
    r.addend = -4n
    return true
  }
  if (opcode === 0xff && reg === 4) {
    d[o - 2] = 0xe9
    d.copyWithin(o - 1, o, o + 4)
    d[o + 3] = 0x90
    r.offset = o - 1
    r.type = R_386_PC32
    r.addend = -4n
    return true
  }
  if (opcode === 0x8b) return toImmediate(0xc7, 0)
  if (opcode === 0x85) return toImmediate(0xf7, 0)
  if ((opcode & 0xc7) === 0x03) return toImmediate(0x81, (opcode >> 3) & 7)
  return false
}

/** Relocations that go through a GOT slot, per machine. */
const needsSlot = (machine: number | undefined, t: number) => (machine === EM_386
  ? t === R_386_GOT32 || t === R_386_GOT32X
  : t === R_X86_64_GOTPCREL || t === R_X86_64_GOTPCRELX || t === R_X86_64_REX_GOTPCRELX)
/** Relocations that need `_GLOBAL_OFFSET_TABLE_` itself. */
const needsBase = (machine: number | undefined, t: number) => (machine === EM_386
  ? t === R_386_GOTPC || t === R_386_GOTOFF || t === R_386_GOT32 || t === R_386_GOT32X
  : t === R_X86_64_GOTPC32 || t === R_X86_64_GOTPC64 || t === R_X86_64_GOTOFF64)

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
  let base = false
  const machine = objects[0]?.machine
  const rewritten = objects.map((o, oi) => {
    if ((o.machine !== EM_X86_64 && o.machine !== EM_386) || !o.sections.some((s) => s.relocs.some((r) => needsSlot(o.machine, r.type) || needsBase(o.machine, r.type)))) return o
    const sections = o.sections.map((s, si): ObjSection => {
      if ((s.flags & SHF_ALLOC) === 0 || !live(oi, si)) return s
      if (s.relocs.some((r) => needsBase(o.machine, r.type))) base = true
      if (!s.relocs.some((r) => needsSlot(o.machine, r.type))) return s
      const data = s.data.slice()
      const relocs = s.relocs.map((r) => ({ ...r }))
      for (const r of relocs) {
        if (!needsSlot(o.machine, r.type)) continue
        const kind = symbolKind(objects, symtab, oi, r.symbol)
        if (o.machine === EM_386 ? relax32(data, r, kind) : relax64(data, r, kind)) continue
        const key = slotKey(objects, oi, r.symbol)
        if (firstRef.has(key)) continue
        firstRef.set(key, { obj: oi, sym: r.symbol })
        ;(key.startsWith('g:') ? globalKeys : localKeys).push(key)
      }
      return { ...s, data, relocs }
    })
    return { ...o, sections }
  })
  // `_GLOBAL_OFFSET_TABLE_` named by an object (i386 PIC code adds it to %ebx) keeps .got.plt too.
  if (symtab.undefinedRefs.has('_GLOBAL_OFFSET_TABLE_')) base = true
  if (!firstRef.size && !base) return { objects: rewritten, slots, targets }
  const names = new Set<string>()
  for (const o of objects) for (const s of o.symbols) if (s.bind !== 'local' && s.name) names.add(s.name)
  const globalOrder = hashTraversalOrder(globalKeys.map((k) => k.slice(2)), names.size).map((n) => `g:${n}`)
  for (const key of [...localKeys, ...globalOrder]) {
    slots.set(key, targets.length)
    targets.push(firstRef.get(key)!)
  }
  const entry = machine === EM_386 ? 4 : 8
  // The GOT sections, glued to the first object like ld's dynobj sections; no slots, no .got.
  const first = rewritten[0]
  const extra: ObjSection[] = []
  const gotIndex = targets.length ? first.sections.length : -1
  if (targets.length) extra.push({ name: '.got', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, align: entry, data: new Uint8Array(targets.length * entry), size: targets.length * entry, entsize: 0, relocs: [] })
  const gotPltIndex = first.sections.length + extra.length
  extra.push({ name: '.got.plt', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, align: entry, data: new Uint8Array(GOT_PLT_RESERVED * entry), size: GOT_PLT_RESERVED * entry, entsize: entry, relocs: [] })
  const symbol = first.symbols.length
  rewritten[0] = {
    ...first,
    sections: [...first.sections, ...extra],
    symbols: [...first.symbols, { name: '_GLOBAL_OFFSET_TABLE_', section: gotPltIndex, value: 0n, size: 0n, bind: 'local', type: 'object', visibility: 0 }],
  }
  return { objects: rewritten, slots, targets, got: { obj: 0, got: gotIndex, gotPlt: gotPltIndex, symbol, entryBytes: entry } }
}
