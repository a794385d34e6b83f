#!/usr/bin/env node
// The `bootscope` command: the bundled CLI (out/node/bootscope.js), or its TypeScript sources
// through tsx when they changed since the bundle was built (scripts/node-entry.mjs).
import module from 'node:module'

// V8 keeps the compiled bundle on disk between runs (Node ≥ 22.1): most of a cold start is compiling it.
module.enableCompileCache?.()
const { importEntry } = await import('../scripts/node-entry.mjs')

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`bootscope needs Node >= 22.12 (this is ${process.version})`)
  process.exit(1)
}
const { main } = await importEntry('bootscope', 'src/main/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
