/**
 * A debugger's stops in the x86 hart (debug-stops.ts): breakpoints on linear RIPs and watched
 * physical ranges stop the run *before* the instruction or access with nothing of it done, at a
 * step a plain run reaches (the same registers and RAM as a fresh hart run to that step), and
 * `skipDebugStop` resumes. Real NASM programs on the real wasm hart.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { X86HartExit, X86_GPR_NAMES } from '../../../../../src/main/machine/x86/hart/hart-api'
import { X86Hart } from '../../../../../src/main/machine/x86/hart/hart'
import type { DebugStops } from '../../../../../src/main/machine/core/boot-machine'
import { nasm, enterMode, ensureX86Wasm, LOAD_ADDR, type StartMode } from './x86-run'
import { gates32, GATE_TABLES32 } from './kernel-lib'
import { nasmOracle } from '../../../../support/oracles'

interface Program { code: Uint8Array; mode: StartMode; labels: Map<string, number> }

/** Assembles `source` at 1 MiB; the addresses of its labels come from a table of `dq label` appended to it. */
function program(source: string, mode: StartMode = 'prot32'): Program {
  const bits = mode === 'long64' ? 64 : 32
  // Label addresses: a table of dq at the end ("labels:"), read back from the binary.
  const names = [...source.matchAll(/^\s*(\w+):/gm)].map((m) => m[1])
  const code = nasm(`bits ${bits}\norg 0x${LOAD_ADDR.toString(16)}\n${source}\nalign 8\n__labels:\n${names.map((n) => `  dq ${n}`).join('\n')}\n`)
  const dv = new DataView(code.buffer, code.byteOffset)
  const table = code.length - names.length * 8
  const labels = new Map(names.map((n, i) => [n, Number(dv.getBigUint64(table + i * 8, true))]))
  return { code, mode, labels }
}

function start(p: Program): X86Hart {
  const h = new X86Hart({ ramSize: 8 << 20 })
  h.ram.set(p.code, LOAD_ADDR)
  enterMode(h, p.mode, LOAD_ADDR)
  return h
}

/** Runs until an exit other than StepsDone (at most `max` steps). */
function runOn(h: X86Hart, max = 100_000): X86HartExit {
  for (;;) {
    const before = h.instret
    const exit = h.run(max)
    if (exit !== X86HartExit.StepsDone || h.instret - before === 0n) return exit
    max -= Number(h.instret - before)
    if (max <= 0) return exit
  }
}

/** The state a fresh hart reaches by running plainly to `step` equals `h`'s (registers, RIP, flags, CR2, RAM). */
function expectReachable(p: Program, h: X86Hart): void {
  const fresh = start(p)
  let left = h.instret
  while (left > 0n) {
    const before = fresh.instret
    fresh.run(Number(left))
    left -= fresh.instret - before
  }
  expect(fresh.instret).toBe(h.instret)
  expect(fresh.getReg('rip')).toBe(h.getReg('rip'))
  for (const r of X86_GPR_NAMES) expect([r, fresh.getReg(r)]).toEqual([r, h.getReg(r)])
  expect(fresh.getReg('rflags')).toBe(h.getReg('rflags'))
  expect(fresh.getReg('cr2')).toBe(h.getReg('cr2'))
  expect(Buffer.compare(Buffer.from(fresh.ram.subarray(0, 4 << 20)), Buffer.from(h.ram.subarray(0, 4 << 20)))).toBe(0)
}

const stops = (s: Partial<DebugStops>): DebugStops => ({ breakpoints: s.breakpoints ?? [], watches: s.watches ?? [] })
const w = (pa: number, length: number, write = true, read = false) => ({ pa: BigInt(pa), length, write, read })

