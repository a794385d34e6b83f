/**
 * Targets that misbehave on purpose, for fuzz.test.ts: the runner must report a hang (an input
 * that never returns), a crash (an input that throws) and a bad outcome, each at its index.
 */
import type { FuzzTarget } from './fuzz'

/** Input 3 never returns (a synchronous loop: only terminating the worker ends it). */
export const hangsAtThree: FuzzTarget<number> = {
  input: (i) => i,
  run(i) {
    if (i === 3) for (;;) Math.sqrt(i)
    return undefined
  },
}

/** Input 2 throws; input 4 is a bad outcome; the rest are fine. */
export const throwsAtTwo: FuzzTarget<number> & { tally: Record<string, number> } = {
  tally: { fine: 0 },
  input: (i) => i,
  run(i) {
    if (i === 2) throw new TypeError('f is not a function')
    if (i === 4) return 'an error of two lines'
    throwsAtTwo.tally.fine++
    return undefined
  },
}
