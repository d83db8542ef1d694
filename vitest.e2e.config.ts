import { defineConfig } from 'vitest/config';

/** Browser tests against the built site (run `astro build` first; `npm test` does). */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