const nasmTool = nasmOracle()
describe.skipIf(nasmTool.missing)('debugger stops in the x86 hart', () => {
  beforeAll(() => ensureX86Wasm())

  it('a breakpoint stops before the instruction at its linear RIP, every time it is reached; skipDebugStop resumes', () => {
    const p = program(`
      mov ecx, 3
    again:
      add eax, 5
    target:
      dec ecx
      jnz again
      cli
      hlt`)
    const h = start(p)
    const target = p.labels.get('target')!
    expect(h.setDebugStops(stops({ breakpoints: [BigInt(target)] }))).toBe(true)
    const seen: bigint[] = []
    for (let i = 0; i < 3; i++) {
      expect(runOn(h)).toBe(X86HartExit.DebugStop)
      expect(h.getReg('rip')).toBe(BigInt(target))
      expect(h.getReg('rax')).toBe(BigInt(5 * (i + 1)))
      seen.push(h.instret)
      expectReachable(p, h)
      h.skipDebugStop({ breakpoint: true, watch: false })
    }
    expect(seen).toEqual([2n, 5n, 8n])
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    // Cleared: the same program runs through.
    const h2 = start(p)
    h2.setDebugStops(stops({ breakpoints: [BigInt(target)] }))
    h2.setDebugStops(stops({}))
    expect(runOn(h2)).toBe(X86HartExit.Hlt)
  })

  it('a write watch stops before the store (memory unchanged), a read watch before the load; write-only watches ignore reads', () => {
    const p = program(`
      mov eax, [data]
    store:
      mov dword [data], 0x11223344
    load:
      movzx ebx, word [data + 2]
      cli
      hlt
    align 16
    data: dd 0xaabbccdd`)
    const data = p.labels.get('data')!
    const h = start(p)
    h.setDebugStops(stops({ watches: [w(data + 1, 1)] }))
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('store')!))
    expect(h.getReg('rax')).toBe(0xaabbccddn) // the first load (a read) did not stop a write watch
    expect(new DataView(h.ram.buffer, h.ram.byteOffset).getUint32(data, true)).toBe(0xaabbccdd)
    expectReachable(p, h)
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rbx')).toBe(0x1122n)

    const r = start(p)
    r.setDebugStops(stops({ watches: [w(data + 3, 1, false, true)] }))
    expect(runOn(r)).toBe(X86HartExit.DebugStop)
    expect(r.getReg('rip')).toBe(BigInt(LOAD_ADDR)) // the first load reads byte 3
    r.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(r)).toBe(X86HartExit.DebugStop)
    expect(r.getReg('rip')).toBe(BigInt(p.labels.get('load')!))
    expect(r.getReg('rax')).toBe(0xaabbccddn)
    expectReachable(p, r)
  })

  it('a page-crossing store stops before any byte moves when its second page is watched', () => {
    const p = program(`
      mov eax, 0x55667788
    cross:
      mov [0x201ffe], eax
      cli
      hlt`)
    const h = start(p)
    h.setDebugStops(stops({ watches: [w(0x202000, 1)] }))
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('cross')!))
    expect([h.ram[0x201ffe], h.ram[0x201fff]]).toEqual([0, 0])
    expectReachable(p, h)
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect(h.ram[0x202001]).toBe(0x55)
  })

  it('rep movsb stops at the iteration that reads a read-watched byte, before it is copied', () => {
    const p = program(`
      mov esi, 0x200000
      mov edi, 0x201000
      mov ecx, 8
    copy:
      rep movsb
      cli
      hlt`)
    const h = start(p)
    h.ram.set([1, 2, 3, 4, 5, 6, 7, 8], 0x200000)
    h.setDebugStops(stops({ watches: [w(0x200003, 1, false, true)] }))
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('copy')!))
    expect([h.getReg('rsi'), h.getReg('rdi'), h.getReg('rcx')]).toEqual([0x200003n, 0x201003n, 5n])
    expect([...h.ram.subarray(0x201000, 0x201004)]).toEqual([1, 2, 3, 0])
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect([...h.ram.subarray(0x201000, 0x201008)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('instructions that write several places (pusha, cmpxchg8b) stop before the first write when any of them is watched', () => {
    const p = program(`
      mov esp, 0x80000
      mov eax, 1
      mov ecx, 2
      mov edx, 3
      mov ebx, 4
    many:
      pusha
      xor eax, eax
      xor edx, edx
      mov ebx, 0x11111111
      mov ecx, 0x22222222
    wide:
      cmpxchg8b [data]
      cli
      hlt
    align 16
    data: dq 0`)
    const h = start(p)
    const data = p.labels.get('data')!
    // The 6th push (BP) of pusha; the high half of cmpxchg8b's operand.
    h.setDebugStops(stops({ watches: [w(0x80000 - 24, 4), w(data + 4, 4)] }))
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('many')!))
    expect(h.getReg('rsp')).toBe(0x80000n)
    expect(h.ram.subarray(0x80000 - 32, 0x80000).every((b) => b === 0)).toBe(true) // not even the first push (AX)
    expectReachable(p, h)
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('wide')!))
    expect(new DataView(h.ram.buffer, h.ram.byteOffset).getBigUint64(data, true)).toBe(0n) // the low half is not written either
    expectReachable(p, h)
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect(new DataView(h.ram.buffer, h.ram.byteOffset).getBigUint64(data, true)).toBe(0x2222222211111111n)
  })

  it('rep stosb stops at the iteration that writes the watched byte, with rCX/rDI of that iteration; a breakpoint on it stops once', () => {
    const p = program(`
      mov edi, 0x200000
      mov ecx, 16
      mov al, 0x5a
    fill:
      rep stosb
      cli
      hlt`)
    const h = start(p)
    h.setDebugStops(stops({ watches: [w(0x200005, 1)] }))
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('fill')!))
    expect(h.getReg('rdi')).toBe(0x200005n)
    expect(h.getReg('rcx')).toBe(11n)
    expect(h.instret).toBe(3n + 5n)
    expect([h.ram[0x200004], h.ram[0x200005]]).toEqual([0x5a, 0])
    expectReachable(p, h)
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect(h.ram[0x20000f]).toBe(0x5a)

    const b = start(p)
    b.setDebugStops(stops({ breakpoints: [BigInt(p.labels.get('fill')!)] }))
    expect(runOn(b)).toBe(X86HartExit.DebugStop)
    expect(b.getReg('rcx')).toBe(16n)
    b.skipDebugStop({ breakpoint: true, watch: false })
    expect(runOn(b)).toBe(X86HartExit.Hlt)
    expect(b.getReg('rcx')).toBe(0n)
  })

  it('an exception frame pushed on a watched stack stops before delivery (nothing pushed, CR2 as before); resuming enters the handler', () => {
    // 64-bit: a #PF on an unmapped address (above the first GiB), its frame on the watched stack.
    const p = program(`
      lea rax, [rel idt]
      mov rbx, handler
      mov [rax + 14*16], bx
      mov word [rax + 14*16 + 2], 0x08
      mov word [rax + 14*16 + 4], 0x8e00
      shr rbx, 16
      mov [rax + 14*16 + 6], bx
      shr rbx, 16
      mov [rax + 14*16 + 8], ebx
      lgdt [rel gdtr]
      lidt [rel idtr]
      mov rsp, 0x90000
    fault:
      mov byte [0x40000000], 1
      cli
      hlt
    handler:
      mov rdx, cr2
      cli
      hlt
    align 8
    gdt: dq 0, 0x00AF9A000000FFFF
    gdtr: dw 15
      dq gdt
    idtr: dw 256*16-1
      dq idt
    align 16
    idt: times 256*16 db 0`, 'long64')
    const h = start(p)
    h.setDebugStops(stops({ watches: [w(0x90000 - 48, 8)] }))
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('fault')!))
    expect(h.getReg('rsp')).toBe(0x90000n)
    expect(h.getReg('cr2')).toBe(0n)
    expect(h.ram.subarray(0x90000 - 48, 0x90000).every((b) => b === 0)).toBe(true)
    expectReachable(p, h)
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rdx')).toBe(0x40000000n)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('handler')!) + 5n)
  })

  it('an external interrupt whose frame lands on a watched stack stops before delivery and is delivered once after it (acknowledged vector kept)', () => {
    const p = program(`
      ${gates32([0x20])}
      mov esp, 0x80000
      sti
    spin:
      jmp spin
    vec_32:
      inc esi
      cli
      hlt
    ${GATE_TABLES32}`)
    const h = start(p)
    h.setDebugStops(stops({ watches: [w(0x80000 - 12, 4)] })) // the pushed EIP (EFLAGS, CS, EIP)
    expect(h.run(200)).toBe(X86HartExit.StepsDone) // spinning with IF = 1
    h.intrLine = true
    expect(h.run(10)).toBe(X86HartExit.InterruptAck)
    h.acknowledgeInterrupt(0x20)
    h.intrLine = false
    expect(h.run(10)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('spin')!))
    expect(h.getReg('rsp')).toBe(0x80000n)
    expect(h.ram.subarray(0x80000 - 12, 0x80000).every((b) => b === 0)).toBe(true)
    const step = h.instret
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rsi')).toBe(1n) // delivered once, from the acknowledged vector kept for after the stop
    expect(h.instret).toBe(step + 3n) // inc, cli, hlt
    expect(new DataView(h.ram.buffer, h.ram.byteOffset).getUint32(0x80000 - 12, true)).toBe(p.labels.get('spin')!)
  })

  it('int n: a stop on its frame is at the int instruction, at its step; resuming delivers it once', () => {
    const p = program(`
      ${gates32([0x30])}
      mov esp, 0x80000
    trap:
      int 0x30
      cli
      hlt
    vec_48:
      inc esi
      cli
      hlt
    ${GATE_TABLES32}`)
    const h = start(p)
    h.setDebugStops(stops({ watches: [w(0x80000 - 4, 4)] }))
    expect(runOn(h)).toBe(X86HartExit.DebugStop)
    expect(h.getReg('rip')).toBe(BigInt(p.labels.get('trap')!))
    expect(h.getReg('rsp')).toBe(0x80000n)
    expectReachable(p, h)
    const step = h.instret
    h.skipDebugStop({ breakpoint: false, watch: true })
    expect(runOn(h)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rsi')).toBe(1n)
    expect(h.instret).toBe(step + 4n) // int, inc, cli, hlt: int retired once
  })
})
