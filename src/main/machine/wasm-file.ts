/**
 * Where `npm run build:wasm` put a hart's module: `build/wasm/<name>.wasm` under the package
 * root (found by files/package-root.ts, which walks up from the running code — sources or bundle).
 */
import { packagePath } from '../files/package-root'

/** The absolute path of `build/wasm/<name>.wasm` (it may not exist yet: callers say to run `npm run build:wasm`). */
export function wasmFile(name: string): string {
  return packagePath('build', 'wasm', `${name}.wasm`)
}
