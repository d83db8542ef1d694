/**
 * Messages between "Your own model" (the widget, on the main thread) and its workers
 * (src/worker/ownModel.worker.ts). One worker, the primary, holds the reader's model
 * (the File never leaves the device: it is handed to the worker, read there, never sent
 * anywhere); the others of the pool prune heads, which are independent of each other.
 */
import type { HeadInputs } from '../model/prune.ts';
import type { PrunedHeadWeights } from '../model/gpt2/prunedCheckpoint.ts';
import type { Gpt2Summary } from '../model/gpt2/checkpoint.ts';
import type { OwnAttention, OwnPrepared, OwnScore } from '../jobs/ownModel.ts';
import type { ErrorKind } from '../jobs/protocol.ts';
import type { LayerHeadOps } from '../jobs/layerHeads.ts';

/** Each request and its answer (a pool worker's setLayer and prune: src/jobs/layerHeads.ts, shared with the CLI's threads). */
export interface OwnOps extends LayerHeadOps {
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
}

export type OwnOp = keyof OwnOps;

export type OwnRequest = { [K in OwnOp]: { id: number; op: K; args: OwnOps[K]['args'] } }[OwnOp];

export type OwnReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; kind: ErrorKind };
