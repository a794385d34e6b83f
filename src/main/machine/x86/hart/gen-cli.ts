/**
 * Writes the x86 hart's generated AssemblyScript files (run by scripts/build-wasm.mjs):
 * `assembly/spec.generated.ts` from the shared spec tables (and, once the x86 table is in,
 * the decoder). Only rewrites a file when its text changes, so the build stays idempotent.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateSpec } from './gen-spec'
import { generateDecoder } from './gen-decoder'

function put(name: string, text: string): void {
  const target = fileURLToPath(new URL(`./assembly/${name}`, import.meta.url))
  if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text)
}

put('spec.generated.ts', generateSpec())
put('decode.generated.ts', generateDecoder())
