/**
 * `bootscope boot KERNEL`: boots a kernel headless on the machine its file calls for (or
 * `--machine`): the QEMU-virt RISC-V board, the way `qemu-system-riscv64 -M virt -nographic -bios …
 * -kernel …` would, or the x86 PC with a Multiboot loader, like `qemu-system-i386 -kernel …` or
 * GRUB. Prints the guest's console on stdout, explains why the run stopped on stderr and exits
 * with the guest's exit code (test finisher, SBI SRST, tohost, isa-debug-exit), so a classroom can
 * grade boots in CI.
 */
import { printError, UsageError, type CliCommand } from '../command'
import { DEFAULT_MAX_STEPS, type MachineEvent } from '../../machine/machine'
import { createMachine, type BootConfig, type ModuleFile } from '../../machine/core/create-machine'
import { MACHINE_PRESETS, PRESET_NAMES } from '../../machine/core/presets'
import { bootImages, numberArg, openDiskImage, readInputFile } from '../inputs'
import { MAX_GUEST_RAM_BYTES } from '../../../shared/api/boot'
import { kernelLineAt, stopSourceText } from '../stop-source'
import { serveLiveBoot, type LiveGdbOptions } from '../../gdb/live-boot'
import { parseSize } from '../../../shared/workspace/workspace-file'

const GDB_DEFAULT_PORT = 1234

const USAGE = `Usage: bootscope boot KERNEL [options]

Boots KERNEL on the machine it is built for: on riscv64-virt a RISC-V ELF (loaded at its physical
addresses), a RISC-V Linux Image (recognised by its header; loaded where QEMU's -kernel puts it)
or a raw binary at the address --raw gives; on x86-pc an i386/x86-64 ELF or a Multiboot image. The guest's console (UART, COM1) goes to stdout; why it stopped goes to stderr. The exit
code is the guest's (test finisher, SBI shutdown, tohost, isa-debug-exit), 124 when the step
budget runs out, 125 when the guest is stuck (trap loop, triple fault, a halt nothing can wake).

Options:
  --machine NAME            ${PRESET_NAMES.map((n) => `${n}: ${MACHINE_PRESETS[n].title}`).join('\n                            ')}
  --append CMDLINE          the kernel command line, as QEMU's -append (Multiboot cmdline; RISC-V:
                            /chosen/bootargs in the device tree)
  --module FILE[,STRING]    a Multiboot module with its string (repeatable, x86)
  --bios none|builtin|FILE  firmware: none (KERNEL runs in M-mode from 0x80000000), builtin
                            (default: Bootscope's SBI, KERNEL entered in S-mode at 0x80200000),
                            or a firmware ELF/.bin loaded at 0x80000000 (e.g. OpenSBI fw_jump.elf)
  --raw ADDR                KERNEL is a raw binary (objcopy -O binary, u-boot.bin): load it at
                            ADDR and start it there (e.g. 0x80200000 after a firmware)
  --initrd FILE             an initial ramdisk, loaded where QEMU's -initrd puts it (min(RAM/2,
                            128M) above the kernel); /chosen gets linux,initrd-start/-end
  --disk IMG                virtio block device backed by IMG (copy-on-write: IMG is never modified)
  --mem SIZE                guest RAM, e.g. 128M (default), 1G; at most ${MAX_GUEST_RAM_BYTES / 1024 ** 2}M
  --max-steps N             stop after N retired instructions (default ${DEFAULT_MAX_STEPS})
  --tohost                  riscv-tests exit protocol through the kernel's \`tohost\` symbol
  --strict-tlb              teaching mode: a stale translation stays in the TLB until the kernel
                            flushes it (RISC-V sfence.vma; x86 invlpg or a CR3 write), so a missing
                            flush shows up as the hardware may show it — QEMU re-walks instead
  --input TEXT              type TEXT on the UART when the guest first asks for input: polls
                            for it (U-Boot's autoboot countdown) or turns on its receive
                            interrupt (Linux, xv6); \\n, \\r, \\t, \\\\ are escapes
  --events                  also print the machine's events (segments, hand-off) on stderr
  --gdb [PORT]              serve the live boot to gdb on 127.0.0.1:PORT (default ${GDB_DEFAULT_PORT}; 0 picks
                            a free one), stopped at its first instruction: break, continue,
                            stepi, watch — and backward over what has run (docs/gdb.md)`

