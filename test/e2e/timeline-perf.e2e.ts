import { expect, test } from './fixtures'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'

/**
 * A large recording stays fluid (issue 6, "Done when"): the built-in example with a loop of
 * 25 M iterations × 4 instructions before it prints (as bench/record.bench.ts builds it), booted
 * and recorded for real, then the timeline zoomed with the wheel and dragged for about two
 * seconds each while the page times its frames with requestAnimationFrame — the median frame
 * interval must stay within 33 ms (≥ 30 fps). Then the cursor is moved (→ and clicks far along the
 * timeline) and the time until the inspectors show the new step is measured from the input
 * event's timestamp to the frame that paints it. The numbers are printed.
 */

const LOOP = `    li t2, 25000000\n1:  sd t2, -8(sp)\n    addi t2, t2, -1\n    xor t3, t3, t2\n    bnez t2, 1b\n`
const MEASURE_MS = 2000

/** The browser globals the in-page probes use (this file is compiled without the DOM library). */
interface PageGlobals {
  __frames: number[]
  __timing: boolean
  __lat: { t0: number; t1: number }
  document: { querySelector(selector: string): PageElement }
  requestAnimationFrame(callback: (t: number) => void): number
  addEventListener(type: string, listener: (e: { timeStamp: number }) => void, capture: boolean): void
  removeEventListener(type: string, listener: (e: { timeStamp: number }) => void, capture: boolean): void
  MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: object): void; disconnect(): void }
  WheelEvent: new (type: string, init: object) => object
  PointerEvent: new (type: string, init: object) => object
}
interface PageElement {
  dataset: Record<string, string | undefined>
  getAttribute(name: string): string | null
  dispatchEvent(event: object): boolean
}

interface Frames {
  intervals: number[]
  draws: number
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor(s.length / 2)] : NaN
}
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]
}

/** Runs `action` while the page stamps every animation frame; returns the intervals and how many times the timeline redrew. */
async function frames(page: Page, action: () => Promise<void>): Promise<Frames> {
  const canvas = page.getByTestId('timeline').locator('canvas')
  const draws0 = Number((await canvas.getAttribute('data-draws')) ?? 0)
  await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals
    w.__frames = []
    w.__timing = true
    const tick = (t: number) => {
      if (!w.__timing) return
      w.__frames.push(t)
      w.requestAnimationFrame(tick)
    }
    w.requestAnimationFrame(tick)
  })
  await action()
  const stamps = await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals
    w.__timing = false
    return w.__frames
  })
  const draws = Number((await canvas.getAttribute('data-draws')) ?? 0) - draws0
  return { intervals: stamps.slice(1).map((t, i) => t - stamps[i]), draws }
}

function report(name: string, f: Frames): void {
  const med = median(f.intervals)
  console.log(
    `${name}: ${f.intervals.length + 1} frames, median interval ${med.toFixed(1)} ms (${(1000 / med).toFixed(0)} fps), ` +
      `p95 ${percentile(f.intervals, 0.95).toFixed(1)} ms, worst ${Math.max(...f.intervals).toFixed(1)} ms, ${f.draws} timeline redraws`,
  )
}

/**
 * Arms a one-shot latency probe: from the next keydown or pointerup (its event timestamp) to the
 * frame after the inspector status shows the cursor's step.
 */
async function armLatency(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals
    w.__lat = { t0: 0, t1: 0 }
    const status = w.document.querySelector('[data-testid=inspector-status]')
    const timeline = w.document.querySelector('[data-testid=timeline]')
    const start = (e: { timeStamp: number }) => {
      w.__lat.t0 = e.timeStamp
      w.removeEventListener('keydown', start, true)
      w.removeEventListener('pointerup', start, true)
    }
    w.addEventListener('keydown', start, true)
    w.addEventListener('pointerup', start, true)
    const seen = new w.MutationObserver(() => {
      if (!w.__lat.t0 || status.dataset.step !== timeline.getAttribute('aria-valuenow')) return
      seen.disconnect()
      w.requestAnimationFrame((t) => (w.__lat.t1 = t))
    })
    seen.observe(status, { attributes: true, attributeFilter: ['data-step'] })
  })
}

async function latency(page: Page, action: () => Promise<void>): Promise<number> {
  await armLatency(page)
  await action()
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__lat.t1 > 0, undefined, { timeout: 10_000 })
  return page.evaluate(() => {
    const l = (globalThis as unknown as PageGlobals).__lat
    return l.t1 - l.t0
  })
}

