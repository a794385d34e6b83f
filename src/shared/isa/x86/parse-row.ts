/**
 * Parses the table's row text (`'add r/mv,simm8 ; ov 83 /0 ; lock'`, syntax in
 * rows-general.ts) into `X86Row`s. Runs once when the table loads; a malformed row throws
 * with the row's text, and a test loads the table, so a typo cannot reach a user.
 */
import type { ModrmSpec, OperandKind, OperandSize, X86Map, X86Row, X86RowFlags } from './types'

const OPERAND_KINDS = new Set<string>([
  'r8', 'r16', 'r32', 'r64', 'rv', 'r/m8', 'r/m16', 'r/m32', 'r/m64', 'r/mv', 'r32/m8', 'r32/m16', 'rv/m8', 'rv/m16',
  'r32.rm', 'r64.rm', 'rv.rm', 'm', 'm8', 'm16', 'm32', 'm64', 'm80', 'm128', 'm512', 'mv', 'mfar',
  'al', 'ax', 'eax', 'rax', 'accv', 'cl', 'dx', 'es', 'cs', 'ss', 'ds', 'fs', 'gs', 'sreg', 'cr', 'dr',
  'xmm', 'xmm.rm', 'xmm/m16', 'xmm/m32', 'xmm/m64', 'xmm/m128', 'mm', 'mm.rm', 'mm/m32', 'mm/m64', 'st0', 'st(i)', '1',
  'imm8', 'imm16', 'imm32', 'imm64', 'immz', 'immv', 'simm8', 'rel8', 'relz', 'ptr16:z', 'moffs8', 'moffsv',
])

const FLAG_NAMES = new Set<keyof X86RowFlags>(['lock', 'rep', 'repe', 'd64', 'f64', 'i64', 'x64', 'asm', 'dis', 'msz', 'nomod', 'dup', 'wait', 'branch', 'nasm', 'gas'])

/** Operand kinds that sit in ModRM.rm and may be memory (mod ≠ 11) or a register. */
export const RM_KINDS = new Set<OperandKind>(['r/m8', 'r/m16', 'r/m32', 'r/m64', 'r/mv', 'r32/m8', 'r32/m16', 'rv/m8', 'rv/m16', 'xmm/m16', 'xmm/m32', 'xmm/m64', 'xmm/m128', 'mm/m32', 'mm/m64'])
/** Operand kinds that sit in ModRM.rm and must be a register (mod = 11). */
export const RM_REG_KINDS = new Set<OperandKind>(['r32.rm', 'r64.rm', 'rv.rm', 'xmm.rm', 'mm.rm'])
/** Operand kinds that sit in ModRM.rm and must be memory. */
export const MEM_KINDS = new Set<OperandKind>(['m', 'm8', 'm16', 'm32', 'm64', 'm80', 'm128', 'm512', 'mv', 'mfar'])
/** Operand kinds that sit in ModRM.reg (or in the opcode for `+r` rows). */
export const REG_KINDS = new Set<OperandKind>(['r8', 'r16', 'r32', 'r64', 'rv', 'sreg', 'cr', 'dr', 'xmm', 'mm'])

const byte = (t: string, row: string): number => {
  if (!/^[0-9A-F]{2}$/.test(t)) throw new Error(`x86 table: bad byte \`${t}\` in \`${row}\``)
  return parseInt(t, 16)
}

