/**
 * The user's workspace folder: listing, reading and atomically saving its files, and creating it
 * from the built-in example on first start so a newcomer sees a real kernel at once. Paths from
 * the renderer are workspace-relative and may never escape the folder.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve, sep } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import { languageOf, type FileEntry, type SavedFile, type WorkspaceFile, type WorkspaceInfo } from '../../shared/api/workspace'
import { writeFileAtomic } from './atomic-write'
import { EXAMPLE_DIR } from './paths'

/** Folders the tree does not show: our own state and VCS internals. */
const HIDDEN_DIRS = new Set(['.bootscope', '.git', 'node_modules'])
const MAX_FILE_BYTES = 8 * 1024 * 1024

export class Workspace {
  private current: string

  constructor(root: string) {
    this.current = resolve(root)
  }

  /** The folder open now; every path of the API is relative to it. */
  get root(): string {
    return this.current
  }

  /**
   * Makes another existing folder the workspace (a lab's): the services holding this object
   * build, boot and record there from now on.
   */
  switchTo(root: string): void {
    this.current = resolve(root)
  }

  /** Creates the workspace from the built-in example when the folder does not exist or is empty. */
  static openOrCreate(root: string, example = EXAMPLE_DIR): Workspace {
    if (!existsSync(root) || readdirSync(root).length === 0) {
      mkdirSync(root, { recursive: true })
      cpSync(example, root, { recursive: true })
    }
    return new Workspace(root)
  }

  /** Where this workspace's recordings are kept. */
  get recordingsDir(): string {
    return join(this.root, '.bootscope', 'recordings')
  }

  info(): WorkspaceInfo {
    const files: WorkspaceFile[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const abs = join(dir, name)
        const st = statSync(abs)
        if (st.isDirectory()) {
          if (!HIDDEN_DIRS.has(name)) walk(abs)
        } else if (st.isFile() && !name.endsWith('.tmp')) {
          const path = relative(this.root, abs).split(sep).join('/')
          files.push({ path, size: st.size, language: languageOf(path) })
        }
      }
    }
    walk(this.root)
    return { root: this.root, name: basename(this.root), files }
  }

  /** Resolves a workspace-relative path, refusing anything outside the workspace. */
  resolvePath(path: string): Result<string> {
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
      return err('workspace.bad_path', `invalid file path '${String(path)}'`)
    }
    const abs = resolve(this.root, path)
    if (abs !== this.root && !abs.startsWith(this.root + sep)) {
      return err('workspace.outside', `'${path}' is outside the workspace`, { hint: 'Use a path relative to the workspace folder.' })
    }
    return ok(abs)
  }

  read(path: string): Result<FileEntry> {
    const abs = this.resolvePath(path)
    if (!abs.ok) return abs
    if (!existsSync(abs.value)) return err('workspace.not_found', `no file '${path}' in the workspace`)
    const st = statSync(abs.value)
    if (!st.isFile()) return err('workspace.not_a_file', `'${path}' is not a file`)
    if (st.size > MAX_FILE_BYTES) return err('workspace.too_large', `'${path}' is larger than 8 MiB`)
    return ok({ path, text: readFileSync(abs.value, 'utf8'), language: languageOf(path) })
  }

  readBytes(path: string): Uint8Array | undefined {
    const abs = this.resolvePath(path)
    if (!abs.ok || !existsSync(abs.value) || !statSync(abs.value).isFile()) return undefined
    return readFileSync(abs.value)
  }

  write(path: string, text: string): Result<SavedFile> {
    const abs = this.resolvePath(path)
    if (!abs.ok) return abs
    if (typeof text !== 'string') return err('workspace.bad_text', 'file contents must be text')
    try {
      mkdirSync(resolve(abs.value, '..'), { recursive: true })
      writeFileAtomic(abs.value, text)
    } catch (e) {
      return err('workspace.write_failed', `could not save '${path}': ${(e as Error).message}`)
    }
    return ok({ path, bytes: Buffer.byteLength(text), savedAt: new Date().toISOString() })
  }
}
