/**
 * The x86 hart's contract with the platform (hart-api.ts), exercised with real machine code:
 * every exit (port I/O with string and rep forms, MMIO with re-execution, hlt, interrupt
 * acknowledge with the sti shadow, NMI, MSRs the platform owns, CR8, unimplemented
 * instructions, breakpoints), time and RDTSC, the register and segment accessors, checkpoints
 * (snapshot/restore, saveState/loadState, dirty pages) and determinism across run slices.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { X86HartExit } from '../../../../../src/main/machine/x86/hart/hart-api'
import { X86Hart } from '../../../../../src/main/machine/x86/hart/hart'
import { X86_TRACE_KIND, EXC_FLAG, decodeX86TraceRecords, type X86TraceRecord } from '../../../../../src/main/machine/x86/hart/trace-layout'
import { nasm, enterMode, ensureX86Wasm, LOAD_ADDR } from './x86-run'
import { gates32, GATE_TABLES32 } from './kernel-lib'
import { nasmOracle } from '../../../../support/oracles'

/** A 32-bit program loaded at 1 MiB in flat protected mode, with an IDT at 0x1000 when `idt` lists vectors → handlers. */
function hart32(source: string, ram = 8 << 20, trace = false): X86Hart {
  const code = nasm(`bits 32\norg 0x${LOAD_ADDR.toString(16)}\n${source}\n`)
  const h = new X86Hart({ ramSize: ram, trace })
  h.ram.set(code, LOAD_ADDR)
  enterMode(h, 'prot32', LOAD_ADDR)
  return h
}

