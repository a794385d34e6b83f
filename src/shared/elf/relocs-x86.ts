/**
 * The x86 relocation numbers: R_386_* (System V ABI Intel386 Architecture Processor Supplement,
 * "Relocation Types", plus the TLS and GOT32X additions) and R_X86_64_* (System V ABI AMD64
 * Architecture Processor Supplement, "Relocation Types"), with their names as readelf prints them
 * and the width of the field each one patches. i386 objects use SHT_REL, whose addend is the
 * field's own contents, so a reader needs the width to find it.
 */

export const R_386_NONE = 0
export const R_386_32 = 1
export const R_386_PC32 = 2
export const R_386_GOT32 = 3
export const R_386_PLT32 = 4
export const R_386_COPY = 5
export const R_386_GLOB_DAT = 6
export const R_386_JMP_SLOT = 7
export const R_386_RELATIVE = 8
export const R_386_GOTOFF = 9
export const R_386_GOTPC = 10
export const R_386_32PLT = 11
export const R_386_TLS_TPOFF = 14
export const R_386_TLS_IE = 15
export const R_386_TLS_GOTIE = 16
export const R_386_TLS_LE = 17
export const R_386_TLS_GD = 18
export const R_386_TLS_LDM = 19
export const R_386_16 = 20
export const R_386_PC16 = 21
export const R_386_8 = 22
export const R_386_PC8 = 23
export const R_386_TLS_LDO_32 = 32
export const R_386_TLS_IE_32 = 33
export const R_386_TLS_LE_32 = 34
export const R_386_TLS_DTPMOD32 = 35
export const R_386_TLS_DTPOFF32 = 36
export const R_386_TLS_TPOFF32 = 37
export const R_386_SIZE32 = 38
export const R_386_TLS_GOTDESC = 39
export const R_386_TLS_DESC_CALL = 40
export const R_386_TLS_DESC = 41
export const R_386_IRELATIVE = 42
export const R_386_GOT32X = 43

export const R_386_NAMES: Readonly<Record<number, string>> = {
  0: 'R_386_NONE', 1: 'R_386_32', 2: 'R_386_PC32', 3: 'R_386_GOT32', 4: 'R_386_PLT32', 5: 'R_386_COPY',
  6: 'R_386_GLOB_DAT', 7: 'R_386_JUMP_SLOT', 8: 'R_386_RELATIVE', 9: 'R_386_GOTOFF', 10: 'R_386_GOTPC',
  11: 'R_386_32PLT', 14: 'R_386_TLS_TPOFF', 15: 'R_386_TLS_IE', 16: 'R_386_TLS_GOTIE', 17: 'R_386_TLS_LE',
  18: 'R_386_TLS_GD', 19: 'R_386_TLS_LDM', 20: 'R_386_16', 21: 'R_386_PC16', 22: 'R_386_8', 23: 'R_386_PC8',
  32: 'R_386_TLS_LDO_32', 33: 'R_386_TLS_IE_32', 34: 'R_386_TLS_LE_32', 35: 'R_386_TLS_DTPMOD32',
  36: 'R_386_TLS_DTPOFF32', 37: 'R_386_TLS_TPOFF32', 38: 'R_386_SIZE32', 39: 'R_386_TLS_GOTDESC',
  40: 'R_386_TLS_DESC_CALL', 41: 'R_386_TLS_DESC', 42: 'R_386_IRELATIVE', 43: 'R_386_GOT32X',
}

