/**
 * Messages between "Your own model" (the widget, on the main thread) and its workers
 * (src/worker/ownModel.worker.ts). One worker, the primary, holds the reader's model
 * (the File never leaves the device: it is handed to the worker, read there, never sent
 * anywhere); the others of the pool prune heads, which are independent of each other.
 */
import type { ModelPruneSpec, HeadInputs, PrunedHead } from '../model/prune.ts';
import type { PrunedHeadWeights } from '../model/gpt2/prunedCheckpoint.ts';
import type { Gpt2Summary } from '../model/gpt2/checkpoint.ts';
import type { OwnAttention, OwnPrepared, OwnScore } from '../jobs/ownModel.ts';
import type { ErrorKind } from '../jobs/protocol.ts';

/** Each request and its answer. */
export interface OwnOps {
  open: { args: { file: Blob; configJson?: unknown; nHead?: number; name: string }; result: { summary: Gpt2Summary; backend: string } };
  prepare: { args: { calibText: string; evalText: string; layers: number[] }; result: OwnPrepared };
  layer: { args: { layer: number }; result: HeadInputs[] };
  score: { args: { heads: PrunedHeadWeights[] }; result: OwnScore };
  attention: { args: { layer: number; heads?: PrunedHeadWeights[] }; result: OwnAttention };
  generate: { args: { prompt: string; tokens: number; heads?: PrunedHeadWeights[] }; result: string };
  save: {
    args: { heads: PrunedHeadWeights[]; how: { method: string; refit: string; sparsity: number; nm?: string; layers: number[]; calibration: string } };
    result: Uint8Array;
  };
  /** A helper keeps one layer's X, sent once for all that layer's heads. */
  setLayer: { args: { key: string; inputs: Omit<HeadInputs, 'head' | 'wq' | 'wk' | 'bq' | 'bk'> }; result: true };
  prune: { args: { key: string; head: Omit<HeadInputs, 'X' | 'segments' | 'layer'>; spec: ModelPruneSpec }; result: PrunedHead };
}

export type OwnOp = keyof OwnOps;

export type OwnRequest = { [K in OwnOp]: { id: number; op: K; args: OwnOps[K]['args'] } }[OwnOp];

export type OwnReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; kind: ErrorKind };
