import { expect, test } from './fixtures'
import { openFile, selectLine, selectWholeLine } from './editor-keys'

test('Boot builds, boots and records the example; the timeline explains paging; a broken kernel is explained', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  // Boot: build + boot + record; the console shows the kernel's line.
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })
  await expect(page.getByTestId('recording-list')).toHaveAttribute('data-count', '1')

  // The layout view shows the linker's sections at their VMA and LMA.
  await page.locator('[data-tab=layout]').click()
  await expect(page.getByTestId('layout-view')).toContainText('0xffffffff80200000')
  await expect(page.getByTestId('layout-view')).toContainText('0x80200000')
  await page.screenshot({ path: 'test-results/screenshots/boot-layout.png' })

  // The timeline has the satp marker and the first-fetch-in-the-higher-half marker.
  await page.locator('[data-tab=timeline]').click()
  await expect(page.getByTestId('timeline-lanes')).toHaveAttribute('data-lanes', 'Privilege,Translation,Code region')
  const satp = page.locator('[data-testid=timeline-marker][data-kind=satp_write]')
  await expect(satp).toHaveCount(1)
  await expect(page.locator('[data-testid=timeline-marker][data-kind=region_enter]')).not.toHaveCount(0)
  await satp.click()
  await expect(page.getByTestId('event-explanation')).toContainText('satp ← Sv39, root at PA 0x80202000: paging is on from the next instruction')
  const step = await satp.getAttribute('data-step')
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', step!)
  await page.screenshot({ path: 'test-results/screenshots/boot-timeline.png' })

  // Delete the identity mapping and boot again: the fault is explained.
  await openFile(page, 'entry.S')
  await selectLine(page, '(the identity mapping)')
  await page.keyboard.press('ArrowDown')
  await selectWholeLine(page)
  await page.keyboard.type('    .quad 0')
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('problems')).toContainText('instruction page fault', { timeout: 60_000 })
  const fault = page.getByTestId('problems').locator('.problem[data-code="boot.trap-loop"]')
  await expect(fault).toContainText('right after satp was written')
  await expect(fault).toContainText('the code still runs at its physical address')
  await expect(fault).toContainText('hint: after `csrw satp` the next fetch is translated')
  // The fault points at the instruction that could not be fetched: the one after `csrw satp`.
  await expect(fault.locator('.loc')).toHaveText('entry.S:19:1')
  await page.screenshot({ path: 'test-results/screenshots/boot-fault.png' })

  // A syntax error: the build fails and the editor marks the line.
  await selectLine(page, 'sfence.vma')
  await page.keyboard.type('    sfence.vmaa')
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('problems')).toContainText('entry.S:', { timeout: 30_000 })
  await expect(page.getByTestId('editor').locator('.squiggly-error')).not.toHaveCount(0)
  await page.screenshot({ path: 'test-results/screenshots/boot-syntax-error.png' })
})
