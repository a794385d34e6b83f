import { expect, test, startWebApp, stopWebApp, type WebApp } from './fixtures'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'

/**
 * Your own kernel project (issue 16): a folder with a C kernel (RISC-V, riscv64-unknown-elf-gcc
 * -g) and a bootscope.json opens as the workspace; Build runs its command, Boot boots what it
 * built, and the kernel's DWARF names C lines and functions everywhere: the instruction inspector,
 * the disassembly (source lines interleaved), the timeline's event text — a click opens the line,
 * read-only for a file outside the workspace (the kernel's shutdown comes from ../lib).
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
    // The shutdown is a library function outside the workspace.
    const lib = join(ws, '..', 'lib')
    mkdirSync(lib)
    writeFileSync(join(lib, 'shutdown.c'), '#include <stdint.h>\n\nvoid lib_shutdown(void)\n{\n    register uint64_t a7 asm("a7") = 8;\n    asm volatile("ecall" : : "r"(a7) : "memory");\n}\n')
    const main = readFileSync(join(ws, 'main.c'), 'utf8')
    writeFileSync(join(ws, 'main.c'), main.replace('void kernel_main(void)\n', 'void lib_shutdown(void);\n\nvoid kernel_main(void)\n').replace('    sbi_shutdown();\n}', '    lib_shutdown();\n}'))
    const flags = '-g -O1 -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -fno-builtin -nostdlib'
    const command = `riscv64-unknown-elf-gcc ${flags} -T kernel.ld -o kernel.elf start.S main.c ${join(lib, 'shutdown.c')}`
    writeFileSync(join(ws, 'bootscope.json'), JSON.stringify({ version: 1, build: { command }, kernel: 'kernel.elf' }, null, 2))
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
  // The editor opens on the kernel's C source and its linker script, main.c in front.
  await expect(page.locator('nav.tabs .tab.active')).toHaveAttribute('data-path', 'main.c')
  await expect(page.locator('nav.tabs .tab[data-path="kernel.ld"]')).toHaveCount(1)

  await page.getByTestId('build-button').click()
  await expect(page.getByTestId('build-status')).toContainText('built kernel.elf', { timeout: 60_000 })
  await expect(page.getByTestId('build-status')).toHaveAttribute('data-ok', 'true')

  await page.getByTestId('boot-button').click()
  await expect(page.getByTestId('console')).toContainText('higher half ok', { timeout: 60_000 })

  // The recording opens at its first notable event (the satp write in kernel_main): its C line
  // (workspace-relative), its function, and the C source above the instructions it compiled to.
  await page.locator('[data-tab=inspect]').click()
  const loc = page.getByTestId('instruction-loc')
  await expect(loc).toHaveText(/^\s*main\.c:\d+\s*$/)
  await expect(page.getByTestId('instruction-function')).toContainText('kernel_main')
  await expect(page.getByTestId('disassembly-source').filter({ hasText: 'csrw satp' })).toHaveCount(1)
  await expect(page.getByTestId('disassembly-source').filter({ hasText: 'write_satp((8UL << 60)' })).toHaveCount(1)

  // The timeline's event text says where: in `write_satp (inlined into kernel_main)` (main.c:25); a click opens it.
  await page.locator('[data-tab=timeline]').click()
  const place = page.getByTestId('event-place')
  await expect(place).toContainText('inlined into kernel_main')
  await expect(place).toContainText('main.c:25')
  await place.click()
  await expect(page.locator('.tab[data-path="main.c"]')).toHaveClass(/active/)
  await expect(page.getByTestId('editor').locator('.bootscope-pc-line')).toHaveCount(1)
  await shot(page, 'satp')

  // At the end the kernel is in the library's lib_shutdown, outside the workspace: it opens read-only.
  await page.getByTestId('timeline').focus()
  await page.keyboard.press('End')
  await page.locator('[data-tab=inspect]').click()
  await expect(page.getByTestId('instruction-function')).toContainText('lib_shutdown')
  await expect(loc).toContainText('/lib/shutdown.c:6')
  await loc.click()
  const tab = page.locator('.tab[data-readonly=true]')
  await expect(tab).toHaveClass(/active/)
  await expect(tab).toContainText('(read-only)')
  await expect(page.getByTestId('editor')).toContainText('asm volatile("ecall"')
  await page.getByTestId('editor').click()
  await page.keyboard.type('XYZ')
  await expect(page.getByTestId('editor')).not.toContainText('XYZ')
  await shot(page, 'outside')
})
