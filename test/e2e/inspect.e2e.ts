import { expect, test } from './fixtures'
import type { Page } from '@playwright/test'

/**
 * The inspectors at the timeline cursor, against a real recorded boot of the built-in example:
 * the address space grows from nothing to the two 1 GiB mappings across `csrw satp`, satp is
 * highlighted as changed, a higher-half VA translates, and the instruction links to entry.S.
 */

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/inspect-${name}.png` })
}

/** Selects, whole, the first line of the active editor containing `text` (Monaco's Find, then Home, Home, Shift+End). */
async function selectLine(page: Page, text: string): Promise<void> {
  await page.getByTestId('editor').locator('.view-line').last().click()
  await page.keyboard.press('Control+f')
  await page.keyboard.type(text)
  await page.keyboard.press('Enter')
  await page.keyboard.press('Escape')
  await selectWholeLine(page)
}

async function selectWholeLine(page: Page): Promise<void> {
  await page.keyboard.press('Home')
  await page.keyboard.press('Home')
  await page.keyboard.press('Shift+End')
}

test('the inspectors follow the cursor across the satp write: address space, registers, translation, memory, source line', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })

  // The satp marker: the cursor stands before `csrw satp` retires — satp is still Bare.
  await page.locator('[data-tab=timeline]').click()
  const marker = page.locator('[data-testid=timeline-marker][data-kind=satp_write]')
  await marker.click()
  const satpStep = Number(await marker.getAttribute('data-step'))
  await page.locator('[data-tab=inspect]').click()
  const status = page.getByTestId('inspector-status')
  await expect(status).toHaveAttribute('data-step', String(satpStep))
  const space = page.getByTestId('address-space')
  await expect(space).toHaveAttribute('data-mode', 'Bare')
  await expect(space.getByTestId('mapping')).toHaveCount(0)
  await expect(page.getByTestId('instruction-text')).toContainText('csrw')
  await expect(page.getByTestId('instruction-text')).toContainText('satp')
  await shot(page, 'before-satp')

  // One instruction later paging is on: exactly the identity and the higher-half gigapage.
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(satpStep + 1))
  await expect(status).toHaveAttribute('data-step', String(satpStep + 1))
  await expect(space).toHaveAttribute('data-mode', 'Sv39')
  const mappings = space.getByTestId('mapping')
  await expect(mappings).toHaveCount(2)
  await expect(mappings.nth(0)).toHaveAttribute('data-va', '0x80000000')
  await expect(mappings.nth(0)).toHaveAttribute('data-pa', '0x80000000')
  await expect(mappings.nth(0)).toHaveAttribute('data-size', '0x40000000')
  await expect(mappings.nth(1)).toHaveAttribute('data-va', '0xffffffff80000000')
  await expect(mappings.nth(1)).toHaveAttribute('data-pa', '0x80000000')
  await expect(mappings.nth(1)).toHaveAttribute('data-size', '0x40000000')
  await expect(space).toContainText('root 0x80202000')
  await expect(page.getByTestId('instruction-text')).toContainText('sfence.vma')

  // satp is highlighted as changed by the instruction that just retired; sp was not touched.
  const regs = page.getByTestId('registers')
  await expect(regs.locator('[data-reg=satp]')).toHaveAttribute('data-changed', 'true')
  await expect(regs.locator('[data-reg=satp]')).toContainText('0x8000000000080202')
  await expect(regs.locator('[data-reg=sp]')).not.toHaveAttribute('data-changed', 'true')
  await expect(page.getByTestId('page-table').getByTestId('table-page')).toHaveCount(1)
  await expect(page.getByTestId('page-table').getByTestId('table-page')).toHaveAttribute('data-pa', '0x80202000')

  // Translate a higher-half VA: one level-2 leaf, 1 GiB page, to the kernel's load address.
  await page.getByTestId('translate-input').fill('0xffffffff80200000')
  await page.getByTestId('translate-input').press('Enter')
  const result = page.getByTestId('translate-result')
  await expect(result).toHaveAttribute('data-ok', 'true')
  await expect(result).toHaveAttribute('data-pa', '0x80200000')
  await expect(result).toContainText('→ 0x80200000')
  await expect(result).toContainText('1 GiB')
  await expect(result).toContainText('leaf')

  // The instruction's source line is in entry.S, and clicking it opens the file there.
  const loc = page.getByTestId('instruction-loc')
  await expect(loc).toContainText('entry.S:')
  await page.locator('.tab[data-path="linker.ld"]').click()
  await loc.click()
  await expect(page.locator('.tab[data-path="entry.S"]')).toHaveClass(/active/)
  await expect(page.getByTestId('editor').locator('.bootscope-pc-line')).toHaveCount(1)

  // Memory at the kernel's first bytes, as the kernel sees them (virtual, through the new table).
  await page.getByTestId('memory-address').fill('0xffffffff80200000')
  await page.getByTestId('memory-address').press('Enter')
  const memory = page.getByTestId('memory-view')
  await expect(memory).toHaveAttribute('data-address', '0xffffffff80200000')
  await expect(memory.locator('.dump-row')).toHaveCount(32)
  await shot(page, 'after-satp')
  // The same state in the dark theme, for the eye: satp's highlight must stay readable.
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.getByTestId('registers').locator('[data-reg=satp]').scrollIntoViewIfNeeded()
  await shot(page, 'dark')
  await page.emulateMedia({ colorScheme: 'light' })

  // Stepping on re-evaluates the translation at the new cursor (it stays the same mapping).
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('ArrowRight')
  await expect(status).toHaveAttribute('data-step', String(satpStep + 2))
  await expect(result).toHaveAttribute('data-pa', '0x80200000')
  await expect(page.getByTestId('instruction-text')).not.toContainText('sfence.vma')
  await expect(page.getByTestId('registers').locator('[data-reg=satp]')).not.toHaveAttribute('data-changed', 'true')
  await shot(page, 'step-on')

  await memory.scrollIntoViewIfNeeded()
  await shot(page, 'memory')
})

test('a boot that ends in a trap loop opens at the fault, explained, with the inspectors there', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  // Without the identity mapping the fetch after `csrw satp` faults, again and again.
  await page.getByTestId('file-tree').locator('button[data-path="entry.S"]').click()
  await selectLine(page, '(the identity mapping)')
  await page.keyboard.press('ArrowDown')
  await selectWholeLine(page)
  await page.keyboard.type('    .quad 0')
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('problems')).toContainText('instruction page fault', { timeout: 60_000 })

  // The cursor stands on the stop, the stop is selected and explained, the inspectors show the fault.
  const stop = page.locator('[data-testid=timeline-marker][data-kind=stop]')
  const stopStep = await stop.getAttribute('data-step')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', stopStep!)
  await page.locator('[data-tab=timeline]').click()
  await expect(page.getByTestId('event-explanation')).toContainText('right after satp was written')
  await expect(page.getByTestId('inspector-status')).toHaveAttribute('data-step', stopStep!)
  await expect(page.getByTestId('instruction-fault')).toContainText('is not valid')
  await expect(page.getByTestId('address-space').getByTestId('mapping')).toHaveCount(1)
  await expect(page.getByTestId('address-space').getByTestId('mapping')).toHaveAttribute('data-va', '0xffffffff80000000')

  // The fault step is the last state: End returns to it after stepping back.
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('ArrowLeft')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(Number(stopStep) - 1))
  await page.keyboard.press('End')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', stopStep!)
  await expect(page.getByTestId('inspector-status')).toHaveAttribute('data-step', stopStep!)
  await shot(page, 'fault')
})
