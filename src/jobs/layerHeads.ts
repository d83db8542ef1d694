/**
 * A layer's heads pruned across a pool of workers (issue 18: heads are independent), one
 * protocol for the page's Web Workers (src/worker/ownModelPool.ts) and the CLI's worker
 * threads (src/cli/headPool.ts):
 *
 *   setLayer { key, inputs: { layer, X, segments } }   once per layer per worker (X is the big part)
 *   prune    { key, head: { head, wq, wk, bq?, bk? }, spec } → PrunedHead, once per head
 *
 * Each worker holds a `LayerHeadPruner` and runs the project's one `pruneHead`; the caller
 * runs `pruneLayerAcross`, each worker taking the next head when it is free. A failure in a
 * worker comes back as its message and kind, and `errorFromKind` raises it again as the
 * same class of error (so the CLI's exit code and one-line message are the in-process ones).
 */
import { InputError, NumericalError } from '../core/errors.ts';
import { DivergenceError } from '../core/gd.ts';
import { type HeadInputs, type ModelPruneSpec, type PrunedHead, pruneHead, type RelaxedCache } from '../model/prune.ts';
import type { ErrorKind } from './protocol.ts';

/** What a worker keeps for a whole layer. */
export type LayerArgs = Pick<HeadInputs, 'layer' | 'X' | 'segments'>;
/** What a worker is sent for one head of that layer. */
export type HeadArgs = Omit<HeadInputs, 'layer' | 'X' | 'segments'>;

export interface LayerHeadOps {
  setLayer: { args: { key: string; inputs: LayerArgs }; result: true };
  prune: { args: { key: string; head: HeadArgs; spec: ModelPruneSpec }; result: PrunedHead };
}

/** A worker's side: the current layer's X and gradient descent's relaxed masks (reused when only the sparsity changes). */
export class LayerHeadPruner {
  private layer: { key: string; inputs: LayerArgs } | undefined;
  private readonly cache: RelaxedCache = new Map();

  setLayer(a: LayerHeadOps['setLayer']['args']): true {
    if (this.layer?.key !== a.key) this.cache.clear();
    this.layer = a;
    return true;
  }

  prune(a: LayerHeadOps['prune']['args']): PrunedHead {
    if (this.layer?.key !== a.key) throw new Error(`the pool worker holds layer ${this.layer?.key ?? 'none'}, not ${a.key}`);
    return pruneHead({ ...this.layer.inputs, ...a.head }, a.spec, this.cache);
  }

  /** Forget the layer and the cache (a new model was opened). */
  clear(): void {
    this.layer = undefined;
    this.cache.clear();
  }
}

/** The caller's side of one worker. */
export interface LayerHeadWorker {
  call<K extends keyof LayerHeadOps>(op: K, args: LayerHeadOps[K]['args']): Promise<LayerHeadOps[K]['result']>;
}

/**
 * Prune `inputs` (heads of one layer, sharing X) across `workers`: each is sent the layer
 * once, then takes the next head when free; `onHead` after each. Results in input order.
 * `key` names the layer for this run (a worker checks it holds that layer).
 */
export async function pruneLayerAcross(
  workers: readonly LayerHeadWorker[],
  key: string,
  inputs: readonly HeadInputs[],
  spec: ModelPruneSpec,
  onHead: (h: PrunedHead) => void,
): Promise<PrunedHead[]> {
  if (inputs.length === 0) return [];
  const { X, segments, layer } = inputs[0];
  const out: PrunedHead[] = new Array(inputs.length);
  let next = 0;
  await Promise.all(
    workers.slice(0, inputs.length).map(async (w) => {
      await w.call('setLayer', { key, inputs: { X, segments, layer } });
      for (let i = next++; i < inputs.length; i = next++) {
        const { head, wq, wk, bq, bk } = inputs[i];
        const h = await w.call('prune', { key, head: { head, wq, wk, ...(bq ? { bq, bk } : {}) }, spec });
        out[i] = h;
        onHead(h);
      }
    }),
  );
  return out;
}

/** Why a worker's request failed, as a kind that crosses a message. */
export function errorKindOf(e: unknown): ErrorKind {
  if (e instanceof DivergenceError) return 'divergence';
  if (e instanceof NumericalError) return 'numerical';
  if (e instanceof InputError) return 'input';
  return 'bug';
}

/** The error a worker reported, raised again in the caller as the same class (same exit code, same words). */
export function errorFromKind(message: string, kind: ErrorKind): Error {
  if (kind === 'divergence' || kind === 'numerical') return new NumericalError(message);
  if (kind === 'input') return new InputError(message);
  return new Error(message);
}
