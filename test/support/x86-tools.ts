/**
 * The x86 reference tools as oracles and builders: GNU as/ld for i386 and x86-64 (Debian
 * `binutils`), NASM, gcc -m32/-m64 (`gcc-multilib`), QEMU's PC (`qemu-system-x86`) and a GRUB
 * rescue ISO (`grub-pc-bin`, `grub-common`, `xorriso`, `mtools`). Test kernels are our own sources
 * under test/fixtures/x86/, built here into real ELF files; QEMU runs them with isa-debug-exit
 * exactly as REFERENCE.md's reference runs do. Missing tools skip locally and fail in CI
 * (`oracles.ts`).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { oracle, type Oracle } from './oracles'

export const X86_FIXTURES = fileURLToPath(new URL('../fixtures/x86/', import.meta.url))

export const gasX86 = (): Oracle => oracle('as', 'binutils')
export const ldX86 = (): Oracle => oracle('ld', 'binutils')
export const nasm = (): Oracle => oracle('nasm', 'nasm')
export const gccMulti = (): Oracle => oracle('/usr/lib/gcc/x86_64-linux-gnu/12/32/crtbegin.o', 'gcc-multilib')
export const qemuI386 = (): Oracle => oracle('qemu-system-i386', 'qemu-system-x86')
export const qemuX86_64 = (): Oracle => oracle('qemu-system-x86_64', 'qemu-system-x86')
export const grubMkrescue = (): Oracle => oracle('grub-mkrescue', 'grub-common')
export const grubPcModules = (): Oracle => oracle('/usr/lib/grub/i386-pc/multiboot2.mod', 'grub-pc-bin')
export const xorriso = (): Oracle => oracle('xorriso', 'xorriso')
export const mtools = (): Oracle => oracle('mformat', 'mtools')

/** Every tool the x86 builders and the QEMU runs need; `missing` when one is absent (locally). */
export function x86Toolchain(): { missing: boolean; reason: string } {
  const all = [gasX86(), ldX86(), nasm(), gccMulti(), qemuI386(), qemuX86_64()]
  const gone = all.find((o) => o.missing)
  return { missing: !!gone, reason: gone?.reason ?? '' }
}

export function grubIsoTools(): { missing: boolean; reason: string } {
  const all = [grubMkrescue(), grubPcModules(), xorriso(), mtools()]
  const gone = all.find((o) => o.missing)
  return { missing: !!gone, reason: gone?.reason ?? '' }
}

export interface KernelSource {
  /** Source files (relative to test/fixtures/x86/ or absolute): `.S` (GNU as), `.asm` (NASM), `.c` (gcc). */
  sources: string[]
  /** 32 or 64: `as --32`/`--64`, `nasm -f elf32`/`elf64`, `gcc -m32`/`-m64`. */
  bits: 32 | 64
  /** Linker script (relative to the fixtures or absolute); default: .text at 1 MiB. ld links as elf_i386 or elf_x86_64 per `bits`. */
  script?: string
  /** Preprocessor / NASM defines. */
  defines?: Record<string, string | number>
  /** DWARF line tables: `nasm -g -F dwarf`, `gcc -g`, `as -g`. */
  debug?: boolean
}

const fixture = (p: string) => (p.startsWith('/') ? p : join(X86_FIXTURES, p))

/** Builds a kernel with the reference tools: assemble/compile each source, link with the script. */
export function buildX86Kernel(k: KernelSource): { bytes: Uint8Array; path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'x86-kernel-'))
  const objects: string[] = []
  const defs = Object.entries(k.defines ?? {})
  k.sources.forEach((src, i) => {
    const file = fixture(src)
    const obj = join(dir, `${i}.o`)
    if (file.endsWith('.asm')) {
      execFileSync('nasm', ['-f', k.bits === 32 ? 'elf32' : 'elf64', ...(k.debug ? ['-g', '-F', 'dwarf'] : []), ...defs.map(([n, v]) => `-D${n}=${v}`), '-I', `${dirname(file)}/`, '-o', obj, file])
    } else if (file.endsWith('.S') || file.endsWith('.c')) {
      const flags = k.bits === 32 ? ['-m32'] : ['-m64', '-mno-red-zone', '-mcmodel=kernel']
      const c = file.endsWith('.c') ? ['-ffreestanding', '-fno-pic', '-fno-pie', '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-O2', '-nostdinc', '-mno-sse', '-mno-mmx', '-mno-80387'] : ['-fno-pic']
      execFileSync('gcc', [...flags, ...c, ...(k.debug ? ['-g'] : []), ...defs.map(([n, v]) => `-D${n}=${v}`), '-I', dirname(file), '-c', '-o', obj, file])
    } else {
      execFileSync('as', [k.bits === 32 ? '--32' : '--64', ...(k.debug ? ['-g'] : []), '-o', obj, file])
    }
    objects.push(obj)
  })
  const out = join(dir, 'kernel.elf')
  const script = k.script ? ['-T', fixture(k.script)] : ['-Ttext', '0x100000']
  execFileSync('ld', ['-m', k.bits === 32 ? 'elf_i386' : 'elf_x86_64', '-nostdlib', '-z', 'max-page-size=0x1000', '-z', 'noexecstack', '--no-warn-rwx-segments', ...script, '-o', out, ...objects])
  return { bytes: new Uint8Array(readFileSync(out)), path: out, dir }
}

