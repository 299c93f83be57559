import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/start-redis.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Suites share one redis-server; each one uses its own key prefix or database.
    fileParallelism: true,
  },
})
