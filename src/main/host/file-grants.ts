/**
 * The files outside the workspace the user chose this session (shared/api/file-grant.ts says
 * how they are chosen). A grant is the file's real path, so a link planted later at the chosen
 * path, or another spelling of a path that was never chosen, does not match. Granting checks the
 * file on an open descriptor (a regular file within the image cap) without reading it; the bytes
 * are read when a boot needs them, asynchronously, off the main thread.
 */
import { realpath } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import type { ChosenFileRole, GrantedFile } from '../../shared/api/file-grant'
import { MAX_IMAGE_BYTES, checkRegularFileAsync } from '../files/regular-file'

export class FileGrants {
  private readonly granted = new Set<string>()

  /** Grants `path` (absolute) after checking it is a regular file within the image cap. */
  async grant(path: string, role: ChosenFileRole): Promise<Result<GrantedFile>> {
    if (!isAbsolute(path)) {
      return err('file.not_absolute', `'${path}' is not an absolute path`, { hint: 'a file inside the workspace needs no grant: give its workspace-relative path' })
    }
    let real: string
    try {
      real = await realpath(path)
    } catch {
      real = path // the check below says why (no such file, no access, a loop)
    }
    const checked = await checkRegularFileAsync(real, role, MAX_IMAGE_BYTES)
    if (!checked.ok) return checked
    this.granted.add(real)
    return ok({ path, bytes: checked.value.size })
  }

  /** The real path of `path` when it was granted this session, or undefined. */
  async lookup(path: string): Promise<string | undefined> {
    try {
      const real = await realpath(path)
      return this.granted.has(real) ? real : undefined
    } catch {
      return undefined
    }
  }
}
