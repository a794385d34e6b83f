import { expect, test } from './fixtures'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'

/**
 * "Open Folder…" in browser mode (issue 16): the app starts on its own workspace; the C test
 * kernel's folder (a copy, with a bootscope.json running make) is opened by its path typed in the
 * dialog — a missing path and a file are refused inline first. The opened folder is the workspace:
 * its name in the top bar, its files in the tree, main.c and kernel.ld in the editor; Build runs
 * its make there and Boot records into that folder's recordings; "← Your workspace" goes back,
 * and the folder opened again has its recording.
 */

const C_KERNEL = fileURLToPath(new URL('../fixtures/c-kernel', import.meta.url))

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/open-folder-${name}.png` })
}

test('opens a kernel project folder by its path, builds and boots it there, and goes back home', async ({ page, web }) => {
  test.setTimeout(180_000)
  const base = mkdtempSync(join(tmpdir(), 'bootscope-e2e-folder-'))
  const project = join(base, 'my-kernel')
  cpSync(C_KERNEL, project, { recursive: true })
  rmSync(join(project, 'kernel.elf'), { force: true })
  writeFileSync(join(project, 'bootscope.json'), JSON.stringify({ version: 1, build: { command: 'make' }, kernel: 'kernel.elf' }, null, 2))
  try {
    await page.goto(web.url)
    await expect(page.getByTestId('core-status')).toContainText('SQLite')
    await expect(page.locator('.topbar .workspace')).toHaveText('workspace')
    await expect(page.getByTestId('workspace-home')).toHaveCount(0)

    await page.getByTestId('open-folder-button').click()
    const dialog = page.getByTestId('open-folder-dialog')
    await expect(dialog).toBeVisible()
    const path = page.getByTestId('open-folder-path')
    await expect(path).toBeFocused()
    // Nothing typed, a missing folder, a file: each refused inline, the workspace unchanged.
    await page.getByTestId('open-folder-open').click()
    await expect(page.getByTestId('open-folder-error')).toContainText("type the folder's absolute path")
    await path.fill(join(base, 'nowhere'))
    await path.press('Enter')
    await expect(page.getByTestId('open-folder-error')).toHaveAttribute('data-code', 'workspace.not_found')
    await expect(page.getByTestId('open-folder-error')).toContainText(`there is no folder ${join(base, 'nowhere')}`)
    await path.fill(join(project, 'main.c'))
    await page.getByTestId('open-folder-open').click()
    await expect(page.getByTestId('open-folder-error')).toHaveAttribute('data-code', 'workspace.not_a_folder')
    await expect(path).toHaveAttribute('aria-invalid', 'true')
    await shot(page, 'error-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot(page, 'error-dark')
    await page.emulateMedia({ colorScheme: 'light' })
    await expect(page.locator('.topbar .workspace')).toHaveText('workspace')

    await path.fill(project)
    await page.getByTestId('open-folder-open').click()
    await expect(dialog).toBeHidden()
    await expect(page.locator('.topbar .workspace')).toHaveText('my-kernel')
    await expect(page.getByTestId('file-tree').locator('button[data-path="bootscope.json"]')).toBeVisible()
    await expect(page.getByTestId('file-tree').locator('button[data-path="entry.S"]')).toHaveCount(0)
    // The editor opens on the kernel's C source and its linker script, main.c in front; the home workspace's tabs are gone.
    await expect(page.locator('nav.tabs .tab.active')).toHaveAttribute('data-path', 'main.c')
    await expect(page.locator('nav.tabs .tab[data-path="kernel.ld"]')).toHaveCount(1)
    await expect(page.locator('nav.tabs .tab[data-path="entry.S"]')).toHaveCount(0)
    await expect(page.getByTestId('recording-list')).toHaveAttribute('data-count', '0')

    await page.getByTestId('build-button').click()
    await expect(page.getByTestId('build-status')).toContainText('built kernel.elf', { timeout: 60_000 })
    await expect(page.getByTestId('build-status')).toHaveAttribute('data-ok', 'true')
    await page.getByTestId('boot-button').click()
    await expect(page.getByTestId('console')).toContainText('higher half ok', { timeout: 60_000 })
    await expect(page.getByTestId('recording-list')).toHaveAttribute('data-count', '1')
    await shot(page, 'opened-light')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot(page, 'opened-dark')
    await page.emulateMedia({ colorScheme: 'light' })

    // Home again: the app's own workspace, its example files, its (empty) recordings.
    await page.getByTestId('workspace-home').click()
    await expect(page.locator('.topbar .workspace')).toHaveText('workspace')
    await expect(page.locator('nav.tabs .tab.active')).toHaveAttribute('data-path', 'entry.S')
    await expect(page.getByTestId('recording-list')).toHaveAttribute('data-count', '0')
    await expect(page.getByTestId('workspace-home')).toHaveCount(0)

    // Opened again, the folder's recording is still its own (kept in its .bootscope/recordings).
    await page.getByTestId('open-folder-button').click()
    await expect(page.getByTestId('open-folder-path')).toHaveValue(project)
    await page.getByTestId('open-folder-open').click()
    await expect(page.locator('.topbar .workspace')).toHaveText('my-kernel')
    await expect(page.getByTestId('recording-list')).toHaveAttribute('data-count', '1')
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
})
