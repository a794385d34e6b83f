/**
 * Automatic compression, chosen exactly as GNU `as` 2.40 chooses it. GNU has no separate
 * "compress" pass: its opcode table (riscv-opc.c) lists, under each written mnemonic, the
 * compressed aliases before the base form, and the first row whose operand constraints hold
 * wins. This file encodes those alias rows per mnemonic, in the same order. Operands that
 * carry a relocation (`%lo(x)`, a symbol) are never compressed, as in GNU.
 */
import { rvcImmEncode, type RvcImm } from '../../../shared/isa'
import { isPrime, type Fields } from './encode'

export interface Compressed {
  row: string
  fields: Fields
}

const SP = 2

function fits(kind: RvcImm, v: number | undefined): boolean {
  return v !== undefined && rvcImmEncode(kind, v) !== undefined
}
const simm6 = (v: number | undefined) => fits('rvc_imm', v)
const nz = (v: number | undefined) => v !== undefined && v !== 0
/** GNU VALID_RVC_LUI_IMM: a non-zero 6-bit signed value, written as a 20-bit `lui` operand. */
function rvcLui(v: number | undefined): number | undefined {
  if (v === undefined || v === 0) return undefined
  if (v > 0 && v < 32) return v
  if (v >= 0xfffe0 && v < 0x100000) return v - 0x100000
  return undefined
}

/**
 * The compressed form of `mnemonic` with these operands, or undefined when GNU would keep the
 * 32-bit form. `f.imm` is undefined when the immediate is not a plain constant.
 * `mem` marks the load/store form `imm(rs1)`.
 */
