import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, stopWebApp } from './fixtures'

test('the workbench opens on the built-in example, edits, saves and talks to the core', async ({ page, web }) => {
  await page.goto(web.url)

  // The file tree shows the example workspace; entry.S and linker.ld open in tabs with their languages.
  await expect(page.getByTestId('file-tree')).toContainText('entry.S')
  await expect(page.getByTestId('file-tree')).toContainText('linker.ld')
  await expect(page.locator('.tab[data-path="entry.S"]')).toHaveAttribute('data-language', 'riscv-asm')
  await expect(page.locator('.tab[data-path="linker.ld"]')).toHaveAttribute('data-language', 'gnu-ld')

  // A request round-trips through main and the worker to SQLite, and its answer shows in the UI.
  const core = page.getByTestId('core-status')
  await expect(core).toContainText('SQLite 3.')
  expect(await core.getAttribute('data-sqlite')).toMatch(/^3\.\d+\.\d+$/)
  await expect(page.getByTestId('recording-list')).toHaveAttribute('data-loaded', 'true')
  await expect(page.getByTestId('recording-list')).toContainText('No recordings yet')

  // Monaco shows the linker script with our grammar's tokens, and typing works.
  await page.locator('.tab[data-path="linker.ld"]').click()
  const editor = page.getByTestId('editor')
  await expect(editor.locator('.view-lines')).toContainText('BASE_ADDRESS')
  await editor.locator('.view-lines').click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type('\n/* typed in the e2e test */')
  await expect(editor.locator('.view-lines')).toContainText('typed in the e2e test')
  await expect(page.locator('.tab[data-path="linker.ld"] .dirty')).toBeVisible()

  // Ctrl+S saves atomically to the workspace on disk.
  await page.keyboard.press('Control+s')
  await expect(page.locator('.tab[data-path="linker.ld"] .dirty')).toHaveCount(0)
  expect(readFileSync(join(web.workspace, 'linker.ld'), 'utf8')).toContain('/* typed in the e2e test */')

  await page.screenshot({ path: 'test-results/screenshots/workbench.png' })
})

test('the execution engine is chosen in the status bar, kept across a reload, and the example boots on each', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  const engine = page.getByTestId('engine')
  await expect(engine).toHaveAttribute('data-engine', /^(blocks|interpreter)$/)
  const first = (await engine.getAttribute('data-engine')) as 'blocks' | 'interpreter'
  const other = first === 'blocks' ? 'interpreter' : 'blocks'
  for (const chosen of [other, first]) {
    await engine.click()
    await expect(engine).toHaveAttribute('data-engine', chosen)
    await expect(engine).toContainText(chosen === 'blocks' ? 'compiled blocks' : 'interpreter')
    // The choice is kept: a reload asks the core for it again, and the core reports it.
    await page.reload()
    await expect(page.getByTestId('core-status')).toContainText('SQLite')
    await expect(engine).toHaveAttribute('data-engine', chosen)
    await page.getByTestId('boot-button').click()
    await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })
    await expect(page.getByTestId('boot-button')).toBeEnabled({ timeout: 60_000 })
  }
})

test('stops cleanly on SIGTERM', async ({ web }) => {
  expect(await stopWebApp(web)).toBe(0)
})
