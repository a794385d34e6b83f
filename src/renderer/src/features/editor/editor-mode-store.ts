/**
 * The editor's keyboard mode, for the status bar: whether Tab inserts a tab (the default while
 * typing code) or moves the focus to the next control (Monaco's tab focus mode, toggled with
 * Ctrl+M, as in VS Code) — the standard way out of the editor for keyboard users. The editor
 * registers how to toggle it; the status bar shows the mode and toggles it on click.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'

export const useEditorModeStore = defineStore('editor-mode', () => {
  const tabMovesFocus = ref(false)
  let toggler: (() => void) | undefined

  function register(toggle: () => void): void {
    toggler = toggle
  }

  function toggle(): void {
    toggler?.()
  }

  return { tabMovesFocus, register, toggle }
})
