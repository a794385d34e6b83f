/**
 * Reads a lab folder from disk: its lab.json (validated, with every error) and the files its
 * build needs, with a student's submission laid over the starter. This is the one place where
 * grading touches files a student controls, so it is strict: only the files the lab says the
 * student edits are taken from the submission, each must be a plain file inside the submission
 * folder (no symbolic link may lead outside it), and each is size-capped. Nothing else of the
 * submission is read; the build itself gets no file access beyond these texts.
 */
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { err, ok, type ApiError, type Result } from '../../shared/api/result'
import { validateLab, type Lab } from '../../shared/labs/lab-format'

/** A source file or linker script of a lab is a few KiB; anything past this is not a kernel source. */
export const MAX_SOURCE_BYTES = 1024 * 1024

export interface LabFolder {
  dir: string
  lab: Lab
}

/** Reads and validates `dir/lab.json`, checking that every file it names exists. */
export function loadLabFolder(dir: string): { folder?: LabFolder; errors: ApiError[] } {
  const abs = resolve(dir)
  const file = join(abs, 'lab.json')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return {
      errors: [{ code: 'lab.not_found', message: `cannot read ${file}: ${code ?? (e as Error).message}`, hint: 'a lab is a folder with a lab.json (docs/labs.md)' }],
    }
  }
  const r = validateLab(text, file, { fileExists: (p) => existsSync(join(abs, p)) })
  if (r.errors.length > 0 || !r.lab) return { errors: r.errors }
  return { folder: { dir: abs, lab: r.lab }, errors: [] }
}

export interface BuildInputs {
  /** Every build input (sources and the linker script), path relative to the lab, with its text. */
  files: { path: string; text: string }[]
  /** The edited files that came from the submission (the others are the starter's). */
  fromSubmission: string[]
}

/** True when `child` is `parent` or inside it (both absolute and resolved). */
function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child)
  return rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel)
}

/**
 * Reads one file of the submission, confined to `root`: a missing file is `undefined` (the
 * starter's copy is used), a symlink, a directory, an oversized file or a path resolving outside
 * `root` is an error value.
 */
function readSubmissionFile(root: string, path: string): Result<string | undefined> {
  const full = join(root, path)
  if (!inside(root, full)) return err('lab.submission_path', `${path} is outside the submission folder`)
  let st
  try {
    st = lstatSync(full)
  } catch {
    return ok(undefined)
  }
  if (st.isSymbolicLink()) {
    return err('lab.submission_symlink', `${path} in the submission is a symbolic link; submit the file itself`, {
      hint: 'grading reads only plain files inside the submission folder',
    })
  }
  if (!st.isFile()) return err('lab.submission_not_file', `${path} in the submission is not a plain file`)
  if (st.size > MAX_SOURCE_BYTES) return err('lab.submission_too_big', `${path} in the submission is ${st.size} bytes, more than the ${MAX_SOURCE_BYTES} a source may have`)
  // A parent folder could still be a link leading elsewhere: compare real paths.
  if (!inside(realpathSync(root), realpathSync(full))) return err('lab.submission_path', `${path} resolves outside the submission folder`)
  return ok(readFileSync(full, 'utf8'))
}

/**
 * The build inputs of `folder`: the starter files, with the edited ones (`lab.files`) taken from
 * `submissionDir` when it has them. Files of the submission that the lab does not list are ignored.
 */
export function readBuildInputs(folder: LabFolder, submissionDir?: string): Result<BuildInputs> {
  const { lab, dir } = folder
  let root: string | undefined
  if (submissionDir !== undefined) {
    root = resolve(submissionDir)
    let st
    try {
      st = statSync(root)
    } catch {
      return err('lab.submission_missing', `the submission folder ${submissionDir} does not exist`)
    }
    if (!st.isDirectory()) return err('lab.submission_missing', `the submission ${submissionDir} is not a folder`)
  }
  const files: BuildInputs['files'] = []
  const fromSubmission: string[] = []
  for (const path of [...lab.build.sources, lab.build.linkerScript]) {
    let text: string | undefined
    if (root !== undefined && lab.files.includes(path)) {
      const r = readSubmissionFile(root, path)
      if (!r.ok) return r
      text = r.value
      if (text !== undefined) fromSubmission.push(path)
    }
    if (text === undefined) {
      try {
        text = readFileSync(join(dir, path), 'utf8')
      } catch (e) {
        return err('lab.missing_file', `cannot read ${join(dir, path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
    }
    files.push({ path, text })
  }
  return ok({ files, fromSubmission })
}

/** The reference solution's folder of a lab. */
export function solutionDir(folder: LabFolder): string {
  return join(folder.dir, folder.lab.solution)
}
