/**
 * Writes `assembly/decode.generated.ts` from the ISA table (run by scripts/build-wasm.mjs).
 * Only rewrites the file when its text changes, so the build stays idempotent.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateDecoder } from './gen-decoder'

const target = fileURLToPath(new URL('./assembly/decode.generated.ts', import.meta.url))
const text = generateDecoder()
if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text)
