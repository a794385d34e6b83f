import { expect, test, startWebApp, stopWebApp, type WebApp } from './fixtures'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'

/**
 * Breakpoints from the editor's gutter and watched addresses, on the timeline (issue 16): in the
 * C test kernel (riscv64-unknown-elf-gcc -g, built by make from its bootscope.json), a click in
 * the glyph margin beside a C line sets a breakpoint; after Boot, "hit ▶" moves the cursor to the
 * first step the PC is at that line's code, again to the next call, "◀ hit" back to the previous
 * one — the same steps as gdb's stops there (each call of map_gigapage). A watched address's
 * "next write" goes to the store that changed it. Breakpoints are kept in the workspace across a
 * reload. A build can be cancelled: its command's processes end and the console says so.
 */

const C_KERNEL = fileURLToPath(new URL('../fixtures/c-kernel', import.meta.url))

/** A TCP port nothing listens on now (the system's choice for a listener, closed again). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/breakpoints-${name}.png` })
}

/** Line `line`'s number in the editor, brought into view (Monaco draws only the lines in view). */
async function showLine(page: Page, line: number) {
  const editor = page.getByTestId('editor')
  const number = editor.locator('.line-numbers').filter({ hasText: new RegExp(`^${line}$`) })
  if (!(await number.count())) {
    await editor.locator('.view-lines').click()
    await page.keyboard.press('Control+End')
  }
  await expect(number).toHaveCount(1)
  return number
}

/** Clicks the editor's glyph margin beside line `line` of the file shown. */
async function clickGutter(page: Page, line: number): Promise<void> {
  const editor = page.getByTestId('editor')
  const number = await showLine(page, line)
  const row = (await number.boundingBox())!
  const glyphs = (await editor.locator('.glyph-margin').boundingBox())!
  await page.mouse.click(glyphs.x + glyphs.width / 2, row.y + row.height / 2)
}

const cursorStep = async (page: Page) => Number(await page.getByTestId('timeline-cursor').getAttribute('data-step'))

let web: WebApp
let seenAddress = ''
test.beforeAll(async () => {
  web = await startWebApp((ws) => {
    cpSync(C_KERNEL, ws, { recursive: true })
    rmSync(join(ws, 'kernel.elf'), { force: true })
    writeFileSync(join(ws, 'bootscope.json'), JSON.stringify({ version: 1, build: { command: 'make' }, kernel: 'kernel.elf' }, null, 2))
  })
  // Where `seen` is (the kernel stores what it read through the higher half there), from a build of the same sources.
  const elf = join(web.workspace, '..', 'probe.elf')
  execFileSync('make', ['-s', '-B', '-C', web.workspace, `OUT=${elf}`])
  const nm = execFileSync('riscv64-unknown-elf-nm', [elf], { encoding: 'utf8' })
  seenAddress = `0x${/^([0-9a-f]+) \w seen$/m.exec(nm)![1].replace(/^0+/, '')}`
})
test.afterAll(async () => {
  if (web) await stopWebApp(web)
})

