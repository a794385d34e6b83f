/**
 * The workbench's pane sizes (file tree width, inspector width, bottom panel height, the console's
 * share of the bottom panel), dragged with the splitters and remembered per workspace in the
 * browser's storage: each workspace keeps its own arrangement. Sizes are clamped to what the
 * window can hold, so a size saved on a big screen never hides the editor on a small one.
 */

export interface PaneSizes {
  /** Files and recordings column, px. */
  left: number
  /** Inspectors / layout / lab column, px. */
  right: number
  /** Bottom panel (timeline, console, problems), px. */
  bottom: number
  /** The console's width inside the bottom panel, px. */
  console: number
}

export const DEFAULT_PANES: PaneSizes = { left: 220, right: 440, bottom: 250, console: 420 }

/** Smallest size of each pane, and what the editor keeps at least (so no pane can squeeze it out). */
export const PANE_MIN = { left: 140, right: 280, bottom: 140, console: 200, editorWidth: 320, editorHeight: 160, timeline: 360 }

const KEY_PREFIX = 'bootscope.panes:'

/** Each size within its minimum and what the window leaves after the other panes' minimums. */
export function clampPanes(p: PaneSizes, window: { width: number; height: number }): PaneSizes {
  const fit = (v: number, min: number, max: number) => Math.round(Math.max(min, Math.min(Number.isFinite(v) ? v : min, Math.max(min, max))))
  const left = fit(p.left, PANE_MIN.left, window.width - PANE_MIN.right - PANE_MIN.editorWidth)
  const right = fit(p.right, PANE_MIN.right, window.width - left - PANE_MIN.editorWidth)
  // The top bar and status bar take 64 px.
  const bottom = fit(p.bottom, PANE_MIN.bottom, window.height - 64 - PANE_MIN.editorHeight)
  const console = fit(p.console, PANE_MIN.console, window.width - left - PANE_MIN.timeline)
  return { left, right, bottom, console }
}

/** The sizes saved for a workspace (by its root), or the defaults; anything unreadable is ignored. */
export function loadPanes(storage: Pick<Storage, 'getItem'>, workspaceRoot: string): PaneSizes {
  try {
    const saved = JSON.parse(storage.getItem(KEY_PREFIX + workspaceRoot) ?? 'null') as Partial<PaneSizes> | null
    const out = { ...DEFAULT_PANES }
    for (const k of Object.keys(DEFAULT_PANES) as (keyof PaneSizes)[]) {
      const v = saved?.[k]
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = v
    }
    return out
  } catch {
    return { ...DEFAULT_PANES }
  }
}

export function savePanes(storage: Pick<Storage, 'setItem'>, workspaceRoot: string, p: PaneSizes): void {
  try {
    storage.setItem(KEY_PREFIX + workspaceRoot, JSON.stringify(p))
  } catch {
    // Storage full or refused: the sizes just are not remembered.
  }
}
