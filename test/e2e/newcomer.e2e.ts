/**
 * The workbench as a newcomer meets it (issue 12): the README beside the code on first start,
 * build feedback, the timeline shown after Boot with the console beside it and the first notable
 * event selected in the state after it, mappings in words, decoded CSRs with no number cut, a
 * clean shutdown shown as a success; the identity-mapping fault pointing at the faulting fetch and
 * at the line that should have built the missing entry; Problems kept and restored; a lab check.
 * Screenshots at 1280×720 and 1920×1080, light and dark, go to test-results/screenshots/; axe-core
 * (run inside the page, from node_modules) finds nothing serious.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { expect, test } from './fixtures'
import type { Page } from '@playwright/test'

/** The DOM the page functions below touch (the tests' tsconfig has no DOM library; these run in the page). */
declare const window: { getSelection(): { selectAllChildren(node: unknown): void; toString(): string } | null }
declare const document: { activeElement: { closest(selector: string): unknown } | null }

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const
const SCHEMES = ['light', 'dark'] as const

/** The same view at each size and colour scheme, then back to 1280×720 light. */
async function shots(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    for (const scheme of SCHEMES) {
      await page.setViewportSize(size)
      await page.emulateMedia({ colorScheme: scheme })
      await page.waitForTimeout(150)
      await page.screenshot({ path: `test-results/screenshots/newcomer-${name}-${size.width}x${size.height}-${scheme}.png` })
    }
  }
  await page.setViewportSize(SIZES[0])
  await page.emulateMedia({ colorScheme: 'light' })
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's serious and critical findings on the page as it is (WCAG 2 A/AA rules). */
async function axeFindings(page: Page): Promise<string[]> {
  // Evaluated by the test driver (the page's CSP rightly refuses inline scripts).
  await page.evaluate(AXE)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'best-practice'] } })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`)
}

test('first start to a recorded boot: readme, build feedback, timeline with the console, the state after the satp write in words', async ({ page, web }) => {
  test.setTimeout(240_000)
  await page.setViewportSize(SIZES[0])
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  // First start: the example's README beside the code, saying what to try.
  await expect(page.locator('[data-tab=readme]')).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('readme')).toContainText('Higher-half kernel on Sv39')
  await expect(page.getByTestId('readme')).toContainText('try deleting the identity mapping')
  await expect(page.locator('.tab[data-path="entry.S"]')).toBeVisible()
  await shots(page, 'first-start')
  expect(await axeFindings(page)).toEqual([])

  // Build says what it did.
  await page.getByTestId('build-button').click()
  await expect(page.getByTestId('build-status')).toHaveAttribute('data-ok', 'true')
  await expect(page.getByTestId('build-status')).toHaveText(/✓ built kernel\.elf in \d+ ms/)

  // Boot: the timeline is shown, the console beside it, the satp write selected, in the state after it.
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })
  await expect(page.getByTestId('timeline')).toBeVisible()
  await expect(page.locator('[data-tab=timeline]')).toHaveAttribute('aria-selected', 'true')
  const marker = page.locator('[data-testid=timeline-marker][data-kind=satp_write]')
  await expect(marker).toHaveClass(/selected/)
  const after = Number(await marker.getAttribute('data-step'))
  expect(after).toBe(Number(await marker.getAttribute('data-event-step')) + 1)
  await expect(page.getByTestId('event-explanation')).toContainText('paging is on from the next instruction')
  const status = page.getByTestId('inspector-status')
  await expect(status).toHaveAttribute('data-step', String(after))
  const space = page.getByTestId('address-space')
  await expect(space).toHaveAttribute('data-mode', 'Sv39')
  await expect(page.getByTestId('satp')).toContainText('just written')

  // The mappings in words.
  const words = space.getByTestId('mapping-words')
  await expect(words.nth(0)).toContainText('identity mapping (VA = PA) of 0x80000000–0xbfffffff — needed because the PC is still physical')
  await expect(words.nth(1)).toContainText('higher-half mapping of the kernel')

  // CSRs in words; no register value is cut.
  const regs = page.getByTestId('registers')
  await expect(regs.locator('[data-reg=satp] [data-testid=csr-words]')).toHaveText('Sv39, ASID 0, root table at PA 0x80202000')
  await expect(regs.locator('[data-reg=sstatus] [data-testid=csr-words]')).toContainText('SPP=')
  await expect(regs.locator('[data-reg=scause] [data-testid=csr-words]')).toContainText('no trap taken yet')
  for (const size of SIZES) {
    await page.setViewportSize(size)
    const cut = await regs.locator('.val').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > e.closest('.inspector')!.getBoundingClientRect().right + 1).map((e) => e.textContent))
    expect(cut).toEqual([])
  }
  await page.setViewportSize(SIZES[0])
  await space.scrollIntoViewIfNeeded()
  await shots(page, 'after-satp')

  // One step back: the state before the write.
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('ArrowLeft')
  await expect(status).toHaveAttribute('data-step', String(after - 1))
  await expect(space).toHaveAttribute('data-mode', 'Bare')
  await space.scrollIntoViewIfNeeded()
  await shots(page, 'before-satp')

  // The console: the step is a titled gutter, and copied text is only what the guest printed.
  const line = page.getByTestId('console').locator('.line[data-step]').first()
  await expect(page.getByTestId('console').locator('.gutter-title')).toContainText('output')
  const copied = await line.evaluate((el) => {
    const sel = window.getSelection()!
    sel.selectAllChildren(el)
    return sel.toString()
  })
  expect(copied.trim()).toBe('Hello from the higher half!')

  // Zooming out stops at the end of the recording.
  const total = Number(await page.getByTestId('timeline').getAttribute('aria-valuemax'))
  const box = (await page.getByTestId('timeline').locator('canvas').boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + 30)
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 400)
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-view-to', String(total))
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-view-from', '0')

  // A clean shutdown looks like a success: the list, the inspector at the end, the stop event.
  await expect(page.getByTestId('recording-outcome').first()).toHaveAttribute('data-tone', 'success')
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('End')
  await expect(page.getByTestId('inspector-ended')).toHaveAttribute('data-tone', 'success')
  await page.locator('[data-testid=timeline-marker][data-kind=stop]').click()
  await expect(page.getByTestId('event-explanation')).toHaveAttribute('data-tone', 'success')

  // Translate: an invalid address shows its error alone.
  const input = page.getByTestId('translate-input')
  await input.fill('0xffffffff80200000')
  await input.press('Enter')
  await expect(page.getByTestId('translate-result')).toHaveAttribute('data-ok', 'true')
  await input.fill('0xnot-hex')
  await input.press('Enter')
  await expect(page.getByTestId('translate-error')).toBeVisible()
  await expect(page.getByTestId('translate-result')).toHaveCount(0)

  // Tab in the editor: Ctrl+M makes it move the focus instead of typing, shown in the status bar.
  const before = readFileSync(join(web.workspace, 'entry.S'), 'utf8')
  await page.locator('.tab[data-path="entry.S"]').click()
  await page.getByTestId('editor').locator('.view-lines').click()
  await expect(page.getByTestId('tab-mode')).toHaveAttribute('data-focus', 'false')
  await page.keyboard.press('Control+m')
  await expect(page.getByTestId('tab-mode')).toHaveAttribute('data-focus', 'true')
  await expect(page.getByTestId('tab-mode')).toContainText('Tab moves focus')
  await page.keyboard.press('Tab')
  expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid=editor]'))).toBe(false)
  await page.keyboard.press('Control+s')
  expect(readFileSync(join(web.workspace, 'entry.S'), 'utf8')).toBe(before)

  // The inspectors show only the open recording: a new boot closes the old one until its own opens.
  expect(await axeFindings(page)).toEqual([])
})

test('the identity-mapping fault points at the fetch and at the entry that should map it; Problems are kept and come back', async ({ page, web }) => {
  test.setTimeout(240_000)
  await page.setViewportSize(SIZES[0])
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  // Delete the identity mapping (entry 2 of boot_page_table) on disk, as the README suggests.
  const entry = join(web.workspace, 'entry.S')
  const text = readFileSync(entry, 'utf8')
  const lines = text.split('\n')
  const at = lines.findIndex((l) => l.includes('(the identity mapping)')) + 1
  expect(lines[at]).toContain('.quad (0x80000 << 10) | 0xcf')
  lines[at] = '    .quad 0'
  writeFileSync(entry, lines.join('\n'))
  await page.reload()
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  await page.getByTestId('boot-button').click()
  const problems = page.getByTestId('problems')
  const fault = problems.locator('.problem[data-code="boot.trap-loop"]')
  await expect(fault).toContainText('instruction page fault', { timeout: 60_000 })
  await expect(fault.locator('.loc')).toHaveText('entry.S:19:1')
  const missing = problems.locator('.problem[data-code="boot.missing_pte"]')
  await expect(missing.locator('.loc')).toHaveText(`entry.S:${at + 1}:1`)
  await expect(missing).toContainText('index 2 at 0x80202010')

  // The timeline opens at the fault, the inspector shows it (in view) and the missing entry's line.
  await page.locator('[data-tab=timeline]').click()
  await expect(page.getByTestId('event-explanation')).toHaveAttribute('data-tone', 'failure')
  await expect(page.getByTestId('instruction-fault')).toBeInViewport()
  await expect(page.getByTestId('missing-entry-loc')).toHaveText(`entry.S:${at + 1}`)
  await expect(page.getByTestId('inspector-ended')).toHaveAttribute('data-tone', 'failure')
  // The disassembly row at the faulting PC: its address, then the fault, side by side and not overlapping.
  const pcRow = page.locator('[data-testid=disassembly-row][data-pc=true]')
  await expect(pcRow).toContainText('80200020')
  const overlap = await pcRow.evaluate((row) => {
    const parts = [...row.children].filter((c) => (c as unknown as { offsetWidth: number }).offsetWidth > 0).map((c) => c.getBoundingClientRect())
    return parts.some((a, i) => parts.slice(i + 1).some((b) => a.right > b.left + 1 && b.right > a.left + 1 && a.bottom > b.top + 1 && b.bottom > a.top + 1))
  })
  expect(overlap).toBe(false)
  await page.getByTestId('missing-entry-loc').click()
  await expect(page.locator('.tab[data-path="entry.S"]')).toHaveClass(/active/)
  await shots(page, 'identity-fault')
  expect(await axeFindings(page)).toEqual([])

  // Two syntax errors: Boot keeps every diagnostic (not one summary), each marked in the editor.
  const broken = readFileSync(entry, 'utf8').replace('sfence.vma', 'sfence.vmaa').replace('csrw satp, t0', 'csrw satpp, t0')
  writeFileSync(entry, broken)
  await page.reload()
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await page.getByTestId('boot-button').click()
  await expect(problems.locator('.problem')).toHaveCount(2, { timeout: 30_000 })
  await expect(problems.locator('.problem[data-code="build.failed"]')).toHaveCount(0)
  await expect(page.getByTestId('build-status')).toHaveAttribute('data-ok', 'false')
  await expect(page.getByTestId('inspector-empty')).toContainText('No recording open')

  // Reopening the faulted recording brings its stop back to Problems.
  await page.locator('.rec').first().click()
  await expect(problems.locator('.problem[data-code="boot.trap-loop"]')).toHaveCount(1)
  await expect(page.getByTestId('inspector-status')).toBeVisible()
})

test('a lab check after the example: no line highlight carried over, end-state checks fail when the boot never got there, each failure at its step', async ({ page, web }) => {
  test.setTimeout(240_000)
  await page.setViewportSize(SIZES[0])
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })
  await expect(page.locator('.bootscope-pc-line')).not.toHaveCount(0)

  await page.locator('[data-tab=lab]').click()
  await page.locator('[data-testid=lab-item][data-lab-id=identity-mapping]').click()
  await expect(page.getByTestId('lab-title')).toHaveText('Why the identity mapping?')
  await expect(page.locator('.tab[data-path="entry.S"]')).toHaveClass(/active/)
  await expect(page.locator('.bootscope-pc-line')).toHaveCount(0)
  await expect(page.getByTestId('inspector-empty')).toHaveCount(1)

  await page.getByTestId('check-button').click()
  await expect(page.getByTestId('check-results')).toBeVisible({ timeout: 60_000 })
  const result = (id: string) => page.locator(`[data-testid=check-result][data-check-id="${id}"]`)
  for (const id of ['identity-removed', 'kernel-still-mapped']) {
    await expect(result(id)).toHaveAttribute('data-passed', 'false')
    await expect(result(id).getByTestId('check-detail')).toContainText('the boot never got to its end')
  }
  await expect(page.getByTestId('check-boot')).toHaveText('The boot was stuck in a trap loop at step 9')
  // Plain words, never the recording's kind names.
  await expect(page.getByTestId('check-results')).not.toContainText('region_enter')
  await expect(page.getByTestId('check-results')).not.toContainText('sfence_vma')
  // The trap loop is in Problems.
  await expect(page.locator('[data-tab=problems] .count')).toBeVisible()
  await page.locator('[data-tab=problems]').click()
  await expect(page.getByTestId('problems').locator('.problem[data-code="boot.trap-loop"]')).toHaveCount(1)
  await shots(page, 'lab-check')
  expect(await axeFindings(page)).toEqual([])
})