export const R_X86_64_NONE = 0
export const R_X86_64_64 = 1
export const R_X86_64_PC32 = 2
export const R_X86_64_GOT32 = 3
export const R_X86_64_PLT32 = 4
export const R_X86_64_COPY = 5
export const R_X86_64_GLOB_DAT = 6
export const R_X86_64_JUMP_SLOT = 7
export const R_X86_64_RELATIVE = 8
export const R_X86_64_GOTPCREL = 9
export const R_X86_64_32 = 10
export const R_X86_64_32S = 11
export const R_X86_64_16 = 12
export const R_X86_64_PC16 = 13
export const R_X86_64_8 = 14
export const R_X86_64_PC8 = 15
export const R_X86_64_DTPMOD64 = 16
export const R_X86_64_DTPOFF64 = 17
export const R_X86_64_TPOFF64 = 18
export const R_X86_64_TLSGD = 19
export const R_X86_64_TLSLD = 20
export const R_X86_64_DTPOFF32 = 21
export const R_X86_64_GOTTPOFF = 22
export const R_X86_64_TPOFF32 = 23
export const R_X86_64_PC64 = 24
export const R_X86_64_GOTOFF64 = 25
export const R_X86_64_GOTPC32 = 26
export const R_X86_64_GOT64 = 27
export const R_X86_64_GOTPCREL64 = 28
export const R_X86_64_GOTPC64 = 29
export const R_X86_64_GOTPLT64 = 30
export const R_X86_64_PLTOFF64 = 31
export const R_X86_64_SIZE32 = 32
export const R_X86_64_SIZE64 = 33
export const R_X86_64_GOTPC32_TLSDESC = 34
export const R_X86_64_TLSDESC_CALL = 35
export const R_X86_64_TLSDESC = 36
export const R_X86_64_IRELATIVE = 37
export const R_X86_64_RELATIVE64 = 38
export const R_X86_64_GOTPCRELX = 41
export const R_X86_64_REX_GOTPCRELX = 42

export const R_X86_64_NAMES: Readonly<Record<number, string>> = {
  0: 'R_X86_64_NONE', 1: 'R_X86_64_64', 2: 'R_X86_64_PC32', 3: 'R_X86_64_GOT32', 4: 'R_X86_64_PLT32',
  5: 'R_X86_64_COPY', 6: 'R_X86_64_GLOB_DAT', 7: 'R_X86_64_JUMP_SLOT', 8: 'R_X86_64_RELATIVE',
  9: 'R_X86_64_GOTPCREL', 10: 'R_X86_64_32', 11: 'R_X86_64_32S', 12: 'R_X86_64_16', 13: 'R_X86_64_PC16',
  14: 'R_X86_64_8', 15: 'R_X86_64_PC8', 16: 'R_X86_64_DTPMOD64', 17: 'R_X86_64_DTPOFF64', 18: 'R_X86_64_TPOFF64',
  19: 'R_X86_64_TLSGD', 20: 'R_X86_64_TLSLD', 21: 'R_X86_64_DTPOFF32', 22: 'R_X86_64_GOTTPOFF',
  23: 'R_X86_64_TPOFF32', 24: 'R_X86_64_PC64', 25: 'R_X86_64_GOTOFF64', 26: 'R_X86_64_GOTPC32',
  27: 'R_X86_64_GOT64', 28: 'R_X86_64_GOTPCREL64', 29: 'R_X86_64_GOTPC64', 30: 'R_X86_64_GOTPLT64',
  31: 'R_X86_64_PLTOFF64', 32: 'R_X86_64_SIZE32', 33: 'R_X86_64_SIZE64', 34: 'R_X86_64_GOTPC32_TLSDESC',
  35: 'R_X86_64_TLSDESC_CALL', 36: 'R_X86_64_TLSDESC', 37: 'R_X86_64_IRELATIVE', 38: 'R_X86_64_RELATIVE64',
  41: 'R_X86_64_GOTPCRELX', 42: 'R_X86_64_REX_GOTPCRELX',
}

/** Bytes an R_386_* relocation patches (and, in SHT_REL, where its implicit addend lives). */
export function r386FieldBytes(type: number): number {
  if (type === R_386_16 || type === R_386_PC16) return 2
  if (type === R_386_8 || type === R_386_PC8) return 1
  if (type === R_386_NONE) return 0
  return 4
}

/** Bytes an R_X86_64_* relocation patches. */
export function rX86_64FieldBytes(type: number): number {
  switch (type) {
    case R_X86_64_NONE: return 0
    case R_X86_64_64: case R_X86_64_PC64: case R_X86_64_GOTOFF64: case R_X86_64_GOTPC64: case R_X86_64_GOT64:
    case R_X86_64_GOTPCREL64: case R_X86_64_GOTPLT64: case R_X86_64_PLTOFF64: case R_X86_64_SIZE64:
    case R_X86_64_DTPMOD64: case R_X86_64_DTPOFF64: case R_X86_64_TPOFF64: case R_X86_64_RELATIVE64:
      return 8
    case R_X86_64_16: case R_X86_64_PC16: return 2
    case R_X86_64_8: case R_X86_64_PC8: return 1
    default: return 4
  }
}
