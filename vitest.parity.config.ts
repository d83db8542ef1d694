import { defineConfig } from 'vitest/config';

/**
 * Parity tests: the worker's model jobs against the CLI, the precomputed sweeps against
 * a fresh run, the model commands as a user meets them. They load the shipped models
 * and run TensorFlow.js, so they are slower than the unit tests (`npm run test:fast`).
 */
export default defineConfig({
  test: {
    include: ['test/parity/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
