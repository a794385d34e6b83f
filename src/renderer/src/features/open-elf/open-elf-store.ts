/**
 * "Open an ELF" built elsewhere: the kernel path and the machine's boot options the user picked
 * (firmware: our SBI, none, or a firmware file; a raw binary's load address; an initrd and the
 * kernel command line, as QEMU's -initrd and -append; the step budget), importing a dropped file into
 * the workspace (`file.import`), and starting the boot. The run is handed to the boot store, so
 * its progress, console, recording list and timeline behave exactly like a boot of the build.
 *
 * The backend reads no file outside the workspace that the user did not choose
 * (shared/api/file-grant.ts). So an absolute path is chosen before the boot: in browser mode
 * the typed path is granted by its own request (`file.grant`); in the desktop app the system's
 * file dialog opens on it (`file.choose`) and the user confirms it there, or picks it with Browse….
 */
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { api } from '../../api/client'
import { useBootStore } from '../../stores/boot'
import { DEFAULT_BOOT_MAX_STEPS, type BootOptions } from '../../../../shared/api/boot'
import type { ApiError } from '../../../../shared/api/result'
import { IMPORT_NAME, MAX_IMPORT_BYTES } from '../../../../shared/api/file-import'
import { isAbsoluteFilePath, type ChosenFileRole } from '../../../../shared/api/file-grant'

export type BiosChoice = 'builtin' | 'none' | 'file'

/** The machine's default step budget (BootOptions.maxSteps). */
export const DEFAULT_MAX_STEPS = DEFAULT_BOOT_MAX_STEPS

/** A dropped file's name made acceptable to `file.import` (plain, no leading dot). */
export function importName(name: string): string {
  const plain = name.replace(/^.*[\\/]/, '').replace(/[^A-Za-z0-9_.+-]/g, '_').replace(/^\.+/, '').slice(0, 128)
  return IMPORT_NAME.test(plain) ? plain : 'kernel.elf'
}

function base64Of(bytes: Uint8Array): string {
  let s = ''
  const CHUNK = 0x8000 // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(s)
}

