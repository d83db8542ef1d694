/**
 * A pruned GPT-2 written back as the checkpoint it came from (issue 18, item 4): the same
 * tensors, names, shapes, dtypes and order, every byte copied except the pruned heads'
 * columns of `h.<l>.attn.c_attn.weight` (Conv1D, [d, 3d], output columns q | k | v), which
 * are re-encoded in the tensor's own dtype. The Q/K biases are not touched (factored mode
 * keeps them). `__metadata__` keeps the original's entries and adds how it was pruned, so
 * `transformers` loads the file as it loaded the original.
 *
 * Only factored heads are expressible: a merged W̃_h is not a product of GPT-2 weights.
 */
import { InputError } from '../../core/errors.ts';
import type { HeadOverride } from '../transformer.ts';
import { decodeFloats, encodeFloats } from './dtypes.ts';
import { bufferSource, concatBytes, readSafetensorsHeader, safetensorsPrefix } from './safetensors.ts';

export interface PrunedHeadWeights {
  layer: number;
  head: number;
  override: HeadOverride;
}

/** How the Q/K biases are treated, in the output's words (SPEC §7b). */
export const BIAS_HANDLING = {
  factored: "the Q/K biases (c_attn's bias) are kept as they are: never pruned, never refitted, not counted; the logits add them",
  merged: 'the Q/K biases are folded into W̃_h = [W_Q; b_Qᵀ][W_K; b_Kᵀ]ᵀ/√d_h over [X, 1], (d+1)×(d+1), and all (d+1)² entries are prunable',
} as const;

/** How a saved checkpoint was pruned, for its `__metadata__` (the CLI's --save-checkpoint and the page's download write the same keys). */
export function pruningMetadata(
  by: string,
  p: { method: string; refit: string; sparsity: number; nm?: string; layers: readonly number[]; heads?: string; calibration: string },
): Record<string, string> {
  return {
    pruned_by: by,
    pruning_method: p.method,
    pruning_refit: p.refit,
    pruning_sparsity: String(p.sparsity),
    ...(p.nm ? { pruning_nm: p.nm } : {}),
    pruning_mode: 'factored',
    pruning_layers: p.layers.join(','),
    // Every head of those layers, or the `model-prune --heads` subset (layer.head).
    pruning_heads: p.heads ?? 'all',
    pruning_calibration: p.calibration,
    pruning_biases: BIAS_HANDLING.factored,
  };
}

const C_ATTN = /^(?:transformer\.)?h\.(\d+)\.attn\.c_attn\.weight$/;

/**
 * The bytes of `original` (a safetensors GPT-2 the model was loaded from) with the heads'
 * pruned W_Q and W_K (d×d_h each) in place; `metadata` is added to the file's own.
 */
export async function prunedCheckpointBytes(
  original: Uint8Array,
  heads: readonly PrunedHeadWeights[],
  dims: { dModel: number; nHeads: number },
  metadata: Record<string, string>,
): Promise<Uint8Array> {
  const header = await readSafetensorsHeader(bufferSource(original));
  const { dModel: d, nHeads } = dims;
  const dh = d / nHeads;
  const byLayer = new Map<number, PrunedHeadWeights[]>();
  for (const h of heads) {
    if (h.override.kind !== 'factored')
      throw new InputError(
        `layer ${h.layer} head ${h.head} was pruned in merged mode: a merged W_h is not expressible as GPT-2 weights (prune with --mode factored to save a checkpoint)`,
      );
    byLayer.set(h.layer, [...(byLayer.get(h.layer) ?? []), h]);
  }
  // The data in the file's own order, so that the offsets come out as the original's.
  const tensors = [...header.tensors.values()].sort((a, b) => a.begin - b.begin);
  const parts = tensors.map((t) => {
    const bytes = original.subarray(header.dataStart + t.begin, header.dataStart + t.end);
    const layer = C_ATTN.exec(t.name);
    const pruned = layer ? byLayer.get(Number(layer[1])) : undefined;
    if (!pruned) return bytes;
    if (t.shape.length !== 2 || t.shape[0] !== d || t.shape[1] !== 3 * d) throw new Error(`${t.name}: shape [${t.shape}] is not [${d}, ${3 * d}]`);
    // A copy: an F32 decode may be a view of `original`, which stays as it was.
    const w = Float32Array.from(decodeFloats(bytes, t.dtype, d * 3 * d));
    for (const h of pruned) {
      if (h.override.kind !== 'factored') continue;
      const { Wq, Wk } = h.override;
      for (let i = 0; i < d; i++)
        for (let j = 0; j < dh; j++) {
          w[i * 3 * d + h.head * dh + j] = Wq[i * dh + j];
          w[i * 3 * d + d + h.head * dh + j] = Wk[i * dh + j];
        }
    }
    byLayer.delete(Number(layer![1]));
    return encodeFloats(w, t.dtype);
  });
  if (byLayer.size > 0) throw new Error(`the checkpoint has no c_attn.weight for layer ${[...byLayer.keys()].join(', ')}`);
  return concatBytes([safetensorsPrefix(tensors, { ...header.metadata, ...metadata }), ...parts]);
}
