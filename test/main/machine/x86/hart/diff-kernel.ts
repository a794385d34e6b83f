/**
 * The differential-test kernel: a Multiboot 1 kernel that loads its own GDT, switches to the
 * mode under test — stays in 32-bit protected mode, enters long mode (PAE, identity-mapped 2 MiB
 * pages, EFER.LME, a 64-bit code segment), or runs a 16-bit code segment (a flat binary copied to
 * 0x20000, its own segment base) — and then runs the generated cases, each followed by a dump of
 * the general registers, RFLAGS and the 48-byte scratch buffer as raw bytes on COM1. `parseDumps`
 * splits the serial output back into records for the comparison.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildKernel } from './mb1-harness'
import { diffRows, instances, prng, setup, type DiffCase, type DiffMode } from './diff-gen'
import { sseRows, sseInstance, randomXmm } from './diff-sse'

export const SCRATCH_BYTES = 48

/** Bytes per dump record: registers (8 or 16, rSP included), flags, scratch, and the XMM registers for SSE kernels. */
export function dumpBytes(mode: DiffMode, sse = false): number {
  return (mode === 64 ? 16 * 8 + 8 + SCRATCH_BYTES : 8 * 4 + 4 + SCRATCH_BYTES) + (sse ? xmmCount(mode) * 16 : 0)
}
const xmmCount = (mode: DiffMode): number => (mode === 64 ? 16 : 8)

const GDT = `
align 8
gdt:
  dq 0
  dq 0x00CF9A000000FFFF ; 0x08 code32
  dq 0x00CF92000000FFFF ; 0x10 data32
  dq 0x00AF9A000000FFFF ; 0x18 code64
  dq 0x00009A020000FFFF ; 0x20 code16, base 0x20000
  dq 0x000092020000FFFF ; 0x28 data16, base 0x20000
gdt_end:
gdtr:
  dw gdt_end - gdt - 1
  dd gdt
`

/** Case body: scratch initialisation, register/flag setup, the instruction, the dump. */
function caseCode(c: DiffCase, mode: DiffMode, rnd: () => number): string {
  const lines: string[] = [`; ${c.text}`]
  for (let k = 0; k < SCRATCH_BYTES; k += 4) lines.push(`mov dword [scratch+${k}], 0x${Math.floor(rnd() * 2 ** 32).toString(16)}`)
  lines.push(setup(c, mode, rnd), c.text, 'call dump')
  return lines.join('\n')
}

/** An SSE case: also loads every XMM register from its own table row first. */
function sseCaseCode(c: DiffCase, mode: DiffMode, rnd: () => number, n: number): string {
  const lines: string[] = [`; ${c.text}`]
  for (let k = 0; k < SCRATCH_BYTES; k += 4) lines.push(`mov dword [scratch+${k}], 0x${Math.floor(rnd() * 2 ** 32).toString(16)}`)
  const rows: string[] = []
  for (let i = 0; i < xmmCount(mode); i++) {
    rows.push(`db ${randomXmm(rnd).join(',')}`)
    lines.push(`movdqu xmm${i}, [xtab${n} + ${i * 16}]`)
  }
  lines.push(setup(c, mode, rnd), c.text, 'call dump', 'call dumpx', `section .data\nxtab${n}:\n${rows.join('\n')}\nsection .text`)
  return lines.join('\n')
}

/** Sends the XMM registers (after `dump`, in the same record). */
function dumpXmm(mode: DiffMode): string {
  const si = mode === 64 ? 'rsi' : 'esi'
  const stores = Array.from({ length: xmmCount(mode) }, (_, i) => `  movdqu [xbuf+${i * 16}], xmm${i}`).join('\n')
  return `
dumpx:
${stores}
  mov ${si}, xbuf
  mov ecx, ${xmmCount(mode) * 16}
  call send
  ret
`
}

