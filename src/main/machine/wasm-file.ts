/**
 * Where `npm run build:wasm` put a hart's module: `build/wasm/<name>.wasm` under the package
 * root. The root is found by walking up from this file, because this code runs from its
 * TypeScript source (tsx, vitest), from the CLI/browser-mode bundle in out/node and from
 * electron-vite's bundle in out/main — a fixed `../../..` from import.meta.url is right in only
 * one of them (it sent the Electron app's worker to a build/wasm beside the checkout).
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

/** The package root: the nearest folder above this module holding package.json and src/ or out/. */
function packageRoot(): string {
  if (root) return root
  const start = dirname(fileURLToPath(import.meta.url))
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && (existsSync(join(dir, 'build')) || existsSync(join(dir, 'src')))) return (root = dir)
    if (dirname(dir) === dir) return (root = join(start, '..', '..', '..')) // not inside a package: src/main/machine → root
  }
}

/** The absolute path of `build/wasm/<name>.wasm` (it may not exist yet: callers say to run `npm run build:wasm`). */
export function wasmFile(name: string): string {
  return join(packageRoot(), 'build', 'wasm', `${name}.wasm`)
}
