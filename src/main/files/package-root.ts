/**
 * The package root: the folder holding Bootscope's package.json and resources/. Everything the
 * program ships (build/wasm, resources, bin, package.json) is found from it. The root is found by
 * walking up from this module, because the code runs from its TypeScript sources (tsx, vitest),
 * from the CLI/browser-mode bundle in out/node and from electron-vite's bundle in out/main — a
 * fixed `../..` from import.meta.url is right in only one of them. One home for both the host
 * layer (host/paths.ts) and the machine layer (machine/wasm-file.ts), which may not import host.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

/** The nearest folder above `start` holding package.json and resources/; throws when there is none. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir
    if (dirname(dir) === dir) throw new Error(`cannot find the Bootscope package root above ${start}`)
  }
}

/** The package root above this module (computed once). */
export function packageRoot(): string {
  return (root ??= findPackageRoot(dirname(fileURLToPath(import.meta.url))))
}

/** An absolute path under the package root: `packagePath('build', 'wasm', 'hart.wasm')`. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts)
}
