import { describe, expect, it } from 'vitest'
import { clampPanes, DEFAULT_PANES, loadPanes, PANE_MIN, savePanes } from '../../../../src/renderer/src/features/workbench/pane-sizes'

function memoryStorage(): Storage {
  const m = new Map<string, string>()
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
    key: (i: number) => [...m.keys()][i] ?? null,
    get length() {
      return m.size
    },
  }
}

describe('pane sizes', () => {
  it('remembers sizes per workspace', () => {
    const s = memoryStorage()
    savePanes(s, '/home/a/ws1', { left: 300, right: 600, bottom: 320, console: 500 })
    expect(loadPanes(s, '/home/a/ws1')).toEqual({ left: 300, right: 600, bottom: 320, console: 500 })
    expect(loadPanes(s, '/home/a/ws2')).toEqual(DEFAULT_PANES)
  })

  it('ignores what it cannot read', () => {
    const s = memoryStorage()
    s.setItem('bootscope.panes:/w', '{not json')
    expect(loadPanes(s, '/w')).toEqual(DEFAULT_PANES)
    s.setItem('bootscope.panes:/w', JSON.stringify({ left: 'wide', right: 500 }))
    expect(loadPanes(s, '/w')).toEqual({ ...DEFAULT_PANES, right: 500 })
  })

  it('keeps the editor visible: sizes saved on a big screen shrink on a small one', () => {
    const big = { left: 400, right: 1200, bottom: 700, console: 900 }
    const p = clampPanes(big, { width: 1280, height: 720 })
    expect(1280 - p.left - p.right).toBeGreaterThanOrEqual(PANE_MIN.editorWidth)
    expect(720 - 64 - p.bottom).toBeGreaterThanOrEqual(PANE_MIN.editorHeight)
    expect(p.left).toBe(400)
    expect(clampPanes({ left: 10, right: 10, bottom: 10, console: 10 }, { width: 1920, height: 1080 })).toEqual({
      left: PANE_MIN.left,
      right: PANE_MIN.right,
      bottom: PANE_MIN.bottom,
      console: PANE_MIN.console,
    })
  })
})