export interface QemuPcRun {
  /** COM1 output. */
  serial: string
  /** QEMU's exit status: isa-debug-exit's (v << 1) | 1, or 0 after a triple fault with -no-reboot. */
  exitCode: number | null
  timedOut: boolean
  stderr: string
}

const DEBUG_EXIT = ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']

function runPc(qemu: string, args: string[], timeoutMs: number, input?: string): QemuPcRun {
  const r = spawnSync(qemu, ['-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-m', '128M', ...DEBUG_EXIT, ...args], {
    timeout: timeoutMs,
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  return { serial: r.stdout.toString('latin1'), exitCode: r.status, timedOut: r.error !== undefined || r.signal !== null, stderr: r.stderr.toString() }
}

/**
 * REFERENCE.md's Multiboot 1 reference run, `-kernel k.elf … -no-reboot -device isa-debug-exit`, on
 * qemu-system-x86_64: the PC Bootscope models (it runs 32-bit kernels as qemu-system-i386 does, and
 * 64-bit ones in an ELF32 container too).
 */
export function runQemuMultiboot1(kernelPath: string, opts: { append?: string; modules?: string[]; timeoutMs?: number; extra?: string[] } = {}): QemuPcRun {
  const args = ['-kernel', kernelPath]
  if (opts.append !== undefined) args.push('-append', opts.append)
  if (opts.modules?.length) args.push('-initrd', opts.modules.join(','))
  return runPc('qemu-system-x86_64', [...args, ...(opts.extra ?? [])], opts.timeoutMs ?? 20_000)
}

/**
 * A Multiboot 1 run on qemu-system-x86_64 with keys typed on the PS/2 keyboard (the monitor's
 * `sendkey`, one key per QEMU key name) once the serial output contains `after`: COM1 goes to a
 * file the test watches, the monitor reads stdin. Ends when QEMU exits or after `timeoutMs`.
 */
export async function runQemuMultiboot1Keys(kernelPath: string, after: string, keys: string[], timeoutMs = 60_000): Promise<QemuPcRun> {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-keys-'))
  const serialFile = join(dir, 'serial.txt')
  const q = spawn('qemu-system-x86_64', ['-display', 'none', '-serial', `file:${serialFile}`, '-monitor', 'stdio', '-no-reboot', '-m', '128M', ...DEBUG_EXIT, '-kernel', kernelPath], { stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  q.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const serial = () => (existsSync(serialFile) ? readFileSync(serialFile, 'latin1') : '')
  let typed = false
  let timedOut = false
  const exitCode = await new Promise<number | null>((resolve) => {
    const poll = setInterval(() => {
      if (!typed && serial().includes(after)) {
        typed = true
        q.stdin.write(keys.map((k) => `sendkey ${k}\n`).join(''))
      }
    }, 100)
    const limit = setTimeout(() => {
      timedOut = true
      q.kill('SIGKILL')
    }, timeoutMs)
    q.on('exit', (code) => {
      clearInterval(poll)
      clearTimeout(limit)
      resolve(code)
    })
  })
  return { serial: serial(), exitCode, timedOut, stderr }
}

/**
 * REFERENCE.md's Multiboot 2 reference run: a GRUB rescue ISO built with grub-mkrescue from
 * `boot/kernel.elf` and a grub.cfg that boots it with `multiboot2` (plus its modules), booted by
 * `qemu-system-x86_64 -cdrom`.
 */
export function runQemuGrubIso(kernelPath: string, opts: { append?: string; modules?: { path: string; string?: string }[]; timeoutMs?: number; multiboot1?: boolean } = {}): QemuPcRun {
  const dir = mkdtempSync(join(tmpdir(), 'grub-iso-'))
  mkdirSync(join(dir, 'iso/boot/grub'), { recursive: true })
  writeFileSync(join(dir, 'iso/boot/kernel.elf'), readFileSync(kernelPath))
  const mods = (opts.modules ?? []).map((m, i) => {
    writeFileSync(join(dir, `iso/boot/mod${i}`), readFileSync(m.path))
    return `  ${opts.multiboot1 ? 'module' : 'module2'} /boot/mod${i}${m.string !== undefined ? ` ${m.string}` : ''}`
  })
  const cfg = [
    'set timeout=0',
    'set default=0',
    'serial --unit=0 --speed=115200',
    'terminal_input serial',
    'terminal_output serial',
    'menuentry "kernel" {',
    `  ${opts.multiboot1 ? 'multiboot' : 'multiboot2'} /boot/kernel.elf${opts.append ? ` ${opts.append}` : ''}`,
    ...mods,
    '  boot',
    '}',
    '',
  ].join('\n')
  writeFileSync(join(dir, 'iso/boot/grub/grub.cfg'), cfg)
  const iso = join(dir, 'os.iso')
  execFileSync('grub-mkrescue', ['-o', iso, join(dir, 'iso')], { stdio: 'ignore' })
  return runPc('qemu-system-x86_64', ['-cdrom', iso, '-boot', 'd'], opts.timeoutMs ?? 60_000)
}

/** GRUB prints its own lines on the serial console before the kernel starts: the kernel's part. */
export function afterGrub(serial: string, firstKernelLine: string): string {
  const at = serial.indexOf(firstKernelLine)
  return at < 0 ? serial : serial.slice(at)
}
