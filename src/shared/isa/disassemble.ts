/**
 * The disassembler: one 16/32-bit word → text exactly as GNU objdump 2.40 prints it by default
 * (`objdump -d`): ABI register names, compressed instructions shown by their expanded
 * mnemonic, and objdump's pseudo-instruction aliases (`li`, `mv`, `ret`, `j`, `nop`, `csrw`,
 * `sext.w`, …), chosen in the order riscv-opc.c lists them. Branch and jump targets are
 * printed as absolute hex addresses (objdump's ` <symbol+off>` suffix needs a symbol table and
 * is left to the caller). Undecodable words print as `.4byte 0x…` / `.2byte 0x…`.
 */
import { csrName } from './csr'
import { findRow } from './index'
import { FLOAT_ABI_NAMES, INT_ABI_NAMES } from './registers'
import { rvcImmDecode } from './rvc-imm'
import type { IsaRow } from './types'

export interface Disassembled {
  /** `mnemonic\toperands`, objdump's layout (a tab between mnemonic and operands). */
  text: string
  length: 2 | 4
  row?: IsaRow
}

const X = INT_ABI_NAMES
const F = FLOAT_ABI_NAMES
const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'unknown', 'unknown', 'dyn']
const hex = (n: number | bigint) => '0x' + n.toString(16)
const csr = (n: number) => csrName(n) ?? hex(n)
const fenceSet = (v: number) => (v & 8 ? 'i' : '') + (v & 4 ? 'o' : '') + (v & 2 ? 'r' : '') + (v & 1 ? 'w' : '') || 'unknown'

const iImm = (w: number) => w >> 20
const sImm = (w: number) => ((w >> 25) << 5) | ((w >>> 7) & 0x1f)
const bImm = (w: number) => ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1)
const jImm = (w: number) => ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1)

function target(pc: bigint, off: number): string {
  return BigInt.asUintN(64, pc + BigInt(off)).toString(16)
}

const out = (m: string, ops?: string) => (ops ? `${m}\t${ops}` : m)

/** Disassembles one instruction; `word` may hold 32 bits even when the instruction is 16-bit. */
export function disassemble(word: number, pc: bigint): Disassembled {
  const length: 2 | 4 = (word & 3) === 3 ? 4 : 2
  const w = length === 4 ? word >>> 0 : word & 0xffff
  if (length === 2 && w === 0) return { text: 'unimp', length }
  if (length === 4 && w === 0xc0001073) return { text: 'unimp', length, row: findRow(w) }
  let row = findRow(w)
  // objdump rejects the reserved rounding modes 5 and 6 on the exact conversions (no rm operand).
  if (row && (row.name === 'fcvt.d.w' || row.name === 'fcvt.d.wu' || row.name === 'fcvt.d.s') && ((w >>> 12) & 7) >= 5 && ((w >>> 12) & 7) <= 6) row = undefined
  if (!row) return { text: out(length === 4 ? '.4byte' : '.2byte', hex(w)), length }
  return { text: length === 4 ? text32(row, w | 0, pc) : text16(row, w, pc), length, row }
}

