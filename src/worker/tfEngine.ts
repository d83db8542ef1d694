/**
 * The float32 TensorFlow.js engine inside the worker: backend chosen with fallback
 * webgl → wasm → cpu (webgl needs OffscreenCanvas in a worker). The wasm backend's
 * binaries are bundled by Vite and served by the site itself.
 */
import type { Problem } from '../core/problem.ts';
import type { Objective } from '../core/gd.ts';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

type Order = readonly ('webgl' | 'wasm' | 'cpu')[];
let backend: { order: Order; ready: Promise<string> } | undefined;

async function ensure(order: Order): Promise<string> {
  if (backend && backend.order === order) return backend.ready;
  const ready = (async () => {
    await backend?.ready.catch(() => undefined);
    const { initBackend } = await import('../core/tf/backend.ts');
    return initBackend(order, {
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
  })();
  backend = { order, ready };
  return ready;
}

const OBJECTIVE_ORDER: Order = ['webgl', 'wasm', 'cpu'];
/**
 * The shipped models are tiny (d = 64): a forward pass is many small operations, for
 * which WebAssembly beats WebGL's per-call overhead (shader dispatch, GPU read-back),
 * and by far when WebGL falls back to software rendering. Measured in headless
 * Chromium without a GPU: scoring brown-char's 32 evaluation windows took 1.2 s on
 * webgl, about 0.2 s on wasm.
 */
const MODEL_ORDER: Order = ['wasm', 'webgl', 'cpu'];

/** The backend of the lab's float32 objective: webgl → wasm → cpu. */
export function ensureBackend(): Promise<string> {
  return ensure(OBJECTIVE_ORDER);
}

/** The backend of the model jobs' forward passes: wasm → webgl → cpu. */
export function ensureModelBackend(): Promise<string> {
  return ensure(MODEL_ORDER);
}

export async function tfObjectiveFactory(problem: Problem, lambda: number): Promise<{ objective: Objective; backend: string; dispose(): void }> {
  const name = await ensureBackend();
  const { TfAttentionObjective } = await import('../core/tf/tfObjective.ts');
  const o = new TfAttentionObjective(problem.X, problem.W, { causal: problem.causal, lambda });
  return { objective: o, backend: name, dispose: () => o.dispose() };
}
