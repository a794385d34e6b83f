/**
 * Electron hardening, applied to every window and session: the renderer is an untrusted web page
 * that can only `invoke` the contract's requests through the preload. Navigation and new windows
 * are blocked (http(s) links open in the system browser), permission requests are denied, and a
 * strict Content-Security-Policy is sent with every response.
 */
import { app, session, shell, type BrowserWindowConstructorOptions, type WebContents } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../host/csp'


export function secureWebPreferences(preload: string): BrowserWindowConstructorOptions['webPreferences'] {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webviewTag: false,
    spellcheck: false,
  }
}

export function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
}

function isExternalLink(url: string): boolean {
  return url.startsWith('https://') || url.startsWith('http://')
}

export function hardenContents(contents: WebContents, allowedOrigin: string): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== allowedOrigin) {
      event.preventDefault()
      if (isExternalLink(url)) void shell.openExternal(url)
    }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** No window may be created by anything but us; applies to all future web contents. */
export function hardenApp(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}