function text32(row: IsaRow, w: number, pc: bigint): string {
  const rd = (w >>> 7) & 31
  const rs1 = (w >>> 15) & 31
  const rs2 = (w >>> 20) & 31
  const rs3 = (w >>> 27) & 31
  const rm = (w >>> 12) & 7
  const n = row.name
  const mem = (r: string, imm: number) => `${r},${imm}(${X[rs1]})`
  switch (n) {
    case 'addi':
      if (rd === 0 && rs1 === 0 && iImm(w) === 0) return 'nop'
      if (rs1 === 0) return out('li', `${X[rd]},${iImm(w)}`)
      if (iImm(w) === 0) return out('mv', `${X[rd]},${X[rs1]}`)
      return out('add', `${X[rd]},${X[rs1]},${iImm(w)}`)
    case 'addiw':
      if (iImm(w) === 0) return out('sext.w', `${X[rd]},${X[rs1]}`)
      return out('addw', `${X[rd]},${X[rs1]},${iImm(w)}`)
    case 'andi': return out('and', `${X[rd]},${X[rs1]},${iImm(w)}`)
    case 'ori': return out('or', `${X[rd]},${X[rs1]},${iImm(w)}`)
    case 'xori':
      if (iImm(w) === -1) return out('not', `${X[rd]},${X[rs1]}`)
      return out('xor', `${X[rd]},${X[rs1]},${iImm(w)}`)
    case 'sltiu':
      if (iImm(w) === 1) return out('seqz', `${X[rd]},${X[rs1]}`)
      return out(n, `${X[rd]},${X[rs1]},${iImm(w)}`)
    case 'slti': return out(n, `${X[rd]},${X[rs1]},${iImm(w)}`)
    case 'slli': case 'srli': case 'srai': return out(n.slice(0, 3), `${X[rd]},${X[rs1]},${hex((w >>> 20) & 63)}`)
    case 'slliw': case 'srliw': case 'sraiw': return out(n.slice(0, 3) + 'w', `${X[rd]},${X[rs1]},${hex((w >>> 20) & 31)}`)
    case 'sltu': if (rs1 === 0) return out('snez', `${X[rd]},${X[rs2]}`); break
    case 'slt':
      if (rs2 === 0) return out('sltz', `${X[rd]},${X[rs1]}`)
      if (rs1 === 0) return out('sgtz', `${X[rd]},${X[rs2]}`)
      break
    case 'sub': if (rs1 === 0) return out('neg', `${X[rd]},${X[rs2]}`); break
    case 'subw': if (rs1 === 0) return out('negw', `${X[rd]},${X[rs2]}`); break
    case 'lui': case 'auipc': return out(n, `${X[rd]},${hex((w >>> 12) & 0xfffff)}`)
    case 'jal':
      if (rd === 0) return out('j', target(pc, jImm(w)))
      if (rd === 1) return out('jal', target(pc, jImm(w)))
      return out('jal', `${X[rd]},${target(pc, jImm(w))}`)
    case 'jalr': {
      const imm = iImm(w)
      if (rd === 0 && rs1 === 1 && imm === 0) return 'ret'
      if (rd === 0) return out('jr', imm === 0 ? X[rs1] : `${imm}(${X[rs1]})`)
      if (rd === 1) return out('jalr', imm === 0 ? X[rs1] : `${imm}(${X[rs1]})`)
      if (imm === 0) return out('jalr', `${X[rd]},${X[rs1]}`)
      return out('jalr', `${X[rd]},${imm}(${X[rs1]})`)
    }
    case 'beq': case 'bne': case 'bge': case 'blt': {
      const t = target(pc, bImm(w))
      if (rs2 === 0 && (n === 'beq' || n === 'bne')) return out(n + 'z', `${X[rs1]},${t}`)
      if (n === 'bge' && rs1 === 0) return out('blez', `${X[rs2]},${t}`)
      if (n === 'bge' && rs2 === 0) return out('bgez', `${X[rs1]},${t}`)
      if (n === 'blt' && rs2 === 0) return out('bltz', `${X[rs1]},${t}`)
      if (n === 'blt' && rs1 === 0) return out('bgtz', `${X[rs2]},${t}`)
      return out(n, `${X[rs1]},${X[rs2]},${t}`)
    }
    case 'bltu': case 'bgeu': return out(n, `${X[rs1]},${X[rs2]},${target(pc, bImm(w))}`)
    case 'csrrs': {
      const c = (w >>> 20) & 0xfff
      if (rs1 === 0) {
        const special = ({ 0x001: 'frflags', 0x002: 'frrm', 0x003: 'frcsr', 0xc00: 'rdcycle', 0xc01: 'rdtime', 0xc02: 'rdinstret' } as Record<number, string>)[c]
        if (special) return out(special, X[rd])
        return out('csrr', `${X[rd]},${csr(c)}`)
      }
      if (rd === 0) return out('csrs', `${csr(c)},${X[rs1]}`)
      return out(n, `${X[rd]},${csr(c)},${X[rs1]}`)
    }
    case 'csrrw': {
      const c = (w >>> 20) & 0xfff
      const special = ({ 0x001: 'fsflags', 0x002: 'fsrm', 0x003: 'fscsr' } as Record<number, string>)[c]
      if (special) return out(special, rd === 0 ? X[rs1] : `${X[rd]},${X[rs1]}`)
      if (rd === 0) return out('csrw', `${csr(c)},${X[rs1]}`)
      return out(n, `${X[rd]},${csr(c)},${X[rs1]}`)
    }
    case 'csrrc': {
      const c = (w >>> 20) & 0xfff
      if (rd === 0) return out('csrc', `${csr(c)},${X[rs1]}`)
      return out(n, `${X[rd]},${csr(c)},${X[rs1]}`)
    }
    case 'csrrwi': case 'csrrsi': case 'csrrci': {
      const c = (w >>> 20) & 0xfff
      if (n === 'csrrwi' && (c === 1 || c === 2)) return out(c === 1 ? 'fsflagsi' : 'fsrmi', `${X[rd]},${rs1}`)
      if (rd === 0) return out(n.slice(0, 4).replace('csrr', 'csr') + n[4], `${csr(c)},${rs1}`)
      return out(n.slice(0, 5), `${X[rd]},${csr(c)},${rs1}`)
    }
    case 'fence': {
      const pred = (w >>> 24) & 15
      const succ = (w >>> 20) & 15
      if (pred === 15 && succ === 15) return 'fence'
      return out('fence', `${fenceSet(pred)},${fenceSet(succ)}`)
    }
    case 'sfence.vma':
      if (rs2 === 0) return rs1 === 0 ? n : out(n, X[rs1])
      return out(n, `${X[rs1]},${X[rs2]}`)
    case 'fsgnj.s': case 'fsgnj.d': case 'fsgnjn.s': case 'fsgnjn.d': case 'fsgnjx.s': case 'fsgnjx.d':
      if (rs1 === rs2) return out(({ fsgnj: 'fmv', fsgnjn: 'fneg', fsgnjx: 'fabs' } as Record<string, string>)[n.slice(0, -2)] + n.slice(-2), `${F[rd]},${F[rs1]}`)
      break
  }
  return out(n, operands(row, w, pc, rd, rs1, rs2, rs3, rm, mem))
}

