/**
 * x86 hart speed, with QEMU (TCG, `qemu-system-x86_64 -kernel`, Multiboot 1) as the peer in the
 * same run: guest MIPS, of CPU time and of wall time, on three Multiboot kernels — an integer
 * loop (ALU, shifts, multiplies, loads and stores, branches; 32-bit protected mode), a
 * paging-heavy loop (64-bit, touching 4096 pages then reloading CR3, so every pass walks 4096 times) and
 * an interrupt-heavy loop (64-bit, `int 0x80` to a handler that returns with iretq). Ours: the
 * untraced build, the traced build (what `bootscope record` runs) and the traced build keeping
 * only exception records. QEMU's times are those of the whole process minus its start-up (the
 * same kernel with one iteration); its instruction count comes from ours per iteration. The
 * machine is shared: CPU time is the fairer figure under load. BOOTSCOPE_X86_WASM=path
 * (BOOTSCOPE_X86_TRACE_WASM=path) measures another untraced (traced) build.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { X86Hart } from '../src/main/machine/x86/hart/hart'
import { X86HartExit } from '../src/main/machine/x86/hart/hart-api'
import { X86_TRACE_KIND } from '../src/main/machine/x86/hart/trace-layout'
import { buildKernel, loadMultiboot1 } from '../test/main/machine/x86/hart/mb1-harness'
import { ENTER32, GDT32, IDT64, TO_LONG, STACK } from '../test/main/machine/x86/hart/kernel-lib'
import { ensureX86Wasm } from '../test/main/machine/x86/hart/x86-run'
import type { BenchResult } from './bench-types'

const QEMU = 'qemu-system-x86_64'
const EXIT = 'mov al, 0\n  out 0xf4, al\n  cli\n  hlt'

/** ~20 instructions per iteration: an LCG drives loads and stores over a 16 KiB buffer. */
export function integerKernel(iterations: number): Uint8Array {
  return buildKernel(`
${ENTER32}
  mov ebp, ${iterations}
  mov esi, 0x2545F491
  xor edi, edi
.loop:
  imul esi, esi, 1103515245
  add esi, 12345
  mov eax, esi
  shr eax, 16
  and eax, 0x3ffc
  mov edx, [buf + eax]
  xor edx, esi
  mov [buf + eax], edx
  add edi, edx
  mov ecx, edi
  shl ecx, 7
  shr edi, 25
  or edi, ecx
  test eax, 4
  jz .even
  add edi, 3
  jmp .next
.even:
  sub edi, 1
.next:
  dec ebp
  jnz .loop
  ${EXIT}
${GDT32}
section .bss
alignb 16
buf: resb 16384
${STACK}
`)
}

/** 64-bit: each iteration touches 4096 pages (4 KiB, 16 MiB) and reloads CR3 (an address-space switch), so every touch walks. */
export function pagingKernel(iterations: number): Uint8Array {
  return buildKernel(`
${ENTER32}
${TO_LONG}
bits 64
long_start:
  mov rsp, stack_top
  ; 0x40000000-0x40ffffff: 4096 4 KiB pages onto physical 16-32 MiB (pdpt[1] → pd2 → 8 page tables)
  mov rax, pd2 + 7
  mov [pdpt + 8], rax
  xor ecx, ecx
.pt:
  mov rax, rcx
  shl rax, 12
  add rax, 0x1000000 + 7
  mov [pts + rcx*8], rax
  inc ecx
  cmp ecx, 4096
  jne .pt
  xor ecx, ecx
.pd:
  mov rax, rcx
  shl rax, 12
  add rax, pts + 7
  mov [pd2 + rcx*8], rax
  inc ecx
  cmp ecx, 8
  jne .pd
  mov rax, cr3
  mov cr3, rax
  mov ebp, ${iterations}
.iter:
  mov rbx, 0x40000000
  mov ecx, 4096
.touch:
  add [rbx], ecx
  add rbx, 4096
  dec ecx
  jnz .touch
  mov rax, cr3
  mov cr3, rax
  dec ebp
  jnz .iter
  ${EXIT}
section .bss
alignb 4096
pd2: resb 4096
pts: resb 8*4096
bits 32
${GDT32}
${STACK}
`)
}

/** 64-bit: int 0x80 to an interrupt gate whose handler only returns (delivery + iretq per iteration). */
export function interruptKernel(iterations: number): Uint8Array {
  return buildKernel(`
${ENTER32}
${TO_LONG}
bits 64
long_start:
  mov rsp, stack_top
  mov eax, 0x80
  mov rbx, handler
  mov ecx, 0x8E
  xor edx, edx
  call set_gate64
  call lidt64
  mov ebp, ${iterations}
.loop:
  int 0x80
  dec ebp
  jnz .loop
  ${EXIT}
handler:
  add r8, 1
  iretq
${IDT64}
bits 32
${GDT32}
${STACK}
`)
}

/** CPU (user + system) and wall seconds. */
interface Times {
  cpuS: number
  wallS: number
}

