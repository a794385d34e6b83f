/**
 * The x86 hart seen through the arch-neutral `ArchView` (core/boot-machine.ts): RAX…R15 and RIP,
 * RFLAGS with its flags decoded, the segment registers with their descriptor caches in words,
 * CR0/CR2/CR3/CR4/CR8 and EFER decoded, GDTR/IDTR, the segment-base MSRs and the MSRs kernels set
 * up (STAR/LSTAR/FMASK, SYSENTER_*, PAT, APIC base); the privilege as a
 * ring and the operating mode; CR3 as the root table; translation, the address space and table
 * pages through the x86 walkers (`shared/paging/x86`); disassembly as objdump -M intel prints it
 * (`shared/isa/x86/disassemble.ts`).
 */
import type { SatpValue } from '../../../shared/trace/events'
import type { Access, TableEntry, Translation } from '../../../shared/paging/page-walk'
import { ramReader } from '../../../shared/paging/page-walk'
import { decodeCr3, type X86PagingRegisters } from '../../../shared/paging/x86/formats'
import { readTablePageX86, translateX86, walkTableX86 } from '../../../shared/paging/x86/walk'
import { CR0_BITS, CR4_BITS, EFER_BITS, EFLAGS_BITS } from '../../../shared/isa/x86/system-registers'
import { decodeFields, describeSegment, EFER_LMA, flagNames } from '../../../shared/isa/x86/register-fields'
import { disassembleX86 } from '../../../shared/isa/x86/disassemble'
import { MSRS } from '../../../shared/isa/x86/msr'
import type { X86Mode as X86CodeSize } from '../../../shared/isa/x86/types'
import type { AddressSpaceWalk, ArchRegister, ArchView, DescriptorTableRegisters, DisassembledInstruction, ExecMode, RegisterGroup } from '../core/boot-machine'
import { X86_GPR_NAMES, X86_SEGMENT_NAMES, type X86HartApi, type X86Mode } from './hart/hart-api'

/** The longest x86 instruction (SDM vol. 2 §2.1). */
export const MAX_INSTRUCTION_BYTES = 15

const MODE_WORDS: Record<X86Mode, string> = {
  real: 'real mode',
  protected: 'protected mode',
  compat: 'compatibility mode',
  long: 'long mode',
}

