/**
 * Reading a file a user named — a kernel, firmware, a disk image, a source or what it includes —
 * as a regular file only, with a size limit. `/dev/zero`, `/dev/urandom`, a FIFO or a terminal
 * would otherwise be read until memory runs out or block forever (issue 10, item 9). The file
 * is opened without blocking (a FIFO with no writer would block `open`), and its type and size
 * are taken from the open descriptor, so what is checked is what is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import { err, ok, type Result } from '../../shared/api/result'
import { MAX_INCLUDED_TEXT_BYTES } from '../toolchain/input-file'

const MiB = 1024 * 1024

/** Sources, linker scripts and what they include (`#include`, `.include`, `INCLUDE`): the toolchain's own cap. */
export const MAX_SOURCE_BYTES = MAX_INCLUDED_TEXT_BYTES
/** `.incbin` data: as much as one assembler section may hold. */
export const MAX_INCBIN_BYTES = 64 * MiB
/** A kernel, firmware or initrd image: loaded whole into guest RAM, so never near the host's memory. */
export const MAX_IMAGE_BYTES = 256 * MiB
/** A disk image: read lazily sector by sector, so only its size as a number is bounded. */
export const MAX_DISK_BYTES = 64 * 1024 * MiB

// O_NONBLOCK: a FIFO opens at once instead of waiting for a writer (it is refused right after).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)

/** What a file that is not a regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isFIFO()) return 'a FIFO (named pipe)'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

function formatBytes(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(n % MiB ? 1 : 0)} MiB` : `${n} bytes`
}

/** `a kernel`, `an initrd`, `an included file`. */
const withArticle = (what: string) => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`

/** The refusal for a descriptor's stats, or undefined when it is a regular file within `maxBytes`. */
function refusal(path: string, what: string, st: Stats, maxBytes: number): Result<never> | undefined {
  if (!st.isFile()) {
    return err('file.not_regular', `the ${what} '${path}' is ${kindOf(st)}, not a regular file`, { hint: `name a file on disk (devices, pipes and folders cannot be ${withArticle(what)})` })
  }
  if (st.size > maxBytes) {
    return err('file.too_large', `the ${what} '${path}' is ${formatBytes(st.size)}, more than the ${formatBytes(maxBytes)} ${withArticle(what)} may be`, { hint: 'is this the file you meant?' })
  }
  return undefined
}

function openFailure(path: string, what: string, e: unknown): Result<never> {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return err('file.not_found', `no ${what} '${path}'`, { hint: 'check the path (relative paths start at the current folder)' })
  if (code === 'EACCES' || code === 'EPERM') return err('file.no_access', `cannot read the ${what} '${path}': permission denied`)
  if (code === 'EISDIR') return err('file.not_regular', `the ${what} '${path}' is a folder, not a regular file`)
  return err('file.unreadable', `cannot read the ${what} '${path}': ${code ?? (e as Error).message}`)
}

/**
 * Reads a regular file of at most `maxBytes`, synchronously (the command line). `what` names the
 * file in messages: `kernel`, `firmware`, `include file`.
 */
export function readRegularFile(path: string, what: string, maxBytes: number): Result<Uint8Array> {
  let fd: number
  try {
    fd = openSync(path, OPEN_FLAGS)
  } catch (e) {
    return openFailure(path, what, e)
  }
  try {
    const st = fstatSync(fd)
    const refused = refusal(path, what, st, maxBytes)
    if (refused) return refused
    // Read what fstat promised and no more: a file growing meanwhile cannot take us past the limit.
    const out = new Uint8Array(st.size)
    let at = 0
    while (at < out.length) {
      const n = readSync(fd, out, at, out.length - at, at)
      if (n === 0) break
      at += n
    }
    return ok(at === out.length ? out : out.subarray(0, at))
  } catch (e) {
    return openFailure(path, what, e)
  } finally {
    closeSync(fd)
  }
}

type FileHandle = Awaited<ReturnType<typeof open>>

export interface AsyncOpenOptions {
  /**
   * `path` is a real path already checked (a confined workspace path, a granted file): refuse it
   * if its last component has become a symbolic link since (O_NOFOLLOW), instead of following it.
   */
  noFollow?: boolean
}

/** Opens `path` asynchronously and runs `body` when it is a regular file within `maxBytes`; the handle is closed after. */
async function withRegularFile<T>(
  path: string,
  what: string,
  maxBytes: number,
  opts: AsyncOpenOptions,
  body: (fh: FileHandle, size: number) => Promise<Result<T>>,
): Promise<Result<T>> {
  let fh: FileHandle
  try {
    fh = await open(path, OPEN_FLAGS | (opts.noFollow ? constants.O_NOFOLLOW : 0))
  } catch (e) {
    if (opts.noFollow && (e as NodeJS.ErrnoException).code === 'ELOOP') {
      return err('file.link_changed', `the ${what} '${path}' became a symbolic link after it was checked`, { hint: 'try again; links inside the workspace must stay inside it' })
    }
    return openFailure(path, what, e)
  }
  try {
    const st = await fh.stat()
    return refusal(path, what, st, maxBytes) ?? (await body(fh, st.size))
  } catch (e) {
    return openFailure(path, what, e)
  } finally {
    await fh.close()
  }
}

/** The same, asynchronously: the reading happens on libuv's threads, never blocking the main thread. */
export function readRegularFileAsync(path: string, what: string, maxBytes: number, opts: AsyncOpenOptions = {}): Promise<Result<Uint8Array>> {
  return withRegularFile(path, what, maxBytes, opts, async (fh, size) => {
    const out = new Uint8Array(size)
    let at = 0
    while (at < out.length) {
      const { bytesRead } = await fh.read(out, at, out.length - at, at)
      if (bytesRead === 0) break
      at += bytesRead
    }
    return ok(at === out.length ? out : out.subarray(0, at))
  })
}

/** Checks that `path` is a regular file of at most `maxBytes` without reading it (a disk image, read lazily later). */
export function checkRegularFile(path: string, what: string, maxBytes: number): Result<{ size: number }> {
  let fd: number
  try {
    fd = openSync(path, OPEN_FLAGS)
  } catch (e) {
    return openFailure(path, what, e)
  }
  try {
    const st = fstatSync(fd)
    return refusal(path, what, st, maxBytes) ?? ok({ size: st.size })
  } finally {
    closeSync(fd)
  }
}

/** The same check, asynchronously (the open and the fstat run on libuv's threads). */
export function checkRegularFileAsync(path: string, what: string, maxBytes: number, opts: AsyncOpenOptions = {}): Promise<Result<{ size: number }>> {
  return withRegularFile(path, what, maxBytes, opts, async (_fh, size) => ok({ size }))
}
