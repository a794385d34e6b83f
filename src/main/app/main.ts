/**
 * The Electron main process: one window on the workbench, hardened (security.ts), talking to the
 * host services over IPC. The workspace lives in the user's data folder and starts as a copy of
 * the built-in example.
 */
import { app, BrowserWindow, dialog, Menu } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Host } from '../host/host'
import { connectIpc } from './ipc'
import { hardenApp, hardenContents, hardenSession, secureWebPreferences } from './security'
import { buildMenu } from './menu'
import type { ChosenFileRole } from '../../shared/api/file-grant'

const here = fileURLToPath(new URL('.', import.meta.url))

async function createWindow(host: Host): Promise<void> {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'Bootscope',
    show: false,
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs')),
  })
  const devUrl = process.env.ELECTRON_RENDERER_URL
  hardenContents(window.webContents, devUrl ? new URL(devUrl).origin : 'file://')
  const disconnect = connectIpc(host, window)
  window.on('closed', disconnect)
  window.once('ready-to-show', () => window.show())
  if (devUrl) await window.loadURL(devUrl)
  else await window.loadFile(join(here, '../renderer/index.html'))
}

/** The system's open dialog over the focused window: the path picked, or undefined when cancelled. */
async function pickPath(options: Electron.OpenDialogOptions): Promise<string | undefined> {
  const window = BrowserWindow.getFocusedWindow()
  const r = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
  return r.canceled ? undefined : r.filePaths[0]
}

/**
 * The system's file dialog for Open ELF…: a file outside the workspace is read only when the
 * user picks it here (the renderer cannot name one itself; shared/api/file-grant.ts).
 */
const chooseFile = ({ role, defaultPath }: { role: ChosenFileRole; defaultPath?: string }) =>
  pickPath({ title: `Choose the ${role} to boot`, defaultPath, properties: ['openFile'] })

/** The system's folder dialog for Open Folder…: the folder becomes the workspace (host/folder-service.ts). */
const chooseFolder = ({ defaultPath }: { defaultPath?: string }) => pickPath({ title: 'Open a folder as the workspace', defaultPath, properties: ['openDirectory'] })

async function start(): Promise<void> {
  hardenApp()
  await app.whenReady()
  hardenSession()
  const workspaceRoot = process.env.BOOTSCOPE_WORKSPACE || join(app.getPath('userData'), 'workspace')
  const host = new Host({ workspaceRoot, transport: 'ipc', chooseFile, chooseFolder })
  Menu.setApplicationMenu(buildMenu())
  await createWindow(host)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(host)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => void host.dispose())
}

void start()
