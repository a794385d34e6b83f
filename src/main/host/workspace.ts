/**
 * The user's workspace folder: listing, reading and atomically saving its files, and creating it
 * from the built-in example on first start so a newcomer sees a real kernel at once. Paths from
 * the renderer are workspace-relative and may never escape the folder — neither lexically (`../`,
 * an absolute path) nor through a symbolic link (files/confined-path.ts): what is read, written
 * or created is always inside the workspace's real path.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import { gasArchOfText, languageOf, type FileEntry, type LanguageHints, type SavedFile, type WorkspaceInfo } from '../../shared/api/workspace'
import { confinePath, ensureFolder, listTree } from '../files/confined-path'
import { readRegularFile, readRegularFileAsync } from '../files/regular-file'
import { writeFileAtomic } from './atomic-write'
import { EXAMPLE_DIR } from './paths'

/** Folders the tree does not show: our own state and VCS internals. */
const HIDDEN_DIRS = new Set(['.bootscope', '.git', 'node_modules'])
export const MAX_FILE_BYTES = 8 * 1024 * 1024
/** The tree lists at most this many files (a workspace is sources, not a disk). */
export const MAX_LISTED_FILES = 20_000
const FOLDER_NAME = 'the workspace'
/** Where recordings are kept, workspace-relative. */
export const RECORDINGS_FOLDER = '.bootscope/recordings'

export class Workspace {
  private current: string
  /** The folder the workspace was opened with (the app's home workspace). */
  private readonly home: string
  /** The folder created from a built-in example at this start (the newcomer's first start), and the example's id. */
  private createdAtStart?: { root: string; example: string }

  constructor(root: string) {
    this.current = resolve(root)
    this.home = this.current
  }

  /** The folder open now; every path of the API is relative to it. */
  get root(): string {
    return this.current
  }

  /** The folder's real path (links in the path to it followed): what confined paths must stay inside. */
  get realRoot(): string {
    try {
      return realpathSync(this.current)
    } catch {
      return this.current
    }
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
      const ws = new Workspace(root)
      ws.createdAtStart = { root: ws.root, example: basename(example) }
      return ws
    }
    return new Workspace(root)
  }

  /** Where this workspace's recordings are kept (see `stateFolder` before writing there). */
  get recordingsDir(): string {
    return join(this.root, RECORDINGS_FOLDER)
  }

  /**
   * A folder of the workspace Bootscope writes into (`.bootscope/recordings`, `.bootscope/build`,
   * `imports`), created when missing; refused when it, or a folder on the way, is a link out.
   */
  stateFolder(rel: string): Result<string> {
    return ensureFolder(this.realRoot, rel, FOLDER_NAME)
  }

  private tree(): ReturnType<typeof listTree> {
    return listTree(this.realRoot, { hiddenDirs: HIDDEN_DIRS, hideFile: (n) => n.endsWith('.tmp'), maxFiles: MAX_LISTED_FILES })
  }

  info(): WorkspaceInfo {
    const tree = this.tree()
    return {
      root: this.root,
      name: basename(this.root),
      files: tree.files.map((f) => ({ ...f, language: languageOf(f.path, this.gasHints(f.path, tree.files)) })),
      links: tree.links,
      skipped: tree.skipped,
      ...(this.createdAtStart?.root === this.root ? { firstStart: { example: this.createdAtStart.example } } : {}),
      ...(this.root !== this.home ? { home: this.home } : {}),
    }
  }

  /** The workspace-relative path of an absolute one inside the workspace (as a compiler's DWARF names it), else undefined. */
  relativeOf(abs: string): string | undefined {
    if (!isAbsolute(abs)) return undefined
    for (const root of [this.root, this.realRoot]) {
      if (abs.startsWith(root + sep)) return relative(root, abs)
    }
    return undefined
  }

  /** Resolves a workspace-relative path lexically, refusing anything outside the workspace (links are `confine`'s). */
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

  /**
   * The real path of a workspace path, with every link on the way followed and checked to stay
   * inside (`existing`: it must exist; `creatable`: a file about to be written).
   */
  confine(path: string, mode: 'existing' | 'creatable' = 'existing'): Result<string> {
    const abs = this.resolvePath(path)
    if (!abs.ok) return abs
    return confinePath(this.realRoot, relative(this.root, abs.value), { mode, folderName: FOLDER_NAME })
  }

  /**
   * What tells a GNU assembly file's architecture (shared/api/workspace.ts languageOf): its text
   * and whether the workspace is an x86 project (it has NASM sources). Only for `.s`/`.S`.
   */
  private gasHints(path: string, files?: readonly { path: string }[], text?: string): LanguageHints {
    if (!/\.s$/i.test(path)) return {}
    if (text === undefined) {
      const real = this.confine(path)
      const bytes = real.ok ? readRegularFile(real.value, 'file', MAX_FILE_BYTES) : undefined
      text = bytes?.ok ? new TextDecoder().decode(bytes.value.subarray(0, 64 * 1024)) : undefined
    }
    if (text !== undefined && gasArchOfText(text)) return { text }
    const listed = files ?? this.tree().files
    return { text, x86Project: listed.some((f) => /\.(asm|nasm)$/i.test(f.path)) }
  }

  async read(path: string): Promise<Result<FileEntry>> {
    const real = this.confine(path)
    if (!real.ok) return real
    const bytes = await readRegularFileAsync(real.value, 'file', MAX_FILE_BYTES, { noFollow: true })
    if (!bytes.ok) return bytes
    const text = new TextDecoder().decode(bytes.value)
    return ok({ path, text, language: languageOf(path, this.gasHints(path, undefined, text)) })
  }

  write(path: string, text: string): Result<SavedFile> {
    if (typeof text !== 'string') return err('workspace.bad_text', 'file contents must be text')
    const real = this.confine(path, 'creatable')
    if (!real.ok) return real
    const folder = this.stateFolder(relative(this.realRoot, dirname(real.value)))
    if (!folder.ok) return folder
    try {
      writeFileAtomic(real.value, text)
    } catch (e) {
      return err('workspace.write_failed', `could not save '${path}': ${(e as Error).message}`)
    }
    return ok({ path, bytes: Buffer.byteLength(text), savedAt: new Date().toISOString() })
  }
}
