import { expect, test, startWebApp, stopWebApp, type WebApp } from './fixtures'
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'

/**
 * Your own kernel project (issue 16): a folder with a C kernel (RISC-V, riscv64-unknown-elf-gcc
 * -g), a Makefile and a bootscope.json opens as the workspace; Build runs `make` (its output in
 * the console), Boot boots what it built, and the inspectors show the C line of the instruction
 * at the cursor, read from the kernel's DWARF.
 */

const C_KERNEL = fileURLToPath(new URL('../fixtures/c-kernel', import.meta.url))

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/c-kernel-${name}.png` })
}

let web: WebApp
test.beforeAll(async () => {
  web = await startWebApp((ws) => {
    cpSync(C_KERNEL, ws, { recursive: true })
    rmSync(join(ws, 'kernel.elf'), { force: true })
    writeFileSync(join(ws, 'bootscope.json'), JSON.stringify({ version: 1, build: { command: 'make' }, kernel: 'kernel.elf' }, null, 2))
  })
})
test.afterAll(async () => {
  if (web) await stopWebApp(web)
})

test('a C kernel built by make from the workspace folder boots, and its C lines show', async ({ page }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await expect(page.getByTestId('file-tree').locator('button[data-path="bootscope.json"]')).toBeVisible()

  await page.getByTestId('build-button').click()
  await expect(page.getByTestId('build-status')).toContainText('built kernel.elf', { timeout: 60_000 })
  await expect(page.getByTestId('build-status')).toHaveAttribute('data-ok', 'true')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('higher half ok', { timeout: 60_000 })

  // The recording opens at its first notable event (the satp write in kernel_main): its C line shows.
  await page.locator('[data-tab=inspect]').click()
  await expect(page.getByTestId('instruction-loc')).toContainText('main.c:')
  await shot(page, 'inspect')
})
