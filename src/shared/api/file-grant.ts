/**
 * Files outside the workspace that the user chose to boot (issue 10, item 6). The API reads no
 * file outside the workspace unless the user picked it for this session:
 * - in the desktop app, in the system's file dialog, which the main process shows and whose
 *   answer the main process records (`file.choose`) — the renderer cannot make one up;
 * - in browser mode, where the server cannot show a dialog on the user's screen, by typing its
 *   absolute path in Open ELF…, which asks the server to grant that one path (`file.grant`).
 * Either way the file must be a regular file within the image size cap. `boot.start` then takes
 * an absolute kernel, firmware or initrd path only when it was granted.
 */

/** What the chosen file will be. */
export type ChosenFileRole = 'kernel' | 'firmware' | 'initrd'
export const CHOSEN_FILE_ROLES: readonly ChosenFileRole[] = ['kernel', 'firmware', 'initrd']

export interface GrantedFile {
  /** The absolute path to give `boot.start` (the dialog's answer, or the path typed). */
  path: string
  bytes: number
}

/** A path the host treats as absolute: POSIX `/…`, or a Windows drive or UNC path. */
export function isAbsoluteFilePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')
}
