// The entry of a `model-prune --checkpoint` worker thread (src/cli/headPool.ts). A thread
// starts without the parent's module hooks when the parent was not started with them (a test
// runner), so it registers tsx itself before loading the TypeScript; registering twice (under
// `npm run cli`, whose threads inherit `--import tsx`) is harmless.
import { register } from 'tsx/esm/api';

register();
await import('./pruneThread.ts');
