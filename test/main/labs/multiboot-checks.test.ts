/**
 * The Multiboot check kinds fail for the right reason: the frame-allocator lab's solution with one
 * idea broken at a time (no skip of the boot information, no skip of the kernel, a partial frame
 * at an area's end, the memory map read at a wrong offset) fails exactly the checks about that
 * idea, each saying which frame or area and why; `multiboot_tag` is decided by the loads the
 * kernel made (read watches on the tag's fields in the replayed x86 hart), not by what it printed;
 * a boot without the tag, or without Multiboot information at all, fails it naming that.
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

/** The solution's kernel.asm with `from` replaced by `to` (each `from` must occur once; more pairs may follow), checked. */
async function variant(name: string, from: string, to: string, ...more: [string, string][]): Promise<Map<string, CheckResult>> {
  const f = folder()
  let text = readFileSync(join(solutionDir(f), 'kernel.asm'), 'utf8')
  for (const [a, b] of [[from, to], ...more]) {
    expect(text.split(a).length, `${name}: the text to replace occurs once`).toBe(2)
    text = text.replace(a, b)
  }
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'kernel.asm'), text)
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

  it('the memory map read at a wrong offset everywhere: no instruction loads the available areas\' starts and lengths (read watches in the replay)', async () => {
    const r = await variant(
      'wrong-offset',
      '    lea r13, [rbx + 16]                         ; first entry',
      '    lea r13, [rbx + 8]                          ; first entry (wrong: the tag header is 16 bytes)',
      ['    lea r9, [rbx + 16]', '    lea r9, [rbx + 8]'],
    )
    // The allocator finds no available area either: it hands out nothing.
    expect(failed(r)).toEqual(['memory-map-read', 'frames-in-available-memory', 'frames-skip-kernel', 'frames-skip-boot-info', 'frames-all-free-memory', 'allocates-frames'])
    // The type test at entry + 16 (wrong: + 8) touches the lengths' low halves, never the starts.
    expect(r.get('memory-map-read')!.detail).toMatch(
      /^no instruction loaded the start of available area 0x0 \(\+0x9fc00\) \(0x[0-9a-f]+–0x[0-9a-f]+\), nor the start of available area 0x100000 \(\+0x7ee0000\) \(0x[0-9a-f]+–0x[0-9a-f]+\) from tag 6 \(the memory map\) of the boot information at 0x[0-9a-f]+; it did load the length of available area 0x0 \(\+0x9fc00\) \(step \d+\), the length of available area 0x100000 \(\+0x7ee0000\) \(step \d+\) — the kernel did not read the tag, or read other bytes than its entries$/,
    )
  }, 180_000)

  it('printing other numbers than tag 6 holds is not reading it wrongly: the loads decide (the allocator reads the entries right)', async () => {
    const r = await variant('wrong-print', '    lea r13, [rbx + 16]                         ; first entry', '    lea r13, [rbx + 8]                          ; first entry (wrong: the tag header is 16 bytes)')
    expect(failed(r)).toEqual([])
    const read = r.get('memory-map-read')!
    expect(read.detail).toMatch(/^the kernel loaded (the (start|length) of available area 0x(0|100000) \(\+0x(9fc00|7ee0000)\)(, )?){4} from tag 6 at 0x[0-9a-f]+: the first at step \d+ \(pc 0x[0-9a-f]+\), the last at step \d+$/)
    expect(read.step).toBeGreaterThan(0)
  }, 180_000)

  it('multiboot_tag fails naming a tag the loader did not pass, a Multiboot 1 boot, and a boot without boot information', async () => {
    const info = (data: Partial<EventPayloads['boot_info']>): TraceEvent<'boot_info'> => ({
      id: 2,
      step: 0,
      kind: 'boot_info',
      pc: null,
      data: { protocol: 'Multiboot 2', address: '0x100a70', size: '0x40', cmdline: null, bootLoader: 'Bootscope', memoryMap: [], modules: [], elfSections: 0, tags: ['2 boot_loader_name'], ...data },
    })
    const check = { id: 'x', title: 't', message: 'm', points: 1, kind: 'multiboot_tag', tag: 6 } as const
    const noLoads = () => Promise.resolve(undefined)
    expect(await multibootTagVerdict(check, info({}), new Uint8Array(0), noLoads)).toEqual({ passed: false, detail: 'the boot information at 0x100a70 has no tag 6 (the memory map); the loader passed tags 2 boot_loader_name', step: 0 })
    expect((await multibootTagVerdict(check, info({ protocol: 'Multiboot 1' }), new Uint8Array(0), noLoads)).detail).toBe('the kernel was booted with Multiboot 1, whose boot information has no tags')
    expect((await multibootTagVerdict(check, undefined, new Uint8Array(0), noLoads)).passed).toBe(false)
  })
})
