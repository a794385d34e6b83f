// Builds the harts (AssemblyScript) into wasm modules, each untraced and traced:
//   build/wasm/hart.wasm, hart-trace.wasm          RV64 (src/main/machine/hart/assembly)
//   build/wasm/x86-hart.wasm, x86-hart-trace.wasm  i386 + x86-64 (src/main/machine/x86/hart/assembly)
// The traced variant is compiled with `--use TRACE=1` (trace rings); the untraced one has no hook
// costs at all. First regenerates each hart's generated sources from the shared tables (the RV64
// decoder from src/shared/isa; the x86 decoder and spec constants from src/shared/isa/x86 and
// src/shared/paging/x86). Run by `npm run build:wasm` and npm `prepare`; skips work whose outputs
// are newer than their inputs, so running it again is cheap and changes nothing.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(root, 'build/wasm')
const harts = [
  // The RV64 hart imports its function table: compiled blocks (src/main/machine/blocks) are added to it.
  { dir: join(root, 'src/main/machine/hart'), generator: 'gen-decoder-cli.ts', name: 'hart', flags: ['--importTable'] },
  { dir: join(root, 'src/main/machine/x86/hart'), generator: 'gen-cli.ts', name: 'x86-hart', flags: [] },
].filter((h) => existsSync(join(h.dir, 'assembly', 'index.ts')))
if (harts.length === 0) process.exit(0)

// 1. Regenerate the generated sources from the shared tables (needs tsx to load TypeScript; the checked-in copies are used otherwise).
for (const h of harts) {
  try {
    const { tsImport } = await import('tsx/esm/api')
    await tsImport(join(h.dir, h.generator), import.meta.url)
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e
    console.warn(`build-wasm: tsx not installed, using the checked-in generated sources of ${h.name}`)
  }
}

// 2. Compile both variants of each hart when a source is newer than the output. Each is written to a
//    .partial file and renamed when whole, so a failed or interrupted build never leaves an output that
//    looks current (an empty hart.wasm newer than its sources was skipped by the next run).
const newest = (dir) => Math.max(...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(dir, f)).mtimeMs))
mkdirSync(outDir, { recursive: true })
const asc = (await import('assemblyscript/asc')).default
const jobs = harts.flatMap((h) => {
  const asmDir = join(h.dir, 'assembly')
  const srcTime = Math.max(newest(asmDir), statSync(fileURLToPath(import.meta.url)).mtimeMs)
  return [
    { out: `${h.name}.wasm`, extra: [] },
    { out: `${h.name}-trace.wasm`, extra: ['--use', 'TRACE=1'] },
  ].map(async ({ out, extra }) => {
    const target = join(outDir, out)
    if (existsSync(target) && statSync(target).mtimeMs >= srcTime) return
    const partial = target.replace(/\.wasm$/, '.partial.wasm')
    const { error, stderr } = await asc.main([
      join(asmDir, 'index.ts'), '-o', partial,
      '-O3', '--runtime', 'stub', '--noAssert',
      '--initialMemory', '64', '--maximumMemory', '65536', '--enable', 'bulk-memory', '--enable', 'nontrapping-f2i',
      ...h.flags, ...extra,
    ])
    if (error) {
      rmSync(partial, { force: true })
      console.error(stderr.toString())
      throw new Error(`build-wasm: ${out}: ${error.message}`)
    }
    renameSync(partial, target)
  })
})
// Every job finishes (or fails) before the first failure is reported.
const failed = (await Promise.allSettled(jobs)).find((r) => r.status === 'rejected')
if (failed) throw failed.reason
