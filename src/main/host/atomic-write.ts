/**
 * Saves a file so that a crash or power loss never leaves half of it: write a temporary file in
 * the same folder, flush it to disk, then rename it over the target (rename is atomic on POSIX
 * and NTFS within one volume). User files are saved only this way.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  // 'wx' (O_CREAT | O_EXCL): never opens something already there, a planted link included.
  const fd = openSync(tmp, 'wx', 0o644)
  try {
    let off = 0
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
    fsyncSync(fd)
  } catch (e) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw e
  }
  closeSync(fd)
  try {
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
}
