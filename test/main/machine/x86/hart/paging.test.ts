/**
 * Paging on the x86 hart: the test kernels of paging-kernels.ts print values read through their
 * mappings, #PF error codes and CR2, and paging-entry values; each output must be what the SDM
 * says (asserted here line by line) and what QEMU prints for the same kernel. The TLB rules QEMU
 * does not model (global pages kept across a CR3 write; the strict teaching mode) and reserved-bit
 * faults are checked on the hart alone.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import { oracle } from '../../../../support/oracles'
import { buildKernel, runKernel, runInQemu } from './mb1-harness'
import { PAGING32, PAGING64, PAGING_PAE } from './paging-kernels'
import { ensureX86Wasm, runX86 } from './x86-run'
import { X86HartExit } from '../../../../../src/main/machine/x86/hart/hart-api'

const qemu = oracle('qemu-system-x86_64', 'qemu-system-x86')
const nasm = oracle('nasm', 'nasm')

function both(source: string): { ours: string; qemu: string | undefined } {
  const elf = buildKernel(source)
  const o = runKernel(elf)
  expect(o.exitStatus, `the kernel exits through isa-debug-exit:\n${Buffer.from(o.serial).toString()}`).toBe(1)
  const q = qemu.missing ? undefined : Buffer.from(runInQemu(elf, qemu.path!, 60_000, 'qemu64,+abm,+popcnt').serial).toString()
  return { ours: Buffer.from(o.serial).toString(), qemu: q }
}

describe.skipIf(nasm.missing)('x86 paging', () => {
  beforeAll(() => ensureX86Wasm())

  it('32-bit paging: not-present and protection faults with CR0.WP, 4 MiB pages, A/D bits, invlpg, a user access to a supervisor page', () => {
    const { ours, qemu: q } = both(PAGING32)
    expect(ours).toBe([
      'paging on',
      'read A=11111111',
      'pte A=00102023', // A set by the read
      'PF err=00000000 cr2=00401000 from cpl 00000000', // not present, read, supervisor
      'C after write=00001234', // CR0.WP = 0: a supervisor write to a read-only page succeeds
      'PF err=00000003 cr2=00402000 from cpl 00000000', // CR0.WP = 1: present + write
      'read through 4 MiB page=11111111',
      'pte A after write=00102063', // A and D
      'pde 4M after read=000000a3', // PS + A on the 4 MiB page
      'A after invlpg=00001234', // the new mapping after invlpg
      'PF err=00000005 cr2=00400000 from cpl 00000003', // user read of a supervisor page: present + user
      'end', '',
    ].join('\n'))
    if (q !== undefined) expect(ours).toBe(q)
  })

  it('PAE paging with EFER.NXE: execute-disable faults set I/D, a not-present PDPTE faults, A is set only when the access is allowed', () => {
    const { ours, qemu: q } = both(PAGING_PAE)
    expect(ours).toBe([
      'pae on',
      'exec ok=5a5a5a5a',
      'PF err=00000011 cr2=00201000 from cpl 00000000', // instruction fetch from an XD page: I/D + P
      'PF err=00000000 cr2=40000000 from cpl 00000000',
      'pte x=00102023 00102003', '',
    ].join('\n'))
    if (q !== undefined) expect(ours).toBe(q)
  })

  it('4-level paging: 1 GiB, 2 MiB and 4 KiB pages in the higher half, a recursive PML4 slot, XD, non-canonical #GP', () => {
    const { ours, qemu: q } = both(PAGING64)
    expect(ours).toBe([
      'long on',
      'via 1G=1234567887654321',
      'via 2M=1234567887654321',
      'via 4K=1234567887654321',
      'pte after write=0000000000102063',
      'pml4e 256=0000000000107023',
      'recursive pml4 read=0000000000107023',
      'PF err=0000000000000000 cr2=ffff800040201000',
      'PF err=0000000000000011 cr2=ffff800040202000',
      'GP err=0000000000000000', // a non-canonical address is #GP(0), not #PF
      'PF err=0000000000000000 cr2=0000000080000000', '',
    ].join('\n'))
    if (q !== undefined) expect(ours).toBe(q)
  })

  /** A 32-bit program that maps 0x400000 → frame A (global when asked), then changes the PTE to frame B. */
  const remap = (global: boolean, flush: string): string => `
    mov edi, pt0
    xor eax, eax
  .id:
    mov edx, eax
    shl edx, 12
    or edx, 3
    mov [edi+eax*4], edx
    inc eax
    cmp eax, 1024
    jne .id
    mov dword [pd], pt0 + 3
    mov dword [pd+4], pt1 + 3
    mov dword [pt1], frame_a + ${global ? 0x103 : 3}
    mov dword [pd+5*4], pt1 + 3  ; 0x1400000 (through pt1 too) shares 0x400000's slot in the 4096-entry direct-mapped TLB
    mov eax, pd
    mov cr3, eax
    mov eax, cr4
    or eax, 0x80                 ; PGE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov ebx, [0x400000]          ; caches the translation
    mov dword [pt1], frame_b + 3 ; remap without telling the TLB
    ${flush}
    mov ecx, [0x400000]
    cli
    hlt
  align 4096
  frame_a: dd 0xaaaa
  align 4096
  frame_b: dd 0xbbbb
  align 4096
  pd: times 1024 dd 0
  pt0: times 1024 dd 0
  pt1: times 1024 dd 0
  `

  it('a CR3 write flushes non-global translations but keeps global ones (CR4.PGE)', () => {
    const reload = 'mov eax, cr3\n    mov cr3, eax'
    expect(runX86(remap(false, reload)).hart.getReg('rcx')).toBe(0xbbbbn)
    expect(runX86(remap(true, reload)).hart.getReg('rcx')).toBe(0xaaaan)
    expect(runX86(remap(true, 'invlpg [0x400000]')).hart.getReg('rcx')).toBe(0xbbbbn)
  })

  it('strict TLB mode keeps a stale translation until invlpg even when the fast TLB evicts it; the default mode re-walks then', () => {
    const evict = 'mov edx, [0x1400000]'
    expect(runX86(remap(false, evict)).hart.getReg('rcx')).toBe(0xbbbbn)
    const strict = (flush: string): bigint => runX86(remap(false, flush), { setup: (h) => { h.strictTlb = true } }).hart.getReg('rcx')
    expect(strict(evict)).toBe(0xaaaan)
    expect(strict('nop')).toBe(0xaaaan)
    expect(strict('invlpg [0x400000]')).toBe(0xbbbbn)
  })

  it('a reserved bit in a PAE entry is a #PF with RSVD and P set, and CR2 = the address', () => {
    const r = runX86(`
      mov dword [pdpt], pd + 1
      mov dword [pd], 0x83            ; 0-2 MiB identity
      mov dword [pd+8], 0x200083      ; 2-4 MiB identity ...
      mov dword [pd+12], 0x100        ; ... with bit 40 set: reserved with MAXPHYADDR 40
      mov eax, pdpt
      mov cr3, eax
      mov eax, cr4
      or eax, 0x20
      mov cr4, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov eax, [0x300000]
      cli
      hlt
    align 4096
    pd: times 512 dq 0
    align 32
    pdpt: times 4 dq 0
    `, { mode: 'prot32', setup: (h) => { h.stopOnUnimplemented = true } })
    // No IDT: the #PF becomes a double and then a triple fault, whose first fault is the one we want.
    expect(r.exit).toBe(X86HartExit.TripleFault)
    const first = r.hart.tripleFault!.faults[0]
    expect(first.vector).toBe(14)
    expect(first.errorCode).toBe(0x9) // RSVD | P, a read at CPL 0
    expect(first.cr2).toBe(0x300000n)
  })

  it('probe translates without side effects and reports the #PF error code an access would raise', () => {
    const r = runX86(`
      mov dword [pdpt], pd + 1
      mov dword [pd], 0x83
      mov dword [pd+8], 0x200081      ; 2-4 MiB: present, read-only, supervisor
      mov eax, pdpt
      mov cr3, eax
      mov eax, cr4
      or eax, 0x20
      mov cr4, eax
      mov eax, cr0
      or eax, 0x80010000
      mov cr0, eax
      cli
      hlt
    align 4096
    pd: times 512 dq 0
    align 32
    pdpt: times 4 dq 0
    `)
    const h = r.hart
    expect(h.pagingMode).toBe('pae')
    expect(h.probe(0x234567n)).toEqual({ ok: true, pa: 0x234567n, pageSize: 4096 })
    expect(h.probe(0x234567n, { write: true })).toEqual({ ok: false, errorCode: 0x3 })
    expect(h.probe(0x234567n, { user: true })).toEqual({ ok: false, errorCode: 0x5 })
    expect(h.probe(0x40000000n)).toEqual({ ok: false, errorCode: 0x0 })
  })
})