export function parseRow(text: string, id: number): X86Row {
  const [head, enc = '', flagText = ''] = text.split(';').map((s) => s.trim())
  const sp = head.indexOf(' ')
  const mnemonic = sp < 0 ? head : head.slice(0, sp)
  const operands = (sp < 0 ? '' : head.slice(sp + 1).trim()).split(',').filter(Boolean).map((o) => o.trim())
  for (const o of operands) if (!OPERAND_KINDS.has(o)) throw new Error(`x86 table: unknown operand kind \`${o}\` in \`${text}\``)

  const flags: X86RowFlags = {}
  for (const f of flagText.split(/\s+/).filter(Boolean)) {
    if (!FLAG_NAMES.has(f as keyof X86RowFlags)) throw new Error(`x86 table: unknown flag \`${f}\` in \`${text}\``)
    flags[f as keyof X86RowFlags] = true
  }

  let opsize: OperandSize
  let addrSize: 16 | 32 | 64 | undefined
  let prefix: X86Row['prefix'] = 0
  let map: X86Map = 'legacy'
  let opcode: number
  let plusReg = false
  let modrm: ModrmSpec | undefined
  const tail: number[] = []
  const tokens = enc.split(/\s+/).filter(Boolean)
  let i = 0
  for (; i < tokens.length; i++) {
    const t = tokens[i]
    if (t === 'ov') opsize = 'v'
    else if (t === 'o16' || t === 'o32' || t === 'o64') opsize = Number(t.slice(1)) as 16 | 32 | 64
    else if (t === 'a16' || t === 'a32' || t === 'a64') addrSize = Number(t.slice(1)) as 16 | 32 | 64
    else break
  }
  if ((tokens[i] === '66' || tokens[i] === 'F2' || tokens[i] === 'F3') && i + 1 < tokens.length) prefix = byte(tokens[i++], text) as 0x66 | 0xf2 | 0xf3
  if (tokens[i] === '0F') {
    i++
    map = '0F'
    if (tokens[i] === '38' || tokens[i] === '3A') map = tokens[i++] === '38' ? '0F38' : '0F3A'
  }
  const op = tokens[i++]
  if (op === undefined) throw new Error(`x86 table: no opcode in \`${text}\``)
  if (op.endsWith('+r')) {
    plusReg = true
    opcode = byte(op.slice(0, -2), text)
  } else opcode = byte(op, text)

  const rmKind = operands.find((o) => RM_KINDS.has(o as OperandKind) || RM_REG_KINDS.has(o as OperandKind) || MEM_KINDS.has(o as OperandKind)) as OperandKind | undefined
  const mod: ModrmSpec['mod'] = !rmKind || RM_KINDS.has(rmKind) ? 'any' : MEM_KINDS.has(rmKind) ? 'mem' : 'reg'
  for (; i < tokens.length; i++) {
    const t = tokens[i]
    if (t === '/r') modrm = { reg: 'r', mod }
    else if (/^\/[0-7]$/.test(t)) modrm = { reg: Number(t[1]), mod }
    else if (t === '/x') modrm = { reg: 0, mod, anyReg: true }
    else if (t.startsWith(':')) {
      const sti = t.endsWith('+i')
      const b = byte(sti ? t.slice(1, -2) : t.slice(1), text)
      if (b >> 6 !== 3) throw new Error(`x86 table: fixed ModRM \`${t}\` must have mod 11 in \`${text}\``)
      modrm = { reg: (b >> 3) & 7, mod: 'reg', ...(sti ? { rmIsSti: true } : { rm: b & 7 }) }
    } else if (/^[0-9A-F]{2}$/.test(t) && !modrm) {
      // A second literal byte after a one-byte opcode (aam/aad's default base 0A): an
      // assembler-only spelling whose byte is the immediate of the decoding row.
      if (!flags.asm) throw new Error(`x86 table: trailing byte \`${t}\` only allowed on asm rows: \`${text}\``)
      tail.push(byte(t, text))
    } else throw new Error(`x86 table: bad encoding token \`${t}\` in \`${text}\``)
  }
  if (modrm === undefined && operands.some((o) => RM_KINDS.has(o as OperandKind) || RM_REG_KINDS.has(o as OperandKind) || MEM_KINDS.has(o as OperandKind)))
    throw new Error(`x86 table: r/m operand without ModRM in \`${text}\``)

  let modes = 7
  if (flags.i64) modes &= ~4
  const gpr64 = operands.some((o) => o === 'r64' || o === 'r/m64' || o === 'r64.rm' || o === 'rax')
  if (flags.x64 || opsize === 64 || addrSize === 64 || gpr64) modes &= 4
  if (addrSize === 16) modes &= 3

  return {
    id, mnemonic, operands: operands as OperandKind[], map, opcode, plusReg, prefix, modrm, opsize, addrSize, modes, flags,
    ...(tail.length ? { tail } : {}),
    name: `${[mnemonic, operands.join(',')].filter(Boolean).join(' ')} ; ${tokens.join(' ')}`,
    source: [head, tokens.join(' '), flagText.split(/\s+/).filter(Boolean).join(' ')].filter(Boolean).join(' ; '),
  }
}