export function compress(mnemonic: string, f: Fields, regImm: 'reg' | 'imm'): Compressed | undefined {
  const { rd, rs1, rs2, imm } = f
  switch (mnemonic) {
    case 'addi':
      if (isPrime(rd) && rs1 === SP && nz(imm) && fits('rvc_addi4spn_imm', imm)) return { row: 'c.addi4spn', fields: { rd, imm } }
      if (rd === rs1 && rd !== 0 && nz(imm) && simm6(imm)) return { row: 'c.addi', fields: { rd, imm } }
      if (rd === 0 && rs1 === 0 && imm === 0) return { row: 'c.nop', fields: {} }
      if (rd === SP && rs1 === SP && nz(imm) && fits('rvc_addi16sp_imm', imm)) return { row: 'c.addi16sp', fields: { imm } }
      // binutils 2.40 also lists `addi rd, x0, imm` as c.li and `addi rd, rs, 0` as c.mv.
      if (rs1 === 0 && rd !== 0 && simm6(imm)) return { row: 'c.li', fields: { rd, imm } }
      if (imm === 0 && rd !== 0 && rs1 !== 0) return { row: 'c.mv', fields: { rd, rs2: rs1 } }
      return undefined
    case 'add':
      if (regImm === 'reg') {
        if (rd === rs1 && rd !== 0 && rs2 !== 0) return { row: 'c.add', fields: { rd, rs2 } }
        if (rd === rs2 && rd !== 0 && rs1 !== 0) return { row: 'c.add', fields: { rd, rs2: rs1 } }
        // `add rd, x0, rs` and `add rd, rs, x0` are moves.
        if (rs1 === 0 && rd !== 0 && rs2 !== 0) return { row: 'c.mv', fields: { rd, rs2 } }
        if (rs2 === 0 && rd !== 0 && rs1 !== 0) return { row: 'c.mv', fields: { rd, rs2: rs1 } }
        return undefined
      }
      if (rd === rs1 && rd !== 0 && simm6(imm)) return { row: 'c.addi', fields: { rd, imm } }
      if (isPrime(rd) && rs1 === SP && nz(imm) && fits('rvc_addi4spn_imm', imm)) return { row: 'c.addi4spn', fields: { rd, imm } }
      if (rd === SP && rs1 === SP && nz(imm) && fits('rvc_addi16sp_imm', imm)) return { row: 'c.addi16sp', fields: { imm } }
      return undefined
    case 'mv':
    case 'move':
      return rd !== 0 && rs1 !== 0 ? { row: 'c.mv', fields: { rd, rs2: rs1 } } : undefined
    case 'li': {
      if (imm !== undefined && (imm & 0xfff) === 0 && rd !== 0 && rd !== SP) {
        const u = rvcLui((imm >> 12) & 0xfffff)
        if (u !== undefined) return { row: 'c.lui', fields: { rd, imm: u } }
      }
      if (rd !== 0 && simm6(imm)) return { row: 'c.li', fields: { rd, imm } }
      return undefined
    }
    case 'lui': {
      const u = rvcLui(imm)
      return u !== undefined && rd !== 0 && rd !== SP ? { row: 'c.lui', fields: { rd, imm: u } } : undefined
    }
    case 'andi':
      return rd === rs1 && isPrime(rd) && simm6(imm) ? { row: 'c.andi', fields: { rs1: rd, imm } } : undefined
    case 'and': case 'or': case 'xor': case 'addw': {
      if (regImm === 'imm') {
        if (mnemonic === 'and') return compress('andi', f, 'imm')
        if (mnemonic === 'addw') return compress('addiw', f, 'imm')
        return undefined
      }
      const row = `c.${mnemonic}`
      if (rd === rs1 && isPrime(rd) && isPrime(rs2)) return { row, fields: { rd, rs2 } }
      if (rd === rs2 && isPrime(rd) && isPrime(rs1)) return { row, fields: { rd, rs2: rs1 } }
      return undefined
    }
    case 'sub': case 'subw':
      return regImm === 'reg' && rd === rs1 && isPrime(rd) && isPrime(rs2) ? { row: `c.${mnemonic}`, fields: { rd, rs2 } } : undefined
    case 'slli': case 'sll':
      return (mnemonic === 'slli' || regImm === 'imm') && rd === rs1 && rd !== 0 && nz(imm) && fits('rvc_shamt', imm) ? { row: 'c.slli', fields: { rd, imm } } : undefined
    case 'srli': case 'srl': case 'srai': case 'sra': {
      if (mnemonic.length === 3 && regImm !== 'imm') return undefined
      const row = mnemonic.startsWith('srl') ? 'c.srli' : 'c.srai'
      return rd === rs1 && isPrime(rd) && nz(imm) && fits('rvc_shamt', imm) ? { row, fields: { rs1: rd, imm } } : undefined
    }
    case 'addiw':
      return rd === rs1 && rd !== 0 && simm6(imm) ? { row: 'c.addiw', fields: { rd, imm } } : undefined
    case 'sext.w':
      return rd === rs1 && rd !== 0 ? { row: 'c.addiw', fields: { rd, imm: 0 } } : undefined
    case 'lw':
      if (rs1 === SP && rd !== 0 && fits('rvc_lwsp_imm', imm)) return { row: 'c.lwsp', fields: { rd, imm } }
      if (isPrime(rd) && isPrime(rs1) && fits('rvc_lw_imm', imm)) return { row: 'c.lw', fields: { rd, rs1, imm } }
      return undefined
    case 'ld':
      if (rs1 === SP && rd !== 0 && fits('rvc_ldsp_imm', imm)) return { row: 'c.ldsp', fields: { rd, imm } }
      if (isPrime(rd) && isPrime(rs1) && fits('rvc_ld_imm', imm)) return { row: 'c.ld', fields: { rd, rs1, imm } }
      return undefined
    case 'fld':
      if (rs1 === SP && fits('rvc_ldsp_imm', imm)) return { row: 'c.fldsp', fields: { rd, imm } }
      if (isPrime(rd) && isPrime(rs1) && fits('rvc_ld_imm', imm)) return { row: 'c.fld', fields: { rd, rs1, imm } }
      return undefined
    case 'sw':
      if (rs1 === SP && fits('rvc_swsp_imm', imm)) return { row: 'c.swsp', fields: { rs2, imm } }
      if (isPrime(rs2) && isPrime(rs1) && fits('rvc_lw_imm', imm)) return { row: 'c.sw', fields: { rs2, rs1, imm } }
      return undefined
    case 'sd':
      if (rs1 === SP && fits('rvc_sdsp_imm', imm)) return { row: 'c.sdsp', fields: { rs2, imm } }
      if (isPrime(rs2) && isPrime(rs1) && fits('rvc_ld_imm', imm)) return { row: 'c.sd', fields: { rs2, rs1, imm } }
      return undefined
    case 'fsd':
      if (rs1 === SP && fits('rvc_sdsp_imm', imm)) return { row: 'c.fsdsp', fields: { rs2, imm } }
      if (isPrime(rs2) && isPrime(rs1) && fits('rvc_ld_imm', imm)) return { row: 'c.fsd', fields: { rs2, rs1, imm } }
      return undefined
    case 'nop': return { row: 'c.nop', fields: {} }
    case 'ebreak': return { row: 'c.ebreak', fields: {} }
    case 'ret': return { row: 'c.jr', fields: { rd: 1 } }
    case 'jr': return rs1 !== 0 && regImm === 'reg' ? { row: 'c.jr', fields: { rd: rs1 } } : undefined
    case 'jalr': return rs1 !== 0 && regImm === 'reg' ? { row: 'c.jalr', fields: { rd: rs1 } } : undefined
  }
  return undefined
}
