/**
 * Validation of the Multiboot check kinds of a lab.json (docs/labs.md, "Multiboot checks"):
 * `multiboot_tag` (the kernel read a tag of the boot information: it loaded the tag's fields)
 * and `frames` (the frames a frame allocator printed are free memory by the memory map, and
 * avoid the kernel and the boot information). Tag numbers are the specification's
 * (`shared/boot/multiboot.ts`).
 */
import { MB2_TAG } from '../boot/multiboot'
import { Issues, member, readBoolean, readInteger, readString, wrongType, type Fields } from './json-fields'
import type { FrameOwner, MultibootTagRead } from './lab-format'

export const MULTIBOOT_KIND_KEYS = {
  multiboot_tag: ['tag'],
  frames: ['regex', 'avoid', 'complete'],
} as const

/** The tags a `multiboot_tag` check decides on, with their names. */
export const MULTIBOOT_TAGS_READ: Record<MultibootTagRead, string> = {
  [MB2_TAG.CMDLINE]: 'the command line',
  [MB2_TAG.BOOT_LOADER_NAME]: "the boot loader's name",
  [MB2_TAG.MODULE]: 'the modules',
  [MB2_TAG.MMAP]: 'the memory map',
} as Record<MultibootTagRead, string>
export const FRAME_OWNERS: readonly FrameOwner[] = ['kernel', 'boot_info']

export function readMultibootTagCheck(issues: Issues, f: Fields): { kind: 'multiboot_tag'; tag: MultibootTagRead } | undefined {
  const tag = readInteger(issues, f, 'tag', true, { min: 0, max: 0xffff })
  if (tag === undefined) return undefined
  if (!(tag in MULTIBOOT_TAGS_READ)) {
    const known = Object.entries(MULTIBOOT_TAGS_READ).map(([n, w]) => `${n} (${w})`).join(', ')
    return issues.add('lab.bad_value', `"tag": ${tag} is not a Multiboot 2 tag this check can decide on`, f.byKey.get('tag')!.value.pos, `tags: ${known}`)
  }
  return { kind: 'multiboot_tag', tag: tag as MultibootTagRead }
}

export function readFramesCheck(issues: Issues, f: Fields): { kind: 'frames'; regex: string; avoid: FrameOwner[]; complete: boolean } | undefined {
  const regex = readString(issues, f, 'regex', true, { nonEmpty: true })
  if (regex !== undefined) {
    let groups: number
    try {
      groups = new RegExp(`${regex}|`).exec('')!.length - 1
    } catch (e) {
      return issues.add('lab.bad_regex', `"regex" is not a valid regular expression: ${(e as Error).message}`, f.byKey.get('regex')!.value.pos, 'in JSON a backslash is written twice: "\\\\d+" for \\d+')
    }
    if (groups !== 1 && groups !== 2) {
      return issues.add('lab.bad_value', `"regex" needs one capture group (a frame) or two (the first and last frame of a run); it has ${groups}`, f.byKey.get('regex')!.value.pos, 'e.g. "frames (0x[0-9a-f]+) \\\\.\\\\. (0x[0-9a-f]+)"')
    }
  }
  const avoidNode = member(issues, f, 'avoid', false)
  const avoid: FrameOwner[] = []
  if (avoidNode) {
    if (avoidNode.type !== 'array') return wrongType(issues, f, 'avoid', avoidNode, `an array of ${FRAME_OWNERS.map((o) => `"${o}"`).join(', ')}`)
    for (const n of avoidNode.items) {
      if (n.type !== 'string' || !FRAME_OWNERS.includes(n.value as FrameOwner)) return issues.add('lab.bad_value', `an entry of "avoid" must be one of ${FRAME_OWNERS.map((o) => `"${o}"`).join(', ')}`, n.pos)
      if (!avoid.includes(n.value as FrameOwner)) avoid.push(n.value as FrameOwner)
    }
  }
  const complete = readBoolean(issues, f, 'complete') ?? false
  if (regex === undefined) return undefined
  return { kind: 'frames', regex, avoid, complete }
}