export interface BootArgs {
  kernel: string
  machine?: string
  append?: string
  modules: { file: string; string?: string }[]
  bios: string
  rawAddr?: bigint
  initrd?: string
  disk?: string
  memBytes: number
  maxSteps: bigint
  tohost: boolean
  /** `--strict-tlb`: the TLB keeps stale entries until the kernel flushes them. */
  strictTlb: boolean
  input?: string
  events: boolean
  /** `--gdb [PORT]`: serve the live boot to gdb on this port (default 1234). */
  gdb?: number
}

/** "128M" → bytes (one home: the workspace file's reader). */
export { parseSize }

export function unescapeInput(text: string): string {
  return text.replace(/\\(n|r|t|\\)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c] as string)
}

export function parseBootArgs(argv: string[]): BootArgs {
  const args: Partial<BootArgs> & { bios: string; memBytes: number; maxSteps: bigint; tohost: boolean; strictTlb: boolean; events: boolean; modules: BootArgs['modules'] } = {
    bios: 'builtin',
    memBytes: 128 * 1024 * 1024,
    maxSteps: DEFAULT_MAX_STEPS,
    tohost: false,
    strictTlb: false,
    events: false,
    modules: [],
  }
  const value = (i: number, flag: string) => {
    const v = argv[i + 1]
    if (v === undefined) throw new UsageError(`${flag} needs a value`)
    return v
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    switch (a) {
      case '--bios':
        args.bios = value(i++, a)
        break
      case '--disk':
        args.disk = value(i++, a)
        break
      case '--machine':
        args.machine = value(i++, a)
        if (!(args.machine in MACHINE_PRESETS)) throw new UsageError(`--machine ${args.machine}: the machines are ${PRESET_NAMES.join(', ')}`)
        break
      case '--raw':
        args.rawAddr = BigInt(numberArg(value(i++, a), '--raw'))
        break
      case '--initrd':
        args.initrd = value(i++, a)
        break
      case '--append':
        args.append = value(i++, a)
        break
      case '--module': {
        const v = value(i++, a)
        const comma = v.indexOf(',')
        args.modules.push(comma < 0 ? { file: v } : { file: v.slice(0, comma), string: v.slice(comma + 1) })
        break
      }
      case '--mem': {
        const size = parseSize(value(i++, a))
        if (!size || size < 16 * 1024 * 1024 || size % 4096 !== 0) throw new UsageError(`--mem ${argv[i]}: give a size of at least 16M, like 128M or 1G`)
        if (size > MAX_GUEST_RAM_BYTES) throw new UsageError(`--mem ${argv[i]}: the most guest RAM is ${MAX_GUEST_RAM_BYTES / 1024 ** 2}M (the hart keeps RAM in 32-bit WebAssembly memory)`)
        args.memBytes = size
        break
      }
      case '--max-steps': {
        const v = value(i++, a)
        if (!/^\d+$/.test(v)) throw new UsageError(`--max-steps ${v}: give a whole number of instructions`)
        args.maxSteps = BigInt(v)
        break
      }
      case '--tohost':
        args.tohost = true
        break
      case '--strict-tlb':
        args.strictTlb = true
        break
      case '--events':
        args.events = true
        break
      case '--input':
        args.input = unescapeInput(value(i++, a))
        break
      case '--gdb': {
        const v = argv[i + 1]
        const port = v !== undefined && /^\d+$/.test(v) ? Number(argv[++i]) : GDB_DEFAULT_PORT
        if (port > 65535) throw new UsageError(`--gdb ${port}: give a TCP port number (0 picks a free one)`)
        args.gdb = port
        break
      }
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
        if (args.kernel !== undefined) throw new UsageError(`one kernel only (got ${args.kernel} and ${a})`)
        args.kernel = a
    }
  }
  if (args.kernel === undefined) throw new UsageError('which kernel? give the path of an ELF, a Linux Image, or a raw binary with --raw ADDR')
  return args as BootArgs
}

const hex = (x: bigint) => `0x${x.toString(16)}`

function describeEvent(e: MachineEvent): string | undefined {
  switch (e.kind) {
    case 'segment-loaded':
      return `segment loaded: ${e.segment.image} VA ${hex(e.segment.vaddr)} → PA ${hex(e.segment.paddr)}, ${e.segment.memsz} bytes (${e.segment.sections.join(' ') || 'raw'})`
    case 'firmware-handoff':
      // RISC-V: `S`-mode with a0/a1; x86: `ring 0` with EAX (the Multiboot magic) and EBX (the boot information).
      return e.mode.startsWith('ring')
        ? `step ${e.step}: hand-off from ${e.from} to ${hex(e.entry)} in ${e.mode}, eax = ${hex(e.a0)}, ebx = ${hex(e.a1)}`
        : `step ${e.step}${e.exact ? '' : ' (first seen)'}: hand-off from ${e.from} to ${hex(e.entry)} in ${e.mode}-mode` + (e.exact ? `, a0 = ${hex(e.a0)}, a1 = ${hex(e.a1)}` : '')
    case 'input':
      return `step ${e.step}: ${e.bytes.length} bytes of input`
    default:
      return undefined
  }
}

