/** Driving the workbench's editor in e2e tests: open a file, select a line by its text. */
import { expect, type Page } from '@playwright/test'

/** Opens `path` from the file tree and waits for its tab to be the active one. */
export async function openFile(page: Page, path: string): Promise<void> {
  await page.getByTestId('file-tree').locator(`button[data-path="${path}"]`).click()
  await expect(page.locator(`.tab[data-path="${path}"]`)).toHaveClass(/active/)
}

/**
 * Selects, whole, the first line of the active editor that contains `text`: Monaco renders only
 * the lines in view, so the line is found with the editor's own Find (Ctrl+F), then Home, Home
 * (column 1) and Shift+End.
 */
export async function selectLine(page: Page, text: string): Promise<void> {
  await page.getByTestId('editor').locator('.view-line').last().click()
  await page.keyboard.press('Control+f')
  await page.keyboard.type(text)
  await page.keyboard.press('Enter')
  await page.keyboard.press('Escape')
  await selectWholeLine(page)
}

/** From anywhere past the indentation: Home (first non-blank), Home (column 1), Shift+End. */
export async function selectWholeLine(page: Page): Promise<void> {
  await page.keyboard.press('Home')
  await page.keyboard.press('Home')
  await page.keyboard.press('Shift+End')
}
