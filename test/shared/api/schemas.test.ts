import { describe, expect, it } from 'vitest'
import { REQUEST_NAMES, type RequestName } from '../../../src/shared/api/contract'
import { checkRequestArgs, REQUEST_SCHEMAS } from '../../../src/shared/api/schemas'

/** One well-formed call of every request, as the renderer makes them. */
const GOOD: { [N in RequestName]: unknown[] } = {
  'app.info': [{}],
  'engine.set': [{ engine: 'blocks' }, { engine: 'interpreter' }],
  'workspace.get': [{}],
  'file.read': [{ path: 'entry.S' }],
  'file.write': [{ path: 'entry.S', text: '' }],
  'source.read': [{ recording: 'a.sqlite', file: '/home/me/kernel/main.c' }],
  'file.import': [{ name: 'kernel.elf', base64: 'AAEC' }],
  'file.grant': [{ path: '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin', role: 'kernel' }, { path: '/tmp/fw_jump.elf', role: 'firmware' }],
  'file.choose': [{ role: 'kernel' }, { role: 'initrd', defaultPath: '/home/me/initrd.cpio' }],
  'build.run': [{}, { script: 'linker.ld' }],
  'build.cancel': [{}],
  'boot.start': [
    {},
    { kernel: { kind: 'build' } },
    { kernel: { kind: 'file', path: 'imports/kernel.elf' }, bios: { file: 'fw_jump.elf' }, maxSteps: 1000, memBytes: 64 << 20 },
    { kernel: { kind: 'file', path: 'k.elf' }, bios: 'none', maxSteps: undefined },
    { kernel: { kind: 'file', path: 'u-boot.bin', rawAddr: '0x80200000' }, bios: { file: 'fw_jump.elf' } },
    { kernel: { kind: 'file', path: 'Image' }, initrd: { file: 'rootfs.cpio' }, append: 'console=ttyS0 rdinit=/init' },
  ],
  'boot.cancel': [{ runId: 'r1' }],
  'boot.input': [{ runId: 'r1', text: 'x' }],
  'recording.list': [{}],
  'recording.open': [{ path: 'a.sqlite' }],
  'recording.events': [{ path: 'a.sqlite' }, { path: 'a.sqlite', kinds: ['uart_output', 'trap'], from: 0, to: 10, limit: 5 }],
  'recording.state': [
    { path: 'a.sqlite', step: 0 },
    { path: 'a.sqlite', step: 9, translate: '0xffffffff80200000', memory: { address: '0x80200000', length: 256 }, disassembly: { before: 4, after: 8 } },
    { path: 'a.sqlite', step: 9, table: { pa: '0x80202000', level: 2, vaBase: '0x0' } },
  ],
  'recording.find': [
    { path: 'a.sqlite', from: 0, direction: 'forward', target: { pc: '0x80200000' } },
    { path: 'a.sqlite', from: 0, direction: 'backward', target: { pcs: ['0x80200000', '0xffffffff80200010'] } },
    { path: 'a.sqlite', from: 5, direction: 'backward', target: { change: { address: '2149580800', length: 8, physical: true } }, limit: 100 },
  ],
  'lab.list': [{}],
  'lab.start': [{ id: 'higher-half-sv39' }],
  'lab.current': [{}],
  'lab.check': [{}],
  'lab.close': [{}],
  'example.list': [{}],
  'example.open': [{ id: 'i386-higher-half' }],
  'workspace.openFolder': [{}, { path: '/home/me/kernel' }, { path: '~/kernel' }],
  'workspace.home': [{}],
  'example.close': [{}],
}

