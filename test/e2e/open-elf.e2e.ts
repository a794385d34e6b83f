import { expect, test } from './fixtures'
import type { Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openFile } from './editor-keys'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHOTS = 'test-results/screenshots'

/** Builds the workspace's example with our CLI, as a user would outside Bootscope; returns its layout report. */
function buildElsewhere(workspace: string): { elf: string; layout: { symbols: { name: string; value: string; section: string }[] } } {
  const out = join(workspace, 'elsewhere')
  mkdirSync(out, { recursive: true })
  const ws = (f: string) => join(workspace, f)
  execFileSync(
    process.execPath,
    ['bin/bootscope.mjs', 'build', '-T', ws('linker.ld'), ws('entry.S'), ws('main.S'), '-o', join(out, 'k.elf'), '--layout', join(out, 'k.json')],
    { cwd: ROOT, stdio: 'pipe' },
  )
  return { elf: join(out, 'k.elf'), layout: JSON.parse(readFileSync(join(out, 'k.json'), 'utf8')) }
}

/**
 * Moves the mouse over `word` where it occurs inside `context` (a piece of one line, e.g.
 * `.globl rust_main`), in the editor's rendered lines. The line's text nodes are walked to find
 * the word's characters, since Monaco splits a line into spans by colour.
 */
async function hoverWord(page: Page, word: string, context = word): Promise<void> {
  const at = await page.getByTestId('editor').evaluate(
    (el, { w, ctx }) => {
      // Runs in the page; the Node-side type check has no DOM lib, so the document is reached through the element.
      const doc = (el as unknown as { ownerDocument: any }).ownerDocument
      const SHOW_TEXT = 4 // NodeFilter.SHOW_TEXT
      for (const line of el.querySelectorAll('.view-line')) {
        const text = (line.textContent ?? '').replace(/\u00a0/g, ' ')
        const c = text.indexOf(ctx)
        if (c < 0) continue
        let offset = c + ctx.indexOf(w)
        const walker = doc.createTreeWalker(line, SHOW_TEXT)
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const len = n.textContent?.length ?? 0
          if (offset < len) {
            const r = doc.createRange()
            r.setStart(n, offset)
            r.setEnd(n, Math.min(len, offset + w.length))
            const b = r.getBoundingClientRect()
            return { x: b.x + Math.min(b.width / 2, 8), y: b.y + b.height / 2 }
          }
          offset -= len
        }
      }
      return undefined
    },
    { w: word, ctx: context },
  )
  expect(at, `\`${context}\` is on screen`).toBeDefined()
  await page.mouse.move(at!.x - 2, at!.y)
  await page.mouse.move(at!.x, at!.y)
}

/** Puts the editor's cursor at the end of the first occurrence of `text`, with the editor's Find. */
async function cursorAfter(page: Page, text: string): Promise<void> {
  await page.getByTestId('editor').locator('.view-line').last().click()
  await page.keyboard.press('Control+f')
  await page.keyboard.type(text)
  await page.keyboard.press('Enter')
  await expect(page.locator('.find-widget .matchesCount')).not.toHaveText(/No results/)
  await page.keyboard.press('Escape')
  await expect(page.locator('.find-widget.visible')).toHaveCount(0)
}

