/**
 * End-to-end tests: Debian's Chromium (never a downloaded browser) driving the workbench in
 * browser mode, which serves the same renderer and contract as the Electron window.
 */
import { defineConfig } from '@playwright/test'

export const CHROMIUM_PATH = process.env.BOOTSCOPE_CHROMIUM || '/usr/bin/chromium'

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.e2e.ts',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
