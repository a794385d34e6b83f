#!/usr/bin/env node
// The `bootscope` command. Runs the TypeScript sources through tsx, so it works from a checkout
// right after `npm install`, with no build step.
import { register } from 'tsx/esm/api'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`bootscope needs Node >= 22.12 (this is ${process.version})`)
  process.exit(1)
}
register()
const { main } = await import('../src/main/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
