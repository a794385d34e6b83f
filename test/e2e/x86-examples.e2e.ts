import { expect, test } from './fixtures'
import type { Page } from '@playwright/test'

/**
 * The two x86 examples of "New workspace from example", in Chromium against a real recorded boot
 * on the PC: pick the example, boot it, find the CR3 and paging markers on the timeline and the
 * mode change, look at the address space after paging, translate 0xC0100000 (i386) or
 * 0xFFFFFFFFFFFFF000 through the recursive entry (x86-64), then the VGA screen and the Multiboot
 * memory map; screenshots light and dark.
 */

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/x86-${name}.png` })
}

async function openExample(page: Page, id: string): Promise<void> {
  await page.getByTestId('examples-menu').locator('summary').click()
  const item = page.locator(`[data-testid=example-item][data-example-id="${id}"]`)
  await expect(item).toBeVisible()
  await item.click()
  await expect(page.locator('.topbar .workspace')).toHaveText(id)
  await expect(page.getByTestId('file-tree')).toContainText('linker.ld')
}

async function toEnd(page: Page): Promise<void> {
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('End')
}

async function translate(page: Page, va: string): Promise<ReturnType<Page['getByTestId']>> {
  await page.getByTestId('translate-input').fill(va)
  await page.getByTestId('translate-input').press('Enter')
  return page.getByTestId('translate-result')
}

test('i386 higher half: boot, CR3 and paging markers, address space, 0xC0100000 → 1 MiB, VGA screen, Multiboot memory map', async ({ page, web }) => {
  test.setTimeout(240_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await openExample(page, 'i386-higher-half')
  await shot(page, 'i386-readme')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('hello from the higher half: kmain runs at 0xc01', { timeout: 90_000 })

  // The CR3 write and the CR0 write that turns paging on.
  await page.locator('[data-tab=timeline]').click()
  await expect(page.locator('[data-testid=timeline-marker][data-kind=cr3_write]')).toHaveCount(1)
  const paging = page.locator('[data-testid=timeline-marker][data-kind=paging_change]')
  await expect(paging).toHaveCount(1)
  await paging.click()
  await page.locator('[data-tab=inspect]').click()
  const space = page.getByTestId('address-space')
  await expect(space).toHaveAttribute('data-mode', '32-bit')
  await expect(space.getByTestId('mapping')).toHaveCount(2)
  await shot(page, 'i386-paging-on')

  // At the end: the identity mapping is gone, 0xC0100000 still reaches the kernel at 1 MiB.
  await toEnd(page)
  await expect(space.getByTestId('mapping')).toHaveCount(1)
  await expect(space.getByTestId('mapping')).toHaveAttribute('data-va', '0xc0000000')
  const t = await translate(page, '0xC0100000')
  await expect(t).toHaveAttribute('data-ok', 'true')
  await expect(t).toHaveAttribute('data-pa', '0x100000')

  const vga = page.getByTestId('vga-screen')
  await expect(vga).toHaveAttribute('data-text', /Hello from the higher half: this kernel runs at 0xC0100000/)
  const mb = page.getByTestId('multiboot-info')
  await expect(mb).toHaveAttribute('data-version', '1')
  await expect(mb.getByTestId('memory-area').first()).toHaveAttribute('data-base', '0x0')
  await expect(mb.getByTestId('memory-map-bar')).toBeVisible()
  await vga.scrollIntoViewIfNeeded()
  await shot(page, 'i386-vga')
  await mb.scrollIntoViewIfNeeded()
  await shot(page, 'i386-multiboot')
  await page.emulateMedia({ colorScheme: 'dark' })
  await vga.scrollIntoViewIfNeeded()
  await shot(page, 'i386-vga-dark')
  await page.emulateMedia({ colorScheme: 'light' })
})

test('x86-64 long mode: Multiboot 2 hand-off, mode changes, recursive P4 at 0xFFFFFFFFFFFFF000, guard page, VGA screen, memory map and ELF sections', async ({ page, web }) => {
  test.setTimeout(240_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await openExample(page, 'x86_64-long-mode')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('It did not crash!', { timeout: 90_000 })

  // Two CR3 writes (the boot table, then the kernel's own) and the mode changes to long mode.
  await page.locator('[data-tab=timeline]').click()
  await expect(page.locator('[data-testid=timeline-marker][data-kind=cr3_write]')).toHaveCount(2)
  // protected → compatibility (the CR0 write) → 64-bit (the far jump), 3 instructions apart: one marker at this zoom.
  const modes = page.locator('[data-testid=timeline-marker][data-kind=mode_change]')
  await expect(modes.first()).toBeVisible()
  await modes.first().click()
  await page.locator('[data-tab=inspect]').click()
  await expect(page.getByTestId('inspector-status')).toContainText(/compatibility mode|long mode/)
  await expect(page.getByTestId('address-space')).toHaveAttribute('data-mode', '4-level')
  await shot(page, 'x86_64-long-mode')

  // At the end: the kernel's own table; through P4[511] four times, 0xFFFFFFFFFFFFF000 is the P4 itself.
  await toEnd(page)
  await expect(page.getByTestId('inspector-status')).toContainText('long mode (64-bit)')
  const t = await translate(page, '0xFFFFFFFFFFFFF000')
  await expect(t).toHaveAttribute('data-ok', 'true')
  const cr3 = await page.getByTestId('address-space').getAttribute('data-mode')
  expect(cr3).toBe('4-level')
  await expect(t).toContainText('511')
  const guard = await translate(page, '0x105000')
  await expect(guard).toHaveAttribute('data-ok', 'false')
  await shot(page, 'x86_64-guard-page')

  const vga = page.getByTestId('vga-screen')
  await expect(vga).toHaveAttribute('data-text', /Long mode: the kernel runs in its own page table/)
  const mb = page.getByTestId('multiboot-info')
  await expect(mb).toHaveAttribute('data-version', '2')
  // The areas seed 002 prints (type 1, available) among the reserved ones, as GRUB gives them.
  const available = mb.locator('[data-testid=memory-area][data-type="1"]')
  await expect(available).toHaveCount(2)
  await expect(available.nth(0)).toHaveAttribute('data-length', '0x9fc00')
  await expect(available.nth(1)).toHaveAttribute('data-base', '0x100000')
  await expect(mb.getByTestId('elf-section').first()).toBeVisible()
  await mb.scrollIntoViewIfNeeded()
  await shot(page, 'x86_64-multiboot')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'x86_64-multiboot-dark')
  await vga.scrollIntoViewIfNeeded()
  await shot(page, 'x86_64-vga-dark')
  await page.emulateMedia({ colorScheme: 'light' })
})
