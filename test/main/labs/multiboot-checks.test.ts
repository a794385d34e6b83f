/**
 * The Multiboot check kinds fail for the right reason: the frame-allocator lab's solution with one
 * idea broken at a time (no skip of the boot information, no skip of the kernel, a partial frame
 * at an area's end, the memory map read at a wrong offset) fails exactly the checks about that
 * idea, each saying which frame or area and why; a boot without the tag, or without Multiboot
 * information at all, fails `multiboot_tag` naming that.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { evaluateLab, type CheckResult } from '../../../src/main/labs/evaluate'
import { loadLabFolder, solutionDir, type LabFolder } from '../../../src/main/labs/lab-folder'
import { runLab } from '../../../src/main/labs/run-lab'
import { multibootTagVerdict } from '../../../src/main/labs/multiboot-checks'
import type { EventPayloads, TraceEvent } from '../../../src/shared/trace/events'

const LAB = join(__dirname, '../../../resources/labs/x86-64-frame-allocator')
const work = mkdtempSync(join(tmpdir(), 'multiboot-checks-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function folder(): LabFolder {
  const { folder, errors } = loadLabFolder(LAB)
  expect(errors).toEqual([])
  return folder!
}

/** The solution's kernel.asm with `from` replaced by `to` (which must occur once), checked. */
async function variant(name: string, from: string, to: string): Promise<Map<string, CheckResult>> {
  const f = folder()
  const text = readFileSync(join(solutionDir(f), 'kernel.asm'), 'utf8')
  expect(text.split(from).length, `${name}: the text to replace occurs once`).toBe(2)
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'kernel.asm'), text.replace(from, to))
  const run = await runLab(f, { submissionDir: dir })
  try {
    return new Map((await evaluateLab(run)).map((r) => [r.id, r]))
  } finally {
    run.cleanup()
  }
}

const failed = (results: Map<string, CheckResult>) => [...results.values()].filter((r) => !r.passed).map((r) => r.id)

describe('frames and multiboot_tag checks on broken allocators', () => {
  it('an allocator that does not skip the boot information hands out its frame: named, with the range it holds', async () => {
    const r = await variant('no-mbi-skip', '    cmp rcx, [mbi_end]                          ; the boot information?\n    jae .free', '    jmp .free')
    expect(failed(r)).toEqual(['frames-skip-boot-info', 'frames-all-free-memory'])
    expect(r.get('frames-skip-boot-info')!.detail).toMatch(/^frame 0x10[01]000 \("frames 0x100000 \.\. 0x1ff000"\) holds the boot information at 0x10[0-9a-f]+–0x10[0-9a-f]+: whoever gets that frame overwrites the boot information the kernel still reads$/)
    expect(r.get('frames-all-free-memory')!.detail).toBe(r.get('frames-skip-boot-info')!.detail)
  }, 180_000)

  it("an allocator that does not skip the kernel hands out the kernel's frames", async () => {
    const r = await variant('no-kernel-skip', '    cmp rcx, [kernel_end]                       ; does the frame overlap the kernel?\n    jae .not_kernel', '    jmp .not_kernel')
    expect(failed(r)).toEqual(['frames-skip-kernel', 'frames-all-free-memory'])
    expect(r.get('frames-skip-kernel')!.detail).toMatch(/^frame 0x200000 \("frames 0x10[0-9a-f]+ \.\. 0x7fdf000"\) holds the kernel's segment \(\.boot\) loaded at 0x200000–0x200017: whoever gets that frame overwrites the kernel$/)
  }, 180_000)

  it("an area's partial last frame is not free memory (0x9f000 ends past 0x9fc00)", async () => {
    const r = await variant('partial-frame', '    and rax, -PAGE                              ; end of the area\'s whole frames', '    add rax, PAGE - 1\n    and rax, -PAGE')
    expect(failed(r)).toEqual(['frames-in-available-memory', 'frames-all-free-memory'])
    expect(r.get('frames-in-available-memory')!.detail).toMatch(/^frame 0x9f000 \("frames 0x0 \.\. 0x9f000"\) is not wholly inside an available area of the memory map \(0x0–0x9fbff, 0x100000–0x7fdffff\)/)
  }, 180_000)

  it('the memory map read at a wrong offset prints other numbers than tag 6 holds', async () => {
    const r = await variant('wrong-offset', '    lea r13, [rbx + 16]                         ; first entry', '    lea r13, [rbx + 8]                          ; first entry (wrong: the tag header is 16 bytes)')
    expect(failed(r)).toEqual(['memory-map-read'])
    expect(r.get('memory-map-read')!.detail).toBe(
      'tag 6 (the memory map) at the hand-off lists 2 available areas (start 0x0 length 0x9fc00; start 0x100000 length 0x7ee0000); no console line shows start 0x0 with length 0x9fc00, nor start 0x100000 with length 0x7ee0000 — the kernel did not read the memory map, or read other bytes than its entries',
    )
  }, 180_000)

  it('multiboot_tag fails naming a tag the loader did not pass, a Multiboot 1 boot, and a boot without boot information', () => {
    const info = (data: Partial<EventPayloads['boot_info']>): TraceEvent<'boot_info'> => ({
      id: 2,
      step: 0,
      kind: 'boot_info',
      pc: null,
      data: { protocol: 'Multiboot 2', address: '0x100a70', size: '0x40', cmdline: null, bootLoader: 'Bootscope', memoryMap: [], modules: [], elfSections: 0, tags: ['2 boot_loader_name'], ...data },
    })
    const check = { id: 'x', title: 't', message: 'm', points: 1, kind: 'multiboot_tag', tag: 6 } as const
    expect(multibootTagVerdict(check, info({}), 'start: 0x0, length: 0x9fc00')).toEqual({ passed: false, detail: 'the boot information at 0x100a70 has no tag 6 (the memory map); the loader passed tags 2 boot_loader_name', step: 0 })
    expect(multibootTagVerdict(check, info({ protocol: 'Multiboot 1' }), '').detail).toBe('the kernel was booted with Multiboot 1, whose boot information has no tags')
    expect(multibootTagVerdict(check, undefined, '').passed).toBe(false)
    expect(multibootTagVerdict({ ...check, tag: 2 }, info({}), 'loaded by Bootscope\n')).toEqual({ passed: true, detail: `the console shows the boot loader's name "Bootscope"` })
    expect(multibootTagVerdict({ ...check, tag: 2 }, info({}), 'loaded by GRUB\n').passed).toBe(false)
  })
})
