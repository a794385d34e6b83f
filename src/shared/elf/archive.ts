/**
 * `ar` archives as GNU ar writes them (the System V / GNU variant): the `!<arch>\n` magic, then
 * members with 60-byte headers (name, mtime, uid, gid, mode, decimal size, "`\n"), each member's
 * data padded to an even offset. Two special members: `/` (or `/SYM64/`) is the symbol index —
 * a big-endian count, that many member offsets, then the symbol names — and `//` holds names
 * longer than 15 characters, which members then spell `/<offset>`. Static libraries (`libfoo.a`
 * from `ar rcs`, a Rust `staticlib`) are such archives of ELF relocatables; the linker pulls the
 * members that define what is still undefined. Malformed input is an error value, never a throw.
 */
import type { Result } from '../api/result'

export const ARMAG = '!<arch>\n'
const ARMAG_THIN = '!<thin>\n'
const HEADER_BYTES = 60

export interface ArchiveMember {
  /** File name as stored (long names resolved, the GNU trailing `/` removed). */
  name: string
  /** Offset of the member's header in the archive (what the symbol index refers to). */
  offset: number
  data: Uint8Array
}

export interface Archive {
  /** Where the archive came from (`libkernel.a`), for messages and for `libkernel.a(member.o)` names. */
  name: string
  members: ArchiveMember[]
  /** The symbol index in its order: each defined global symbol and the member that defines it. */
  symbols: { name: string; member: number }[]
}

export function isArchive(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === ARMAG
}

const ascii = (b: Uint8Array, start: number, len: number) => String.fromCharCode(...b.subarray(start, start + len))

function fail(name: string, message: string, offset: number, hint: string): Result<Archive> {
  return { ok: false, error: { code: 'ar.malformed', message: `${name}: ${message} (at offset 0x${offset.toString(16)})`, hint } }
}

/** Reads an `ar` archive. `name` is used in messages. */
export function readArchive(bytes: Uint8Array, name: string): Result<Archive> {
  if (bytes.length >= 8 && ascii(bytes, 0, 8) === ARMAG_THIN) {
    return { ok: false, error: { code: 'ar.thin', message: `${name} is a thin archive: its members are files elsewhere`, hint: 'rebuild it as a normal archive (ar rcs without T) so it carries its members' } }
  }
  if (!isArchive(bytes)) {
    return { ok: false, error: { code: 'ar.bad_magic', message: `${name} is not an ar archive: it does not start with "!<arch>\\n"`, hint: 'pass a static library made by ar (libfoo.a) or an object file (.o)' } }
  }
  const members: ArchiveMember[] = []
  let index: { offset: number; data: Uint8Array; wide: boolean } | undefined
  let longNames: Uint8Array | undefined
  let at = 8
  while (at < bytes.length) {
    if (bytes.length - at === 1 && bytes[at] === 0x0a) break
    if (at + HEADER_BYTES > bytes.length) return fail(name, 'a member header runs past the end of the file', at, 'the archive is truncated')
    if (bytes[at + 58] !== 0x60 || bytes[at + 59] !== 0x0a) return fail(name, 'a member header does not end with "`\\n"', at, 'the archive is corrupt')
    const rawName = ascii(bytes, at, 16).trimEnd()
    const sizeText = ascii(bytes, at + 48, 10).trim()
    if (!/^\d+$/.test(sizeText)) return fail(name, `member size "${sizeText}" is not a decimal number`, at + 48, 'the archive is corrupt')
    const size = Number(sizeText)
    const start = at + HEADER_BYTES
    if (start + size > bytes.length) return fail(name, `member "${rawName}" (${size} bytes) runs past the end of the file`, at, 'the archive is truncated')
    const data = bytes.subarray(start, start + size)
    if (rawName === '/' || rawName === '/SYM64/') index = { offset: at, data, wide: rawName === '/SYM64/' }
    else if (rawName === '//') longNames = data
    else {
      let memberName = rawName
      if (/^\/\d+$/.test(rawName)) {
        const off = Number(rawName.slice(1))
        if (!longNames || off >= longNames.length) return fail(name, `member name ${rawName} points outside the long-name table`, at, 'the archive is corrupt')
        let end = off
        while (end < longNames.length && longNames[end] !== 0x0a) end++
        memberName = new TextDecoder().decode(longNames.subarray(off, end))
      }
      if (memberName.endsWith('/')) memberName = memberName.slice(0, -1)
      members.push({ name: memberName, offset: at, data })
    }
    at = start + size + (size & 1)
  }
  const symbols: { name: string; member: number }[] = []
  if (index) {
    const d = index.data
    const w = index.wide ? 8 : 4
    const word = (o: number) => (index!.wide ? Number(new DataView(d.buffer, d.byteOffset + o, 8).getBigUint64(0, false)) : new DataView(d.buffer, d.byteOffset + o, 4).getUint32(0, false))
    if (d.length < w) return fail(name, 'the symbol index is too short to hold its count', index.offset, 'the archive is corrupt')
    const count = word(0)
    if (w + count * w > d.length) return fail(name, `the symbol index claims ${count} symbols, more than it holds`, index.offset, 'the archive is corrupt')
    const byOffset = new Map(members.map((m, i) => [m.offset, i]))
    let str = w + count * w
    for (let k = 0; k < count; k++) {
      let end = str
      while (end < d.length && d[end] !== 0) end++
      if (end >= d.length) return fail(name, 'the symbol index names run past its end', index.offset, 'the archive is corrupt')
      const member = byOffset.get(word(w + k * w))
      if (member === undefined) return fail(name, `the symbol index points symbol ${k} at offset 0x${word(w + k * w).toString(16)}, where no member starts`, index.offset, 'the archive is corrupt')
      symbols.push({ name: new TextDecoder().decode(d.subarray(str, end)), member })
      str = end + 1
    }
  }
  return { ok: true, value: { name, members, symbols } }
}
