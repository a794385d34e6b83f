import { defineConfig } from 'vitest/config'

// Unit and integration tests under Node (no Electron); e2e tests run separately with Playwright.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
