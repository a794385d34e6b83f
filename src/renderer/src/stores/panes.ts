/**
 * The workbench's pane sizes for the open workspace: loaded when a workspace opens (each keeps its
 * own, see `pane-sizes.ts`), clamped to the window, saved as the splitters move.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { clampPanes, DEFAULT_PANES, loadPanes, savePanes, type PaneSizes } from '../features/workbench/pane-sizes'
import { useWorkspaceStore } from './workspace'

export const usePanesStore = defineStore('panes', () => {
  const wanted = ref<PaneSizes>({ ...DEFAULT_PANES })
  const windowSize = ref({ width: window.innerWidth, height: window.innerHeight })
  window.addEventListener('resize', () => (windowSize.value = { width: window.innerWidth, height: window.innerHeight }))

  /** The sizes as drawn: what the user asked for, within what this window can hold. */
  const sizes = computed(() => clampPanes(wanted.value, windowSize.value))

  const ws = useWorkspaceStore()
  watch(
    () => ws.info?.root,
    (root) => {
      if (root) wanted.value = loadPanes(localStorage, root)
    },
    { immediate: true },
  )

  function set(which: keyof PaneSizes, px: number): void {
    wanted.value = { ...sizes.value, [which]: px }
    const root = ws.info?.root
    if (root) savePanes(localStorage, root, clampPanes(wanted.value, windowSize.value))
  }

  return { sizes, set }
})
