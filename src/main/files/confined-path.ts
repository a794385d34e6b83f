/**
 * Paths confined to a folder *after symbolic links are followed* (issue 10, item 6). A lexical
 * check (`resolve` + prefix) is not enough: `notes -> /usr/share` or `.bootscope -> ~/.ssh`
 * inside a workspace would let a read list or return files outside it and a write create them
 * there. So a path is walked one component at a time from the folder's real path; a component
 * that is a link must resolve (realpath) inside the folder, and the path handed back is the real
 * one, which is what gets opened. A dangling link and a link loop are errors that name the link.
 *
 * Listing the folder (`listTree`) uses the same rule: links to files inside are listed as files,
 * links leading out and links to folders are listed as links and never followed (no loops, no
 * tree of 58 000 files from a link to /usr/share), and a dangling link, a loop or a folder that
 * cannot be read is skipped with a note instead of failing the whole listing.
 */
import { lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, sep } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'

/** True when `child` is `parent` or inside it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel))
}

const errnoOf = (e: unknown) => (e as NodeJS.ErrnoException).code

function readLinkText(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return '?'
  }
}

/** Why a link cannot be followed, as an error naming it by its path in the folder. */
function linkFailure(shown: string, abs: string, e: unknown): Result<never> {
  if (errnoOf(e) === 'ELOOP') {
    return err('workspace.link_loop', `'${shown}' is a symbolic link that leads back to itself (a loop)`, { hint: 'remove the link or point it at a file' })
  }
  if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') {
    return err('workspace.broken_link', `'${shown}' is a symbolic link to '${readLinkText(abs)}', which does not exist`, { hint: 'remove the link or point it at a file' })
  }
  return err('workspace.unreadable', `cannot follow the link '${shown}': ${errnoOf(e) ?? (e as Error).message}`)
}

export interface ConfineOptions {
  /** `existing`: every component must exist. `creatable`: missing trailing components are allowed (a file about to be written). */
  mode: 'existing' | 'creatable'
  /** How the folder is called in messages ('the workspace'). */
  folderName: string
}

/**
 * The real path of `rel` (relative to `rootReal`, the folder's real path), when every component
 * stays inside the folder after links are followed. For `creatable`, the missing tail is joined
 * to the real path of the part that exists.
 */
export function confinePath(rootReal: string, rel: string, opts: ConfineOptions): Result<string> {
  const parts = rel.split(/[\\/]+/).filter((p) => p !== '' && p !== '.')
  let cur = rootReal
  for (let i = 0; i < parts.length; i++) {
    const shown = parts.slice(0, i + 1).join('/')
    const next = join(cur, parts[i])
    let st
    try {
      st = lstatSync(next)
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' && opts.mode === 'creatable') return ok(join(cur, ...parts.slice(i)))
      if (errnoOf(e) === 'ENOENT') return err('workspace.not_found', `no file '${parts.join('/')}' in ${opts.folderName}`)
      if (errnoOf(e) === 'ENOTDIR') return err('workspace.not_a_folder', `'${parts.slice(0, i).join('/')}' is a file, not a folder`)
      return err('workspace.unreadable', `cannot look at '${shown}': ${errnoOf(e) ?? (e as Error).message}`)
    }
    if (st.isSymbolicLink()) {
      let real: string
      try {
        real = realpathSync(next)
      } catch (e) {
        return linkFailure(shown, next, e)
      }
      if (!isInside(rootReal, real)) {
        return err('workspace.link_outside', `'${shown}' is a symbolic link to '${real}', outside ${opts.folderName}`, {
          hint: 'Bootscope reads and writes only inside the workspace: copy the file in, or open a kernel or firmware with Open ELF…',
        })
      }
      cur = real
    } else cur = next
  }
  return ok(cur)
}

/**
 * Creates folder `rel` (and its parents) inside the folder, refusing to go through a link that
 * leads out; returns its real path. What exists is checked before anything is created.
 */
export function ensureFolder(rootReal: string, rel: string, folderName: string): Result<string> {
  const where = confinePath(rootReal, rel, { mode: 'creatable', folderName })
  if (!where.ok) return where
  try {
    mkdirSync(where.value, { recursive: true })
    if (!statSync(where.value).isDirectory()) return err('workspace.not_a_folder', `'${rel}' is not a folder`)
  } catch (e) {
    return err('workspace.write_failed', `cannot create the folder '${rel}': ${errnoOf(e) ?? (e as Error).message}`)
  }
  return ok(where.value)
}

export interface TreeFile {
  /** Relative to the folder, `/`-separated. */
  path: string
  size: number
}
export interface TreeLink {
  path: string
  /** The link's text, as `readlink` gives it. */
  target: string
  /** `outside`: leads out of the folder (refused for read and write); `folder`: a folder inside, listed where it is. */
  kind: 'outside' | 'folder'
}
export interface TreeSkip {
  path: string
  reason: string
}
export interface Tree {
  files: TreeFile[]
  links: TreeLink[]
  skipped: TreeSkip[]
}

export interface ListOptions {
  /** Folder names not descended into (our state, VCS internals). */
  hiddenDirs: ReadonlySet<string>
  /** File names left out of the listing. */
  hideFile?: (name: string) => boolean
  /** At most this many files are listed; past it the walk stops with one note. */
  maxFiles: number
}

/** Lists the folder as described at the top: files, links not followed, and what was skipped with why. */
export function listTree(rootReal: string, opts: ListOptions): Tree {
  const tree: Tree = { files: [], links: [], skipped: [] }
  let full = false
  const add = (path: string, size: number) => {
    if (tree.files.length < opts.maxFiles) tree.files.push({ path, size })
    else full = true
  }
  const walk = (dir: string, prefix: string) => {
    if (full) return
    let names: string[]
    try {
      names = readdirSync(dir).sort()
    } catch (e) {
      tree.skipped.push({ path: prefix || '.', reason: `cannot read the folder: ${errnoOf(e) ?? (e as Error).message}` })
      return
    }
    for (const name of names) {
      if (full) return
      const abs = join(dir, name)
      const path = prefix ? `${prefix}/${name}` : name
      let st
      try {
        st = lstatSync(abs)
      } catch {
        continue // gone since readdir
      }
      if (st.isSymbolicLink()) {
        let real: string
        try {
          real = realpathSync(abs)
          st = statSync(real)
        } catch (e) {
          const failure = linkFailure(path, abs, e)
          tree.skipped.push({ path, reason: failure.ok ? '' : failure.error.message })
          continue
        }
        if (!isInside(rootReal, real)) tree.links.push({ path, target: readLinkText(abs), kind: 'outside' })
        else if (st.isDirectory()) tree.links.push({ path, target: readLinkText(abs), kind: 'folder' })
        else if (st.isFile() && !opts.hideFile?.(name)) add(path, st.size)
      } else if (st.isDirectory()) {
        if (!opts.hiddenDirs.has(name)) walk(abs, path)
      } else if (st.isFile() && !opts.hideFile?.(name)) add(path, st.size)
    }
  }
  walk(rootReal, '')
  if (full) tree.skipped.push({ path: '.', reason: `only the first ${opts.maxFiles} files are listed` })
  return tree
}
