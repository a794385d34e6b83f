/**
 * The Content-Security-Policy of the workbench, the same in the Electron window and in browser
 * mode: our own scripts only; Monaco needs inline styles and data: fonts; workers from blob:;
 * connections only to our own origin (the browser-mode WebSocket).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')
