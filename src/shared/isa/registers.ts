/**
 * Register names: x0..x31 and f0..f31 with their ABI names (psABI, "Register Convention"),
 * which is what GNU objdump prints. `fp` is accepted as an alias of s0, as GNU does.
 */

export const INT_ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
]

export const FLOAT_ABI_NAMES: readonly string[] = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
]

const INT_REGS = new Map<string, number>()
const FLOAT_REGS = new Map<string, number>()
for (let i = 0; i < 32; i++) {
  INT_REGS.set(`x${i}`, i).set(INT_ABI_NAMES[i], i)
  FLOAT_REGS.set(`f${i}`, i).set(FLOAT_ABI_NAMES[i], i)
}
INT_REGS.set('fp', 8)

/** x-register number for a name (`x5`, `t0`, `fp`), or undefined. */
export function intRegister(name: string): number | undefined {
  return INT_REGS.get(name) ?? INT_REGS.get(name.toLowerCase())
}

/** f-register number for a name (`f10`, `fa0`), or undefined. */
export function floatRegister(name: string): number | undefined {
  return FLOAT_REGS.get(name) ?? FLOAT_REGS.get(name.toLowerCase())
}