test('an ELF built elsewhere boots from a typed path and from a dropped file', async ({ page, web }) => {
  test.setTimeout(180_000)
  const { elf } = buildElsewhere(web.workspace)
  // Links the workspace must not follow: one leading out (to /usr/share), one dangling.
  symlinkSync('/usr/share', join(web.workspace, 'share'))
  symlinkSync(join(web.workspace, 'gone.S'), join(web.workspace, 'dangling.S'))
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')
  const notes = page.getByTestId('file-tree-notes')
  await expect(notes).toContainText('share')
  await expect(notes).toContainText('link to /usr/share, outside the workspace: not opened')
  await expect(notes).toContainText(/dangling\.S.*which does not exist/)
  await expect(page.getByTestId('file-tree').locator('[data-path^="share/"]')).toHaveCount(0)

  // A path that does not exist is explained in the dialog, which stays open.
  await page.getByTestId('open-elf-button').click()
  const dialog = page.getByTestId('open-elf-dialog')
  await expect(dialog).toBeVisible()
  await page.getByTestId('open-elf-path').fill('elsewhere/missing.elf')
  await page.getByTestId('open-elf-boot').click()
  await expect(page.getByTestId('open-elf-error')).toHaveAttribute('data-code', 'boot.no_file')
  await expect(dialog).toBeVisible()

  // The workspace-relative path of the CLI's ELF, with the built-in SBI: the kernel prints its line.
  await page.getByTestId('open-elf-path').fill('elsewhere/k.elf')
  await page.getByTestId('open-elf-bios-builtin').check()
  await page.screenshot({ path: `${SHOTS}/open-elf-dialog.png` })
  await page.getByTestId('open-elf-boot').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('console')).toContainText('Hello from the higher half!', { timeout: 60_000 })
  const recordings = page.getByTestId('recording-list')
  await expect(recordings).toHaveAttribute('data-count', '1')
  await expect(recordings).toContainText('k.elf')
  await expect(recordings).toContainText('shut down')
  // The recording opens: its console lines (from the recording, not the live run) and its timeline.
  await expect(page.getByTestId('console').locator('.line')).toContainText(['Hello from the higher half!'])
  await page.screenshot({ path: `${SHOTS}/open-elf-booted.png` })

  // Drop the same file on the window: it is imported into imports/ and the dialog opens on it.
  const bytes = [...readFileSync(elf)]
  const dataTransfer = await page.evaluateHandle((b) => {
    const dt = new (globalThis as any).DataTransfer()
    dt.items.add(new File([new Uint8Array(b)], 'dropped kernel.elf', { type: 'application/octet-stream' }))
    return dt
  }, bytes)
  await page.dispatchEvent('body', 'dragover', { dataTransfer })
  await expect(page.getByTestId('open-elf-drop')).toBeVisible()
  await page.screenshot({ path: `${SHOTS}/open-elf-drop.png` })
  await page.dispatchEvent('body', 'drop', { dataTransfer })
  await expect(page.getByTestId('open-elf-drop')).toBeHidden()
  await expect(dialog).toBeVisible()
  await expect(page.getByTestId('open-elf-path')).toHaveValue('imports/dropped_kernel.elf')
  expect(readFileSync(join(web.workspace, 'imports', 'dropped_kernel.elf')).equals(readFileSync(elf))).toBe(true)
  // A step budget too small to reach the console: the boot stops on the budget.
  await page.getByTestId('open-elf-max-steps').fill('20')
  await page.getByTestId('open-elf-boot').click()
  await expect(recordings).toHaveAttribute('data-count', '2', { timeout: 60_000 })
  await expect(recordings).toContainText(/dropped_kernel\.elf · 20 steps\s*ran out of its step budget/)
  await expect(recordings.locator('.rec.active')).toContainText('dropped_kernel.elf')
  await expect(page.getByTestId('problems')).toContainText('budget')
  await page.screenshot({ path: `${SHOTS}/open-elf-budget.png` })
})

test('the editor completes, hovers symbols with their built addresses and goes to definitions', async ({ page, web }) => {
  test.setTimeout(120_000)
  const { layout } = buildElsewhere(web.workspace)
  const rustMain = layout.symbols.find((s) => s.name === 'rust_main')!
  await page.goto(web.url)
  await expect(page.getByTestId('core-status')).toContainText('SQLite')

  // Build, then hover rust_main in main.S: its address from the layout, VMA and LMA.
  await page.getByTestId('build-button').click()
  await page.locator('[data-tab=layout]').click()
  await expect(page.getByTestId('layout-view')).toContainText('0xffffffff80200000')
  await openFile(page, 'main.S')
  await hoverWord(page, 'rust_main', '.globl rust_main')
  const hover = page.locator('.monaco-hover:visible')
  await expect(hover).toContainText(`VMA ${rustMain.value}`)
  await expect(hover).toContainText(`LMA 0x${(BigInt(rustMain.value) - 0xffffffff00000000n).toString(16)}`)
  await expect(hover).toContainText('.text')
  await page.screenshot({ path: `${SHOTS}/editor-hover.png` })

  // Hover on a CSR name and on a mnemonic.
  await openFile(page, 'entry.S')
  await hoverWord(page, 'satp', 'csrw satp')
  await expect(page.locator('.monaco-hover:visible')).toContainText('CSR 0x180')
  await hoverWord(page, 'sfence.vma', '    sfence.vma')
  await expect(page.locator('.monaco-hover:visible')).toContainText('TLB')
  await page.screenshot({ path: `${SHOTS}/editor-hover-instruction.png` })

  // Go to definition (F12) from a use in entry.S to the label in main.S.
  await cursorAfter(page, '%hi(rust_ma')
  await page.keyboard.press('F12')
  await expect(page.locator('.tab[data-path="main.S"]')).toHaveClass(/active/)
  const labelLine = readFileSync(join(web.workspace, 'main.S'), 'utf8').split('\n').indexOf('rust_main:') + 1
  expect(labelLine).toBeGreaterThan(0)
  await expect(page.getByTestId('editor').locator('.line-numbers.active-line-number')).toHaveText(String(labelLine))
  await page.screenshot({ path: `${SHOTS}/editor-definition.png` })

  // Completion of CSR names in a CSR instruction.
  await openFile(page, 'entry.S')
  await cursorAfter(page, 'sfence.vma')
  await page.keyboard.press('End')
  await page.keyboard.press('Enter')
  await page.keyboard.type('csrw sst')
  const suggest = page.locator('.suggest-widget.visible')
  await expect(suggest).toContainText('sstatus')
  await expect(suggest).toContainText('CSR 0x100')
  await page.screenshot({ path: `${SHOTS}/editor-completion.png` })
})

