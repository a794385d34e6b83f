/**
 * The built-in example kernel with its hello line printed `lines` times through the SBI console
 * before it shuts down (built with our toolchain): a guest that prints in a loop, for the console
 * ring's tests and the console bench (issue 10 item 11).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from '../../src/main/toolchain/build'
import { EXAMPLE } from './build-workspace'

export function printingKernel(lines: number): Uint8Array {
  const main = readFileSync(join(EXAMPLE, 'main.S'), 'utf8')
    .replace(/^rust_main:\n {4}lla s0, message\n/m, `rust_main:\n    li s1, ${lines}\n0:  lla s0, message\n`)
    .replace(/^2: {2}li a7, 0x53525354/m, '2:  addi s1, s1, -1\n    bnez s1, 0b\n    li a7, 0x53525354')
  if (!main.includes(`li s1, ${lines}`) || !main.includes('bnez s1, 0b')) throw new Error('the example no longer has the shape this bench edits')
  const files = ['entry.S', 'linker.ld'].map((f) => ({ path: f, text: readFileSync(join(EXAMPLE, f), 'utf8') }))
  const r = build({ files: [...files, { path: 'main.S', text: main }], script: 'linker.ld' })
  if (!r.ok || !r.elf) throw new Error(`build failed: ${r.diagnostics.map((d) => d.message).join('; ')}`)
  return r.elf
}