test('a gutter breakpoint on a C line: run to the next hit, the next, and back to the previous', async ({ page }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await page.getByTestId('file-tree').locator('button[data-path="main.c"]').click()
  await expect(page.getByTestId('editor')).toContainText('A small C kernel')

  // main.c:31 is map_gigapage's body: kernel_main calls it three times.
  await clickGutter(page, 31)
  await expect(page.getByTestId('editor').locator('.bootscope-breakpoint')).toHaveCount(1)
  await page.locator('[data-tab=breakpoints]').click()
  const bp = page.getByTestId('breakpoint')
  await expect(bp).toHaveCount(1)
  await expect(bp).toHaveAttribute('data-line', '31')
  await expect(bp.getByTestId('breakpoint-where')).toHaveText('no recording open')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('higher half ok', { timeout: 90_000 })
  // The recording places it: map_gigapage's first instruction (gdb's `break main.c:31` is there too).
  await page.locator('[data-tab=breakpoints]').click()
  await expect(bp.getByTestId('breakpoint-where')).toHaveText(/^0x8020[0-9a-f]{4}$/)
  const address = (await bp.getByTestId('breakpoint-where').textContent())!.trim()
  await expect(page.getByTestId('editor').locator('.bootscope-breakpoint:not(.off)')).toHaveCount(1)

  await page.locator('[data-tab=timeline]').click()
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('Home')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', '0')
  const status = page.getByTestId('hit-status')
  const hits: number[] = []
  for (let i = 0; i < 3; i++) {
    await page.getByTestId('next-hit').click()
    await expect(status).toHaveText(new RegExp(`^breakpoint main\\.c:31 \\(pc ${address}\\) hit next at step \\d+$`))
    const step = await cursorStep(page)
    expect(step, `hit ${i + 1} after hit ${i}`).toBeGreaterThan(hits.at(-1) ?? 0)
    expect(status).toContainText(`at step ${step}`)
    hits.push(step)
    // The PC line in the editor is the breakpoint's line.
    await page.locator('[data-tab=inspect]').click()
    await expect(page.getByTestId('instruction-loc')).toHaveText(/main\.c:31/)
    await expect(page.getByTestId('instruction-function')).toHaveText(/map_gigapage/)
    await page.locator('[data-tab=timeline]').click()
  }
  await shot(page, 'third-hit')
  // No fourth call: not found, and the cursor stays.
  await page.getByTestId('next-hit').click()
  await expect(status).toHaveAttribute('data-found', 'false')
  await expect(status).toContainText('not found')
  expect(await cursorStep(page)).toBe(hits[2])
  // Back: the second call, then the first; F8 / Shift+F8 from the timeline do the same.
  await page.getByTestId('prev-hit').click()
  await expect(status).toHaveText(new RegExp(`hit last at step ${hits[1]}$`))
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(hits[1]))
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('Shift+F8')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(hits[0]))
  await page.keyboard.press('F8')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(hits[1]))
  await shot(page, 'light')
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.locator('[data-tab=breakpoints]').click()
  await shot(page, 'dark')
  await page.emulateMedia({ colorScheme: 'light' })

  // A disabled breakpoint does not stop; the glyph goes hollow.
  await bp.locator('input[type=checkbox]').uncheck()
  await expect(page.getByTestId('editor').locator('.bootscope-breakpoint.off')).toHaveCount(1)
  await expect(page.getByTestId('bp-next-hit')).toBeDisabled()
  await bp.locator('input[type=checkbox]').check()

  // A watched address: the next write to `seen` from step 0 is the store after the higher-half read.
  await page.getByTestId('watch-address').fill(seenAddress)
  await page.getByTestId('watch-add').click()
  await expect(page.getByTestId('watch')).toHaveAttribute('data-address', seenAddress)
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('Home')
  await page.locator('[data-tab=breakpoints]').click()
  await page.getByTestId('watch-next').click()
  await expect(page.getByTestId('bp-status')).toHaveAttribute('data-found', 'true')
  await expect(page.getByTestId('bp-status')).toContainText('changed the 8 bytes')
  await expect(page.getByTestId('bp-status')).toContainText('to 8877665544332211')
  const written = await cursorStep(page)
  expect(written).toBeGreaterThan(hits[2])
  await page.getByTestId('watch-prev').click()
  await expect(page.getByTestId('bp-status')).toContainText(`at step ${written - 1} changed`)
  await page.getByTestId('watch-address').fill('nowhere')
  await page.getByTestId('watch-add').click()
  await expect(page.getByTestId('watch-error')).toContainText("'nowhere' is not an address")

  // Kept in the workspace: after a reload the breakpoint and the watch are there.
  await page.reload()
  await page.locator('[data-tab=breakpoints]').click()
  await expect(page.getByTestId('breakpoint')).toHaveAttribute('data-line', '31')
  await expect(page.getByTestId('watch')).toHaveAttribute('data-address', seenAddress)
  // An edit above it moves it with its text: a line inserted at the top puts it on line 32.
  await page.getByTestId('file-tree').locator('button[data-path="main.c"]').click()
  await showLine(page, 31)
  await expect(page.getByTestId('editor').locator('.bootscope-breakpoint')).toHaveCount(1)
  await page.keyboard.press('Control+Home')
  await page.keyboard.type('// moved\n')
  await page.locator('[data-tab=breakpoints]').click()
  await expect(page.getByTestId('breakpoint')).toHaveAttribute('data-line', '32')
  // Removing it from the gutter (a click on its glyph) removes it from the list and the file.
  await clickGutter(page, 32)
  await expect(page.getByTestId('breakpoint')).toHaveCount(0)
})

