/**
 * Importing a file the user brought from elsewhere (a kernel ELF dropped on the window, in
 * browser mode where the server cannot see the user's disk): its bytes travel base64-encoded in
 * one request and are saved into the workspace's `imports/` folder, whose path is then bootable.
 */

export interface FileImportArgs {
  /** The file's own name, no folders: `kernel.elf`. */
  name: string
  /** Its bytes, base64 (RFC 4648, with padding). */
  base64: string
}

export interface ImportedFile {
  /** Workspace-relative path of the saved file: `imports/kernel.elf`. */
  path: string
  bytes: number
}

/** The folder imports are saved into, workspace-relative. */
export const IMPORTS_DIR = 'imports'

/**
 * Largest file accepted: a kernel image, not a disk. Its base64 form (4/3 larger) must fit the
 * browser-mode WebSocket's 16 MiB message limit with room for the envelope.
 */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024

/** Names we save under: a plain file name of letters, digits, `_ . + -`, not starting with a dot. */
export const IMPORT_NAME = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,127}$/
