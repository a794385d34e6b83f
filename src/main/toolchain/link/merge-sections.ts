/**
 * SHF_MERGE sections as BFD merges them (merge.c: _bfd_add_merge_section, record_section,
 * merge_strings, _bfd_merged_section_offset): inputs of one output section with the same
 * flags, entry size and alignment form a group; every string (SHF_STRINGS) or fixed-size entry is
 * kept once, in the section where it first appeared and in first-seen order; a string that is the
 * tail of a longer one lives inside it ("hello" in "say hello"). C string literals and Rust's
 * `.rodata.str1.1` shrink, so everything after them moves — ld's addresses need this. Symbols and
 * section-relative relocations into a merged section are then mapped to where their bytes went.
 */
import { SHF_MERGE, SHF_STRINGS } from '../../../shared/elf/constants'
import type { InSec, OutSec } from './input'

interface Entry {
  bytes: Uint8Array
  key: string
  alignment: number
  /** Section the entry is kept in, and its offset there (after placement). */
  home: InSec
  index: number
  /** A string kept inside a longer one. */
  suffixOf?: Entry
  kept: boolean
}

/** Where a byte of an input merge section ended up. */
export type MergedLocation = { sec: InSec; offset: bigint }

export type MergeMap = Map<InSec, (offset: bigint) => MergedLocation>

const keyOf = (b: Uint8Array) => Buffer.from(b).toString('latin1')

/** Merges every mergeable group of `outs`' inputs; returns how to map offsets of the merged inputs. */
export function mergeSections(outs: OutSec[]): MergeMap {
  const map: MergeMap = new Map()
  for (const out of outs) {
    if (out.discard) continue
    const groups = new Map<string, InSec[]>()
    for (const i of out.inputs) {
      if ((i.flags & SHF_MERGE) === 0 || i.entsize <= 0 || i.size === 0n || i.relocs.length > 0 || i.data.length % i.entsize !== 0) continue
      const k = `${i.flags & (SHF_MERGE | SHF_STRINGS)}:${i.entsize}:${i.align}`
      const g = groups.get(k)
      if (g) g.push(i)
      else groups.set(k, [i])
    }
    for (const g of groups.values()) mergeGroup(g, map)
  }
  return map
}

function mergeGroup(secs: InSec[], map: MergeMap): void {
  const strings = (secs[0].flags & SHF_STRINGS) !== 0
  const entsize = secs[0].entsize
  const mask = Number(secs[0].align) - 1
  const table = new Map<string, Entry>()
  const order: Entry[] = []
  /** Each input's pieces: original offset, length, entry. */
  const pieces = new Map<InSec, { at: number; len: number; entry: Entry }[]>()
  const add = (bytes: Uint8Array, alignment: number, sec: InSec): Entry => {
    const key = keyOf(bytes)
    let e = table.get(key)
    if (!e) {
      e = { bytes, key, alignment, home: sec, index: 0, kept: true }
      table.set(key, e)
      order.push(e)
    } else if (alignment > e.alignment) e.alignment = alignment
    return e
  }
  for (const sec of secs) {
    const d = sec.data
    const list: { at: number; len: number; entry: Entry }[] = []
    if (strings) {
      let p = 0
      let nul = false
      while (p < d.length) {
        // The largest power of two dividing the offset, at most the section's alignment.
        let eltAlign = p & -p
        if (!eltAlign || eltAlign > mask) eltAlign = mask + 1
        let end = p
        while (end + entsize <= d.length && !isNul(d, end, entsize)) end += entsize
        const len = Math.min(end + entsize, d.length) - p
        const e = add(d.subarray(p, p + len), eltAlign, sec)
        list.push({ at: p, len, entry: e })
        p += len
        if (entsize === 1) {
          // Extra NULs (padding) become one empty string, recorded at the first aligned one.
          while (p < d.length && d[p] === 0) {
            if (!nul && (p & mask) === 0) {
              nul = true
              list.push({ at: p, len: 1, entry: add(new Uint8Array(1), mask + 1, sec) })
            }
            p++
          }
        }
      }
    } else {
      for (let p = 0; p + entsize <= d.length; p += entsize) list.push({ at: p, len: entsize, entry: add(d.subarray(p, p + entsize), mask + 1, sec) })
    }
    pieces.set(sec, list)
  }
  if (strings) mergeSuffixes(order, entsize)
  // Positions: each kept entry in the section it first appeared in, in first-seen order.
  const sizes = new Map<InSec, number>(secs.map((s) => [s, 0]))
  for (const e of order) {
    if (!e.kept) continue
    let size = sizes.get(e.home)!
    size = (size + e.alignment - 1) & ~(e.alignment - 1)
    e.index = size
    sizes.set(e.home, size + e.bytes.length)
  }
  for (const sec of secs) {
    const size = sizes.get(sec)!
    const data = new Uint8Array(size)
    for (const e of order) if (e.kept && e.home === sec) data.set(e.bytes, e.index)
    sec.data = data
    sec.size = BigInt(size)
    const list = pieces.get(sec)!
    map.set(sec, (offset) => {
      const o = Number(offset)
      // The piece holding the offset (past the end: the end of the last one).
      let lo = 0
      let hi = list.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (list[mid].at <= o) lo = mid
        else hi = mid - 1
      }
      const piece = list[lo]
      if (!piece) return { sec, offset }
      let e = piece.entry
      let delta = o - piece.at
      while (e.suffixOf) {
        delta += e.suffixOf.bytes.length - e.bytes.length
        e = e.suffixOf
      }
      return { sec: e.home, offset: BigInt(e.index + delta) }
    })
  }
}

function isNul(d: Uint8Array, at: number, entsize: number): boolean {
  for (let k = 0; k < entsize; k++) if (d[at + k] !== 0) return false
  return true
}

/**
 * merge.c merge_strings: sort by the reversed string (shorter first on a tie), then walk from the
 * longest down; a string that ends the current one (with compatible alignment) lives inside it.
 */
function mergeSuffixes(order: Entry[], entsize: number): void {
  const body = (e: Entry) => e.bytes.length - entsize
  const sorted = order.slice().sort((a, b) => {
    const la = body(a)
    const lb = body(b)
    for (let k = 1; k <= Math.min(la, lb); k++) {
      const d = a.bytes[la - k] - b.bytes[lb - k]
      if (d) return d
    }
    return la - lb
  })
  if (!sorted.length) return
  let e = sorted[sorted.length - 1]
  for (let k = sorted.length - 2; k >= 0; k--) {
    const cmp = sorted[k]
    const lenDiff = e.bytes.length - cmp.bytes.length
    if (e.alignment >= cmp.alignment && (lenDiff & (cmp.alignment - 1)) === 0 && isSuffix(e.bytes, cmp.bytes)) {
      cmp.suffixOf = e
      cmp.kept = false
    } else e = cmp
  }
}

function isSuffix(long: Uint8Array, short: Uint8Array): boolean {
  if (short.length > long.length) return false
  const off = long.length - short.length
  for (let k = 0; k < short.length; k++) if (long[off + k] !== short[k]) return false
  return true
}
