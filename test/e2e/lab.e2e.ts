/**
 * Labs in the app: the Lab tab lists the built-in labs; starting "Why the identity mapping?"
 * makes it the workspace; Check my work fails the starter with the lab's messages and links a
 * failed check to its step on the timeline; the fix typed in the editor (the lab's solution)
 * makes every check pass.
 */
import { expect, test } from './fixtures'
import { selectLine } from './editor-keys'

test('a lab in the app: start it, Check my work fails the starter with its messages, the fix passes every check', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  // The Lab tab lists the built-in labs.
  await page.locator('[data-tab=lab]').click()
  const items = page.getByTestId('lab-item')
  await expect(items).toHaveCount(11) // five RISC-V labs, then the six x86 ones (issue 15)
  await expect(items.first()).toContainText('Higher-half kernel on Sv39')
  await page.screenshot({ path: 'test-results/screenshots/lab-list.png' })

  // Starting a lab makes its folder the workspace: the starter files, never the solution.
  await page.locator('[data-testid=lab-item][data-lab-id=identity-mapping]').click()
  await expect(page.getByTestId('lab-title')).toHaveText('Why the identity mapping?')
  await expect(page.getByTestId('lab-readme').locator('h2').first()).toHaveText('Steps')
  await expect(page.getByTestId('lab-readme').locator('pre code.language-asm')).toContainText('sd zero, 16(t0)')
  const tree = page.getByTestId('file-tree')
  await expect(tree.locator('button[data-path="entry.S"]')).toBeVisible()
  await expect(tree.locator('button[data-path="main.S"]')).toBeVisible()
  await expect(tree).not.toContainText('solution')
  await expect(tree).not.toContainText('lab.json')
  await expect(page.locator('.tab[data-path="entry.S"]')).toHaveClass(/active/)

  // Check my work on the starter: the checks the lab is about fail, each with its message.
  await page.getByTestId('check-button').click()
  const results = page.getByTestId('check-results')
  await expect(results).toBeVisible({ timeout: 60_000 })
  await expect(results).toHaveAttribute('data-passed', 'false')
  await expect(page.getByTestId('check-result')).toHaveCount(8)
  // The lab's six, and the two end-state checks: a boot stuck at its first fetch never got to its end.
  await expect(page.locator('[data-testid=check-result][data-passed=false]')).toHaveCount(8)
  const fault = page.locator('[data-testid=check-result][data-check-id=no-fetch-fault]')
  await expect(fault).toHaveAttribute('data-passed', 'false')
  await expect(fault.getByTestId('check-message')).toContainText('After csrw satp the very next instruction is fetched through the new page table')
  await expect(fault.getByTestId('check-message').locator('code').first()).toHaveText('csrw satp')
  await expect(fault.getByTestId('check-hint')).toContainText('Put entry 2 of boot_page_table back')
  await expect(fault.getByTestId('check-detail')).toContainText('instruction page fault (cause 12) at step')
  await expect(page.locator('[data-testid=check-result][data-check-id=kernel-still-mapped]').getByTestId('check-detail')).toContainText('the boot never got to its end')
  // The check's boot is one of the workspace's recordings, open on the timeline.
  await expect(page.getByTestId('recording-list')).toHaveAttribute('data-count', '1')
  await expect(page.getByTestId('recording-list').locator('.rec.active')).toContainText('was stuck in a trap loop')
  await expect(page.getByTestId('check-button')).toHaveText('Check my work')
  await page.screenshot({ path: 'test-results/screenshots/lab-failed.png' })

  // The failed check's step opens the recording on the timeline, with the cursor there.
  const stepLink = fault.getByTestId('check-step')
  const step = await stepLink.getAttribute('data-step')
  await stepLink.click()
  // The bottom panel switches to the Timeline by itself.
  await expect(page.getByTestId('timeline-cursor')).toBeVisible()
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', step!)
  await expect(page.getByTestId('event-explanation')).toContainText('instruction page fault')
  // The lab stays in view: its results are where the student goes next.
  await expect(page.getByTestId('check-results')).toBeVisible()
  await page.screenshot({ path: 'test-results/screenshots/lab-step.png' })

  // The fix, typed as the lab's solution has it: entry 2 back, then removed after the jump.
  await selectLine(page, '(the identity mapping), deleted')
  await page.keyboard.type('    .quad (0x80000 << 10) | 0xcf')
  await selectLine(page, 'From here on the PC is in the higher half.')
  await page.keyboard.type('    # The PC is in the higher half: clear entry 2 and flush the TLB.')
  for (const line of ['lui t0, %hi(boot_page_table)', 'addi t0, t0, %lo(boot_page_table)', 'sd zero, 16(t0)', 'sfence.vma']) {
    await page.keyboard.press('Enter')
    await page.keyboard.type(line)
  }
  await page.keyboard.press('Control+s')
  await expect(page.locator('.tab[data-path="entry.S"] .dirty')).toHaveCount(0)

  await page.getByTestId('check-button').click()
  await expect(results).toHaveAttribute('data-passed', 'true', { timeout: 60_000 })
  await expect(page.locator('[data-testid=check-result][data-passed=true]')).toHaveCount(8)
  await expect(page.getByTestId('check-score')).toContainText('All checks pass')
  await expect(page.getByTestId('check-message')).toHaveCount(0)
  await expect(page.getByTestId('recording-list')).toHaveAttribute('data-count', '2')
  // The new boot is the one on the timeline now.
  await expect(page.getByTestId('recording-list').locator('.rec.active')).toContainText('shut down')
  await expect(page.getByTestId('check-button')).toHaveText('Check my work')
  await page.screenshot({ path: 'test-results/screenshots/lab-passed.png' })
})
