/**
 * Choosing the output target the way ld does: `-m EMULATION` picks the emulation (and with it
 * the default script); `OUTPUT_FORMAT(…)` in the script picks the file format; `OUTPUT_ARCH(…)`
 * the architecture inputs must match. Where ld falls back to its host default (elf_x86_64 on
 * Debian amd64), we take the first object's machine, so a RISC-V project links for RISC-V and an
 * i386 one for i386 without flags. An input of another architecture is an error naming the fix.
 */
import type { Diagnostic, SourceLoc } from '../../../../shared/api/result'
import { EM_386, EM_NAMES, EM_RISCV, EM_X86_64 } from '../../../../shared/elf/constants'
import type { ObjectFile } from '../../object'
import { RISCV64_TARGET } from './riscv64'
import type { LinkTarget } from './target'
import { I386_TARGET, X86_64_TARGET } from './x86'

export type { LinkTarget, RelocEnv, SegmentRules } from './target'

export const LINK_TARGETS: readonly LinkTarget[] = [RISCV64_TARGET, I386_TARGET, X86_64_TARGET]

/** `-m` names ld accepts for our targets (the `elf32lriscv`-style aliases are not ours). */
export const EMULATIONS: readonly string[] = LINK_TARGETS.map((t) => t.emulation)

export function targetForMachine(machine: number | undefined): LinkTarget {
  return LINK_TARGETS.find((t) => t.machine === (machine ?? EM_RISCV)) ?? RISCV64_TARGET
}

/** The emulation `-m` names, or the first object's when there is no `-m`; undefined after an error. */
export function chooseEmulation(name: string | undefined, objects: ObjectFile[], diags: Diagnostic[]): LinkTarget | undefined {
  if (name === undefined) return targetForMachine(objects[0]?.machine)
  const t = LINK_TARGETS.find((x) => x.emulation === name)
  if (!t) diags.push({ severity: 'error', code: 'link.unknown_emulation', message: `unrecognised emulation mode: ${name}`, hint: `supported emulations: ${EMULATIONS.join(', ')}` })
  return t
}

const ARCH_NAMES: Readonly<Record<string, number>> = { riscv: EM_RISCV, 'riscv:rv64': EM_RISCV, i386: EM_386, 'i386:i386': EM_386, 'i386:x86-64': EM_X86_64, 'x86-64': EM_X86_64 }
const FORMAT_ALIASES: Readonly<Record<string, LinkTarget>> = {
  'elf64-littleriscv': RISCV64_TARGET, 'elf32-i386': I386_TARGET, 'elf64-x86-64': X86_64_TARGET,
}

const machineName = (m: number | undefined) => EM_NAMES[m ?? EM_RISCV] ?? `e_machine ${m}`

/**
 * The output file's target: `OUTPUT_FORMAT` or the emulation's format, checked against
 * `OUTPUT_ARCH` (or the emulation's architecture) and every input object's machine.
 */
export function chooseFormat(
  emulation: LinkTarget,
  objects: ObjectFile[],
  script: { outputFormat?: string; outputArch?: string; loc?: SourceLoc },
  diags: Diagnostic[],
): LinkTarget | undefined {
  let format = emulation
  if (script.outputFormat !== undefined) {
    const f = FORMAT_ALIASES[script.outputFormat]
    if (!f) {
      diags.push({
        severity: 'error', code: 'link.unknown_format', message: `OUTPUT_FORMAT(${script.outputFormat}) is not a format this linker writes`, loc: script.loc,
        hint: `use one of ${Object.keys(FORMAT_ALIASES).join(', ')}`,
      })
      return undefined
    }
    format = f
  }
  let archMachine = emulation.machine
  if (script.outputArch !== undefined) {
    const m = ARCH_NAMES[script.outputArch]
    if (m === undefined) {
      diags.push({
        severity: 'error', code: 'link.unknown_arch', message: `OUTPUT_ARCH(${script.outputArch}) is not an architecture this linker knows`, loc: script.loc,
        hint: 'use riscv, i386 or i386:x86-64',
      })
      return undefined
    }
    archMachine = m
  }
  let ok = true
  for (const o of objects) {
    const m = o.machine ?? EM_RISCV
    if (m === archMachine && m === format.machine) continue
    ok = false
    diags.push({
      severity: 'error', code: 'link.incompatible_object',
      message: `${o.name} is ${machineName(m)} code, incompatible with the ${machineName(archMachine)} output (${format.formats[0]})`,
      loc: script.loc,
      hint: m === EM_386 ? 'link 32-bit objects with -m elf_i386 (or OUTPUT_FORMAT(elf32-i386)), or assemble this one with --64 / compile it with -m64'
        : m === EM_X86_64 ? 'link 64-bit objects with -m elf_x86_64 (or OUTPUT_FORMAT(elf64-x86-64)), or assemble this one with --32 / compile it with -m32'
          : 'all objects of one link must be built for the same architecture',
    })
  }
  return ok ? format : undefined
}
