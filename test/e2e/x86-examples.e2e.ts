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

/** The end of the boot, as the inspectors and Problems show it: isa-debug-exit's 33 is the conventional success. */
async function expectCleanExit(page: Page): Promise<void> {
  const ended = page.getByTestId('inspector-ended')
  await expect(ended).toHaveAttribute('data-tone', 'success')
  await expect(ended).toContainText('exit status 33 = (0x10 << 1) | 1 from isa-debug-exit: the conventional success of QEMU test kernels')
  await expect(page.locator('[data-tab=problems] .count')).toHaveCount(0)
}

test('i386 higher half from the first start: boot, CR3 and paging markers, address space, 0xC0100000 → 1 MiB, VGA screen, Multiboot memory map', async ({ page, web }) => {
  test.setTimeout(240_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  // First start: the examples are offered above the README of the one Bootscope created.
  const offer = page.getByTestId('first-start-examples')
  await expect(offer).toBeVisible()
  await expect(offer.locator('[data-testid=first-start-example]')).toHaveCount(3)
  await expect(offer.locator('[data-example-id=higher-half]')).toHaveAttribute('aria-current', 'true')
  await shot(page, 'first-start')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'first-start-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  await offer.locator('[data-example-id=i386-higher-half]').click()
  await expect(page.locator('.topbar .workspace')).toHaveText('i386-higher-half')
  await expect(page.getByTestId('file-tree')).toContainText('linker.ld')
  await expect(offer).toHaveCount(0)
  await shot(page, 'i386-readme')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('hello from the higher half: kmain runs at 0xc01', { timeout: 90_000 })

  // The CR3 write and the CR0 write that turns paging on.
  await page.locator('[data-tab=timeline]').click()
  await expect(page.getByTestId('timeline-lanes')).toHaveAttribute('data-lanes', 'CPL,CPU mode,Translation,Code region')
  await expect(page.locator('[data-testid=timeline-marker][data-kind=cr3_write]')).toHaveCount(1)
  const paging = page.locator('[data-testid=timeline-marker][data-kind=paging_change]')
  await expect(paging).toHaveCount(1)
  await paging.click()
  await page.locator('[data-tab=inspect]').click()
  const space = page.getByTestId('address-space')
  await expect(space).toHaveAttribute('data-mode', '32-bit')
  await expect(space.getByTestId('mapping')).toHaveCount(2)
  await shot(page, 'i386-paging-on')
  // Paging just turned on, identity still mapped: the GDT the Multiboot loader left (flat 32-bit code 0x10, data 0x18).
  const gdt = page.getByTestId('gdt')
  await expect(gdt.locator('[data-testid=gdt-entry][data-selector="16"]')).toContainText('code 32-bit readable')
  await expect(gdt.locator('[data-testid=gdt-entry][data-selector="24"]')).toContainText('data writable')
  await gdt.scrollIntoViewIfNeeded()
  await shot(page, 'i386-gdt')

  // At the end: the identity mapping is gone, 0xC0100000 still reaches the kernel at 1 MiB.
  await toEnd(page)
  await expectCleanExit(page)
  await expect(space.getByTestId('mapping')).toHaveCount(1)
  await expect(space.getByTestId('mapping')).toHaveAttribute('data-va', '0xc0000000')
  const t = await translate(page, '0xC0100000')
  await expect(t).toHaveAttribute('data-ok', 'true')
  await expect(t).toHaveAttribute('data-pa', '0x100000')
  // Level by level: PD entry 768 (0xC0100000 >> 22) maps a 4 MiB page (boot.S sets CR4.PSE), whose offset 0x100000 is 1 MiB.
  const levels = t.getByTestId('translate-step')
  await expect(levels).toHaveCount(1)
  await expect(levels.nth(0)).toHaveAttribute('data-table', 'PD')
  await expect(levels.nth(0)).toHaveAttribute('data-index', '768')
  await expect(levels.nth(0)).toContainText('PD entry 768 maps a 4 MiB page')
  await expect(levels.nth(0)).toContainText('PS')
  await t.scrollIntoViewIfNeeded()
  await shot(page, 'i386-translate')

  // Intel syntax by default, AT&T on request, with the source lines interleaved.
  const dis = page.getByTestId('disassembly')
  await dis.scrollIntoViewIfNeeded()
  await expect(dis.getByTestId('disassembly-source').first()).toBeVisible()
  const pcRow = dis.locator('[data-testid=disassembly-row][data-pc=true]')
  await expect(pcRow).not.toContainText('%')
  await dis.getByTestId('syntax-att').click()
  await expect(dis.getByTestId('syntax-att')).toHaveAttribute('aria-pressed', 'true')
  await expect(dis.locator('[data-testid=disassembly-row]').filter({ hasText: '%' }).first()).toBeVisible()
  await shot(page, 'i386-disassembly-att')
  await dis.getByTestId('syntax-intel').click()
  await expect(dis.locator('[data-testid=disassembly-row]').filter({ hasText: '%' })).toHaveCount(0)

  // The loader's GDT at 0xF0000 is no longer mapped once the identity mapping is gone: a segment load now would fault.
  const tables = page.getByTestId('descriptor-tables')
  await expect(tables).toHaveAttribute('data-long', 'false')
  await expect(tables.getByTestId('gdt-error')).toContainText('the GDT at 0xf0000 cannot be read at this step (0xf0000: PD[0] at 0x104000 is not present (P = 0)')
  await expect(tables.getByTestId('idt-reset')).toBeVisible()
  await tables.scrollIntoViewIfNeeded()
  await shot(page, 'i386-gdt-unmapped')

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
  // protected → compatibility (the CR0 write) → 64-bit (the far jump), 3 instructions apart: one marker at this zoom,
  // under the far jump's own marker (far_transfer, drawn over it): the click goes to the mode change's marker itself.
  const modes = page.locator('[data-testid=timeline-marker][data-kind=mode_change]')
  await expect(modes.first()).toBeVisible()
  await expect(page.locator('[data-testid=timeline-marker][data-kind=far_transfer]').first()).toBeVisible()
  await modes.first().dispatchEvent('click')
  await page.locator('[data-tab=inspect]').click()
  await expect(page.getByTestId('inspector-status')).toContainText(/compatibility mode|long mode/)
  await expect(page.getByTestId('address-space')).toHaveAttribute('data-mode', '4-level')
  await shot(page, 'x86_64-long-mode')

  // At the end: the kernel's own table; through P4[511] four times, 0xFFFFFFFFFFFFF000 is the P4 itself.
  await toEnd(page)
  await expect(page.getByTestId('inspector-status')).toContainText('long mode (64-bit)')
  await expectCleanExit(page)
  const t = await translate(page, '0xFFFFFFFFFFFFF000')
  await expect(t).toHaveAttribute('data-ok', 'true')
  const cr3 = await page.getByTestId('address-space').getAttribute('data-mode')
  expect(cr3).toBe('4-level')
  // Through P4 entry 511 four times: every level reads the P4 again, and the last maps the P4's own page.
  const levels = t.getByTestId('translate-step')
  await expect(levels).toHaveCount(4)
  for (const [i, table] of ['P4 (PML4)', 'P3 (PDPT)', 'P2 (PD)', 'P1 (PT)'].entries()) {
    await expect(levels.nth(i)).toHaveAttribute('data-table', table)
    await expect(levels.nth(i)).toHaveAttribute('data-index', '511')
  }
  await expect(levels.nth(0)).toContainText('P4 (PML4) entry 511 points back at the P4 (PML4) itself (the recursive entry)')
  await expect(levels.nth(3)).toContainText('P1 (PT) entry 511 maps a 4 KiB page')
  await expect(t).toHaveAttribute('data-pa', await page.getByTestId('satp').getAttribute('data-root') ?? '')
  await t.scrollIntoViewIfNeeded()
  await shot(page, 'x86_64-translate-recursive')
  // The address space names the recursive mapping with the addresses it makes meaningful; the tree labels the entry.
  const recursive = page.locator('[data-testid=mapping][data-role=recursive] + tr [data-testid=mapping-words]')
  await expect(recursive).toContainText('recursive mapping: P4 (PML4) entry 511 points at the P4 (PML4) itself')
  await expect(recursive).toContainText('the P4 (PML4) at 0xfffffffffffff000')
  await expect(page.getByTestId('address-space')).not.toContainText('direct map of physical memory')
  await expect(page.getByTestId('address-space')).not.toContainText(' is gone')
  const entry = page.getByTestId('recursive-entry')
  await expect(entry).toContainText('recursive → this P4 (PML4) itself: it is at 0xfffffffffffff000')
  await page.getByTestId('page-table').scrollIntoViewIfNeeded()
  await shot(page, 'x86_64-page-table')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'x86_64-page-table-dark')
  await page.emulateMedia({ colorScheme: 'light' })

  // The 64-bit GDT of boot.asm: a long-mode code segment at 0x08; no IDT, no TSS.
  const tables = page.getByTestId('descriptor-tables')
  await expect(tables).toHaveAttribute('data-long', 'true')
  await expect(tables.locator('[data-testid=gdt-entry][data-selector="8"]')).toContainText('code 64-bit')
  await expect(tables.locator('[data-testid=gdt-entry][data-selector="8"]')).toContainText('L')
  await expect(tables).toContainText('No task register loaded (ltr)')
  await tables.scrollIntoViewIfNeeded()
  await shot(page, 'x86_64-gdt')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'x86_64-gdt-dark')
  await page.emulateMedia({ colorScheme: 'light' })
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
