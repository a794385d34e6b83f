/**
 * The CPU model CPUID describes (SDM vol. 2, CPUID): vendor "BootscopeCPU", one logical
 * processor, and exactly the features this hart implements — so a kernel that probes before it
 * uses a feature never takes a path we cannot run. Documented for users in docs/x86-cpu.md.
 *
 * Leaf 1 EDX: fpu de pse tsc msr pae cx8 apic sep pge cmov pat pse36 clfsh fxsr sse sse2;
 * ECX: cx16 popcnt. Leaf 0x80000001 EDX: syscall nx pdpe1gb rdtscp lm; ECX: lahf_lm abm (lzcnt).
 * Not advertised (and not implemented): vme, mtrr, mca, mmx arithmetic, sse3 and later, bmi1
 * (so `tzcnt` runs as `bsf`, as on any CPU without BMI1), avx, x2apic, monitor/mwait, pcid, smep, smap.
 */

export let cpuidEax: u32 = 0
export let cpuidEbx: u32 = 0
export let cpuidEcx: u32 = 0
export let cpuidEdx: u32 = 0

/** Four ASCII characters as a little-endian register value. */
@inline function chars(a: u32, b: u32, c: u32, d: u32): u32 { return a | (b << 8) | (c << 16) | (d << 24) }

const BASIC_MAX: u32 = 7
const EXTENDED_MAX: u32 = 0x80000008

// Leaf 1 feature bits.
const EDX_1: u32 = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 9) | (1 << 11) |
  (1 << 13) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 19) | (1 << 24) | (1 << 25) | (1 << 26)
const ECX_1: u32 = (1 << 13) | (1 << 23)
// Leaf 0x80000001.
const EDX_X1: u32 = (1 << 11) | (1 << 20) | (1 << 26) | (1 << 27) | (1 << 29)
const ECX_X1: u32 = (1 << 0) | (1 << 5)

/** The brand string, 48 bytes over leaves 0x80000002–4. */
const BRAND = 'Bootscope x86-64 interpreter (deterministic)    '

/** Sets cpuidEax … cpuidEdx for a leaf and subleaf. */
export function cpuid(leaf: u32, subleaf: u32): void {
  cpuidEax = 0; cpuidEbx = 0; cpuidEcx = 0; cpuidEdx = 0
  if (leaf > BASIC_MAX && leaf < 0x80000000) leaf = BASIC_MAX // Intel: an out-of-range basic leaf returns the highest one
  switch (leaf) {
    case 0:
      cpuidEax = BASIC_MAX
      cpuidEbx = chars(0x42, 0x6f, 0x6f, 0x74) // "Boot"
      cpuidEdx = chars(0x73, 0x63, 0x6f, 0x70) // "scop"
      cpuidEcx = chars(0x65, 0x43, 0x50, 0x55) // "eCPU"
      break
    case 1:
      cpuidEax = (6 << 8) | (2 << 4) | 3 // family 6, model 2, stepping 3
      cpuidEbx = (8 << 8) | (1 << 16) // clflush line 8 × 8 bytes, one logical processor, APIC ID 0
      cpuidEcx = ECX_1
      cpuidEdx = EDX_1
      break
    case 0x80000000: cpuidEax = EXTENDED_MAX; break
    case 0x80000001: cpuidEcx = ECX_X1; cpuidEdx = EDX_X1; break
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const base = <i32>(leaf - 0x80000002) * 16
      cpuidEax = brandWord(base); cpuidEbx = brandWord(base + 4); cpuidEcx = brandWord(base + 8); cpuidEdx = brandWord(base + 12)
      break
    }
    case 0x80000008: cpuidEax = (48 << 8) | 40; break // 48-bit linear, 40-bit physical addresses
    default: break
  }
  void subleaf
}

function brandWord(i: i32): u32 {
  return chars(<u32>BRAND.charCodeAt(i), <u32>BRAND.charCodeAt(i + 1), <u32>BRAND.charCodeAt(i + 2), <u32>BRAND.charCodeAt(i + 3))
}
