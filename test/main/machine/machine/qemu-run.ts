/**
 * Runs the oracle: `qemu-system-riscv64 -M virt -nographic` on a kernel with a timeout, returning
 * what the guest printed and QEMU's exit status (the test finisher's code).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface QemuRun {
  text: string
  exitCode: number | null
  timedOut: boolean
}

/** `extra`: more QEMU arguments (-initrd FILE, -append ARGS, -m SIZE). */
export function runQemu(qemuPath: string, kernel: Uint8Array, bios: string, timeoutMs = 10_000, disk?: Uint8Array, extra: string[] = []): QemuRun {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-run-'))
  const file = join(dir, 'kernel.elf')
  writeFileSync(file, kernel)
  const drive: string[] = []
  if (disk) {
    // A modern (version 2) transport like ours, on the first slot, and never writing the image.
    writeFileSync(join(dir, 'disk.img'), disk)
    drive.push('-global', 'virtio-mmio.force-legacy=false', '-drive', `file=${join(dir, 'disk.img')},if=none,format=raw,id=hd0,snapshot=on`)
    drive.push('-device', 'virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0')
  }
  const r = spawnSync(qemuPath, ['-M', 'virt', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-bios', bios, ...drive, ...extra, '-kernel', file], {
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return { text: r.stdout.toString('latin1'), exitCode: r.status, timedOut: r.error !== undefined || r.signal !== null }
}

/** The part of a console log after OpenSBI's banner (its last line names MEDELEG). */
export function afterOpenSbiBanner(text: string): string {
  const at = text.lastIndexOf('Boot HART MEDELEG')
  if (at < 0) return text
  return text.slice(text.indexOf('\n', at) + 1)
}
