/** Benches that compare engines: the one every hart a function creates runs on. */
import type { HartEngine } from '../src/main/machine/hart/hart-api'

/** Runs `fn` with every hart it creates on `engine` (Recorder and ReplaySession make their own harts). */
export async function withEngineEnv<T>(engine: HartEngine, fn: () => Promise<T>): Promise<T> {
  const before = process.env.BOOTSCOPE_ENGINE
  process.env.BOOTSCOPE_ENGINE = engine
  try {
    return await fn()
  } finally {
    if (before === undefined) delete process.env.BOOTSCOPE_ENGINE
    else process.env.BOOTSCOPE_ENGINE = before
  }
}
