/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

/** Monaco's feature modules are imported for their side effects only. */
declare module 'monaco-editor/editor/contrib/*'
declare module 'monaco-editor/editor/browser/*'
declare module 'monaco-editor/editor/standalone/*'
declare module 'monaco-editor/editor/common/*'
declare module 'monaco-editor/base/*'
declare module 'monaco-editor/features/*'
declare module 'monaco-editor/editor/editor.worker?worker' {
  const WorkerFactory: new () => Worker
  export default WorkerFactory
}

interface Window {
  /** Present in Electron: the preload's bridge (src/preload/index.ts). */
  bootscope?: {
    invoke(name: string, args: unknown): Promise<unknown>
    on(event: string, listener: (payload: unknown) => void): () => void
  }
}
