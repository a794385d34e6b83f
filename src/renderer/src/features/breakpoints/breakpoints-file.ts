/**
 * The workspace's breakpoints file (`.bootscope/breakpoints.json`): its versioned shape, and a
 * reader that keeps what is well-formed in it and drops the rest (a hand-edited or older file
 * never breaks the workbench).
 */

/** Where the workspace keeps them (hidden from the file tree with the rest of `.bootscope`). */
export const BREAKPOINTS_FILE = '.bootscope/breakpoints.json'
export const FORMAT_VERSION = 1

export interface Breakpoint {
  /** The source file as the editor names it: workspace-relative, or absolute outside the workspace. */
  file: string
  line: number
  enabled: boolean
}

export interface WatchedAddress {
  /** A virtual address (as the kernel sees it at the cursor; physical before paging), hex. */
  address: string
  /** Bytes watched (1–8). */
  length: number
}

/** The saved file's shape; anything else in it is ignored. */
export interface SavedBreakpoints {
  version: number
  breakpoints: Breakpoint[]
  watches: WatchedAddress[]
}

/** The well-formed breakpoints and watches of the file's text; throws only when it is not JSON. */
export function parseBreakpointsFile(text: string): { breakpoints: Breakpoint[]; watches: WatchedAddress[] } {
  const o = JSON.parse(text) as Partial<SavedBreakpoints>
  const breakpoints = (Array.isArray(o.breakpoints) ? o.breakpoints : [])
    .filter((b) => typeof b?.file === 'string' && Number.isSafeInteger(b.line) && b.line > 0)
    .map((b) => ({ file: b.file, line: b.line, enabled: b.enabled !== false }))
  const watches = (Array.isArray(o.watches) ? o.watches : [])
    .filter((w) => typeof w?.address === 'string' && /^0x[0-9a-f]{1,16}$/i.test(w.address))
    .map((w) => ({ address: w.address.toLowerCase(), length: Math.max(1, Math.min(8, Math.floor(Number(w.length) || 8))) }))
  return { breakpoints, watches }
}
