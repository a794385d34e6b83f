/**
 * Generates the integer differential program: operand pairs (edge values and random bits) run
 * through every RV64IM register-register and immediate op, the W forms, compressed forms and
 * the AMOs, printing each result. The same ELF runs on QEMU and on our hart.
 */

function rng(seed: bigint): () => bigint {
  let s = seed
  return () => {
    s ^= s >> 12n
    s ^= (s << 25n) & 0xffffffffffffffffn
    s ^= s >> 27n
    return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn
  }
}

const EDGES = [0n, 1n, 2n, 0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn, 0x80000000n, 0x7fffffffn,
  0xffffffff80000000n, 0xffffffffn, 0x100000000n, 63n, 64n, 31n, 0xfffffffffffffffen]

export function intOperands(count: number): [bigint, bigint][] {
  const next = rng(0xfeedfacen)
  const out: [bigint, bigint][] = []
  for (let i = 0; i < count; i++) {
    const r = next()
    const a = r % 3n === 0n ? EDGES[Number(next() % BigInt(EDGES.length))] : next()
    const b = r % 5n === 0n ? EDGES[Number(next() % BigInt(EDGES.length))] : (r % 7n === 0n ? next() & 0xffn : next())
    out.push([a, b])
  }
  return out
}

const RR = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw']
const RI = ['addi a0, s2, -2048', 'addi a0, s2, 2047', 'slti a0, s2, -1', 'sltiu a0, s2, -1', 'xori a0, s2, -1365',
  'ori a0, s2, 1365', 'andi a0, s2, -16', 'slli a0, s2, 63', 'srli a0, s2, 1', 'srai a0, s2, 37', 'addiw a0, s2, 1',
  'slliw a0, s2, 31', 'srliw a0, s2, 3', 'sraiw a0, s2, 31', 'lui a0, 0xfffff', 'auipc a0, 0']
// Compressed forms (the assembler compresses these with rv64gc; mv a0 first so rd == rs1 == a0).
const RC = ['c.addi a0, -32', 'c.addiw a0, 31', 'c.slli a0, 13', 'c.srli a0, 63', 'c.srai a0, 7', 'c.andi a0, -3',
  'c.add a0, a1', 'c.sub a0, a1', 'c.xor a0, a1', 'c.or a0, a1', 'c.and a0, a1', 'c.addw a0, a1', 'c.subw a0, a1',
  'c.mv a0, a1', 'c.li a0, -17', 'c.lui a0, 0x1f']
const AMO = ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu']

export function intDiffProgram(count: number, uartAsm: string): string {
  const body: string[] = []
  const pr = '  call print_hex\n'
  for (const op of RR) body.push(`  ${op} a0, s2, s3\n${pr}`)
  for (const op of RI) body.push(`  ${op.replace('auipc a0, 0', 'auipc a0, 0\n  sub a0, a0, s5')}\n${pr}`)
  for (const op of RC) body.push(`  mv a0, s2\n  mv a1, s3\n  ${op}\n${pr}`)
  for (const w of ['w', 'd']) {
    for (const op of AMO) {
      body.push(`  sd s2, 0(s4)\n  ${op}.${w} a0, s3, (s4)\n${pr}  ld a0, 0(s4)\n${pr}`)
    }
    body.push(`  sd s2, 0(s4)\n  lr.${w} a0, (s4)\n${pr}  sc.${w} a0, s3, (s4)\n${pr}  ld a0, 0(s4)\n${pr}  sc.${w} a0, s2, (s4)\n${pr}`)
  }
  // Loads and stores of every width, including misaligned ones inside a dword.
  body.push(`  sd s2, 0(s4)\n  sd s3, 8(s4)\n  lb a0, 3(s4)\n${pr}  lbu a0, 7(s4)\n${pr}  lh a0, 6(s4)\n${pr}  lhu a0, 2(s4)\n${pr}
  lw a0, 4(s4)\n${pr}  lwu a0, 4(s4)\n${pr}  ld a0, 3(s4)\n${pr}  lw a0, 5(s4)\n${pr}  sh s3, 3(s4)\n  sw s3, 9(s4)\n  sb s3, 0(s4)
  ld a0, 0(s4)\n${pr}  ld a0, 8(s4)\n${pr}`)
  const data = intOperands(count).map(([a, b]) => `  .dword 0x${a.toString(16)}, 0x${b.toString(16)}`)
  return `
  .section .text.init
  .globl _start
_start:
  la sp, stack_top
  la s0, operands
  li s1, ${count}
  la s4, scratch
loop:
  ld s2, 0(s0)
  ld s3, 8(s0)
  auipc s5, 0
${body.join('')}
  li a0, 10
  call print_char
  addi s0, s0, 16
  addi s1, s1, -1
  bnez s1, loop
  j finish
${uartAsm}
  .data
  .align 3
operands:
${data.join('\n')}
scratch: .space 64
  .align 4
  .space 4096
stack_top:
`
}