/** `ring 0, long mode (64-bit)` and the like. */
export function describeMode(mode: X86Mode, codeSize: number, cpl: number): string {
  return `ring ${cpl}, ${MODE_WORDS[mode]} (${codeSize}-bit)`
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`

/** The MSRs a kernel writes to set up syscall/sysenter, the PAT and the APIC (the registers view's "msr" group, with the segment bases). */
const SET_UP_MSRS = [MSRS.IA32_STAR, MSRS.IA32_LSTAR, MSRS.IA32_CSTAR, MSRS.IA32_FMASK, MSRS.IA32_SYSENTER_CS, MSRS.IA32_SYSENTER_ESP, MSRS.IA32_SYSENTER_EIP, MSRS.IA32_PAT, MSRS.IA32_APIC_BASE, MSRS.IA32_TSC_AUX]

export class X86View implements ArchView {
  readonly rootRegister = 'cr3'
  readonly maxInstructionBytes = MAX_INSTRUCTION_BYTES

  constructor(private readonly hart: X86HartApi) {}

  /** The registers translation depends on. */
  pagingRegisters(): X86PagingRegisters {
    const h = this.hart
    return { cr0: h.getReg('cr0'), cr3: h.getReg('cr3'), cr4: h.getReg('cr4'), efer: h.getReg('efer') }
  }

  registers(): RegisterGroup[] {
    const h = this.hart
    const general: ArchRegister[] = X86_GPR_NAMES.map((name) => ({ name, width: 64, value: h.getReg(name) }))
    general.push({ name: 'rip', width: 64, value: h.getReg('rip') })
    const rflags = h.getReg('rflags')
    const cr0 = h.getReg('cr0')
    const cr4 = h.getReg('cr4')
    const efer = h.getReg('efer')
    const segments: ArchRegister[] = X86_SEGMENT_NAMES.map((name) => {
      const s = h.getSegment(name)
      return { name, width: 16, value: BigInt(s.selector), text: describeSegment(s.attrs, s.base, s.limit) }
    })
    const cr3 = decodeCr3(this.pagingRegisters())
    const table = (name: string, t: { base: bigint; limit: number }): ArchRegister => ({ name, width: 80, value: t.base, text: `base ${hex(t.base)} limit ${hex(t.limit)}` })
    return [
      { name: 'general', registers: general },
      { name: 'flags', registers: [{ name: 'rflags', width: 64, value: rflags, fields: decodeFields(rflags, EFLAGS_BITS), text: flagNames(rflags, EFLAGS_BITS) || '(none set)' }] },
      { name: 'segment', registers: segments },
      {
        name: 'control',
        registers: [
          { name: 'cr0', width: 64, value: cr0, fields: decodeFields(cr0, CR0_BITS), text: flagNames(cr0, CR0_BITS) },
          { name: 'cr2', width: 64, value: h.getReg('cr2') },
          { name: 'cr3', width: 64, value: h.getReg('cr3'), text: cr3.mode === 'Bare' ? `paging off (root would be ${cr3.root})` : `${cr3.mode} paging, root table at ${cr3.root}${cr3.asid ? `, PCID ${cr3.asid}` : ''}` },
          { name: 'cr4', width: 64, value: cr4, fields: decodeFields(cr4, CR4_BITS), text: flagNames(cr4, CR4_BITS) || '(none set)' },
          { name: 'cr8', width: 64, value: h.getReg('cr8') },
          { name: 'efer', width: 64, value: efer, fields: decodeFields(efer, EFER_BITS), text: flagNames(efer, EFER_BITS) || '(none set)' },
        ],
      },
      { name: 'descriptor tables', registers: [table('gdtr', h.gdtr), table('idtr', h.idtr)] },
      {
        name: 'msr',
        registers: [
          { name: 'fs_base', width: 64, value: h.getReg('fs_base') },
          { name: 'gs_base', width: 64, value: h.getReg('gs_base') },
          { name: 'kernel_gs_base', width: 64, value: h.getReg('kernel_gs_base') },
          ...SET_UP_MSRS.map((m) => ({ name: m.name.replace(/^IA32_/, '').toLowerCase(), width: 64, value: h.getMsr(m.num) ?? 0n, text: m.summary })),
        ],
      },
    ]
  }

  mode(): ExecMode {
    const h = this.hart
    return { privilege: `ring ${h.cpl}`, label: describeMode(h.mode, h.codeSize, h.cpl), untranslated: false }
  }

  root(): SatpValue {
    return decodeCr3(this.pagingRegisters())
  }

  translate(va: bigint, access: Access): Translation {
    return translateX86(this.memory(), this.pagingRegisters(), va, { access, cpl: this.hart.cpl })
  }

  walk(): AddressSpaceWalk {
    const w = walkTableX86(this.memory(), this.pagingRegisters())
    return { mappings: w.mappings, tables: w.tables, truncated: w.truncated }
  }

  tablePage(pa: bigint, level: number, vaBase: bigint): TableEntry[] {
    return readTablePageX86(this.memory(), this.pagingRegisters(), pa, level, vaBase)
  }

  readPhys(pa: bigint, length: number): Uint8Array | undefined {
    const ram = this.hart.ram
    if (pa < 0n || pa + BigInt(length) > BigInt(ram.length)) return undefined
    return ram.slice(Number(pa), Number(pa) + length)
  }

  /** objdump -M intel's text (or objdump's AT&T), decoded in the code size now in force (16/32/64). */
  disassemble(bytes: Uint8Array, pc: bigint, syntax: 'intel' | 'att' = 'intel'): DisassembledInstruction {
    const d = disassembleX86(bytes, 0, { mode: this.hart.codeSize as X86CodeSize, syntax, address: pc })
    return { text: d.text, length: d.length, bytes: Array.from(bytes.subarray(0, d.length), (b) => b.toString(16).padStart(2, '0')).join(' ') }
  }

  descriptorTableRegisters(): DescriptorTableRegisters {
    const h = this.hart
    const tr = h.getSegment('tr')
    return { gdtr: h.gdtr, idtr: h.idtr, tr: { selector: tr.selector, base: tr.base, limit: tr.limit }, long: (h.getReg('efer') & EFER_LMA) !== 0n }
  }

  private memory() {
    return ramReader(this.hart.ram, 0n)
  }
}
