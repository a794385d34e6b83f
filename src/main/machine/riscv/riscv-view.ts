/**
 * The RISC-V hart seen through the arch-neutral `ArchView` (core/boot-machine.ts): the integer
 * registers by ABI name and the CSRs an inspector shows, the privilege, satp as the root table,
 * and the Sv39/Sv48 walks and the objdump-style disassembler of `shared/`. It only reads the hart
 * and RAM; the RISC-V machine itself (`../machine.ts`) stays as it was.
 */
import { hex, PRIV_NAMES, type SatpValue } from '../../../shared/trace/events'
import { decodeSatp, ramReader, readTablePage, translate, walkTable, type Access, type TableEntry, type Translation } from '../../../shared/paging/page-walk'
import { disassemble } from '../../../shared/isa/disassemble'
import { csrName, csrNumber } from '../../../shared/isa/csr'
import { INT_ABI_NAMES } from '../../../shared/isa/registers'
import type { HartApi } from '../hart/hart-api'
import type { AddressSpaceWalk, ArchView, DisassembledInstruction, ExecMode, RegisterGroup } from '../core/boot-machine'
import { CSR } from '../boot/csr-numbers'

/** The CSRs an inspector shows, machine level first. */
export const SHOWN_CSRS: readonly number[] = [
  'mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval',
  'sstatus', 'sie', 'sip', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'satp',
].map((name) => csrNumber(name)!)

const M_MODE = 3

export class RiscvView implements ArchView {
  readonly rootRegister = 'satp'
  readonly maxInstructionBytes = 4

  constructor(
    private readonly hart: HartApi,
    private readonly ramBase: bigint,
  ) {}

  private get satp(): bigint {
    return this.hart.getCsr(CSR.satp) ?? 0n
  }

  registers(): RegisterGroup[] {
    const h = this.hart
    const general = INT_ABI_NAMES.map((name, i) => ({ name, width: 64, value: h.getX(i) }))
    general.push({ name: 'pc', width: 64, value: h.pc })
    const csrs = SHOWN_CSRS.flatMap((num) => {
      const value = h.getCsr(num)
      return value === undefined ? [] : [{ name: csrName(num) ?? hex(num), width: 64, value }]
    })
    return [
      { name: 'general', registers: general },
      { name: 'csr', registers: csrs },
    ]
  }

  mode(): ExecMode {
    const p = PRIV_NAMES[this.hart.priv] ?? 'M'
    return { privilege: p, label: `${p}-mode`, untranslated: this.hart.priv === M_MODE }
  }

  root(): SatpValue {
    return decodeSatp(this.satp)
  }

  /** As S-mode would see it when the hart is in M-mode: what the table says. */
  translate(va: bigint, access: Access): Translation {
    const priv = this.hart.priv === M_MODE ? 1 : this.hart.priv
    return translate(this.memory(), this.satp, va, { access, priv })
  }

  walk(): AddressSpaceWalk {
    const w = walkTable(this.memory(), this.satp)
    return { mappings: w.mappings, tables: w.tables, truncated: w.truncated }
  }

  tablePage(pa: bigint, level: number, vaBase: bigint): TableEntry[] {
    return readTablePage(this.memory(), this.satp, pa, level, vaBase)
  }

  readPhys(pa: bigint, length: number): Uint8Array | undefined {
    const ram = this.hart.ram
    const off = pa - this.ramBase
    if (off < 0n || off + BigInt(length) > BigInt(ram.length)) return undefined
    return ram.slice(Number(off), Number(off) + length)
  }

  disassemble(bytes: Uint8Array, pc: bigint): DisassembledInstruction {
    const word = (bytes[0] | (bytes[1] << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0
    const d = disassemble(word, pc)
    const text = d.length === 2 ? `0x${(word & 0xffff).toString(16).padStart(4, '0')}` : `0x${word.toString(16).padStart(8, '0')}`
    return { text: d.text, length: d.length, bytes: text }
  }

  private memory() {
    return ramReader(this.hart.ram, this.ramBase)
  }
}
