import { defineConfig } from 'vitest/config'

// Unit and integration tests under Node (no Electron); e2e tests run separately with Playwright.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 240_000, // generous: a timeout only catches hangs; CI machines are slow and shared
    hookTimeout: 240_000,
    pool: 'forks',
  },
})
