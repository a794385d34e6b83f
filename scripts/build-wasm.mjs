// Builds the RV64 hart (src/main/machine/hart/assembly, AssemblyScript) into two wasm modules:
//   build/wasm/hart.wasm        untraced: no hook costs at all
//   build/wasm/hart-trace.wasm  traced: compiled with `--use TRACE=1` (trace rings)
// First regenerates assembly/decode.generated.ts from the ISA table (src/shared/isa). Run by
// `npm run build:wasm` and npm `prepare`; skips work whose outputs are newer than their inputs,
// so running it again is cheap and changes nothing.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const hartDir = join(root, 'src/main/machine/hart')
const asmDir = join(hartDir, 'assembly')
const outDir = join(root, 'build/wasm')
if (!existsSync(join(asmDir, 'index.ts'))) process.exit(0)

// 1. Regenerate the decoder from the ISA table (needs tsx to load TypeScript; the checked-in copy is used otherwise).
try {
  const { tsImport } = await import('tsx/esm/api')
  await tsImport(join(hartDir, 'gen-decoder-cli.ts'), import.meta.url)
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e
  console.warn('build-wasm: tsx not installed, using the checked-in decode.generated.ts')
}

// 2. Compile both variants when a source is newer than the output.
const newest = (dir) => Math.max(...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(dir, f)).mtimeMs))
const srcTime = Math.max(newest(asmDir), statSync(fileURLToPath(import.meta.url)).mtimeMs)
mkdirSync(outDir, { recursive: true })
const asc = (await import('assemblyscript/asc')).default
const variants = [
  { out: 'hart.wasm', extra: [] },
  { out: 'hart-trace.wasm', extra: ['--use', 'TRACE=1'] },
]
const jobs = variants.map(async ({ out, extra }) => {
  const target = join(outDir, out)
  if (existsSync(target) && statSync(target).mtimeMs >= srcTime) return
  const { error, stderr } = await asc.main([
    join(asmDir, 'index.ts'), '-o', target,
    '-O3', '--runtime', 'stub', '--noAssert',
    '--initialMemory', '64', '--maximumMemory', '65536', '--enable', 'bulk-memory', '--enable', 'nontrapping-f2i',
    ...extra,
  ])
  if (error) {
    console.error(stderr.toString())
    throw new Error(`build-wasm: ${out}: ${error.message}`)
  }
})
await Promise.all(jobs)
