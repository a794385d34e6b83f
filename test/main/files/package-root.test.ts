// The package root is found by walking up (sources and bundles alike), and a folder outside any
// Bootscope package is refused with a message rather than guessed.
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findPackageRoot, packagePath, packageRoot } from '../../../src/main/files/package-root'

const scratch = mkdtempSync(join(tmpdir(), 'bootscope-root-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('package root', () => {
  it('is the checkout holding package.json and resources/ when running from the sources', () => {
    expect(existsSync(join(packageRoot(), 'package.json'))).toBe(true)
    expect(existsSync(packagePath('resources', 'labs'))).toBe(true)
    expect(packagePath('build', 'wasm', 'hart.wasm')).toBe(join(packageRoot(), 'build', 'wasm', 'hart.wasm'))
  })

  it('is found from a bundle folder two levels down (out/node) by walking up', () => {
    const pkg = join(scratch, 'pkg')
    mkdirSync(join(pkg, 'resources'), { recursive: true })
    mkdirSync(join(pkg, 'out', 'node'), { recursive: true })
    writeFileSync(join(pkg, 'package.json'), '{}')
    expect(findPackageRoot(join(pkg, 'out', 'node'))).toBe(pkg)
  })

  it('skips a package.json without resources/ beside it (a nested package is not the root)', () => {
    const outer = join(scratch, 'outer')
    mkdirSync(join(outer, 'resources'), { recursive: true })
    writeFileSync(join(outer, 'package.json'), '{}')
    mkdirSync(join(outer, 'node_modules', 'dep', 'lib'), { recursive: true })
    writeFileSync(join(outer, 'node_modules', 'dep', 'package.json'), '{}')
    expect(findPackageRoot(join(outer, 'node_modules', 'dep', 'lib'))).toBe(outer)
  })

  it('is refused with a message above a folder outside any package', () => {
    expect(() => findPackageRoot('/')).toThrow(/cannot find the Bootscope package root above \//)
  })
})
