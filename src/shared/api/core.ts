/** What the core worker reports about itself (ARCHITECTURE.md: the worker owns the machine and the trace database). */
export interface CoreInfo {
  /** 'up' once the worker answered, 'restarting' after a crash. */
  state: 'up' | 'restarting'
  /** SQLite's own version string, from `select sqlite_version()` in the worker. */
  sqliteVersion: string
  /** The recording format version this build writes (see docs/trace-format.md). */
  schemaVersion: number
  /** How many times the worker was restarted after a crash in this session. */
  restarts: number
  /** How the worker's harts execute guest code (the app setting; docs/block-compiler.md). */
  engine: EngineName
}

/**
 * The execution engines: 'blocks' compiles hot guest code to WebAssembly, 'interpreter' runs every
 * instruction through the hart's interpreter. Both give the same results, step for step.
 */
export type EngineName = 'interpreter' | 'blocks'
export const ENGINE_NAMES: readonly EngineName[] = ['blocks', 'interpreter']