/**
 * What `--gdb` serves (boot and record alike): the boot's images and options, the disk (its own
 * copy-on-write overlay) and `--input` (held until the guest asks) — both state the live session's
 * checkpoints keep, so going backward and forward again sees the same (live-boot.ts).
 */
export function liveGdbOptions(args: BootArgs & { gdb: number }, images: Pick<BootConfig, 'kernel' | 'bios' | 'initrd' | 'disk'>): Pick<LiveGdbOptions, 'config' | 'budget' | 'port' | 'input'> {
  const config: BootConfig = { ...images, memBytes: args.memBytes, tohost: args.tohost, strictTlb: args.strictTlb, machine: args.machine, append: args.append, modules: moduleFiles(args) }
  return { config, budget: args.maxSteps, port: args.gdb, ...(args.input !== undefined ? { input: new TextEncoder().encode(args.input) } : {}) }
}

/** The `--module` files, read. */
export function moduleFiles(args: BootArgs): ModuleFile[] {
  return args.modules.map((m) => ({ file: m.file, bytes: readInputFile(m.file, 'module'), string: m.string }))
}

export const bootCommand: CliCommand = {
  name: 'boot',
  summary: 'boot a kernel (RISC-V virt or x86 PC) and print its console',
  usage: USAGE,
  async run(argv) {
    const args = parseBootArgs(argv)
    const { kernel, bios, initrd } = bootImages(args.kernel, args.bios, args)
    const disk = args.disk ? openDiskImage(args.disk) : undefined
    try {
      if (args.gdb !== undefined) {
        const r = await serveLiveBoot({
          ...liveGdbOptions({ ...args, gdb: args.gdb }, { kernel, bios, initrd, disk }),
          write: (bytes) => process.stdout.write(bytes),
          log: (line) => process.stderr.write(`bootscope boot: ${line}\n`),
        })
        if (!r.ok) {
          printError('boot', r.error)
          return 1
        }
        const stop = r.value!
        process.stderr.write(`bootscope boot: ${stop.reason} at step ${stop.step} (pc ${hex(stop.pc)}): ${stop.message}\n`)
        return stop.exitCode ?? 0
      }
      const pending: number[] = []
      const flush = () => {
        if (pending.length) process.stdout.write(Buffer.from(pending.splice(0)))
      }
      const created = await createMachine({
        kernel,
        bios,
        initrd,
        disk,
        memBytes: args.memBytes,
        tohost: args.tohost,
        strictTlb: args.strictTlb,
        machine: args.machine,
        append: args.append,
        modules: moduleFiles(args),
        listener: (e) => {
          if (e.kind === 'uart') {
            pending.push(e.byte)
            if (e.byte === 0x0a || pending.length >= 4096) flush()
          } else if (e.kind === 'warning') {
            process.stderr.write(`bootscope boot: warning: ${e.message}\n`)
          } else if (args.events) {
            const line = describeEvent(e)
            if (line) process.stderr.write(`bootscope boot: ${line}\n`)
          }
        },
      })
      if (!created.ok) {
        printError('boot', created.error)
        return 1
      }
      const machine = created.value
      if (args.input !== undefined) {
        if (machine.typeWhenAsked) machine.typeWhenAsked(args.input)
        else machine.sendInput(args.input)
      }
      const stop = await machine.run({ maxSteps: args.maxSteps })
      flush()
      if (machine.inputHeldBack) process.stderr.write(`bootscope boot: warning: the guest never asked for input, so --input was not typed\n`)
      const loc = kernelLineAt(kernel.bytes, machine.images[0]?.elf?.segments ?? [], stop.pc)
      process.stderr.write(`bootscope boot: ${stop.reason} at step ${stop.step} (pc ${hex(stop.pc)}): ${stop.message}\n${stopSourceText(loc)}${stop.hint ? `  hint: ${stop.hint}\n` : ''}`)
      return stop.exitCode ?? 0
    } finally {
      disk?.close()
    }
  },
}
