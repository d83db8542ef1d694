import { defineConfig } from 'vitest/config';

/**
 * Parity tests: the worker's model jobs against the CLI, the precomputed sweeps against
 * a fresh run, the model commands as a user meets them. They load the shipped models
 * and run TensorFlow.js, so they are slower than the unit tests (`npm run test:fast`).
 */
export default defineConfig({
  test: {
    include: ['test/parity/**/*.test.ts'],
    // A model test takes 10-30 s on an idle 2-core machine; with both cores busy (npm test
    // runs these beside the site build; load averages of 15-20 measured) the same test took
    // up to 70 s, so the limit leaves a margin of about 4x over that. A hang still fails.
    // Vitest's own RPC limit (60 s, not configurable in Vitest 3) is met by never blocking
    // the event loop that long: the tests await the CLI in a child process (cliInChild) and
    // the model jobs yield a whole event-loop turn between heads (test/helpers/modelContext.ts).
    testTimeout: 300_000,
    pool: 'forks',
  },
});
