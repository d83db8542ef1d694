import { defineConfig } from 'vitest/config';

/**
 * Parity tests: the worker's model jobs against the CLI, the precomputed sweeps against
 * a fresh run, the model commands as a user meets them. They load the shipped models
 * and run TensorFlow.js, so they are slower than the unit tests (`npm run test:fast`).
 */
export default defineConfig({
  test: {
    include: ['test/parity/**/*.test.ts'],
    // A model test takes 10-30 s on an idle 2-core machine. With both cores busy it is many
    // times slower: measured with two `yes` loads beside the suite, at load averages of 20
    // the slowest test took 70 s, at 22-36 (a site build and other jobs too) 206 s. The
    // limit leaves room for that; a hang still fails, after 10 minutes.
    // Vitest's own RPC limit (60 s, not configurable in Vitest 3) is met by never blocking
    // the event loop that long: the tests await the CLI in a child process (cliInChild) and
    // the model jobs yield a whole event-loop turn between heads (test/helpers/modelContext.ts).
    testTimeout: 600_000,
    pool: 'forks',
  },
});
