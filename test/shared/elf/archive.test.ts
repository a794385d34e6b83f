import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readArchive } from '../../../src/shared/elf/archive'
import { readRelocatable } from '../../../src/shared/elf/read-relocatable'
import { x86Ar, x86As } from '../../support/oracles'

const as = x86As()
const ar = x86Ar()

describe.skipIf(as.missing || ar.missing)('readArchive on archives made by GNU ar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ar-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const LONG = 'a-member-name-longer-than-fifteen-characters.o'
  const build = () => {
    writeFileSync(join(dir, 'one.s'), '.globl alpha, beta\n.text\nalpha: ret\nbeta: ret\n')
    writeFileSync(join(dir, 'two.s'), '.globl gamma\n.data\ngamma: .long alpha\n')
    execFileSync(as.path!, ['--64', join(dir, 'one.s'), '-o', join(dir, 'one.o')])
    execFileSync(as.path!, ['--64', join(dir, 'two.s'), '-o', join(dir, LONG)])
    execFileSync(ar.path!, ['rcs', 'lib.a', 'one.o', LONG], { cwd: dir })
    return new Uint8Array(readFileSync(join(dir, 'lib.a')))
  }

  it('lists the members (long names too) and the symbol index, as ar t and nm -s do', () => {
    const r = readArchive(build(), 'lib.a')
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.members.map((m) => m.name)).toEqual(['one.o', LONG])
    expect(r.value.symbols).toEqual([{ name: 'alpha', member: 0 }, { name: 'beta', member: 0 }, { name: 'gamma', member: 1 }])
    const member = readRelocatable(r.value.members[1].data, `lib.a(${LONG})`)
    expect(member.ok && member.value.symbols.some((s) => s.name === 'gamma' && s.bind === 'global')).toBe(true)
  })

  it('rejects truncated, corrupt and thin archives with an error value, never a throw', () => {
    const bytes = build()
    const truncated = readArchive(bytes.subarray(0, bytes.length - 9), 'lib.a')
    expect(!truncated.ok && truncated.error.code).toBe('ar.malformed')
    expect(!truncated.ok && truncated.error.message).toMatch(/lib\.a: .* \(at offset 0x[0-9a-f]+\)/)
    const notAr = readArchive(new TextEncoder().encode('!<arch>'), 'x.a')
    expect(!notAr.ok && notAr.error.code).toBe('ar.bad_magic')
    const thin = readArchive(new TextEncoder().encode('!<thin>\n'), 't.a')
    expect(!thin.ok && thin.error.code).toBe('ar.thin')
    let seed = 7
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 0x100000000)
    let failures = 0
    for (let i = 0; i < 20_000; i++) {
      const m = bytes.slice()
      for (let k = 0; k < 4; k++) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256)
      const r = readArchive(rand() < 0.3 ? m.subarray(0, Math.floor(rand() * m.length)) : m, 'fuzz.a')
      if (!r.ok) failures++
    }
    expect(failures).toBeGreaterThan(1000)
  })
})
