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

let backend: Promise<string> | undefined;

export async function ensureBackend(): Promise<string> {
  backend ??= (async () => {
    const { initBackend } = await import('../core/tf/backend.ts');
    return initBackend(['webgl', 'wasm', 'cpu'], {
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
  })();
  return backend;
}

export async function tfObjectiveFactory(problem: Problem, lambda: number): Promise<{ objective: Objective; backend: string; dispose(): void }> {
  const name = await ensureBackend();
  const { TfAttentionObjective } = await import('../core/tf/tfObjective.ts');
  const o = new TfAttentionObjective(problem.X, problem.W, { causal: problem.causal, lambda });
  return { objective: o, backend: name, dispose: () => o.dispose() };
}
