/**
 * bootscope.json: a good file reads back as its values; each mistake is one problem at the line
 * and column of the value (or key) at fault, with a hint; the JSON schema for editors names the
 * same keys the parser reads.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseWorkspaceFile } from '../../../src/shared/workspace/workspace-file'

const SCHEMA = JSON.parse(readFileSync(join(__dirname, '../../../resources/schema/bootscope.schema.json'), 'utf8')) as {
  properties: Record<string, { properties?: Record<string, unknown> }>
  required: string[]
}

describe('bootscope.json', () => {
  it('reads every key of a complete file', () => {
    const r = parseWorkspaceFile(
      JSON.stringify({
        $schema: './bootscope.schema.json',
        version: 1,
        build: { command: ['cargo', 'build', '--release'], cwd: 'kernel', env: { RUSTFLAGS: '-g' } },
        kernel: 'target/riscv64gc-unknown-none-elf/release/kernel',
        machine: 'riscv64-virt',
        firmware: 'none',
        memory: '256M',
        initrd: 'rootfs.cpio',
        cmdline: 'console=ttyS0',
        modules: [{ path: 'mod.bin', string: 'mod' }],
        maxSteps: 1000000,
        strictTlb: true,
      }),
    )
    expect(r.diagnostics).toEqual([])
    expect(r.value).toEqual({
      version: 1,
      build: { command: ['cargo', 'build', '--release'], cwd: 'kernel', env: { RUSTFLAGS: '-g' } },
      kernel: 'target/riscv64gc-unknown-none-elf/release/kernel',
      machine: 'riscv64-virt',
      firmware: 'none',
      memory: '256M',
      initrd: 'rootfs.cpio',
      cmdline: 'console=ttyS0',
      modules: [{ path: 'mod.bin', string: 'mod' }],
      maxSteps: 1000000,
      strictTlb: true,
    })
  })

  it('reports each mistake at its line and column, with a hint', () => {
    const text = ['{', '  "version": 1,', '  "build": { "command": "" },', '  "kernel": "k.elf",', '  "memory": "lots",', '  "colour": "blue"', '}'].join('\n')
    const r = parseWorkspaceFile(text)
    expect(r.value).toBeUndefined()
    const at = r.diagnostics.map((d) => `${d.loc!.line}:${d.loc!.column} ${d.message}`)
    expect(at).toEqual([
      '6:13 unknown key "colour"',
      '3:25 the build command is a command line ("make") or a non-empty list of arguments (["cargo", "build"])',
      '5:13 memory "lots" is not a size',
    ])
    expect(r.diagnostics[0].hint).toMatch(/the keys are version, build, kernel/)
  })

  it('reports bad JSON where it breaks, and a missing version or kernel', () => {
    const bad = parseWorkspaceFile('{\n  "version": 1,\n  "kernel": "k.elf"\n  "build": {}\n}')
    expect(bad.diagnostics).toHaveLength(1)
    expect(bad.diagnostics[0]).toMatchObject({ code: 'workspace.json_syntax', loc: { file: 'bootscope.json', line: 4, column: 3 } })
    expect(bad.diagnostics[0].message).toMatch(/',' or '}' should be here/)
    const missing = parseWorkspaceFile('{ "build": { "command": "make" } }')
    expect(missing.diagnostics.map((d) => d.message)).toEqual(['the file has no "version"', 'the file has no "kernel"'])
  })

  it('has a JSON schema with the keys the parser reads', () => {
    const keys = Object.keys(SCHEMA.properties).sort()
    const r = parseWorkspaceFile(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 'x']))))
    expect(r.diagnostics.filter((d) => d.message.startsWith('unknown key'))).toEqual([])
    expect(Object.keys(SCHEMA.properties.build.properties!).sort()).toEqual(['command', 'cwd', 'env'])
    expect(SCHEMA.required).toEqual(['version', 'build', 'kernel'])
  })
})
