import { defineConfig } from 'vitest/config';

/** Unit tests (`npm run test:fast`): pure code, no shipped model loaded; about a minute on 2 cores. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
