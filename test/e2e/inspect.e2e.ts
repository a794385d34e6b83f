import { expect, test } from './fixtures'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { selectLine, selectWholeLine } from './editor-keys'

/**
 * The inspectors at the timeline cursor, against a real recorded boot of the built-in example:
 * the address space grows from nothing to the two 1 GiB mappings across `csrw satp`, satp is
 * highlighted as changed, a higher-half VA translates, and the instruction links to entry.S.
 */

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/inspect-${name}.png` })
}

test('the inspectors follow the cursor across the satp write: address space, registers, translation, memory, source line', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })

  // The satp marker opens the state after the write (step N + 1, where N is the step whose next
  // instruction is `csrw satp`); one step back, `csrw satp` is about to run and satp is still Bare.
  await page.locator('[data-tab=timeline]').click()
  const marker = page.locator('[data-testid=timeline-marker][data-kind=satp_write]')
  await marker.click()
  const satpStep = Number(await marker.getAttribute('data-event-step'))
  expect(Number(await marker.getAttribute('data-step'))).toBe(satpStep + 1)
  await page.locator('[data-tab=inspect]').click()
  const status = page.getByTestId('inspector-status')
  await expect(status).toHaveAttribute('data-step', String(satpStep + 1))
  await expect(page.getByTestId('address-space')).toHaveAttribute('data-mode', 'Sv39')
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('ArrowLeft')
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

/**
 * A kernel with a three-level corner: the root points (entry 1) to a level-1 page, and after
 * paging is on the kernel writes two PTEs — a 2 MiB leaf in the level-1 page and a 1 GiB leaf in
 * the root — so the tree has a page to open and PTEs written since the previous event.
 */
const TREE_ENTRY_S = `# Boot code with a level-1 page and two PTEs written at run time (inspect e2e).
    .section .text.entry
    .globl _start
_start:
    # Physical addresses of the root and the level-1 page
    lui t0, %hi(boot_page_table)
    li t1, 0xffffffff00000000
    sub t0, t0, t1
    lui t2, %hi(l1_table)
    sub t2, t2, t1
    # root[1] = pointer to the level-1 page (paging is off: a plain store)
    srli t3, t2, 12
    slli t3, t3, 10
    ori t3, t3, 1
    sd t3, 8(t0)
    # satp = Sv39 | root ppn
    srli t0, t0, 12
    li t1, (8 << 60)
    or t0, t0, t1
    csrw satp, t0
    sfence.vma

    # l1_table[3] = 2 MiB leaf: 0x40600000 -> 0x80000000 (V R W A D)
    lui t4, %hi(l1_table)
    addi t4, t4, %lo(l1_table)
    li t5, (0x80000 << 10) | 0xc7
    sd t5, 24(t4)
    # root[3] = 1 GiB leaf: 0xc0000000 -> 0x80000000
    lui t4, %hi(boot_page_table)
    addi t4, t4, %lo(boot_page_table)
    sd t5, 24(t4)
    sfence.vma

    lui sp, %hi(boot_stack_top)
    addi sp, sp, %lo(boot_stack_top)
    lui t0, %hi(rust_main)
    addi t0, t0, %lo(rust_main)
    jr t0

    .section .bss.stack
    .global boot_stack
boot_stack:
    .space 4096 * 16
    .global boot_stack_top
boot_stack_top:

    .section .data
    .align 12
boot_page_table:
    .quad 0
    .quad 0
    .quad (0x80000 << 10) | 0xcf
    .zero 507 * 8
    .quad (0x80000 << 10) | 0xcf
    .quad 0
    .align 12
l1_table:
    .zero 4096
