/**
 * riscv64 as gdb describes it (gdb's features/riscv/*.xml and riscv-tdep.c register numbers):
 * org.gnu.gdb.riscv.cpu (x0–x31 by ABI name, pc), .fpu (f0–f31, fflags, frm, fcsr), .csr (the
 * CSRs Bootscope's inspectors show, numbered 65 + CSR number as gdb numbers them) and .virtual
 * (priv, the current privilege level).
 */
import { csrName } from '../../../shared/isa/csr'
import { INT_ABI_NAMES } from '../../../shared/isa/registers'
import type { GdbArchitecture, GdbRegister } from '../debug-target'

export const RISCV_PC_REGNUM = 32
export const RISCV_FIRST_FP_REGNUM = 33
/** gdb numbers CSR n as register 65 + n (RISCV_FIRST_CSR_REGNUM), and priv as 65 + 4096. */
export const RISCV_FIRST_CSR_REGNUM = 65
export const RISCV_PRIV_REGNUM = RISCV_FIRST_CSR_REGNUM + 4096
export const CSR_FFLAGS = 0x001
export const CSR_FRM = 0x002
export const CSR_FCSR = 0x003

/** The CSRs gdb sees: M- and S-mode trap and status registers, satp, and the counters. */
export const GDB_CSRS = [0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343, 0x344, 0x100, 0x104, 0x105, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180, 0xb00, 0xb02, 0xf14]

function riscv64(): GdbArchitecture {
  const cpu: GdbRegister[] = INT_ABI_NAMES.map((name, i) => ({ name, bitsize: 64, regnum: i, type: i === 1 ? 'code_ptr' : i === 2 || i === 8 ? 'data_ptr' : 'int' }))
  cpu.push({ name: 'pc', bitsize: 64, regnum: RISCV_PC_REGNUM, type: 'code_ptr' })
  const fpu: GdbRegister[] = Array.from({ length: 32 }, (_, i) => ({ name: `f${i}`, bitsize: 64, regnum: RISCV_FIRST_FP_REGNUM + i, type: 'ieee_double', group: 'float' }))
  for (const [name, num] of [['fflags', CSR_FFLAGS], ['frm', CSR_FRM], ['fcsr', CSR_FCSR]] as const) fpu.push({ name, bitsize: 32, regnum: RISCV_FIRST_CSR_REGNUM + num, type: 'int', group: 'float' })
  const csr: GdbRegister[] = GDB_CSRS.map((n) => ({ name: csrName(n) ?? `csr${n}`, bitsize: 64, regnum: RISCV_FIRST_CSR_REGNUM + n, type: 'int', group: 'system' }))
  return {
    architecture: 'riscv:rv64',
    gCount: RISCV_PC_REGNUM + 1,
    features: [
      { name: 'org.gnu.gdb.riscv.cpu', registers: cpu },
      { name: 'org.gnu.gdb.riscv.fpu', registers: fpu },
      { name: 'org.gnu.gdb.riscv.csr', registers: csr },
      { name: 'org.gnu.gdb.riscv.virtual', registers: [{ name: 'priv', bitsize: 64, regnum: RISCV_PRIV_REGNUM, type: 'int', group: 'system' }] },
    ],
  }
}

export const RISCV64_GDB = riscv64()

/** A register's value from the hart, by gdb register number. */
export function riscvRegister(h: { getX(i: number): bigint; getF(i: number): bigint; pc: bigint; priv: number; getCsr(n: number): bigint | undefined }, regnum: number): bigint | undefined {
  if (regnum < 32) return h.getX(regnum)
  if (regnum === RISCV_PC_REGNUM) return h.pc
  if (regnum < RISCV_FIRST_CSR_REGNUM) return h.getF(regnum - RISCV_FIRST_FP_REGNUM)
  if (regnum === RISCV_PRIV_REGNUM) return BigInt(h.priv)
  return h.getCsr(regnum - RISCV_FIRST_CSR_REGNUM)
}