test('a kernel that sleeps until a key arrives keeps the boot open; keys typed in the console reach it', async ({ page, web }) => {
  test.setTimeout(120_000)
  // The machine tests' UART-interrupt echo kernel (M-mode, no firmware): it echoes keys in brackets; q powers off.
  const fixtures = join(ROOT, 'test/fixtures/machine')
  execFileSync(process.execPath, ['bin/bootscope.mjs', 'build', '-T', join(fixtures, 'm-mode.ld'), join(fixtures, 'uart-irq-echo.S'), '-o', join(web.workspace, 'echo.elf')], { cwd: ROOT, stdio: 'pipe' })
  await page.goto(web.url)
  await page.getByTestId('open-elf-button').click()
  await page.getByTestId('open-elf-path').fill('echo.elf')
  await page.getByTestId('open-elf-bios-none').check()
  await page.getByTestId('open-elf-boot').click()
  const console_ = page.getByTestId('console')
  await expect(console_).toContainText('ready', { timeout: 30_000 })
  await expect(page.getByTestId('waiting-for-input')).toBeVisible()
  await console_.click()
  await page.keyboard.type('hi')
  await expect(console_).toContainText('[h]')
  await expect(console_).toContainText('[i]')
  await page.screenshot({ path: `${SHOTS}/open-elf-typing.png` })
  await page.keyboard.type('q')
  const recordings = page.getByTestId('recording-list')
  await expect(recordings).toContainText('shut down', { timeout: 30_000 })
  await expect(page.getByTestId('progress')).toBeHidden()
})

const OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf'
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin'

test("real firmware from Open ELF: OpenSBI + U-Boot to its prompt, which waits for the user's command", async ({ page, web }) => {
  // Locally it may skip, naming the packages; in CI (.ci/run installs them) a missing one is a failure.
  const missing = !existsSync(OPENSBI) || !existsSync(UBOOT)
  if (missing && process.env.CI === 'true') throw new Error(`CI must run this test, but ${OPENSBI} or ${UBOOT} is missing: apt-get install -y opensbi u-boot-qemu`)
  test.skip(missing, 'needs the Debian packages opensbi and u-boot-qemu (apt-get install -y opensbi u-boot-qemu)')
  test.setTimeout(180_000)
  await page.goto(web.url)
  await page.getByTestId('open-elf-button').click()
  await page.getByTestId('open-elf-path').fill(UBOOT)
  // u-boot.bin is a raw binary: it goes where OpenSBI's fw_jump jumps.
  await page.getByTestId('open-elf-raw').fill('0x80200000')
  await page.getByTestId('open-elf-bios-file').check()
  await page.getByTestId('open-elf-firmware').fill(OPENSBI)
  await page.getByTestId('open-elf-boot').click()
  const console_ = page.getByTestId('console')
  await expect(console_).toContainText('OpenSBI v', { timeout: 60_000 })
  // A key at the autoboot countdown stops it, as a user would; U-Boot then waits at its prompt.
  await expect(console_).toContainText('Hit any key to stop autoboot', { timeout: 60_000 })
  await console_.click()
  await page.keyboard.type(' ')
  await expect(page.getByTestId('waiting-for-input')).toBeVisible({ timeout: 60_000 })
  await page.keyboard.type('version')
  await page.keyboard.press('Enter')
  await expect(console_).toContainText(/U-Boot 20\d\d/, { timeout: 30_000 })
  await expect(page.getByTestId('waiting-for-input')).toBeVisible({ timeout: 60_000 })
  await page.screenshot({ path: `${SHOTS}/open-elf-uboot.png` })
  // The boot is still open (the guest waits); Cancel ends it and keeps the recording.
  await page.getByTestId('progress').getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByTestId('recording-list')).toContainText('cancelled', { timeout: 30_000 })
})

test('Open ELF… with an initrd and a command line: the kernel finds both in /chosen', async ({ page, web }) => {
  test.setTimeout(120_000)
  // The machine tests' /chosen reader (M-mode, no firmware): it prints bootargs, the initrd's place and its first line.
  const fixtures = join(ROOT, 'test/fixtures/machine')
  execFileSync(process.execPath, ['bin/bootscope.mjs', 'build', '-T', join(fixtures, 'm-mode.ld'), join(fixtures, 'chosen-initrd.S'), '-o', join(web.workspace, 'chosen.elf')], { cwd: ROOT, stdio: 'pipe' })
  writeFileSync(join(web.workspace, 'initrd.img'), 'hello from the initrd\n')
  await page.goto(web.url)
  await page.getByTestId('open-elf-button').click()
  await page.getByTestId('open-elf-path').fill('chosen.elf')
  await page.getByTestId('open-elf-bios-none').check()
  await page.getByTestId('open-elf-initrd').fill('initrd.img')
  await page.getByTestId('open-elf-append').fill('console=ttyS0 rdinit=/init')
  await page.getByTestId('open-elf-boot').click()
  const console_ = page.getByTestId('console')
  await expect(console_).toContainText('bootargs: console=ttyS0 rdinit=/init', { timeout: 60_000 })
  await expect(console_).toContainText('initrd: 0x0000000084000000 - 0x0000000084000016')
  await expect(console_).toContainText('initrd text: hello from the initrd')
  await expect(page.getByTestId('recording-list')).toContainText('shut down', { timeout: 30_000 })
})