/** Operands straight from the row's spec (no alias applies). */
function operands(row: IsaRow, w: number, pc: bigint, rd: number, rs1: number, rs2: number, rs3: number, rm: number, mem: (r: string, imm: number) => string): string {
  if (!row.operands) return ''
  const parts: string[] = []
  for (const s of row.operands.split(',')) {
    switch (s) {
      case 'rd': parts.push(X[rd]); break
      case 'rs1': parts.push(X[rs1]); break
      case 'rs2': parts.push(X[rs2]); break
      case 'fd': parts.push(F[rd]); break
      case 'fs1': parts.push(F[rs1]); break
      case 'fs2': parts.push(F[rs2]); break
      case 'fs3': parts.push(F[rs3]); break
      case 'rm': if (rm !== 7) parts.push(RM_NAMES[rm]); break
      case 'imm': parts.push(String(row.format === 'B' ? target(pc, bImm(w)) : iImm(w))); break
      case 'shamt': parts.push(hex((w >>> 20) & 63)); break
      case 'imm(rs1)': {
        const imm = row.format === 'S' ? sImm(w) : iImm(w)
        parts.pop()
        const r = row.format === 'S' ? (row.operands.startsWith('fs2') ? F[rs2] : X[rs2]) : row.operands.startsWith('fd') ? F[rd] : X[rd]
        parts.push(mem(r, imm))
        break
      }
      case '(rs1)': parts.push(`(${X[rs1]})`); break
      default: parts.push('?')
    }
  }
  return parts.join(',')
}

