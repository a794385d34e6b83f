/**
 * The Electron transport of the contract: one `invoke` channel answered by the host, one event
 * channel pushed to the window. Only requests from our own window's main frame are answered.
 */
import { ipcMain, type BrowserWindow } from 'electron'
import { err } from '../../shared/api/result'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/api/contract'
import type { Host } from '../host/host'

export function connectIpc(host: Host, window: BrowserWindow): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, name: unknown, args: unknown) => {
    if (event.sender !== window.webContents || event.senderFrame !== window.webContents.mainFrame) {
      return err('forbidden', 'requests are only accepted from the Bootscope window')
    }
    return host.invoke(name, args)
  })
  const off = host.onEvent((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, name, payload)
  })
  return () => {
    off()
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL)
  }
}