test('a breakpoint on an assembly line (our toolchain\'s line table), set with F9: run to its hits in the higher half', async ({ page }) => {
  test.setTimeout(120_000)
  const app = await startWebApp() // the built-in higher-half example
  try {
    await page.goto(app.url)
    await expect(page.getByTestId('core-status')).toContainText('SQLite')
    await page.getByTestId('file-tree').locator('button[data-path="main.S"]').click()
    await expect(page.getByTestId('editor')).toContainText('rust_main')
    // The loop's `ecall` (main.S:11) runs once per character of the message.
    const line = page.getByTestId('editor').locator('.view-line').filter({ hasText: /^\s*ecall\s*$/ }).first()
    await line.click()
    await page.keyboard.press('F9')
    await expect(page.getByTestId('editor').locator('.bootscope-breakpoint')).toHaveCount(1)
    await page.getByTestId('boot-button').click()
    await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })
    await page.locator('[data-tab=breakpoints]').click()
    await expect(page.getByTestId('breakpoint')).toHaveAttribute('data-line', '11')
    await expect(page.getByTestId('breakpoint-where')).toHaveText(/^0xffffffff[0-9a-f]{8}, 0x8020[0-9a-f]{4}$/) // linked high, loaded low
    await page.locator('[data-tab=timeline]').click()
    await page.getByTestId('timeline').focus()
    await page.keyboard.press('Home')
    await page.keyboard.press('F8')
    await expect(page.getByTestId('hit-status')).toContainText('breakpoint main.S:11')
    const first = await cursorStep(page)
    await page.keyboard.press('F8')
    await expect(page.getByTestId('hit-status')).toContainText(/hit next at step \d+/)
    await expect.poll(() => cursorStep(page)).toBeGreaterThan(first)
    await page.keyboard.press('Shift+F8')
    await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(first))
    await page.locator('[data-tab=inspect]').click()
    await expect(page.getByTestId('instruction-loc')).toHaveText(/main\.S:11/)
  } finally {
    await stopWebApp(app)
  }
})

test('Boot with gdb on the port given: the stub\'s address shows to copy, gdb-multiarch attaches there, and the boot is recorded', async ({ page }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await page.getByTestId('boot-gdb').check()
  // The port field: 0 (a free port) by default; a port typed there is where the stub listens.
  const portField = page.getByTestId('boot-gdb-port')
  await expect(portField).toHaveValue('0')
  const port = await freePort()
  await portField.fill(String(port))
  await portField.blur()
  await page.getByTestId('boot-button').click()
  const stub = page.getByTestId('gdb-stub')
  await expect(stub).toHaveAttribute('data-state', 'listening', { timeout: 90_000 })
  await expect(page.getByTestId('gdb-address')).toHaveText(`127.0.0.1:${port}`)
  await expect(portField).toBeDisabled()
  const address = (await stub.getAttribute('data-address'))!
  await expect(page.getByTestId('gdb-copy')).toHaveAttribute('aria-label', `Copy: target remote ${address}`)
  await shot(page, 'gdb-light')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'gdb-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  // gdb-multiarch, as a user would run it with the copied command.
  const script = join(web.workspace, '..', 'gdb-cmds')
  writeFileSync(script, ['set confirm off', `target remote ${address}`, 'break kernel_main', 'continue', 'info symbol $pc', 'detach', ''].join('\n'))
  const out = execFileSync('gdb-multiarch', ['-batch', '-nx', '-x', script, join(web.workspace, 'kernel.elf')], { encoding: 'utf8', timeout: 60_000 })
  expect(out).toMatch(/Breakpoint 1, .*kernel_main/)
  // Detached: the boot runs on to its end and its recording opens.
  await expect(page.getByTestId('console')).toContainText('higher half ok', { timeout: 60_000 })
  await expect(stub).toHaveCount(0)
  await expect(page.getByTestId('timeline-cursor')).toBeVisible()
  // A port something else listens on: the boot does not start, and Problems says why and what to do.
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve))
  try {
    await page.getByTestId('boot-button').click()
    await page.locator('[data-tab=problems]').click()
    await expect(page.getByTestId('problems')).toContainText(`cannot listen on 127.0.0.1:${port}`, { timeout: 60_000 })
    await expect(page.getByTestId('problems')).toContainText('give another port, or 0 for a free one')
    await expect(page.getByTestId('boot-button')).toBeEnabled()
  } finally {
    taken.close()
  }
})

test('a build is cancelled from the app: its command ends and the console says so', async ({ page }) => {
  test.setTimeout(120_000)
  const app = await startWebApp((ws) => {
    mkdirSync(ws, { recursive: true })
    writeFileSync(join(ws, 'bootscope.json'), JSON.stringify({ version: 1, build: { command: 'echo compiling; sleep 60' }, kernel: 'kernel.elf' }, null, 2))
  })
  try {
    await page.goto(app.url)
    await expect(page.getByTestId('core-status')).toContainText('SQLite')
    await page.getByTestId('build-button').click()
    await expect(page.getByTestId('build-output')).toContainText('compiling')
    await page.getByTestId('build-cancel').click()
    await expect(page.getByTestId('build-output')).toContainText("bootscope: build cancelled: sent SIGTERM to the build command's process group")
    await expect(page.getByTestId('build-status')).toContainText('build cancelled')
    await expect(page.getByTestId('build-button')).toBeEnabled()
    await shot(page, 'build-cancelled')
  } finally {
    await stopWebApp(app)
  }
})
