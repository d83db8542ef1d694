/**
 * Choosing a TensorFlow.js backend with fallback, in Node and in the browser.
 * The order is a preference list (e.g. webgl → wasm → cpu); the first backend
 * that initialises wins, and the caller is told which one that was so the page
 * can show it to the reader.
 */
// The umbrella package: ops, gradients (training and the autodiff tests need them),
// the cpu and webgl backends. Its Node entry is CommonJS, which Node's ESM loader accepts.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'webgl' | 'wasm' | 'cpu';

let wasmPathsSet = false;

/**
 * Where the wasm backend's .wasm files live: node_modules in Node; in the browser a
 * URL prefix or a map from file name to the URL the bundler gave it.
 */
export type WasmPaths = string | Record<string, string>;

export async function configureWasmPaths(paths?: WasmPaths): Promise<void> {
  if (wasmPathsSet) return;
  if (paths) {
    setWasmPaths(paths);
  } else if (typeof process !== 'undefined' && process.versions?.node) {
    const { createRequire } = await import('node:module');
    const { dirname } = await import('node:path');
    const require = createRequire(import.meta.url);
    setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  }
  wasmPathsSet = true;
}

/** Initialise the first backend in `order` that works; returns its name. */
export async function initBackend(order: readonly BackendName[] = ['wasm', 'cpu'], wasmPaths?: WasmPaths): Promise<BackendName> {
  const errors: string[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') await configureWasmPaths(wasmPaths);
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
      errors.push(`${name}: not available`);
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${errors.join('; ')})`);
}

export { tf };
