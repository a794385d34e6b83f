/**
 * x86 as gdb describes it (gdb's features/i386/32bit-core.xml, 64bit-core.xml, *-segments.xml):
 * org.gnu.gdb.i386.core — the general registers in gdb's order (i386: eax ecx edx ebx esp ebp esi
 * edi; x86-64: rax rbx rcx rdx rsi rdi rbp rsp r8–r15), the instruction pointer, eflags, the six
 * segment selectors and the x87 registers (st0–st7 and the control words; gdb requires them in
 * the core feature) — and the system registers Bootscope's inspectors show (cr0, cr2, cr3, cr4,
 * efer, fs_base, gs_base) in a feature of their own, which gdb lists in `info registers` and reads
 * with `p $cr3`. (Not gdb's org.gnu.gdb.i386.segments: gdb 13's i386 numbering asserts on it
 * without the SSE/AVX features before it.)
 */
import type { X86HartApi, X86RegName, X86SegmentName } from '../../machine/x86/hart/hart-api'
import type { GdbArchitecture, GdbRegister } from '../debug-target'

const SEGMENTS: X86SegmentName[] = ['cs', 'ss', 'ds', 'es', 'fs', 'gs']
const X87_CONTROL = ['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop']
const SYSTEM: X86RegName[] = ['cr0', 'cr2', 'cr3', 'cr4', 'efer', 'fs_base', 'gs_base']

/** Where a gdb register's value comes from: a hart register, a segment selector, or x87 state (fcw/fsw/ftw; the rest read as 0). */
type Source = { reg: X86RegName } | { segment: X86SegmentName } | { zero: true }

export interface X86GdbArchitecture extends GdbArchitecture {
  /** By gdb register number. */
  sources: Source[]
}

function x86(bits: 32 | 64): X86GdbArchitecture {
  const core: GdbRegister[] = []
  const sources: Source[] = []
  const add = (list: GdbRegister[], name: string, bitsize: number, source: Source, type?: string, group?: string) => {
    list.push({ name, bitsize, regnum: sources.length, ...(type ? { type } : {}), ...(group ? { group } : {}) })
    sources.push(source)
  }
  const gprs: [string, X86RegName][] =
    bits === 32
      ? (['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const).map((n, i) => [n, (['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'] as const)[i]])
      : (['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const).map((n) => [n, n])
  for (const [name, reg] of gprs) add(core, name, bits, { reg }, /sp$/.test(name) || /bp$/.test(name) ? 'data_ptr' : 'int')
  add(core, bits === 32 ? 'eip' : 'rip', bits, { reg: 'rip' }, 'code_ptr')
  add(core, 'eflags', 32, { reg: 'rflags' }, 'int')
  for (const s of SEGMENTS) add(core, s, 32, { segment: s }, 'int')
  const gCount = sources.length
  for (let i = 0; i < 8; i++) add(core, `st${i}`, 80, { zero: true }, 'i387_ext', 'float')
  for (const name of X87_CONTROL) {
    const reg = name === 'fctrl' ? 'fcw' : name === 'fstat' ? 'fsw' : name === 'ftag' ? 'ftw' : undefined
    add(core, name, 32, reg ? { reg } : { zero: true }, 'int', 'float')
  }
  const system: GdbRegister[] = []
  for (const r of SYSTEM) add(system, r, 64, { reg: r }, 'int', 'system')
  return {
    architecture: bits === 32 ? 'i386' : 'i386:x86-64',
    gCount,
    sources,
    features: [
      { name: 'org.gnu.gdb.i386.core', registers: core },
      { name: 'org.bootscope.x86.system', registers: system },
    ],
  }
}

export const I386_GDB = x86(32)
export const X86_64_GDB = x86(64)

/** A register's value from the hart, by gdb register number (undefined past the description). */
export function x86Register(arch: X86GdbArchitecture, hart: Pick<X86HartApi, 'getReg' | 'getSegment'>, regnum: number): bigint | undefined {
  const s = arch.sources[regnum]
  if (!s) return undefined
  if ('zero' in s) return 0n
  const bits = BigInt(arch.features.flatMap((f) => f.registers).find((r) => r.regnum === regnum)!.bitsize)
  const mask = (1n << bits) - 1n
  if ('segment' in s) return BigInt(hart.getSegment(s.segment).selector)
  return hart.getReg(s.reg) & mask
}
