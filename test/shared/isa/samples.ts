/**
 * One GNU-syntax sample line for every row of the ISA table, with operands chosen so that GNU
 * `as` keeps the instruction as written (registers outside the RVC set for 32-bit rows,
 * in-range scaled offsets for compressed ones). Used by the GNU agreement and round-trip tests.
 */
import type { IsaRow } from '../../../src/shared/isa'

const RVC_IMM_SAMPLE: Record<string, string> = {
  rvc_imm: '-5', rvc_shamt: '3', rvc_lui_imm: '3', rvc_addi16sp_imm: '-64', rvc_addi4spn_imm: '16',
  rvc_lw_imm: '8', rvc_ld_imm: '16', rvc_lwsp_imm: '8', rvc_ldsp_imm: '16', rvc_swsp_imm: '12',
  rvc_sdsp_imm: '24', rvc_b_imm: '.+10', rvc_j_imm: '.-20',
}

const TOKEN = /rd'|rs1'|rs2'|fd'|fs2'|rs1|rs2|rs3|rd|fd|fs1|fs2|fs3|uimm|imm|shamt|csr|pred|succ/g

/** The operand text for a row, e.g. `s2,s3,100` for `addi`. */
export function sampleOperands(row: IsaRow): string {
  const ops = row.operands.replace(/,rm$/, '')
  return ops.replace(TOKEN, (t) => {
    switch (t) {
      case "rd'": return 'a0'
      case "rs1'": return 'a1'
      case "rs2'": return 'a2'
      case "fd'": return 'fa0'
      case "fs2'": return 'fa2'
      case 'rd': return 's2'
      case 'rs1': return row.format === 'CR' ? 's2' : 's3'
      case 'rs2': return row.format === 'CR' ? 's3' : 's4'
      case 'fd': return 'fs2'
      case 'fs1': return 'fs3'
      case 'fs2': return row.length === 2 ? 'fs4' : 'fs4'
      case 'fs3': return 'fs5'
      case 'csr': return 'mstatus'
      case 'pred': return 'r'
      case 'succ': return 'w'
      case 'shamt': return row.length === 2 ? '3' : row.format === 'SHIFT32' ? '13' : '33'
      case 'uimm': return row.length === 2 ? RVC_IMM_SAMPLE[row.imm!] : '5'
      case 'imm':
        if (row.length === 2) return RVC_IMM_SAMPLE[row.imm!]
        if (row.format === 'U') return '0x12345'
        if (row.format === 'B' || row.format === 'J') return '.+16'
        return '100'
    }
    return t
  })
}

/** A full source line for a row, e.g. `addi s2,s3,100`. */
export function sampleLine(row: IsaRow): string {
  const ops = sampleOperands(row)
  return ops ? `${row.name} ${ops}` : row.name
}
