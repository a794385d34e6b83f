/**
 * Latest-wins requests: for a backend query that follows fast-changing input (the timeline cursor
 * being dragged), at most one request is in flight, newer arguments replace any waiting ones, and
 * a response is delivered only if nothing newer was asked for meanwhile. The backend never queues
 * stale work, the UI never shows an older answer over a newer question.
 */

export interface LatestWins<A> {
  /** Asks for `args`, after `delayMs` of quiet; supersedes every earlier request. */
  request(args: A): void
  /** Drops whatever is waiting or in flight (its response will not be delivered). */
  cancel(): void
}

export interface LatestWinsOptions<A, R> {
  run: (args: A) => Promise<R>
  deliver: (result: R, args: A) => void
  /** Called instead of `deliver` when the latest request threw. */
  fail?: (error: unknown, args: A) => void
  /** Trailing quiet time before a request is sent, in milliseconds. */
  delayMs: number
}

export function latestWins<A, R>(opts: LatestWinsOptions<A, R>): LatestWins<A> {
  let latest = 0
  let waiting: { args: A; seq: number } | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight = false

  function send(): void {
    if (inFlight || timer !== undefined || !waiting) return
    const { args, seq } = waiting
    waiting = undefined
    inFlight = true
    opts
      .run(args)
      .then(
        (r) => {
          if (seq === latest) opts.deliver(r, args)
        },
        (e: unknown) => {
          if (seq === latest) opts.fail?.(e, args)
        },
      )
      .finally(() => {
        inFlight = false
        send()
      })
  }

  return {
    request(args) {
      waiting = { args, seq: ++latest }
      if (timer !== undefined) clearTimeout(timer)
      timer = setTimeout(() => {
        timer = undefined
        send()
      }, opts.delayMs)
    },
    cancel() {
      latest++
      waiting = undefined
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
    },
  }
}