test('a 100 M-instruction recording: zoom and drag keep ≥ 30 fps, the inspectors follow the cursor', async ({ page, web }) => {
  test.setTimeout(300_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  // The long kernel, written into the workspace folder, then the page reloaded to read it.
  const mainPath = join(web.workspace, 'main.S')
  const main = readFileSync(mainPath, 'utf8').replace(/^rust_main:\n/m, `rust_main:\n${LOOP}`)
  expect(main).toContain('li t2, 25000000')
  writeFileSync(mainPath, main)
  await page.reload()
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  const t0 = Date.now()
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 240_000 })
  console.log(`boot of the long kernel, recorded: ${((Date.now() - t0) / 1000).toFixed(1)} s`)

  await page.locator('[data-tab=timeline]').click()
  const timeline = page.getByTestId('timeline')
  const total = Number(await timeline.getAttribute('aria-valuemax'))
  console.log(`recording: ${total.toLocaleString('en')} steps`)
  expect(total).toBeGreaterThanOrEqual(100_000_000)
  const status = page.getByTestId('inspector-status')
  await expect(status).toHaveAttribute('data-step', await timeline.getAttribute('aria-valuenow') as string)

  const canvas = timeline.locator('canvas')
  const box = (await canvas.boundingBox())!
  const plotX = box.x + 92 + (box.width - 100) * 0.3 // inside the plot, away from the cursor at the end
  const y = box.y + 30
  await page.screenshot({ path: 'test-results/screenshots/perf-before.png' })

  // Wheel zoom: in for 40 notches, out for 40, until two seconds have passed.
  await page.mouse.move(plotX, y)
  let notches = 0
  const wheel = await frames(page, async () => {
    const end = Date.now() + MEASURE_MS
    while (Date.now() < end) {
      await page.mouse.wheel(0, Math.floor(notches / 40) % 2 === 0 ? -120 : 120)
      notches++
    }
  })
  report(`wheel zoom (${notches} wheel events)`, wheel)
  await page.screenshot({ path: 'test-results/screenshots/perf-zoomed.png' })

  // Drag: from a zoomed-in view (1/128 of the boot), pan back and forth.
  await timeline.focus()
  await page.keyboard.press('Home')
  for (let i = 0; i < 7; i++) await page.keyboard.press('=')
  const from = Number(await timeline.getAttribute('data-view-from'))
  await page.mouse.move(plotX, y)
  await page.mouse.down()
  let moves = 0
  const drag = await frames(page, async () => {
    const end = Date.now() + MEASURE_MS
    let x = plotX
    while (Date.now() < end) {
      x += moves % 60 < 40 ? -8 : 8 // mostly leftwards: the view moves on to later steps
      await page.mouse.move(x, y)
      moves++
    }
  })
  await page.mouse.up()
  report(`drag (${moves} pointer moves)`, drag)
  expect(Number(await timeline.getAttribute('data-view-from'))).toBeGreaterThan(from) // it did pan
  await page.screenshot({ path: 'test-results/screenshots/perf-dragged.png' })

  // The same at a higher input rate than any frame rate: wheel and pointer-move events dispatched
  // in the page every 4 ms (250 Hz, a gaming mouse's rate), so every frame has input to handle.
  await page.keyboard.press('End')
  const fastWheel = await frames(page, () =>
    page.evaluate(
      ({ x, y, ms }) =>
        new Promise<number>((resolve) => {
          const w = globalThis as unknown as PageGlobals
          const target = w.document.querySelector('[data-testid=timeline] canvas')
          let n = 0
          const end = performance.now() + ms
          const timer = setInterval(() => {
            if (performance.now() > end) {
              clearInterval(timer)
              resolve(n)
              return
            }
            target.dispatchEvent(new w.WheelEvent('wheel', { clientX: x, clientY: y, deltaY: Math.floor(n / 60) % 2 === 0 ? -60 : 60, bubbles: true, cancelable: true }))
            n++
          }, 4)
        }),
      { x: plotX, y, ms: MEASURE_MS },
    ).then((n) => void (notches = n)),
  )
  report(`wheel zoom at 250 Hz (${notches} wheel events)`, fastWheel)
  await page.mouse.move(plotX, y)
  await page.mouse.down()
  const fastDrag = await frames(page, () =>
    page.evaluate(
      ({ x0, y, ms }) =>
        new Promise<number>((resolve) => {
          const w = globalThis as unknown as PageGlobals
          const target = w.document.querySelector('[data-testid=timeline] canvas')
          let n = 0
          let x = x0
          const end = performance.now() + ms
          const timer = setInterval(() => {
            if (performance.now() > end) {
              clearInterval(timer)
              resolve(n)
              return
            }
            x += Math.floor(n / 60) % 2 === 0 ? -4 : 4
            target.dispatchEvent(new w.PointerEvent('pointermove', { clientX: x, clientY: y, pointerId: 1, pointerType: 'mouse', buttons: 1, bubbles: true }))
            n++
          }, 4)
        }),
      { x0: plotX, y, ms: MEASURE_MS },
    ).then((n) => void (moves = n)),
  )
  await page.mouse.up()
  report(`drag at 250 Hz (${moves} pointer moves)`, fastDrag)

  for (const f of [wheel, drag, fastWheel, fastDrag]) {
    expect(f.intervals.length).toBeGreaterThan(20)
    expect(f.draws).toBeGreaterThanOrEqual(30) // the frames timed really redrew the timeline
    expect(median(f.intervals)).toBeLessThanOrEqual(33)
  }

  // Cursor → inspectors, over the whole boot: a click far along the timeline (a seek that may
  // restore a checkpoint), then → (one instruction on from there).
  await timeline.focus()
  for (let i = 0; i < 40; i++) await page.keyboard.press('-')
  await expect(timeline).toHaveAttribute('data-view-from', '0')
  await expect(timeline).toHaveAttribute('data-view-to', String(total))
  const jumps: number[] = []
  const steps: number[] = []
  for (let i = 0; i < 10; i++) {
    const x = box.x + 92 + (box.width - 100) * (((i * 0.37) % 0.95) + 0.02)
    jumps.push(await latency(page, () => page.mouse.click(x, y)))
    await timeline.focus()
    steps.push(await latency(page, () => page.keyboard.press('ArrowRight')))
  }
  console.log(`cursor → inspectors, one step (→): median ${median(steps).toFixed(0)} ms, worst ${Math.max(...steps).toFixed(0)} ms`)
  console.log(`cursor → inspectors, click far along the timeline: median ${median(jumps).toFixed(0)} ms, worst ${Math.max(...jumps).toFixed(0)} ms`)
  await page.locator('[data-tab=inspect]').click()
  await page.screenshot({ path: 'test-results/screenshots/perf-inspectors.png' })
  expect(median(steps)).toBeLessThanOrEqual(500)
  expect(median(jumps)).toBeLessThanOrEqual(500)
})
