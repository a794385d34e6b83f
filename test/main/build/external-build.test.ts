/**
 * The workspace file's build command, run for real: `make` with riscv64-unknown-elf-gcc -g on a
 * copy of the C test kernel builds an ELF whose DWARF names its C lines; a C error comes back as a
 * problem at its file:line:column (from gcc's own output, streamed as it came); a tool that is not
 * installed is a clear message; a cancelled build stops; ld and rustc output parse too.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { oracle } from '../../support/oracles'
import { runExternalBuild } from '../../../src/main/build/external-build'
import { toolDiagnostics } from '../../../src/main/build/tool-diagnostics'
import { parseWorkspaceFile, type WorkspaceFile } from '../../../src/shared/workspace/workspace-file'
import { kernelDebugInfoOf } from '../../../src/main/trace/kernel-debug-info'

const make = oracle('make', 'make')
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf')
const C_KERNEL = join(__dirname, '../../fixtures/c-kernel')
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

function workspace(file: object): { root: string; config: WorkspaceFile } {
  const root = mkdtempSync(join(tmpdir(), 'bootscope-ws-'))
  dirs.push(root)
  cpSync(C_KERNEL, root, { recursive: true })
  writeFileSync(join(root, 'bootscope.json'), JSON.stringify(file))
  const parsed = parseWorkspaceFile(readFileSync(join(root, 'bootscope.json'), 'utf8'))
  if (!parsed.value) throw new Error(parsed.diagnostics.map((d) => d.message).join('; '))
  return { root, config: parsed.value }
}

describe.skipIf(make.missing || gcc.missing)('the workspace build command', () => {
  it('builds the C kernel with make, streaming its output, and gives the ELF with its C lines', async () => {
    const { root, config } = workspace({ version: 1, build: { command: 'make OUT=kernel.elf CFLAGS_DEBUG="-g -Wall -Wunused-variable"' }, kernel: 'kernel.elf' })
    writeFileSync(join(root, 'main.c'), readFileSync(join(root, 'main.c'), 'utf8').replace('void kernel_main(void)\n{\n', 'void kernel_main(void)\n{\n    int unused_here;\n'))
    const chunks: string[] = []
    const r = await runExternalBuild({ root, config, onOutput: (t) => chunks.push(t) })
    expect(r.ok).toBe(true)
    expect(r.exitCode).toBe(0)
    expect(chunks.join('')).toContain('riscv64-unknown-elf-gcc')
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', loc: expect.objectContaining({ file: 'main.c', line: 42, column: 9 }), message: expect.stringMatching(/unused variable 'unused_here'/) }))
    const debug = kernelDebugInfoOf(r.kernel!.bytes)
    expect(debug?.lines.some((l) => l.file.endsWith('main.c'))).toBe(true)
  }, 60_000)

  it('reports a C error at its file:line:column, and the failed command', async () => {
    const { root, config } = workspace({ version: 1, build: { command: 'make OUT=kernel.elf' }, kernel: 'kernel.elf' })
    writeFileSync(join(root, 'main.c'), readFileSync(join(root, 'main.c'), 'utf8').replace('    uart_puts("C kernel\\n");', '    uart_puts("C kernel\\n")'))
    const r = await runExternalBuild({ root, config })
    expect(r.ok).toBe(false)
    const error = r.diagnostics.find((d) => d.loc?.file === 'main.c')
    expect(error).toMatchObject({ severity: 'error', loc: { line: 42, column: 28 } })
    expect(error!.message).toMatch(/expected ';'/)
    expect(r.diagnostics.at(-1)!.message).toMatch(/the build command `make OUT=kernel.elf` failed \(exit code 2\)/)
  }, 60_000)

  it('says which tool is missing, and that a kernel the build did not make is missing', async () => {
    const { root, config } = workspace({ version: 1, build: { command: 'no-such-build-tool-xyz --release' }, kernel: 'kernel.elf' })
    const r = await runExternalBuild({ root, config })
    expect(r.ok).toBe(false)
    expect(r.diagnostics.at(-1)!.message).toBe('the build command\'s tool `no-such-build-tool-xyz` is not installed (or not on PATH)')
    const argv = await runExternalBuild({ root, config: { ...config, build: { command: ['no-such-build-tool-xyz'] } } })
    expect(argv.diagnostics.at(-1)!.message).toMatch(/`no-such-build-tool-xyz` is not installed/)
    const noKernel = await runExternalBuild({ root, config: { ...config, build: { command: 'true' }, kernel: 'nothing.elf' } })
    expect(noKernel.diagnostics.at(-1)!.message).toMatch(/the build succeeded but the kernel nothing.elf is not there/)
  }, 60_000)

  it('stops a cancelled build', async () => {
    const { root, config } = workspace({ version: 1, build: { command: 'sleep 30' }, kernel: 'kernel.elf' })
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 200)
    const t0 = performance.now()
    const r = await runExternalBuild({ root, config, signal: abort.signal })
    expect(performance.now() - t0).toBeLessThan(20_000)
    expect(r.diagnostics.at(-1)!.message).toBe('the build was cancelled')
  }, 60_000)
})

describe('tool output as problems', () => {
  it('reads ld and rustc diagnostics', () => {
    const out = [
      'riscv64-unknown-elf-ld: main.o: in function `kernel_main\':',
      'main.c:44:(.text+0x12): undefined reference to `missing\'',
      'riscv64-unknown-elf-ld: cannot find -lfoo: No such file or directory',
      'error[E0425]: cannot find value `x` in this scope',
      '  --> src/main.rs:3:5',
      'warning: unused variable: `y`',
      ' --> src/lib.rs:10:9',
      'error: aborting due to 1 previous error',
      'main.c:40:5: note: declared here',
    ].join('\n')
    expect(toolDiagnostics(out)).toEqual([
      { severity: 'error', code: 'build.link', message: "undefined reference to `missing'", loc: { file: 'main.c', line: 44, column: 1 } },
      { severity: 'error', code: 'build.link', message: 'cannot find -lfoo: No such file or directory' },
      { severity: 'error', code: 'rustc.E0425', message: 'cannot find value `x` in this scope', loc: { file: 'src/main.rs', line: 3, column: 5 } },
      { severity: 'warning', code: 'build.tool', message: 'unused variable: `y`', loc: { file: 'src/lib.rs', line: 10, column: 9 }, hint: 'declared here' },
    ])
  })
})
