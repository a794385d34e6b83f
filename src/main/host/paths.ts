/**
 * Where things are on disk, the same whether we run from TypeScript sources (tsx, tests), from
 * electron-vite's bundle (`out/main`) or from a packaged app: everything is found relative to the
 * package root (the folder holding package.json; found by files/package-root.ts).
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../files/package-root'

export const PACKAGE_ROOT = packageRoot()
export const RESOURCES_DIR = join(PACKAGE_ROOT, 'resources')
/** The built-in example workspace copied on first start (the seed 004 higher-half kernel). */
export const EXAMPLE_DIR = join(RESOURCES_DIR, 'examples', 'higher-half')
/** The built-in lab packs (docs/labs.md), one folder each. */
export const LABS_DIR = join(RESOURCES_DIR, 'labs')
/** The renderer built for browser mode (`npm run build:web`). */
export const WEB_DIST_DIR = join(PACKAGE_ROOT, 'out', 'web')

/** Bootscope's per-user folder: `$BOOTSCOPE_HOME`, else `~/.bootscope`. */
export function bootscopeHome(): string {
  return process.env.BOOTSCOPE_HOME || join(homedir(), '.bootscope')
}

/** The worker's entry: the bundled `worker.js` beside us, or the TypeScript source under tsx/vitest. */
export function workerEntry(): { url: URL; typescript: boolean } {
  const here = import.meta.url
  if (here.endsWith('.js')) {
    // Bundled: worker.js sits in out/main, beside index.js or one level above a shared chunk.
    const beside = new URL('./worker.js', here)
    return { url: existsSync(fileURLToPath(beside)) ? beside : new URL('../worker.js', here), typescript: false }
  }
  return { url: new URL('../worker/entry.ts', here), typescript: true }
}