const DUMP32 = `
dump:
  pushfd
  mov [dbuf+0], eax
  mov [dbuf+4], ecx
  mov [dbuf+8], edx
  mov [dbuf+12], ebx
  lea eax, [esp+8]
  mov [dbuf+16], eax
  mov [dbuf+20], ebp
  mov [dbuf+24], esi
  mov [dbuf+28], edi
  pop eax
  mov [dbuf+32], eax
  mov esi, dbuf
  mov ecx, 36
  call send
  mov esi, scratch
  mov ecx, ${SCRATCH_BYTES}
  call send
  ret
send:
  mov dx, 0x3f8
.l:
  mov al, [esi]
  out dx, al
  inc esi
  dec ecx
  jnz .l
  ret
`

const DUMP64 = `
dump:
  pushfq
  mov [dbuf+0], rax
  mov [dbuf+8], rcx
  mov [dbuf+16], rdx
  mov [dbuf+24], rbx
  lea rax, [rsp+16]
  mov [dbuf+32], rax
  mov [dbuf+40], rbp
  mov [dbuf+48], rsi
  mov [dbuf+56], rdi
  mov [dbuf+64], r8
  mov [dbuf+72], r9
  mov [dbuf+80], r10
  mov [dbuf+88], r11
  mov [dbuf+96], r12
  mov [dbuf+104], r13
  mov [dbuf+112], r14
  mov [dbuf+120], r15
  pop rax
  mov [dbuf+128], rax
  mov rsi, dbuf
  mov ecx, 136
  call send
  mov rsi, scratch
  mov ecx, ${SCRATCH_BYTES}
  call send
  ret
send:
  mov dx, 0x3f8
.l:
  mov al, [rsi]
  out dx, al
  inc rsi
  dec ecx
  jnz .l
  ret
`

/** The 16-bit variant: the same layout as DUMP32 (32-bit registers through operand-size prefixes), SP as a 16-bit offset. */
const DUMP16 = DUMP32.replace('lea eax, [esp+8]', 'movzx eax, sp\n  add eax, 6').replace(/\[esi\]/, '[si]')

export interface DiffKernel {
  elf: Uint8Array
  cases: DiffCase[]
}

/**
 * Builds the kernels for `mode` with `perRow` random instances of every covered row, at most
 * `perKernel` cases each (a 16-bit code segment holds 64 KiB of code).
 */
export function diffKernels(mode: DiffMode, seed: number, perRow: number, perKernel = 300): DiffKernel[] {
  const rnd = prng(seed)
  const cases: DiffCase[] = []
  for (const r of diffRows(mode)) cases.push(...instances(r, mode, rnd, perRow))
  const code = cases.map((c) => caseCode(c, mode, rnd))
  const out: DiffKernel[] = []
  for (let i = 0; i < cases.length; i += perKernel) {
    out.push({ elf: kernelFor(mode, code.slice(i, i + perKernel).join('\n')), cases: cases.slice(i, i + perKernel) })
  }
  return out
}

/** Kernels for the SSE rows the hart executes (32- or 64-bit mode). */
export function sseKernels(mode: DiffMode, seed: number, perRow: number, perKernel = 150): DiffKernel[] {
  const rnd = prng(seed)
  const cases: DiffCase[] = []
  for (const r of sseRows(mode)) {
    for (let k = 0; k < perRow; k++) {
      const c = sseInstance(r, mode, rnd)
      if (c) cases.push(c)
    }
  }
  const code = cases.map((c, i) => sseCaseCode(c, mode, rnd, i))
  const out: DiffKernel[] = []
  for (let i = 0; i < cases.length; i += perKernel) {
    out.push({ elf: kernelFor(mode, code.slice(i, i + perKernel).join('\n'), dumpXmm(mode)), cases: cases.slice(i, i + perKernel) })
  }
  return out
}