function text16(row: IsaRow, w: number, pc: bigint): string {
  const rdFull = (w >>> 7) & 31
  const rs2Full = (w >>> 2) & 31
  const rdP = 8 + ((w >>> 2) & 7)
  const rs1P = 8 + ((w >>> 7) & 7)
  const imm = row.imm ? rvcImmDecode(row.imm, w) : 0
  // HINT encodings (rd = x0) have no 32-bit alias in objdump: it prints the c. form.
  if (rdFull === 0) {
    switch (row.name) {
      case 'c.li': return out('c.li', `zero,${imm}`)
      case 'c.lui': return out('c.lui', `zero,${hex(imm & 0xfffff)}`)
      case 'c.slli': return out('c.slli', `zero,${hex(imm)}`)
      case 'c.mv': return out('c.mv', `zero,${X[rs2Full]}`)
      case 'c.add': return out('c.add', `zero,${X[rs2Full]}`)
    }
  }
  switch (row.name) {
    case 'c.nop': return 'nop'
    case 'c.addi': return rdFull === 0 ? out('c.nop', String(imm)) : out('add', `${X[rdFull]},${X[rdFull]},${imm}`)
    case 'c.addiw': return imm === 0 ? out('sext.w', `${X[rdFull]},${X[rdFull]}`) : out('addw', `${X[rdFull]},${X[rdFull]},${imm}`)
    case 'c.li': return out('li', `${X[rdFull]},${imm}`)
    case 'c.lui': return out('lui', `${X[rdFull]},${hex(imm & 0xfffff)}`)
    case 'c.addi16sp': return out('add', `sp,sp,${imm}`)
    case 'c.addi4spn': return out('add', `${X[rdP]},sp,${imm}`)
    case 'c.slli': return out('sll', `${X[rdFull]},${X[rdFull]},${hex(imm)}`)
    case 'c.srli': case 'c.srai': return out(row.name === 'c.srli' ? 'srl' : 'sra', `${X[rs1P]},${X[rs1P]},${hex(imm)}`)
    case 'c.andi': return out('and', `${X[rs1P]},${X[rs1P]},${imm}`)
    case 'c.sub': case 'c.xor': case 'c.or': case 'c.and': case 'c.subw': case 'c.addw':
      return out(row.name.slice(2), `${X[rs1P]},${X[rs1P]},${X[rdP]}`)
    case 'c.mv': return out('mv', `${X[rdFull]},${X[rs2Full]}`)
    case 'c.add': return out('add', `${X[rdFull]},${X[rdFull]},${X[rs2Full]}`)
    case 'c.jr': return rdFull === 1 ? 'ret' : out('jr', X[rdFull])
    case 'c.jalr': return out('jalr', X[rdFull])
    case 'c.ebreak': return 'ebreak'
    case 'c.j': return out('j', target(pc, imm))
    case 'c.beqz': case 'c.bnez': return out(row.name.slice(2), `${X[rs1P]},${target(pc, imm)}`)
    case 'c.lw': case 'c.ld': return out(row.name.slice(2), `${X[rdP]},${imm}(${X[rs1P]})`)
    case 'c.fld': return out('fld', `${F[rdP]},${imm}(${X[rs1P]})`)
    case 'c.sw': case 'c.sd': return out(row.name.slice(2), `${X[rdP]},${imm}(${X[rs1P]})`)
    case 'c.fsd': return out('fsd', `${F[rdP]},${imm}(${X[rs1P]})`)
    case 'c.lwsp': case 'c.ldsp': return out(row.name.slice(2, 4), `${X[rdFull]},${imm}(sp)`)
    case 'c.fldsp': return out('fld', `${F[rdFull]},${imm}(sp)`)
    case 'c.swsp': case 'c.sdsp': return out(row.name.slice(2, 4), `${X[rs2Full]},${imm}(sp)`)
    case 'c.fsdsp': return out('fsd', `${F[rs2Full]},${imm}(sp)`)
    case 'c.slli64': return out('c.slli64', X[rdFull])
    case 'c.srli64': case 'c.srai64': return out(row.name, X[rs1P])
  }
  return row.name
}