export const useOpenElfStore = defineStore('open-elf', () => {
  const dialogOpen = ref(false)
  const path = ref('')
  const bios = ref<BiosChoice>('builtin')
  const firmwarePath = ref('')
  /** A raw binary's load address (empty: the kernel is an ELF or a Linux Image). */
  const rawAddr = ref('')
  const initrdPath = ref('')
  const append = ref('')
  /** Empty means the machine's default. */
  const maxSteps = ref<number | ''>('')
  const error = ref<ApiError>()
  const busy = ref(false)
  // An error is about what was typed: editing the choice clears it.
  watch([path, bios, firmwarePath, rawAddr, initrdPath, append, maxSteps], () => (error.value = undefined))

  function open(prefill?: string): void {
    if (prefill !== undefined) path.value = prefill
    error.value = undefined
    dialogOpen.value = true
  }

  function close(): void {
    dialogOpen.value = false
  }

  /** Uploads a dropped file into `imports/` and opens the dialog on it. */
  async function importDropped(file: File): Promise<void> {
    error.value = undefined
    if (file.size > MAX_IMPORT_BYTES) {
      error.value = { code: 'import.too_large', message: `'${file.name}' is larger than ${MAX_IMPORT_BYTES / (1024 * 1024)} MiB`, hint: 'Drop a kernel image, not a disk image.' }
      dialogOpen.value = true
      return
    }
    busy.value = true
    try {
      const base64 = base64Of(new Uint8Array(await file.arrayBuffer()))
      const r = await api.invoke('file.import', { name: importName(file.name), base64 })
      if (!r.ok) {
        error.value = r.error
        dialogOpen.value = true
        return
      }
      open(r.value.path)
    } finally {
      busy.value = false
    }
  }

  function options(): BootOptions | ApiError {
    const kernel = path.value.trim()
    if (!kernel) return { code: 'open_elf.no_path', message: 'Type the path of a kernel ELF.', hint: 'Relative to the workspace (imports/kernel.elf) or absolute.' }
    const firmware = firmwarePath.value.trim()
    if (bios.value === 'file' && !firmware) return { code: 'open_elf.no_firmware', message: 'Type the path of the firmware file, or pick another firmware.' }
    const steps = maxSteps.value === '' ? undefined : Number(maxSteps.value)
    if (steps !== undefined && (!Number.isSafeInteger(steps) || steps <= 0)) return { code: 'open_elf.bad_steps', message: 'The step budget must be a positive whole number.' }
    const raw = rawAddr.value.trim()
    if (raw && !/^(0x[0-9a-f]{1,16}|\d{1,20})$/i.test(raw)) return { code: 'open_elf.bad_raw', message: 'The raw binary\'s address must be a number, like 0x80200000.' }
    const initrd = initrdPath.value.trim()
    return {
      kernel: { kind: 'file', path: kernel, ...(raw ? { rawAddr: raw } : {}) },
      bios: bios.value === 'file' ? { file: firmware } : bios.value,
      ...(initrd ? { initrd: { file: initrd } } : {}),
      ...(append.value.trim() ? { append: append.value.trim() } : {}),
      maxSteps: steps,
    }
  }

  /** The desktop app can show the system's file dialog; browser mode cannot (the server may be another machine's). */
  const canBrowse = api.transport === 'ipc'

  /** Browse…: the system's file dialog; the file picked fills the kernel or firmware path. */
  async function browse(role: Extract<ChosenFileRole, 'kernel' | 'firmware'>): Promise<void> {
    const field = role === 'kernel' ? path : firmwarePath
    const current = field.value.trim()
    const r = await api.invoke('file.choose', isAbsoluteFilePath(current) ? { role, defaultPath: current } : { role })
    if (!r.ok) error.value = r.error
    else if (r.value) {
      field.value = r.value.path
      if (role === 'firmware') bios.value = 'file'
    }
  }

  /**
   * Lets the backend read the absolute paths among the boot's files (relative ones are the
   * workspace's): false when one was refused (the error says why) or its dialog was cancelled.
   */
  async function choose(opts: BootOptions): Promise<boolean> {
    const wanted: [ChosenFileRole, string][] = []
    if (opts.kernel?.kind === 'file') wanted.push(['kernel', opts.kernel.path])
    if (opts.bios && typeof opts.bios === 'object') wanted.push(['firmware', opts.bios.file])
    if (opts.initrd) wanted.push(['initrd', opts.initrd.file])
    for (const [role, file] of wanted) {
      if (!isAbsoluteFilePath(file)) continue
      const r = canBrowse ? await api.invoke('file.choose', { role, defaultPath: file }) : await api.invoke('file.grant', { path: file, role })
      if (!r.ok) {
        error.value = r.error
        return false
      }
      if (!r.value) return false // the dialog was cancelled
      if (r.value.path !== file) {
        // Another file was picked in the dialog: boot that one, and show it.
        if (role === 'kernel' && opts.kernel?.kind === 'file') opts.kernel = { ...opts.kernel, path: (path.value = r.value.path) }
        else if (role === 'initrd') opts.initrd = { file: (initrdPath.value = r.value.path) }
        else opts.bios = { file: (firmwarePath.value = r.value.path) }
      }
    }
    return true
  }

  /** Boots the chosen ELF; on success the dialog closes and the boot store shows the run. */
  async function boot(): Promise<boolean> {
    const boots = useBootStore()
    if (boots.running || busy.value) return false
    const opts = options()
    if ('code' in opts) {
      error.value = opts
      return false
    }
    busy.value = true
    try {
      if (!(await choose(opts))) return false
      const failed = await boots.boot(opts)
      if (failed) {
        error.value = failed
        return false
      }
      error.value = undefined
      dialogOpen.value = false
      return true
    } finally {
      busy.value = false
    }
  }

  return { dialogOpen, path, bios, firmwarePath, rawAddr, initrdPath, append, maxSteps, error, busy, canBrowse, open, close, importDropped, browse, boot }
})
