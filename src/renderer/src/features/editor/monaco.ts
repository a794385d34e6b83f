/**
 * Monaco, set up once: the editor core with all its editor features (find, hover, suggest,
 * folding, …) but none of Monaco's 80 bundled languages — we register our own (RISC-V GNU
 * assembly, NASM and GNU as for x86, and GNU linker scripts). The editor worker must be wired explicitly, or it fails
 * silently in production builds.
 */
import * as monaco from 'monaco-editor/editor/editor.api'
import 'monaco-editor/features/register.all'
import EditorWorker from 'monaco-editor/editor/editor.worker?worker'
import { registerRiscvAsm } from './languages/riscv-asm'
import { registerGnuLd } from './languages/gnu-ld'
import { registerNasm } from './languages/nasm'
import { registerX86Gas } from './languages/x86-gas'

let ready = false

export function setupMonaco(): typeof monaco {
  if (ready) return monaco
  ready = true
  self.MonacoEnvironment = { getWorker: () => new EditorWorker() }
  registerRiscvAsm(monaco)
  registerGnuLd(monaco)
  registerNasm(monaco)
  registerX86Gas(monaco)
  monaco.languages.register({ id: 'markdown', extensions: ['.md'] })
  return monaco
}

export type Monaco = typeof monaco