/** Calls with a wrong type, a missing or an unknown field; the message must name the field. */
const BAD: [RequestName, unknown, RegExp][] = [
  ['app.info', null, /object/i],
  ['app.info', [], /object/i],
  ['app.info', { extra: 1 }, /extra/],
  ['engine.set', { engine: 'jit' }, /engine/],
  ['engine.set', {}, /engine is missing/],
  ['file.read', {}, /path/],
  ['file.read', { path: 7 }, /path/],
  ['file.read', { path: '' }, /path is empty/],
  ['file.read', { path: 'a\0b' }, /path contains a NUL/],
  ['file.read', { path: 'x'.repeat(5000) }, /path is longer than 4096/],
  ['file.write', { path: 'a.S', text: 5 }, /text/],
  ['source.read', { recording: 'a.sqlite' }, /file/],
  ['file.import', { name: 'k.elf', base64: ['AA'] }, /base64/],
  ['file.grant', { path: '/etc/passwd' }, /role/],
  ['file.grant', { path: '/etc/passwd', role: 'password' }, /role/],
  ['file.choose', { role: 'kernel', defaultPath: 9 }, /defaultPath/],
  ['build.run', { script: 42 }, /script/],
  ['boot.start', { memBytes: 'lots' }, /memBytes/],
  ['boot.start', { maxSteps: 1.5 }, /maxSteps is not a whole number/],
  ['boot.start', { maxSteps: -1 }, /maxSteps is less than 1/],
  ['boot.start', { maxSteps: 1e300 }, /maxSteps/],
  ['boot.start', { kernel: { kind: 'file' } }, /kernel\.path/],
  ['boot.start', { kernel: { kind: 'elsewhere', path: '/x' } }, /kernel\.kind/],
  ['boot.start', { bios: 'opensbi' }, /bios/],
  ['boot.start', { kernel: { kind: 'file', path: 'k.bin', rawAddr: 'here' } }, /kernel\.rawAddr is not an address/],
  ['boot.start', { kernel: { kind: 'build', rawAddr: '0x80200000' } }, /kernel\.rawAddr/],
  ['boot.start', { initrd: 'rootfs.cpio' }, /initrd/],
  ['boot.start', { append: 'x'.repeat(5000) }, /append is longer than 4096/],
  ['boot.start', { bios: { file: 3 } }, /bios/],
  ['boot.cancel', { runId: {} }, /runId/],
  ['boot.input', { runId: 'r', text: null }, /text/],
  ['recording.events', { path: 'a.sqlite', limit: '1; DROP TABLE events' }, /limit/],
  ['recording.events', { path: 'a.sqlite', kinds: ['no_such_kind'] }, /kinds\.0/],
  ['recording.state', { path: 'a.sqlite', step: '9' }, /step/],
  ['recording.state', { path: 'a.sqlite', step: 9, translate: 'xyz' }, /translate is not an address/],
  ['recording.state', { path: 'a.sqlite', step: 9, translate: '0x1ffffffffffffffff' }, /translate/],
  ['recording.state', { path: 'a.sqlite', step: 9, memory: { address: '0x0', length: '4' } }, /memory\.length/],
  ['recording.state', { path: 'a.sqlite', step: 9, table: { pa: '0x0', level: 7, vaBase: '0x0' } }, /table\.level is more than 4/],
  ['recording.find', { path: 'a.sqlite', from: 0, direction: 'sideways', target: { pc: '0x0' } }, /direction/],
  ['recording.find', { path: 'a.sqlite', from: 0, direction: 'forward', target: {} }, /target/],
  ['lab.start', { id: 7 }, /id/],
  ['example.open', { id: '' }, /id/],
  ['workspace.openFolder', { path: 7 }, /path/],
  ['workspace.openFolder', { folder: '/tmp' }, /folder/],
]

describe('request schemas', () => {
  it('declare a schema for every request of the contract, and only those', () => {
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...REQUEST_NAMES].sort())
  })

  it('accept every well-formed call as it is', () => {
    for (const name of REQUEST_NAMES) {
      for (const args of GOOD[name]) {
        const r = checkRequestArgs(name, args)
        expect(r, `${name} ${JSON.stringify(args)}`).toMatchObject({ ok: true })
        if (r.ok) expect(r.value).toEqual(args)
      }
    }
  })

  it.each(BAD)('refuse %s %j as a bad_request naming the field', (name, args, says) => {
    const r = checkRequestArgs(name, args)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('bad_request')
    expect(r.error.message).toContain(`request '${name}'`)
    expect(r.error.message).toMatch(says)
  })
})
