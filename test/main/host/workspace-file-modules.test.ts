/**
 * bootscope.json's Multiboot `modules` reach the boot (issue 16): the workbench's Boot of an x86
 * kernel built by the file's command loads each module with its string, as `boot --module` does.
 * The kernel (test/fixtures/x86/mb1-info*, gcc -m32) prints the Multiboot information it was given:
 * the module count, each module's size, string and first bytes, and the command line.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Host } from '../../../src/main/host/host'
import type { BootOutcome } from '../../../src/shared/api/boot'
import { RecordingReader } from '../../../src/main/trace/recording-reader'
import { META } from '../../../src/main/trace/schema'
import { RECORDINGS_FOLDER } from '../../../src/main/host/workspace'
import type { TraceEvent } from '../../../src/shared/trace/events'
import { buildX86Kernel, x86Toolchain } from '../../support/x86-tools'

const tools = x86Toolchain()
const MODULE = 'module one\nwith two lines\n'

describe.skipIf(tools.missing)('bootscope.json modules', () => {
  let base: string
  let host: Host
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'bootscope-wsmodules-'))
    const k = buildX86Kernel({ sources: ['mb1-info-entry.S', 'mb1-info.c'], bits: 32, script: 'link-1m.ld' })
    cpSync(k.path, join(base, 'kernel.elf'))
    writeFileSync(join(base, 'module.txt'), MODULE)
    // The kernel is already built: the file's command only has to succeed.
    const file = { version: 1, build: { command: 'true' }, kernel: 'kernel.elf', cmdline: 'console=ttyS0 quiet', modules: [{ path: 'module.txt', string: 'module.txt mod-arg' }] }
    writeFileSync(join(base, 'bootscope.json'), JSON.stringify(file, null, 2))
    host = new Host({ workspaceRoot: base, transport: 'websocket' })
    await host.core.whenReady()
  }, 120_000)

  afterAll(async () => {
    await host?.dispose()
    if (base) rmSync(base, { recursive: true, force: true })
  })

  it('loads each module with its string, and the recording keeps them', async () => {
    let finished: (o: BootOutcome) => void = () => {}
    const done = new Promise<BootOutcome>((r) => (finished = r))
    const off = host.onEvent((e, p) => e === 'boot.finished' && finished(p as BootOutcome))
    const started = await host.invoke('boot.start', { kernel: { kind: 'build' } })
    expect(started.ok, JSON.stringify(started)).toBe(true)
    const outcome = await done
    off()
    expect(outcome.stop.reason, JSON.stringify(outcome.stop)).toBe('shutdown')
    const reader = RecordingReader.open(join(base, RECORDINGS_FOLDER, outcome.recording))
    if (!reader.ok) throw new Error(reader.error.message)
    const config = JSON.parse(reader.value.meta()[META.config]) as Record<string, unknown>
    const console = (reader.value.events({ kinds: ['uart_output'] }) as TraceEvent<'uart_output'>[]).map((e) => e.data.text).join('')
    const module = reader.value.artifact('module.txt')
    reader.value.close()
    expect(config).toMatchObject({ machine: 'x86-pc', append: 'console=ttyS0 quiet', modules: [{ file: 'module.txt', string: 'module.txt mod-arg' }] })
    expect(new TextDecoder().decode(module?.data)).toBe(MODULE)
    expect(console).toContain('mods_count 0x1')
    expect(console).toContain(` module bytes 0x${MODULE.length.toString(16)}`)
    expect(console).toContain('module string "module.txt mod-arg"')
    expect(console).toContain('cmdline "kernel.elf console=ttyS0 quiet"') // QEMU's -kernel puts the kernel's name first
  })
})
