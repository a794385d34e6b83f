/**
 * The wasm emitter: LEB128 encodings against the specification's examples, modules V8 accepts
 * and runs (arithmetic, structured control with label depths, an imported memory), and the
 * mistakes it refuses while emitting (branches to closed labels, unbalanced ends).
 */
import { describe, it, expect } from 'vitest'
import { Code, I32, I64, ModuleBuilder, signedLeb, unsignedLeb } from '../../../../src/main/machine/blocks/wasm-emitter'

interface Wasm {
  Module: new (b: Uint8Array) => object
  Instance: new (m: object, i: object) => { exports: Record<string, (...a: unknown[]) => unknown> }
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer }
  validate(b: Uint8Array): boolean
}
const WA = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly

describe('LEB128', () => {
  it('encodes unsigned and signed values as the binary format specifies', () => {
    expect(unsignedLeb(0)).toEqual([0x00])
    expect(unsignedLeb(127)).toEqual([0x7f])
    expect(unsignedLeb(128)).toEqual([0x80, 0x01])
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26])
    expect(unsignedLeb(0xffffffffn)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f])
    expect(signedLeb(-1)).toEqual([0x7f])
    expect(signedLeb(63)).toEqual([0x3f])
    expect(signedLeb(64)).toEqual([0xc0, 0x00])
    expect(signedLeb(-64)).toEqual([0x40])
    expect(signedLeb(-65)).toEqual([0xbf, 0x7f])
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78])
    // i64 extremes take the BigInt path; the number path must agree with it on 32-bit values.
    expect(signedLeb(-(1n << 63n))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f])
    expect(signedLeb((1n << 63n) - 1n)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00])
    for (const v of [0, 1, -1, 0x7fffffff, -0x80000000, 12345, -98765]) expect(signedLeb(v)).toEqual(signedLeb(BigInt(v)))
  })
})

describe('modules', () => {
  it('builds a module V8 runs: 64-bit arithmetic with constants beyond 32 bits', () => {
    const mod = new ModuleBuilder()
    const { code } = mod.func([I64, I64], [I64], 'f')
    code.get(0).get(1).op('i64.mul').i64(0x1234_5678_9abc_def0n).op('i64.xor').i64(-5).op('i64.add')
    const bytes = mod.bytes()
    expect(WA.validate(bytes)).toBe(true)
    const f = new WA.Instance(new WA.Module(bytes), {}).exports.f
    const want = BigInt.asIntN(64, BigInt.asIntN(64, 7n * -3n) ^ 0x1234_5678_9abc_def0n) - 5n
    expect(f(7n, -3n)).toBe(want)
  })

  it('computes branch depths from labels: a loop with br_table dispatch and an early exit', () => {
    // sum(i for i in 0..n) with the loop body split into two "blocks" dispatched by br_table.
    const mod = new ModuleBuilder()
    const { code } = mod.func([I32], [I32], 'sum')
    const acc = code.local(I32)
    const i = code.local(I32)
    const next = code.local(I32)
    const exit = code.block()
    const loop = code.loop()
    const bad = code.block()
    const b1 = code.block()
    const b0 = code.block()
    code.get(next).brTable([b0, b1], bad)
    code.end(b0)
    // block 0: if i == n leave; acc += i
    code.get(i).get(0).op('i32.eq').brIf(exit)
    code.get(acc).get(i).op('i32.add').set(acc)
    code.end(b1)
    // block 1: i++; go to block 0
    code.get(i).i32(1).op('i32.add').set(i).i32(0).set(next).br(loop)
    code.end(bad).op('unreachable')
    code.end(loop)
    code.end(exit)
    code.get(acc)
    const sum = new WA.Instance(new WA.Module(mod.bytes()), {}).exports.sum
    expect(sum(10)).toBe(45)
    expect(sum(1000)).toBe(499500)
  })

  it('shares an imported memory with its host', () => {
    const memory = new WA.Memory({ initial: 1 })
    const mod = new ModuleBuilder().importMemory('env', 'memory')
    const { code } = mod.func([], [], 'bump')
    code.i32(16).i32(8).mem('i64.load').i64(1).op('i64.add').mem('i64.store')
    const bump = new WA.Instance(new WA.Module(mod.bytes()), { env: { memory } }).exports.bump
    const dv = new DataView(memory.buffer)
    dv.setBigUint64(8, 41n, true)
    bump()
    expect(dv.getBigUint64(16, true)).toBe(42n)
  })

  it('refuses a branch to a label that is not open and a body with unclosed labels', () => {
    const code = new Code([])
    const a = code.block()
    code.end(a)
    expect(() => code.br(a)).toThrow(/not open/)
    const c2 = new Code([])
    c2.loop()
    expect(() => c2.bytes()).toThrow(/unclosed/)
    const c3 = new Code([])
    const outer = c3.block()
    c3.block()
    expect(() => c3.end(outer)).toThrow(/innermost/)
  })
})
