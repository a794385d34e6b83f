/**
 * `file.import`: saves bytes the renderer uploaded (a dropped kernel ELF) into the workspace's
 * `imports/` folder, atomically. The name and the payload come from another process, so both
 * are checked: a plain file name (no folders, no leading dot), valid base64, a size limit.
 */
import { err, ok, type Result } from '../../shared/api/result'
import { IMPORT_NAME, IMPORTS_DIR, MAX_IMPORT_BYTES, type FileImportArgs, type ImportedFile } from '../../shared/api/file-import'
import { writeFileAtomic } from './atomic-write'
import type { Workspace } from './workspace'

// A flat character class (no repeated group): the regex engine must not recurse over megabytes.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/
const isBase64 = (s: string) => s.length % 4 === 0 && BASE64_CHARS.test(s)

export function importFile(workspace: Workspace, args: FileImportArgs): Result<ImportedFile> {
  const { name, base64 } = args ?? ({} as FileImportArgs)
  if (typeof name !== 'string' || !IMPORT_NAME.test(name)) {
    return err('import.bad_name', `cannot import a file named '${String(name)}'`, {
      hint: 'Use a plain file name of letters, digits, `_ . + -` (no folders, not starting with a dot), e.g. `kernel.elf`.',
    })
  }
  if (typeof base64 !== 'string') return err('import.bad_data', 'the file contents must be base64 text')
  if (base64.length > Math.ceil(MAX_IMPORT_BYTES / 3) * 4) {
    return err('import.too_large', `'${name}' is larger than ${MAX_IMPORT_BYTES / (1024 * 1024)} MiB`, { hint: 'Import a kernel image, not a disk image.' })
  }
  if (!isBase64(base64)) return err('import.bad_data', `the contents of '${name}' are not valid base64`)
  const bytes = Buffer.from(base64, 'base64')
  const path = `${IMPORTS_DIR}/${name}`
  const folder = workspace.stateFolder(IMPORTS_DIR)
  if (!folder.ok) return folder
  const abs = workspace.confine(path, 'creatable')
  if (!abs.ok) return abs
  try {
    writeFileAtomic(abs.value, bytes)
  } catch (e) {
    return err('import.write_failed', `could not save '${path}': ${(e as Error).message}`)
  }
  return ok({ path, bytes: bytes.length })
}