/** trace: 'exceptions' = the traced build recording only EXC and SHUTDOWN records (hart.traceKinds). */
function runOurs(elf: Uint8Array, trace: boolean | 'exceptions'): { times: Times; instret: bigint } {
  const hart = new X86Hart({ ramSize: 64 << 20, trace: trace !== false })
  if (trace === 'exceptions') hart.traceKinds = [X86_TRACE_KIND.EXC, X86_TRACE_KIND.SHUTDOWN]
  loadMultiboot1(hart, elf)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (;;) {
    const exit = hart.run(50_000_000)
    if (exit === X86HartExit.Io) {
      if (hart.io.port === 0xf4) break
      hart.completeIo(0)
    } else if (exit === X86HartExit.TraceFull) hart.drainTrace()
    else if (exit !== X86HartExit.StepsDone) throw new Error(`unexpected exit ${exit}`)
  }
  const c = process.cpuUsage(c0)
  return { times: { cpuS: (c.user + c.system) / 1e6, wallS: (performance.now() - t0) / 1000 }, instret: hart.instret }
}

/** QEMU's CPU time (bash `time`: user + system of the whole process) and wall time for one kernel. */
function qemuTimes(elf: Uint8Array): Times {
  const dir = mkdtempSync(join(tmpdir(), 'x86-bench-'))
  try {
    const file = join(dir, 'k.elf')
    writeFileSync(file, elf)
    const args = ['-kernel', file, '-display', 'none', '-monitor', 'none', '-serial', 'none', '-no-reboot',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-m', '64']
    const t0 = performance.now()
    const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time ${QEMU} ${args.join(' ')}`], { encoding: 'utf8', timeout: 300_000 })
    const wallS = (performance.now() - t0) / 1000
    // isa-debug-exit: exit status (0 << 1) | 1 = 1.
    if (r.status !== 1) throw new Error(`QEMU exited with ${r.status}: ${r.stderr}`)
    const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number)
    return { cpuS: user + sys, wallS }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const mips = (instructions: number, seconds: number): number => instructions / Math.max(seconds, 1e-3) / 1e6

/** MIPS (of CPU time and of wall time) of ours untraced, traced, traced with exceptions only, and QEMU's. */
interface Measured {
  untraced: Times
  traced: Times
  exceptionsOnly: Times
  qemu?: Times
}

/**
 * Ours (untraced and traced) and QEMU's MIPS on one kernel family. Both are measured the same way:
 * the run of n iterations minus the run of one iteration (start-up, and the first touch of fresh
 * memory — a new wasm memory's pages, like a new QEMU process's RAM, cost a host page fault each
 * on first use, which on this machine dominates a short run). QEMU runs `qemuScale` times the
 * iterations so its start-up is small beside the work; its instruction count is ours per
 * iteration (the same guest code).
 */
function measure(build: (n: number) => Uint8Array, n: number, qemuScale: number): Measured {
  runOurs(build(Math.max(1, Math.floor(n / 20))), false) // warm the wasm tiers
  const one = build(1)
  const many = build(n)
  const ours = (trace: boolean | 'exceptions'): Times => {
    const a = runOurs(one, trace)
    const b = runOurs(many, trace)
    const work = b.instret - a.instret
    return { cpuS: mips(Number(work), b.times.cpuS - a.times.cpuS), wallS: mips(Number(work), b.times.wallS - a.times.wallS) }
  }
  const untraced = ours(false)
  const traced = ours(true)
  const exceptionsOnly = ours('exceptions')
  let qemu: Times | undefined
  if (spawnSync(QEMU, ['--version']).status === 0) {
    const perIteration = Number(runOurs(many, false).instret - runOurs(one, false).instret) / (n - 1)
    const a = qemuTimes(one)
    const b = qemuTimes(one)
    const total = qemuTimes(build(n * qemuScale))
    const work = perIteration * (n * qemuScale - 1)
    qemu = {
      cpuS: mips(work, total.cpuS - Math.min(a.cpuS, b.cpuS)),
      wallS: mips(work, total.wallS - Math.min(a.wallS, b.wallS)),
    }
  }
  return { untraced, traced, exceptionsOnly, qemu }
}

export default async function (): Promise<BenchResult[]> {
  ensureX86Wasm()
  const out: BenchResult[] = []
  const add = (name: string, r: Measured, goal?: number): void => {
    for (const k of ['cpuS', 'wallS'] as const) {
      const clock = k === 'cpuS' ? 'MIPS of CPU time' : 'MIPS of wall time'
      const peer = r.qemu === undefined ? undefined : { name: 'QEMU 7.2 TCG', value: r.qemu[k] }
      const met = goal === undefined ? {} : { goal: `≥ ${goal} MIPS`, met: r.untraced[k] >= goal }
      out.push({ name: `${name}, untraced (${clock})`, value: r.untraced[k], unit: 'MIPS', peer, ...met })
      out.push({ name: `${name}, traced build (${clock})`, value: r.traced[k], unit: 'MIPS', peer })
      out.push({ name: `${name}, traced build, exceptions only (${clock})`, value: r.exceptionsOnly[k], unit: 'MIPS', peer })
    }
  }
  add('x86 integer loop (32-bit)', measure(integerKernel, 2_000_000, 20), 150)
  add('x86 paging-heavy loop (64-bit, 4096 pages + CR3 reload per pass)', measure(pagingKernel, 200, 10))
  add('x86 interrupt-heavy loop (64-bit, int 0x80 + iretq)', measure(interruptKernel, 1_000_000, 20))
  return out
}
