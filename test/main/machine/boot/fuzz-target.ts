/**
 * Fuzz target: the ELF reader and the machine's loader (`readElf`, `loadElf`, `loadImage`,
 * `readRelocations`, `symbolAt`) on real kernels built by our toolchain — the higher-half example,
 * seed 004, an SBI hello, an M-mode loop — with bytes flipped, header, program-header and
 * section-header fields set to edge values (0, -1, past the end, 2^63), the file cut short or
 * grown. Every input must load or be refused with a one-line error, never throw. Run by elf-fuzz.test.ts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readElf, readRelocations, symbolAt } from '../../../../src/shared/elf/reader'
import { loadElf, loadImage } from '../../../../src/main/machine/boot/loader'
import { build } from '../../../../src/main/toolchain/build'
import { EXAMPLE_DIR } from '../../../../src/main/host/paths'
import { buildKernel } from '../../../fixtures/machine/build-kernel'
import { errorProblem, rngFor, type FuzzTarget } from '../../../support/fuzz'

function example(): Uint8Array {
  const files = ['entry.S', 'main.S', 'linker.ld'].map((path) => ({ path, text: readFileSync(join(EXAMPLE_DIR, path), 'utf8') }))
  const r = build({ files, script: 'linker.ld' })
  if (!r.elf) throw new Error('the example does not build')
  return r.elf
}

const corpus: Uint8Array[] = [
  example(),
  buildKernel(['seed-004-entry.S', 'seed-004-rust-main.S'], 'seed-004-linker.ld').bytes,
  buildKernel(['sbi-hello.S'], 's-mode.ld').bytes,
  buildKernel(['spin.S'], 'm-mode.ld').bytes,
]

const RAM_BASE = 0x8000_0000n
/** One RAM for every input: loading writes into it, and a fresh 4 MiB per input would only churn memory. */
const ram = { base: RAM_BASE, bytes: new Uint8Array(4 * 1024 * 1024) }

const EDGE = [0n, 1n, 2n, 0x7fn, 0xffn, 0xffffn, 0x7fffffffn, 0xffffffffn, 0x8000_0000n, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0x1000n, 0x40n, 56n, 64n]

/** ELF64 little-endian field offsets: header, one program header (56 bytes), one section header (64 bytes). */
const HEADER_FIELDS: [number, number][] = [[4, 1], [5, 1], [0x10, 2], [0x12, 2], [0x18, 8], [0x20, 8], [0x28, 8], [0x36, 2], [0x38, 2], [0x3a, 2], [0x3c, 2], [0x3e, 2]]
const PHDR_FIELDS: [number, number][] = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 8], [48, 8]]
const SHDR_FIELDS: [number, number][] = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 4], [44, 4], [48, 8], [56, 8]]

function setField(b: Uint8Array, at: number, width: number, value: bigint): void {
  for (let k = 0; k < width && at + k < b.length; k++) if (at + k >= 0) b[at + k] = Number((value >> BigInt(8 * k)) & 0xffn)
}

function getField(b: Uint8Array, at: number, width: number): bigint {
  let v = 0n
  for (let k = width - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[at + k] ?? 0)
  return v
}

function edge(next: () => number, fileSize: number): bigint {
  const r = next() % (EDGE.length + 3)
  if (r < EDGE.length) return EDGE[r]
  if (r === EDGE.length) return BigInt(fileSize - (next() % 64))
  if (r === EDGE.length + 1) return BigInt(fileSize + (next() % 64))
  return BigInt(next()) * BigInt(next())
}

export const tally: Record<string, number> = { loaded: 0, refused: 0 }

export const elfLoader: FuzzTarget<Uint8Array> & { tally: Record<string, number> } = {
  tally,
  input(i) {
    const next = rngFor(0xe1f, i)
    const b = new Uint8Array(corpus[next() % corpus.length])
    const phoff = Number(getField(b, 0x20, 8))
    const shoff = Number(getField(b, 0x28, 8))
    const edits = 1 + (next() % 4)
    let out = b
    for (let k = 0; k < edits; k++) {
      switch (next() % 7) {
        case 0: {
          const [at, w] = HEADER_FIELDS[next() % HEADER_FIELDS.length]
          setField(out, at, w, edge(next, out.length))
          break
        }
        case 1: {
          const [at, w] = PHDR_FIELDS[next() % PHDR_FIELDS.length]
          setField(out, phoff + (next() % 3) * 56 + at, w, edge(next, out.length))
          break
        }
        case 2: {
          const [at, w] = SHDR_FIELDS[next() % SHDR_FIELDS.length]
          setField(out, shoff + (next() % 12) * 64 + at, w, edge(next, out.length))
          break
        }
        case 3:
          for (let f = 0; f < 1 + (next() % 8); f++) out[next() % out.length] ^= 1 << next() % 8
          break
        case 4:
          out = out.slice(0, next() % out.length)
          if (out.length === 0) return out
          break
        case 5: {
          const grown = new Uint8Array(out.length + 1 + (next() % 256))
          grown.set(out)
          for (let f = out.length; f < grown.length; f++) grown[f] = next() & 0xff
          out = grown
          break
        }
        default:
          // A byte of the header region at random: the reader's first defence.
          out[next() % Math.min(out.length, 0x40)] = next() & 0xff
      }
    }
    return out
  },
  run(bytes) {
    const parsed = readElf(bytes, { file: 'k.elf' })
    if (parsed.ok) {
      for (const s of parsed.value.sections) readRelocations(parsed.value, s)
      symbolAt(parsed.value, parsed.value.header.entry)
    } else {
      const problem = errorProblem(parsed.error)
      if (problem) return problem
    }
    const loaded = loadElf(bytes, ram, { file: 'k.elf', image: 'kernel' })
    if (loaded.ok) tally.loaded++
    else {
      tally.refused++
      const problem = errorProblem(loaded.error)
      if (problem) return problem
    }
    // What Open ELF… does with a file that may not be an ELF at all: raw at an address when it is not one.
    const image = loadImage(bytes, RAM_BASE + 0x20_0000n, ram, { file: 'k.elf', image: 'kernel' })
    if (!image.ok) return errorProblem(image.error)
    return undefined
  },
  show: (b) => `${b.length} bytes, header ${Buffer.from(b.subarray(0, 64)).toString('hex')}`,
}
