// Compiles the AssemblyScript hart to wasm (owned by the machine work; placeholder until the hart exists).
import { existsSync } from 'node:fs'
if (!existsSync(new URL('../src/main/machine/hart/assembly/index.ts', import.meta.url))) process.exit(0)
