/**
 * `bootscope record KERNEL -o rec.sqlite [boot options]`: boots like `bootscope boot` and records
 * the boot into one SQLite file (docs/trace-format.md), printing the console on stdout and the
 * recording's summary on stderr. Exit code: the guest's, as for `boot`. Ctrl-C (SIGINT) and
 * SIGTERM end the recording cleanly (outcome `interrupted`) with 130 / 143.
 */
import { printError, UsageError, type CliCommand } from '../command'
import { bootImages, openDiskImage } from '../inputs'
import { DEFAULT_MAX_RECORDING_BYTES, Recorder } from '../../trace/recorder'
import { liveGdbOptions, moduleFiles, parseBootArgs, parseSize, type BootArgs } from './boot'
import { stopSourceText } from '../stop-source'
import { serveLiveBoot } from '../../gdb/live-boot'

const USAGE = `Usage: bootscope record KERNEL -o REC.sqlite [options]

Boots KERNEL like \`bootscope boot\` and records the boot into REC.sqlite: the kernel, firmware
and initrd with their hashes, the command line, typed input with its step, and the events of the
boot (segments loaded, firmware hand-off, traps, satp writes, console output, why it stopped).
Query it with \`bootscope events\`.

The recording is written to REC.partial-PID.sqlite beside REC.sqlite and renamed to REC.sqlite when
the boot ends; an earlier recording there stays intact until then, and a file that is not a
recording is never replaced. It is committed at least every 0.1 s: after a crash or kill -9 the
partial file reads as incomplete up to its last committed step. Ctrl-C or SIGTERM end it cleanly.

Options: -o FILE (required), --max-bytes SIZE (size cap of the file, default ${DEFAULT_MAX_RECORDING_BYTES / 1024 ** 3}G),
and those of \`bootscope boot\`:
  --machine NAME, --append CMDLINE, --module FILE[,STRING], --bios none|builtin|FILE, --raw ADDR,
  --initrd FILE, --disk IMG, --mem SIZE, --max-steps N, --tohost, --strict-tlb, --input TEXT, --gdb [PORT]
  (with --gdb the boot waits for gdb at its first instruction and is recorded as far as gdb runs it,
  then to its end once gdb detaches)`

/** Exit codes of a recording ended by a signal, as shells report them (128 + signal number). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 }

function takeOption(argv: string[], names: string[]): { value?: string; rest: string[] } {
  const i = argv.findIndex((a) => names.includes(a))
  if (i < 0) return { rest: argv }
  if (argv[i + 1] === undefined) throw new UsageError(`${argv[i]} needs a value`)
  return { value: argv[i + 1], rest: [...argv.slice(0, i), ...argv.slice(i + 2)] }
}

export const recordCommand: CliCommand = {
  name: 'record',
  summary: 'boot a kernel and record the boot into a SQLite file',
  usage: USAGE,
  async run(argv) {
    const output = takeOption(argv, ['-o', '--output'])
    if (output.value === undefined) throw new UsageError('where to? give the recording file with -o REC.sqlite')
    const out = output.value
    const cap = takeOption(output.rest, ['--max-bytes'])
    const maxBytes = cap.value === undefined ? undefined : parseSize(cap.value)
    if (cap.value !== undefined && !maxBytes) throw new UsageError(`--max-bytes ${cap.value}: give a size like 500M or 4G`)
    const args: BootArgs = parseBootArgs(cap.rest)
    const { kernel, bios, initrd } = bootImages(args.kernel, args.bios, args)
    const disk = args.disk ? openDiskImage(args.disk) : undefined
    const pending: string[] = []
    const flush = () => {
      if (pending.length) process.stdout.write(pending.splice(0).join(''))
    }
    const listeners: [string, () => void][] = []
    try {
      const started = await Recorder.start({
        recordingPath: out,
        kernel,
        bios,
        initrd,
        disk,
        diskName: args.disk,
        memBytes: args.memBytes,
        maxSteps: args.maxSteps,
        maxBytes,
        tohost: args.tohost,
        strictTlb: args.strictTlb,
        machine: args.machine,
        append: args.append,
        modules: moduleFiles(args),
        writtenBy: 'bootscope record',
        onOutput: (_step, text) => {
          pending.push(text)
          if (text === '\n' || pending.length >= 4096) flush()
        },
        onProgress: flush,
      })
      if (!started.ok) {
        printError('record', started.error)
        return 1
      }
      const rec = started.value
      process.stderr.write(`bootscope record: writing ${rec.writingPath} (renamed to ${out} when the boot ends)\n`)
      for (const signal of Object.keys(SIGNAL_EXIT)) {
        const on = () => rec.interrupt(signal, SIGNAL_EXIT[signal])
        process.on(signal, on)
        listeners.push([signal, on])
      }
      if (args.input !== undefined) rec.typeWhenAsked(args.input)
      if (args.gdb !== undefined) {
        // gdb drives the boot in a machine of its own; the recorder follows the furthest step.
        // The same input (typed when asked) and disk (copy-on-write, its own overlay) as the recorder's.
        const served = await serveLiveBoot({
          ...liveGdbOptions({ ...args, gdb: args.gdb }, { kernel, bios, initrd, disk }),
          follow: async (frontier) => void (await rec.runTo(frontier)),
          write: () => {},
          log: (line) => process.stderr.write(`bootscope record: ${line}\n`),
        })
        if (!served.ok) {
          rec.cancel()
          await rec.run()
          printError('record', served.error)
          return 1
        }
      }
      const r = await rec.run()
      flush()
      process.stderr.write(`bootscope record: ${r.stop.reason} at step ${r.steps}: ${r.stop.message}\n${stopSourceText(r.loc)}${r.stop.hint ? `  hint: ${r.stop.hint}\n` : ''}`)
      if (r.writeError) {
        process.stderr.write(`bootscope record: ${r.writeError}\n`)
        return 1
      }
      process.stderr.write(`bootscope record: wrote ${r.path}\n`)
      return r.stop.exitCode ?? 0
    } finally {
      for (const [signal, on] of listeners) process.off(signal, on)
      disk?.close()
    }
  },
}
