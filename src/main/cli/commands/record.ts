/**
 * `bootscope record KERNEL -o rec.sqlite [boot options]`: boots like `bootscope boot` and records
 * the boot into one SQLite file (docs/trace-format.md), printing the console on stdout and the
 * recording's summary on stderr. Exit code: the guest's, as for `boot`.
 */
import { formatDiagnostic } from '../../../shared/api/result'
import { UsageError, type CliCommand } from '../command'
import { bootImages, openDiskImage } from '../inputs'
import { Recorder } from '../../trace/recorder'
import { moduleFiles, parseBootArgs } from './boot'

const USAGE = `Usage: bootscope record KERNEL -o REC.sqlite [options]

Boots KERNEL like \`bootscope boot\` and records the boot into REC.sqlite: the kernel, firmware
and initrd with their hashes, the command line, typed input with its step, and the events of the
boot (segments loaded, firmware hand-off, traps, satp writes, console output, why it stopped).
Query it with \`bootscope events\`.

Options: -o FILE (required), and those of \`bootscope boot\`:
  --machine NAME, --append CMDLINE, --module FILE[,STRING], --bios none|builtin|FILE, --raw ADDR,
  --initrd FILE, --disk IMG, --mem SIZE, --max-steps N, --tohost, --input TEXT`

export const recordCommand: CliCommand = {
  name: 'record',
  summary: 'boot a kernel and record the boot into a SQLite file',
  usage: USAGE,
  async run(argv) {
    const o = argv.findIndex((a) => a === '-o' || a === '--output')
    if (o < 0 || argv[o + 1] === undefined) throw new UsageError('where to? give the recording file with -o REC.sqlite')
    const out = argv[o + 1]
    const args = parseBootArgs([...argv.slice(0, o), ...argv.slice(o + 2)])
    const { kernel, bios, initrd } = bootImages(args.kernel, args.bios, args)
    const disk = args.disk ? openDiskImage(args.disk) : undefined
    try {
      const started = await Recorder.start({
        recordingPath: out,
        kernel,
        bios,
        initrd,
        disk,
        memBytes: args.memBytes,
        maxSteps: args.maxSteps,
        tohost: args.tohost,
        machine: args.machine,
        append: args.append,
        modules: moduleFiles(args),
        writtenBy: 'bootscope record',
        onOutput: (_step, text) => process.stdout.write(text),
      })
      if (!started.ok) {
        console.error(formatDiagnostic(started.error))
        return 1
      }
      if (args.input !== undefined) started.value.typeWhenAsked(args.input)
      const r = await started.value.run()
      process.stderr.write(`bootscope record: ${r.stop.reason} at step ${r.steps}: ${r.stop.message}\n${r.stop.hint ? `  hint: ${r.stop.hint}\n` : ''}bootscope record: wrote ${out}\n`)
      return r.stop.exitCode ?? 0
    } finally {
      disk?.close()
    }
  },
}
