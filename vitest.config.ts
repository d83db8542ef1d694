import { defineConfig } from 'vitest/config';

/** Unit tests (`npm run test:fast`): pure code, no shipped model loaded; about a minute on 2 cores. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    // Two set-up hooks write a 200 MB file (hostile.test.ts) or import the Astro config
    // (plugins.test.ts): a second or two on a quiet machine, but Vitest's 10 s default was
    // exceeded with both cores busy (load average about 30, measured), failing the suite.
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default on 2 cores is one fork (cores − 1); the unit tests wait on child
    // processes and file I/O often enough that two forks finish in about half the time,
    // with the static checks beside them (scripts/test.sh).
    maxWorkers: 2,
    minWorkers: 1,
  },
});