`

test('the page-table tree opens level by level and highlights the PTEs written since the previous event; disassembly and memory follow', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  writeFileSync(join(web.workspace, 'entry.S'), TREE_ENTRY_S)
  await page.reload()
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })

  // Two PTE writes on the timeline; the cursor just after the second.
  await page.locator('[data-tab=timeline]').click()
  const writes = page.locator('[data-testid=timeline-marker][data-kind=pte_write]')
  await expect(writes).toHaveCount(2)
  // Each write's step is the state whose next instruction is the store; its marker opens the state after it.
  const firstWrite = Number(await writes.nth(0).getAttribute('data-event-step'))
  const secondWrite = Number(await writes.nth(1).getAttribute('data-event-step'))
  await writes.nth(1).click()
  await page.locator('[data-tab=inspect]').click()
  const status = page.getByTestId('inspector-status')
  await expect(status).toHaveAttribute('data-step', String(secondWrite + 1))

  // The root page: the pointer (closed, holding a written PTE), the identity gigapage, the new gigapage (written), the higher half.
  const tree = page.getByTestId('page-table')
  await expect(tree).toHaveAttribute('data-step', String(secondWrite + 1))
  const rootPa = BigInt((await tree.getByTestId('table-page').getAttribute('data-pa'))!)
  const pte = (tablePa: bigint, index: number) => tree.locator(`[data-testid=pte][data-pa="0x${(tablePa + BigInt(index * 8)).toString(16)}"]`)
  const rows = tree.getByTestId('pte')
  await expect(rows).toHaveCount(4)
  await expect(rows.nth(0)).toHaveAttribute('data-kind', 'pointer')
  await expect(rows.nth(0)).toHaveAttribute('data-holds-written', 'true')
  const l1Pa = BigInt((await rows.nth(0).getAttribute('data-target'))!)
  await expect(pte(rootPa, 3)).toHaveAttribute('data-written', 'true')
  await expect(pte(rootPa, 3)).toHaveAttribute('data-va', '0xc0000000')
  await expect(pte(rootPa, 3)).toContainText('1 GiB')
  await expect(pte(rootPa, 2)).not.toHaveAttribute('data-written', 'true')
  await expect(pte(rootPa, 510)).toHaveAttribute('data-va', '0xffffffff80000000')
  await expect(tree).toContainText('2 PTEs written since')

  // Open the level-1 page: its one leaf, written, a 2 MiB page at 0x40600000 → 0x80000000.
  await rows.nth(0).getByRole('button').click()
  await expect(rows.nth(0)).toHaveAttribute('aria-expanded', 'true')
  const leaf = pte(l1Pa, 3)
  await expect(leaf).toHaveAttribute('data-level', '1')
  await expect(leaf).toHaveAttribute('data-kind', 'leaf')
  await expect(leaf).toHaveAttribute('data-va', '0x40600000')
  await expect(leaf).toHaveAttribute('data-target', '0x80000000')
  await expect(leaf).toHaveAttribute('data-written', 'true')
  await expect(leaf).toContainText('2 MiB')
  await expect(rows).toHaveCount(5)
  await tree.scrollIntoViewIfNeeded()
  await shot(page, 'tree-written')
  // The dark theme, for the eye: the written rows and the stop marker (pink) must stay readable.
  await page.emulateMedia({ colorScheme: 'dark' })
  await shot(page, 'tree-dark')
  await page.emulateMedia({ colorScheme: 'light' })

  // Memory at the root page, read as the kernel sees it: root[3] changed since the previous event
  // (two bytes: c7 and 20), though no dump was shown before this one.
  const rootVa = `0x${(rootPa + 0xffffffff00000000n).toString(16)}`
  await page.getByTestId('memory-address').fill(rootVa)
  await page.getByTestId('memory-address').press('Enter')
  const memory = page.getByTestId('memory-view')
  await expect(memory).toHaveAttribute('data-changed', '2')
  await expect(memory.locator('.changed')).toHaveCount(2)
  await expect(page.getByTestId('memory-since')).toContainText('2 bytes changed since')
  await memory.scrollIntoViewIfNeeded()
  await shot(page, 'tree-memory')

  // Just before the first write (its marker, one step back): nothing written yet, the level-1 page (still open) holds no valid entry.
  await page.locator('[data-tab=timeline]').click()
  await writes.nth(0).click()
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('ArrowLeft')
  await page.locator('[data-tab=inspect]').click()
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(firstWrite))
  await expect(tree).toHaveAttribute('data-step', String(firstWrite))
  await expect(tree.locator('[data-written=true]')).toHaveCount(0)
  await expect(pte(rootPa, 3)).toHaveCount(0)
  await expect(leaf).toHaveCount(0)
  await expect(tree).toContainText('no valid entries')
  await expect(memory).toHaveAttribute('data-changed', '0')

  // The disassembly: the PC's row marked (it is the store about to write), rows before and after.
  const dis = page.getByTestId('disassembly')
  const pc = await page.getByTestId('instruction').getAttribute('data-pc')
  const pcRow = dis.locator('[data-testid=disassembly-row][data-pc=true]')
  await expect(pcRow).toHaveCount(1)
  await expect(pcRow).toHaveAttribute('data-address', pc!)
  await expect(pcRow).toContainText('sd')
  const disRows = dis.getByTestId('disassembly-row')
  expect(await disRows.count()).toBeGreaterThanOrEqual(12)
  const pcIndex = await disRows.evaluateAll((els) => els.findIndex((e) => e.getAttribute('data-pc') === 'true'))
  expect(pcIndex).toBeGreaterThanOrEqual(4)
  // The code label names the rows, not the script's kernel_start/text_start markers at the same address.
  await expect(disRows.first()).toHaveAttribute('data-symbol', /^_start\+0x[0-9a-f]+$/)
  await dis.scrollIntoViewIfNeeded()
  await shot(page, 'tree-disassembly')
  // A row's source line opens entry.S there.
  const firstLoc = disRows.first().getByTestId('disassembly-loc')
  await expect(dis.locator('.label').first()).toContainText('entry.S')
  await expect(firstLoc).toHaveAttribute('title', /^Open entry\.S at line \d+$/)
  await expect(firstLoc).toHaveText(/^:\d+$/)
  await page.getByTestId('file-tree').locator('button[data-path="linker.ld"]').click()
  await expect(page.locator('.tab[data-path="linker.ld"]')).toHaveClass(/active/)
  await firstLoc.click()
  await expect(page.locator('.tab[data-path="entry.S"]')).toHaveClass(/active/)
})

test('history search from the inspectors: run to an instruction forward and back, and look for a change in memory', async ({ page, web }) => {
  test.setTimeout(180_000)
  await page.goto(web.url)
  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })
  await page.locator('[data-tab=timeline]').click()
  const marker = page.locator('[data-testid=timeline-marker][data-kind=satp_write]')
  await marker.click()
  const satpStep = Number(await marker.getAttribute('data-step'))
  await page.locator('[data-tab=inspect]').click()
  await expect(page.getByTestId('inspector-status')).toHaveAttribute('data-step', String(satpStep))

  // Three instructions below the PC: "run to here" moves the cursor forward to where the PC gets there.
  const rows = page.getByTestId('disassembly-row')
  const pcIndex = await rows.evaluateAll((els) => els.findIndex((e) => e.getAttribute('data-pc') === 'true'))
  const target = rows.nth(pcIndex + 3)
  const address = await target.getAttribute('data-address')
  await target.hover()
  await target.getByTestId('run-to').click()
  await expect(page.getByTestId('find-status')).toHaveAttribute('data-found', 'true')
  await expect(page.getByTestId('find-status')).toContainText(`the PC reaches ${address} at step ${satpStep + 3}`)
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(satpStep + 3))
  await expect(page.getByTestId('instruction')).toHaveAttribute('data-pc', address!)
  await page.screenshot({ path: 'test-results/screenshots/inspect-run-to.png' })

  // Back: the csrw is now above the PC, and "run to here" searches backward to the step where it is
  // about to run — the satp write's own step, one before the state after it that the marker opened.
  const csrw = page.getByTestId('disassembly-row').filter({ hasText: 'csrw' })
  await csrw.hover()
  await csrw.getByTestId('run-to').click()
  await expect(page.getByTestId('find-status')).toContainText(`at step ${satpStep - 1}`)
  await expect(page.getByTestId('timeline-cursor')).toHaveAttribute('data-step', String(satpStep - 1))

  // The kernel never writes its own code: no later change of the bytes at the PC.
  await page.getByTestId('memory-view').getByRole('button', { name: 'pc' }).click()
  await page.getByTestId('memory-next-change').click()
  await expect(page.getByTestId('find-status')).toHaveAttribute('data-found', 'false')
  await expect(page.getByTestId('find-status')).toContainText('not found: the 8 bytes at PA 0x80200')
})