const nasmTool = nasmOracle()
describe.skipIf(nasmTool.missing)('the x86 hart contract', () => {
  beforeAll(() => ensureX86Wasm())

  it('port I/O: in/out exit with port, size and value; rep outsb is one exit and one step per byte', () => {
    const h = hart32(`
      mov dx, 0x3f8
      mov al, 'A'
      out dx, al
      in ax, dx
      mov esi, msg
      mov ecx, 3
      rep outsb
      cli
      hlt
    msg: db 'xyz'`)
    expect(h.run(1000)).toBe(X86HartExit.Io)
    expect(h.io).toEqual({ port: 0x3f8, size: 1, isWrite: true, value: 0x41, string: false, rep: false })
    const before = h.instret
    h.completeIo(0)
    expect(h.run(1000)).toBe(X86HartExit.Io)
    expect(h.instret - before).toBe(1n) // the out retired on the re-execution
    expect(h.io).toMatchObject({ port: 0x3f8, size: 2, isWrite: false })
    h.completeIo(0xbeef)
    const seen: number[] = []
    for (;;) {
      const exit = h.run(1000)
      if (exit !== X86HartExit.Io) { expect(exit).toBe(X86HartExit.Hlt); break }
      expect(h.io).toMatchObject({ string: true, rep: true, size: 1 })
      seen.push(h.io.value)
      h.completeIo(0)
    }
    expect(String.fromCharCode(...seen)).toBe('xyz')
    expect(h.getReg('rax') & 0xffffn).toBe(0xbeefn)
    expect(h.getReg('rcx')).toBe(0n)
  })

  it('MMIO outside RAM: a read and a read-modify-write (xchg) re-execute the instruction with the answers', () => {
    const h = hart32(`
      mov eax, [0xfee00030]
      mov ebx, 7
      xchg [0xfee000b0], ebx
      cli
      hlt`)
    expect(h.run(100)).toBe(X86HartExit.Mmio)
    expect(h.mmio).toEqual({ addr: 0xfee00030n, size: 4, isWrite: false, value: 0n, isFetch: false })
    h.completeMmio(0x50014n)
    expect(h.run(100)).toBe(X86HartExit.Mmio)
    expect(h.getReg('rax')).toBe(0x50014n)
    expect(h.mmio).toMatchObject({ addr: 0xfee000b0n, isWrite: false })
    h.completeMmio(0x1234n)
    expect(h.run(100)).toBe(X86HartExit.Mmio)
    expect(h.mmio).toMatchObject({ addr: 0xfee000b0n, isWrite: true, value: 7n })
    h.completeMmio(0n)
    expect(h.run(100)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rbx')).toBe(0x1234n)
    expect(h.instret).toBe(5n)
  })

  it('hlt with interrupts off stops for good; an external interrupt is asked for only when it can be taken, after the sti shadow', () => {
    const h = hart32(`
      ${gates32([0x20])}
      sti
      mov ecx, 1                 ; in sti's shadow: no interrupt before it
      hlt
      mov edx, 0x55
      cli
      hlt
    vec_32:
      inc dword [hits]
      iret
    hits: dd 0
    ${GATE_TABLES32}`)
    h.intrLine = true
    // Runs up to sti; then one instruction in the shadow; then the acknowledge.
    expect(h.run(1000)).toBe(X86HartExit.InterruptAck)
    expect(h.getReg('rcx')).toBe(1n)
    h.acknowledgeInterrupt(0x20)
    h.intrLine = false
    expect(h.run(1000)).toBe(X86HartExit.Hlt) // the handler ran and returned to the hlt
    expect(h.halted).toBe(true)
    expect(h.interruptible).toBe(true)
    expect(h.run(1000)).toBe(X86HartExit.Hlt) // nothing pending: stays halted, no steps
    h.intrLine = true
    expect(h.run(1000)).toBe(X86HartExit.InterruptAck)
    h.acknowledgeInterrupt(0x20)
    h.intrLine = false
    expect(h.run(1000)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rdx')).toBe(0x55n)
    expect(h.interruptible).toBe(false) // cli; hlt: stopped for good
    h.intrLine = true
    expect(h.run(1000)).toBe(X86HartExit.Hlt)
  })

  it('an NMI is delivered with IF = 0 and blocked until iret', () => {
    const h = hart32(`
      ${gates32([2])}
    spin:
      inc ebx
      jmp spin
    vec_2:
      inc ecx
      mov edx, [esp]             ; the interrupted EIP
      iret
    ${GATE_TABLES32}`)
    h.setReg('rcx', 0n)
    expect(h.run(100)).toBe(X86HartExit.StepsDone)
    h.raiseNmi()
    h.raiseNmi() // one latch: a second NMI before delivery is the same one
    expect(h.run(2)).toBe(X86HartExit.StepsDone) // delivered, then inc ecx, mov edx
    expect(h.getReg('rcx')).toBe(1n)
    h.raiseNmi() // while in the handler: blocked until iret
    expect(h.run(1)).toBe(X86HartExit.StepsDone) // iret
    expect(h.getReg('rcx')).toBe(1n)
    expect(h.run(2)).toBe(X86HartExit.StepsDone) // now delivered again
    expect(h.getReg('rcx')).toBe(2n)
  })

  it('MSRs the platform owns exit; the answer is the rdmsr result, null is #GP(0); mov cr8 exits with Tpr after it retires', () => {
    const h = hart32(`
      ${gates32([13])}
      mov ecx, 0x1b
      rdmsr                      ; IA32_APIC_BASE: the hart's
      mov esi, eax
      mov ecx, 0x2ff
      rdmsr                      ; MTRRdefType: the platform's
      mov edi, eax
      wrmsr                      ; refused by the platform: #GP(0)
      cli
      hlt
    vec_13:
      pop ebp                    ; error code
      mov ebx, 0x6b
      cli
      hlt
    ${GATE_TABLES32}`)
    expect(h.run(1000)).toBe(X86HartExit.Msr)
    expect(h.getReg('rsi')).toBe(0xfee00900n)
    expect(h.msr).toEqual({ msr: 0x2ff, isWrite: false, value: expect.any(BigInt) })
    h.completeMsr(0x806n)
    expect(h.run(1000)).toBe(X86HartExit.Msr)
    expect(h.getReg('rdi')).toBe(0x806n)
    expect(h.msr).toMatchObject({ msr: 0x2ff, isWrite: true, value: 0x806n })
    h.completeMsr(null)
    expect(h.run(1000)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rbx')).toBe(0x6bn)
    expect(h.getReg('rbp')).toBe(0n)
  })

  it('mov cr8 in 64-bit mode exits with Tpr after retiring; rdtsc counts steps and idle time', () => {
    const code = nasm(`bits 64\norg 0x${LOAD_ADDR.toString(16)}\n  mov eax, 9\n  mov cr8, rax\n  rdtsc\n  mov ebx, eax\n  rdtsc\n  cli\n  hlt\n`)
    const h = new X86Hart({ ramSize: 8 << 20 })
    h.ram.set(code, LOAD_ADDR)
    enterMode(h, 'long64', LOAD_ADDR)
    expect(h.run(100)).toBe(X86HartExit.Tpr)
    expect(h.getReg('cr8')).toBe(9n)
    expect(h.instret).toBe(2n)
    h.advanceTime(1000n) // as a platform does only while halted, but any time is allowed
    expect(h.time).toBe(1002n)
    expect(h.run(100)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rbx')).toBe(1002n)
    expect(h.getReg('rax')).toBe(1004n)
  })

  it('an instruction the hart does not implement stops with Unimplemented naming it; running on delivers #UD', () => {
    const h = hart32(`
      ${gates32([6])}
      movq mm0, [data]
    vec_6:
      mov ebx, 6
      cli
      hlt
    data: dq 0
    ${GATE_TABLES32}`)
    expect(h.run(1000)).toBe(X86HartExit.Unimplemented)
    const ud = h.undefinedOpcode!
    expect(ud.reason).toBe('unimplemented')
    expect(ud.mnemonic).toBe('movq')
    expect(Buffer.from(ud.bytes.subarray(0, 3)).toString('hex')).toBe('0f6f05')
    expect(h.run(1000)).toBe(X86HartExit.Hlt)
    expect(h.getReg('rbx')).toBe(6n)
  })

  it('ud2 is an invalid opcode delivered to the guest; int3 stops with Breakpoint when asked; requestStop stops', () => {
    const h = hart32(`
      ${gates32([6])}
      int3
      ud2
    vec_6:
      mov ebx, 6
      cli
      hlt
    ${GATE_TABLES32}`)
    h.haltOnInt3 = true
    expect(h.run(1000)).toBe(X86HartExit.Breakpoint)
    const rip = h.getReg('rip')
    expect(h.ram[Number(rip)]).toBe(0xcc)
    h.haltOnInt3 = false
    h.setReg('rip', rip + 1n)
    expect(h.run(1000)).toBe(X86HartExit.Hlt)
    expect(h.undefinedOpcode).toMatchObject({ reason: 'invalid', mnemonic: 'ud2' })
    h.requestStop()
    expect(h.run(1000)).toBe(X86HartExit.Breakpoint)
  })

  it('registers, segments, CPUID and the mode through the accessors', () => {
    const h = new X86Hart({ ramSize: 1 << 20 })
    expect(h.mode).toBe('real')
    expect(h.getSegment('cs')).toEqual({ selector: 0xf000, base: 0xffff0000n, limit: 0xffff, attrs: 0x9b })
    expect(h.getReg('rip')).toBe(0xfff0n)
    expect(h.getReg('cr0')).toBe(0x60000010n)
    h.setGpr(15, -1n)
    expect(h.getReg('r15')).toBe((1n << 64n) - 1n)
    h.setReg('rflags', 0x8d5n)
    expect(h.getReg('rflags')).toBe(0x8d7n)
    enterMode(h, 'long64', 0)
    expect([h.mode, h.codeSize, h.cpl, h.pagingMode]).toEqual(['long', 64, 0, '4-level'])
    h.setSegment('cs', { selector: 0x08, base: 0n, limit: 0xffffffff, attrs: 0xc09b })
    expect([h.mode, h.codeSize]).toEqual(['compat', 32])
    expect(h.getMsr(0xc0000080)).toBe(0x500n)
    expect(h.getMsr(0x2ff)).toBeUndefined()
    h.setMsr(0xc0000100, 0x1234n)
    expect(h.getSegment('fs').base).toBe(0x1234n)
    const v = h.cpuid(0)
    expect(Buffer.from(new Uint32Array([v.ebx, v.edx, v.ecx]).buffer).toString()).toBe('BootscopeCPU')
    expect(h.cpuid(0x80000001).edx & (1 << 29)).not.toBe(0) // long mode
  })

  it('snapshot/restore and saveState/loadState + dirty pages reproduce a run exactly', () => {
    const src = `
      mov ecx, 200
      mov esi, buf
    l:
      imul eax, ecx, 7
      add [esi + ecx*4], eax
      dec ecx
      jnz l
      cli
      hlt
    align 4096
    buf: times 1024 dd 0`
    const a = hart32(src)
    expect(a.run(300)).toBe(X86HartExit.StepsDone)
    const snap = a.snapshot()
    const state = a.saveState()
    a.clearDirty()
    expect(a.run(100000)).toBe(X86HartExit.Hlt)
    const finalRam = a.ram.slice()
    const dirty = a.dirtyPages()
    expect(dirty).toContain((LOAD_ADDR >> 12) + 1) // buf's page
    const b = new X86Hart({ ramSize: 8 << 20 })
    b.restore(snap)
    expect(b.instret).toBe(300n)
    expect(b.run(100000)).toBe(X86HartExit.Hlt)
    expect(Buffer.compare(Buffer.from(b.ram), Buffer.from(finalRam))).toBe(0)
    expect(b.getReg('rip')).toBe(a.getReg('rip'))
    // The delta way, as replay checkpoints do it: the state, plus the RAM pages written since, put back.
    const c = new X86Hart({ ramSize: 8 << 20 })
    c.restore(snap)
    const ramAtSnap = c.ram.slice()
    c.clearDirty()
    expect(c.run(5000)).toBe(X86HartExit.Hlt)
    for (const p of c.dirtyPages()) c.ram.set(ramAtSnap.subarray(p * 4096, p * 4096 + 4096), p * 4096)
    c.loadState(state)
    expect(c.instret).toBe(300n)
    expect(c.run(100000)).toBe(X86HartExit.Hlt)
    expect(c.getReg('rax')).toBe(a.getReg('rax'))
    expect(Buffer.compare(Buffer.from(c.ram), Buffer.from(finalRam))).toBe(0)
  })

  it('is deterministic: one long run and many short ones end in the same state', () => {
    const src = `
      mov ecx, 5000
    l:
      rdtsc
      add ebx, eax
      imul ebx, ebx, 3
      dec ecx
      jnz l
      cli
      hlt`
    const one = hart32(src)
    expect(one.run(1_000_000)).toBe(X86HartExit.Hlt)
    const many = hart32(src)
    let exit: X86HartExit
    do exit = many.run(7); while (exit === X86HartExit.StepsDone)
    expect(exit).toBe(X86HartExit.Hlt)
    expect(many.instret).toBe(one.instret)
    expect(many.getReg('rbx')).toBe(one.getReg('rbx'))
  })
})

describe.skipIf(nasmTool.missing)('the x86 trace ring (traced build)', () => {
  beforeAll(() => ensureX86Wasm())

  /** Runs `n` int 0x80 from a loop to a handler that only irets; every drained record, and how often the ring filled. */
  function intLoop(n: number, kinds?: readonly (typeof X86_TRACE_KIND)[keyof typeof X86_TRACE_KIND][]): { records: X86TraceRecord[]; fills: number; h: X86Hart } {
    const h = hart32(`
      ${gates32([0x80])}
      mov ecx, ${n}
    again:
      int 0x80
      dec ecx
      jnz again
      cli
      hlt
    vec_128:
      iret
    ${GATE_TABLES32}`, 8 << 20, true)
    if (kinds) h.traceKinds = kinds
    h.drainTrace() // the records of the mode setup
    const records: X86TraceRecord[] = []
    let fills = 0
    for (;;) {
      const exit = h.run(10_000_000)
      records.push(...decodeX86TraceRecords(h.drainTrace()))
      if (exit === X86HartExit.TraceFull) { fills++; continue }
      expect(exit).toBe(X86HartExit.Hlt)
      return { records, fills, h }
    }
  }

  it('records each int 0x80 as an EXC at the int\'s own step (it retires with its delivery) and an IRET one step later', () => {
    const { records, h } = intLoop(3)
    const exc = records.filter((r) => r.kind === X86_TRACE_KIND.EXC)
    const iret = records.filter((r) => r.kind === X86_TRACE_KIND.IRET)
    expect(exc).toHaveLength(3)
    expect(iret).toHaveLength(3)
    for (let i = 0; i < 3; i++) {
      expect(exc[i].aux & 0xff).toBe(0x80)
      expect((exc[i].aux >> 12) & EXC_FLAG.SOFTWARE).toBe(EXC_FLAG.SOFTWARE)
      expect(iret[i].b, 'iret returns where the int 0x80 trap said it would').toBe(exc[i].c)
      expect(iret[i].a, 'the iret is the handler').toBe(exc[i].d)
      // int 0x80 (step s, retires: SDM vol. 3, 6.5 — a trap is reported after the instruction), iret (s + 1), dec, jnz.
      expect(iret[i].step, 'the handler\'s first instruction runs one step after the int').toBe(exc[i].step + 1n)
      if (i > 0) expect(exc[i].step - exc[i - 1].step, 'int, iret, dec, jnz').toBe(4n)
    }
    // After the last int (step s): iret, dec, jnz (falls through), cli, hlt — hlt retires too: instret = s + 6.
    expect(h.instret).toBe(exc[2].step + 6n)
    expect(h.traceKinds).toEqual(Object.values(X86_TRACE_KIND))
  })

  it('an exception-only trace keeps the EXC records alone, and 200 000 events fill the ring at most three times', () => {
    const all = intLoop(1000)
    const only = intLoop(200_000, [X86_TRACE_KIND.EXC, X86_TRACE_KIND.SHUTDOWN])
    expect(only.h.traceKinds).toEqual([X86_TRACE_KIND.EXC, X86_TRACE_KIND.SHUTDOWN])
    expect(new Set(only.records.map((r) => r.kind))).toEqual(new Set([X86_TRACE_KIND.EXC]))
    expect(only.records).toHaveLength(200_000)
    expect(only.fills).toBeLessThanOrEqual(3)
    // The same events as the full trace, where both ran.
    const fullExc = all.records.filter((r) => r.kind === X86_TRACE_KIND.EXC)
    expect(only.records.slice(0, 1000).map((r) => [r.step, r.aux, r.c, r.d])).toEqual(fullExc.map((r) => [r.step, r.aux, r.c, r.d]))
  })
})