/** A Multiboot kernel running `body` and then exiting; `routines` (called by the body) come after the exit. */
function kernelFor(mode: DiffMode, body: string, routines = ''): Uint8Array {
  const exit = 'mov al, 0\n  out 0xf4, al\n  cli\n  hlt'
  const data = `align 16\nscratch: times ${SCRATCH_BYTES} db 0\nalign 16\ndbuf: times 160 db 0\nalign 16\nxbuf: times 256 db 0\n`
  const prologue = `
_start:
  cli
  lgdt [gdtr]
  jmp 0x08:.flat
.flat:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov fs, ax
  mov gs, ax
  mov esp, stack_top
  mov eax, cr0
  and eax, ~4                          ; EM = 0
  or eax, 2                            ; MP = 1
  mov cr0, eax
  mov eax, cr4
  or eax, 0x600                        ; OSFXSR, OSXMMEXCPT: SSE on
  mov cr4, eax
`
  let text: string
  if (mode === 32) {
    text = `${prologue}\n${body}\n${exit}\n${DUMP32}\n${routines}`
  } else if (mode === 64) {
    text = `${prologue}
  ; identity-map the first GiB with 2 MiB pages and enter long mode (SDM vol. 3, 9.8.5)
  mov edi, pd
  xor eax, eax
.pde:
  mov edx, eax
  shl edx, 21
  or edx, 0x83
  mov [edi+eax*8], edx
  mov dword [edi+eax*8+4], 0
  inc eax
  cmp eax, 512
  jne .pde
  mov dword [pdpt], pd + 3
  mov dword [pml4], pdpt + 3
  mov eax, pml4
  mov cr3, eax
  mov eax, cr4
  or eax, 0x20
  mov cr4, eax
  mov ecx, 0xC0000080
  rdmsr
  or eax, 0x100
  wrmsr
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  jmp 0x18:long_start
bits 64
long_start:
  mov rsp, stack_top
${body}
${exit}
${DUMP64}
${routines}`
  } else {
    // 16-bit: the cases are a flat binary (org 0) run from a 16-bit code segment based at 0x20000.
    const blob = nasmFlat(`bits 16\norg 0\n  mov ax, 0x28\n  mov ds, ax\n  mov es, ax\n  mov ss, ax\n  mov sp, 0xfff0\n${body}\n${exit}\n${DUMP16}\nalign 16\n${data}`)
    if (blob.length > 0xf000) throw new Error(`16-bit test blob too large (${blob.length} bytes): fewer cases per kernel`)
    text = `${prologue}
  mov esi, blob
  mov edi, 0x20000
  mov ecx, ${blob.length}
  rep movsb
  jmp 0x20:0
section .data
blob: db ${Array.from(blob).join(',')}
section .text
`
  }
  return buildKernel(`${text}
${GDT}
section .data
${mode === 16 ? '' : data}
section .bss
alignb 4096
pml4: resb 4096
pdpt: resb 4096
pd: resb 4096
resb 16384
stack_top:
`)
}

function nasmFlat(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'x86-blob-'))
  try {
    writeFileSync(join(dir, 'b.asm'), source)
    execFileSync('nasm', ['-f', 'bin', '-w-all', '-o', join(dir, 'b.bin'), join(dir, 'b.asm')], { stdio: 'pipe', maxBuffer: 64 << 20 })
    return new Uint8Array(execFileSync('cat', [join(dir, 'b.bin')]))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface DumpRecord {
  regs: bigint[]
  flags: bigint
  scratch: Uint8Array
  /** XMM registers (SSE kernels). */
  xmm: Uint8Array
}

/** Splits serial output into dump records. */
export function parseDumps(serial: Uint8Array, mode: DiffMode, sse = false): DumpRecord[] {
  const size = dumpBytes(mode, sse)
  const plain = dumpBytes(mode)
  const w = mode === 64 ? 8 : 4
  const n = mode === 64 ? 16 : 8
  const out: DumpRecord[] = []
  const dv = new DataView(serial.buffer, serial.byteOffset, serial.byteLength)
  for (let o = 0; o + size <= serial.length; o += size) {
    const rd = (at: number): bigint => (w === 8 ? dv.getBigUint64(at, true) : BigInt(dv.getUint32(at, true)))
    const regs: bigint[] = []
    for (let i = 0; i < n; i++) regs.push(rd(o + i * w))
    out.push({ regs, flags: rd(o + n * w), scratch: serial.slice(o + (n + 1) * w, o + plain), xmm: serial.slice(o + plain, o + size) })
  }
  return out
}
