/**
 * The forward pass of the project's transformers in TensorFlow.js (float32),
 * with the hooks the pruning code needs (SPEC §7):
 *
 *  - `capture: true` returns, for every layer ℓ, the layer-normed input of that
 *    layer's attention as X_ℓ [batch·T, d] (row b·T + t): the calibration X.
 *    `captureAttention: true` also returns each layer's attention probabilities
 *    [batch, heads, T, T].
 *  - `headLogits(layer, head)` may replace a head's logits: `merged` → X W Xᵀ
 *    (W = W_h = W_Q^h W_K^hᵀ/√d_h, possibly pruned or updated), `factored` →
 *    (X W_q)(X W_k)ᵀ/√d_h. The causal mask and softmax are then applied as
 *    usual; values, output projection and MLPs stay dense.
 *
 * The same forward runs our small models and a loaded GPT-2 (src/model/gpt2/): the
 * config's switches add Q/K biases, gelu_new and a tied unembedding without bias.
 *
 * Every tfjs call runs inside tf.tidy (or disposes what it made); results come
 * back as plain typed arrays. The model's weights are uploaded to tfjs once per
 * Model and cached (`disposeModelTensors` frees them).
 */
import { tf } from '../core/tf/backend.ts';
import { mulberry32 } from '../core/random.ts';
import { architectureOf, headDim, type ModelConfig } from './config.ts';
import { getParam, type Model, type TransformerWeights } from './weights.ts';

/** A replacement for one head's attention logits. Matrices are row-major float32. */
export type HeadOverride =
  | { kind: 'merged' /** d×d, W_h = W_Q^h W_K^hᵀ/√d_h (possibly pruned); (d+1)×(d+1) over [X, 1] with Q/K biases */; W: Float32Array }
  | { kind: 'factored' /** d×d_h */; Wq: Float32Array /** d×d_h */; Wk: Float32Array };

export type HeadLogitsFn = (layer: number, head: number) => HeadOverride | undefined;

export interface ForwardOptions {
  /** Per-head logit overrides (pruned heads). */
  headLogits?: HeadLogitsFn;
  /** Return each layer's calibration X (the layer-normed attention input). */
  capture?: boolean;
  /** Return each layer's attention probabilities. */
  captureAttention?: boolean;
  /** Captures only: run the blocks up to this layer and stop (what comes after is not needed). */
  lastLayer?: number;
}

/**
 * The captures of a forward pass without its logits (no unembedding, no [rows, vocab] array):
 * calibration on 8 GPT-2 windows would otherwise compute and hold 8 192 × 50 257 logits (1.6 GB)
 * only to drop them.
 */
export function forwardCaptures(model: TransformerWeights, sequences: readonly Int32Array[], options: ForwardOptions): Omit<ForwardResult, 'logits'> {
  return forwardInPieces(model, sequences, options, () => undefined, false, true);
}

export interface LayerCapture {
  /** [batch·T, d] row-major: row b·T + t is token t of sequence b. Present when capture. */
  x?: Float32Array;
  /** [batch, heads, T, T] row-major (query t, key s). Present when captureAttention. */
  attention?: Float32Array;
}

export interface ForwardResult {
  batch: number;
  T: number;
  vocab: number;
  /** [batch, T, vocab] row-major next-token logits. */
  logits: Float32Array;
  /** One entry per layer when capture or captureAttention. */
  layers?: LayerCapture[];
}

/** Parameters as tfjs tensors (variables during training). */
export type ParamTensors = Record<string, tf.Tensor>;

// ---------------------------------------------------------------------------
// Host-side helpers (no tfjs)

/** Head h's query and key projections: columns h·d_h … (h+1)·d_h − 1 of W_Q and W_K, each d×d_h row-major. */
export function headQK(model: TransformerWeights, layer: number, head: number): { Wq: Float32Array; Wk: Float32Array } {
  const c = model.config;
  checkHead(c, layer, head);
  const d = c.dModel;
  const dh = headDim(c);
  const wq = getParam(model, `layers.${layer}.attn.wq`).data;
  const wk = getParam(model, `layers.${layer}.attn.wk`).data;
  const Wq = new Float32Array(d * dh);
  const Wk = new Float32Array(d * dh);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < dh; j++) {
      Wq[i * dh + j] = wq[i * d + head * dh + j];
      Wk[i * dh + j] = wk[i * d + head * dh + j];
    }
  }
  return { Wq, Wk };
}

/** W_h = W_Q^h (W_K^h)ᵀ / √d_h in float64, d×d row-major: head h's logits are X W_h Xᵀ. */
export function mergedHeadWeight(model: TransformerWeights, layer: number, head: number): Float64Array {
  // With Q/K biases a head's logits are not X W_h Xᵀ (the biases fold in only with a ones column appended to X).
  if (architectureOf(model.config).qkBias) throw new Error(`model ${model.config.name}: a merged W_h leaves out the Q/K biases of this model`);
  const { Wq, Wk } = headQK(model, layer, head);
  const d = model.config.dModel;
  const dh = headDim(model.config);
  const s = 1 / Math.sqrt(dh);
  const W = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < dh; k++) acc += Wq[i * dh + k] * Wk[j * dh + k];
      W[i * d + j] = acc * s;
    }
  }
  return W;
}

function checkHead(c: ModelConfig, layer: number, head: number): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= c.nLayers) throw new Error(`layer ${layer} out of range (model has ${c.nLayers})`);
  if (!Number.isInteger(head) || head < 0 || head >= c.nHeads) throw new Error(`head ${head} out of range (model has ${c.nHeads})`);
}

// ---------------------------------------------------------------------------
// tfjs

const modelTensors = new WeakMap<TransformerWeights, ParamTensors>();

/** The model's weights as tfjs tensors (uploaded once per Model and cached). */
export function modelParamTensors(model: TransformerWeights): ParamTensors {
  let t = modelTensors.get(model);
  if (!t) {
    t = {};
    const tied = architectureOf(model.config).tiedEmbeddings;
    for (const [name, p] of model.params) {
      // A tied embedding is kept transposed, [d, vocab], as the unembedding reads it: TensorFlow.js's
      // wasm matMul with transposeB re-packs the whole [vocab, d] matrix on every call (GPT-2's
      // 50 257 × 768 unembedding ran at 2.5 GFLOP/s that way, 17 pre-transposed). Rows for the
      // embedding lookup are gathered along its second axis.
      if (tied && name === 'tok_emb') t[TIED_EMBEDDING_T] = tf.keep(tf.tensor(transposed(p.data, p.shape[0], p.shape[1]), [p.shape[1], p.shape[0]], 'float32'));
      else t[name] = tf.keep(tf.tensor(p.data, p.shape, 'float32'));
    }
    modelTensors.set(model, t);
  }
  return t;
}

/** The key of a tied token embedding uploaded transposed, [d, vocab] (modelParamTensors). */
const TIED_EMBEDDING_T = 'tok_emb.T';

/** A row-major rows × cols matrix transposed (cols × rows). */
function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** Free the cached tfjs copies of a model's weights. */
export function disposeModelTensors(model: TransformerWeights): void {
  const t = modelTensors.get(model);
  if (t) {
    tf.dispose(Object.values(t));
    modelTensors.delete(model);
  }
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
}

/** GPT-2's `gelu_new`: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the tanh approximation of GELU. */
function geluNew(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, −1e9 above (exp underflows to exactly 0). */
/**
 * Rows `ids` of the embedding E, differentiable in E on the wasm backend: tf.gather's own
 * gradient needs UnsortedSegmentSum, which the wasm backend lacks, so the gradient is
 * written here as a ScatterNd of the incoming rows (ScatterNd sums repeated ids). This
 * replaced the product oneHot(ids)·E, whose forward and backward cost 2·N·V·d each:
 * with brown-word's 4 002 words that was most of a training step.
 */
export function trainableLookup(E: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const lookup = tf.customGrad((...args) => {
    const table = args[0] as tf.Tensor;
    return {
      value: tf.gather(table, ids),
      gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.expandDims(ids, 1), dy, table.shape),
    };
  });
  return lookup(E) as tf.Tensor2D;
}

function causalBias(T: number): tf.Tensor2D {
  return tf.mul(tf.sub(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 1), 1e9) as tf.Tensor2D;
}

export interface CoreOutputs {
  logits: tf.Tensor3D;
  /** Per layer, when requested: X [B·T, d]. */
  xs: tf.Tensor2D[];
  /** Per layer, when requested: attention probabilities [B, H, T, T]. */
  attention: tf.Tensor4D[];
}

/**
 * The forward pass on tensors (call inside tf.tidy). `tokens` is int32 [B, T]
 * with T ≤ contextLength. Used by `forward` and by training (with variables).
 * `embedding`: 'onehot' (differentiable on every backend: training) or 'gather'
 * (the same numbers without a [B·T, vocab] one-hot: inference, a 50 257-token vocabulary).
 */
export function forwardTensors(
  config: ModelConfig,
  P: ParamTensors,
  tokens: tf.Tensor2D,
  options: ForwardOptions = {},
  embedding: 'onehot' | 'gather' = 'onehot',
): CoreOutputs {
  const [B, T] = tokens.shape;
  const { hidden, xs, attention } = hiddenTensors(config, P, tokens, options, embedding);
  const logits = tf.reshape(unembed(config, P, hidden), [B, T, config.vocabSize]) as tf.Tensor3D;
  return { logits, xs, attention };
}

/** Next-token logits [rows, vocab] of final hidden states [rows, d]. */
function unembed(config: ModelConfig, P: ParamTensors, hidden: tf.Tensor2D): tf.Tensor2D {
  const arch = architectureOf(config);
  // A tied unembedding is the token embedding transposed (no copy: matMul with transposeB).
  const embT = P[TIED_EMBEDDING_T] as tf.Tensor2D | undefined;
  const out = embT
    ? tf.matMul(hidden, embT)
    : arch.tiedEmbeddings
      ? tf.matMul(hidden, P['tok_emb'] as tf.Tensor2D, false, true)
      : tf.matMul(hidden, P['unembed.w'] as tf.Tensor2D);
  return (arch.unembedBias ? tf.add(out, P['unembed.b']) : out) as tf.Tensor2D;
}

/** The forward pass up to the final layer norm: hidden states [B·T, d] and the captures. */
function hiddenTensors(
  config: ModelConfig,
  P: ParamTensors,
  tokens: tf.Tensor2D,
  options: ForwardOptions,
  embedding: 'onehot' | 'gather',
): { hidden: tf.Tensor2D; xs: tf.Tensor2D[]; attention: tf.Tensor4D[] } {
  const [B, T] = tokens.shape;
  const arch = architectureOf(config);
  const d = config.dModel;
  const H = config.nHeads;
  const dh = headDim(config);
  if (T > config.contextLength) throw new Error(`sequence length ${T} exceeds the context length ${config.contextLength}`);
  const scale = 1 / Math.sqrt(dh);
  const mask = causalBias(T);
  const xs: tf.Tensor2D[] = [];
  const attention: tf.Tensor4D[] = [];

  const flatTokens = tf.reshape(tokens, [B * T]) as tf.Tensor1D;
  const embT = P[TIED_EMBEDDING_T];
  const rows = embT
    ? tf.transpose(tf.gather(embT, flatTokens, 1))
    : embedding === 'gather'
      ? tf.gather(P['tok_emb'], flatTokens)
      : trainableLookup(P['tok_emb'] as tf.Tensor2D, flatTokens);
  const emb = tf.reshape(rows, [B, T, d]);
  let x: tf.Tensor = tf.add(emb, tf.slice(P['pos_emb'], [0, 0], [T, d]));
  // One block: the residual stream out, and what the caller asked to capture.
  const block = (l: number, xIn: tf.Tensor): { x: tf.Tensor; captured: tf.Tensor[] } => {
    let y = xIn;
    const p = `layers.${l}`;
    const h = layerNorm(y, P[`${p}.ln1.g`], P[`${p}.ln1.b`], config.lnEps);
    const h2 = tf.reshape(h, [B * T, d]) as tf.Tensor2D;
    const split = (m: tf.Tensor) => tf.transpose(tf.reshape(m, [B, T, H, dh]), [0, 2, 1, 3]); // [B, H, T, dh]
    // GPT-2 adds its Q/K biases here; ours have none, so their logits stay X W_h Xᵀ.
    const project = (w: string, b: string) => {
      const xw = tf.matMul(h2, P[`${p}.attn.${w}`] as tf.Tensor2D);
      return arch.qkBias ? tf.add(xw, P[`${p}.attn.${b}`]) : xw;
    };
    const q = split(project('wq', 'bq'));
    const k = split(project('wk', 'bk'));
    let scores: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), scale); // [B, H, T, T]
    if (options.headLogits) {
      const overrides = Array.from({ length: H }, (_, hd) => options.headLogits!(l, hd));
      if (overrides.some((o) => o !== undefined)) {
        const h3 = tf.reshape(h, [B, T, d]) as tf.Tensor3D;
        const perHead = tf.unstack(scores, 1);
        const replaced = perHead.map((dense, hd) => {
          const o = overrides[hd];
          if (!o) return dense;
          if (o.kind === 'merged') {
            // With Q/K biases the merged W̃ is (d+1)×(d+1) over X̃ = [X, 1] (the biases folded in, src/model/prune.ts).
            const D = arch.qkBias ? d + 1 : d;
            if (o.W.length !== D * D) throw new Error(`merged override for layer ${l} head ${hd}: W has ${o.W.length} entries (expected ${D}×${D})`);
            const xa = arch.qkBias ? tf.concat([h2, tf.ones([B * T, 1])], 1) : h2;
            const xw = tf.reshape(tf.matMul(xa, tf.tensor2d(o.W, [D, D])), [B, T, D]) as tf.Tensor3D;
            return tf.matMul(xw, arch.qkBias ? (tf.reshape(xa, [B, T, D]) as tf.Tensor3D) : h3, false, true);
          }
          if (o.Wq.length !== d * dh || o.Wk.length !== d * dh) throw new Error(`factored override for layer ${l} head ${hd}: Wq/Wk must be ${d}×${dh}`);
          // A factored head keeps its Q/K biases (the head's slice of bq and bk), as in c_attn.
          const headBias = (name: string) => tf.slice(P[`${p}.attn.${name}`], [hd * dh], [dh]);
          const qa = tf.matMul(h2, tf.tensor2d(o.Wq, [d, dh]));
          const kb = tf.matMul(h2, tf.tensor2d(o.Wk, [d, dh]));
          const a = tf.reshape(arch.qkBias ? tf.add(qa, headBias('bq')) : qa, [B, T, dh]) as tf.Tensor3D;
          const b = tf.reshape(arch.qkBias ? tf.add(kb, headBias('bk')) : kb, [B, T, dh]) as tf.Tensor3D;
          return tf.mul(tf.matMul(a, b, false, true), scale);
        });
        scores = tf.stack(replaced, 1);
      }
    }
    const probs = tf.softmax(tf.add(scores, mask)) as tf.Tensor4D;
    const v = split(tf.add(tf.matMul(h2, P[`${p}.attn.wv`] as tf.Tensor2D), P[`${p}.attn.bv`]));
    const o = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
    const attnOut = tf.add(tf.matMul(o, P[`${p}.attn.wo`] as tf.Tensor2D), P[`${p}.attn.bo`]);
    y = tf.add(y, tf.reshape(attnOut, [B, T, d]));
    if (config.dMlp > 0) {
      const m = tf.reshape(layerNorm(y, P[`${p}.ln2.g`], P[`${p}.ln2.b`], config.lnEps), [B * T, d]) as tf.Tensor2D;
      const pre = tf.add(tf.matMul(m, P[`${p}.mlp.w1`] as tf.Tensor2D), P[`${p}.mlp.b1`]);
      const hid = (config.activation === 'gelu_new' ? geluNew(pre) : tf.relu(pre)) as tf.Tensor2D;
      const out = tf.add(tf.matMul(hid, P[`${p}.mlp.w2`] as tf.Tensor2D), P[`${p}.mlp.b2`]);
      y = tf.add(y, tf.reshape(out, [B, T, d]));
    }
    const captured: tf.Tensor[] = [];
    if (options.capture) captured.push(h2);
    if (options.captureAttention) captured.push(probs);
    return { x: y, captured };
  };
  const lastLayer = options.lastLayer ?? config.nLayers - 1;
  if (!(Number.isInteger(lastLayer) && lastLayer >= 0 && lastLayer < config.nLayers))
    throw new Error(`lastLayer ${lastLayer} out of range (the model has ${config.nLayers})`);
  for (let l = 0; l <= lastLayer; l++) {
    // Inference frees each block's intermediates as it goes (a GPT-2 window would hold gigabytes
    // of them until the end); training keeps them, the gradient tape needs them.
    const r = embedding === 'gather' ? tf.tidy(() => block(l, x)) : block(l, x);
    x = r.x;
    if (options.capture) xs.push(r.captured[0] as tf.Tensor2D);
    if (options.captureAttention) attention.push(r.captured[options.capture ? 1 : 0] as tf.Tensor4D);
  }
  const hidden = tf.reshape(layerNorm(x, P['ln_f.g'], P['ln_f.b'], config.lnEps), [B * T, d]) as tf.Tensor2D;
  return { hidden, xs, attention };
}

function tokenTensor(sequences: readonly Int32Array[], vocab: number): tf.Tensor2D {
  if (sequences.length === 0) throw new Error('forward: no sequences');
  const T = sequences[0].length;
  if (T === 0) throw new Error('forward: empty sequence');
  const flat = new Int32Array(sequences.length * T);
  sequences.forEach((s, b) => {
    if (s.length !== T) throw new Error(`forward: sequences must have equal length (got ${T} and ${s.length})`);
    for (let t = 0; t < T; t++) {
      if (!(s[t] >= 0 && s[t] < vocab)) throw new Error(`forward: token id ${s[t]} outside the vocabulary (size ${vocab})`);
    }
    flat.set(s, b * T);
  });
  return tf.tensor2d(flat, [sequences.length, T], 'int32');
}

/**
 * Run the model on equal-length token sequences (length ≤ contextLength).
 * Returns next-token logits [batch, T, vocab] and, on request, per-layer
 * calibration X and attention probabilities. No tensors outlive the call
 * (apart from the model's cached weights).
 */
export function forward(model: TransformerWeights, sequences: readonly Int32Array[], options: ForwardOptions = {}): ForwardResult {
  const V = model.config.vocabSize;
  const rows = sequences.length * (sequences[0]?.length ?? 0);
  const logits = new Float32Array(rows * V);
  const rest = forwardInPieces(model, sequences, options, (first, piece) => logits.set(piece, first * V));
  return { ...rest, logits };
}

/**
 * The forward pass with the logits handed over in pieces of at most LOGITS_BUDGET floats:
 * `onLogits(firstRow, logits)` with rows b·T + t. Our models' logits come in one piece (the
 * same single matMul as ever); a GPT-2 window's 1 023 × 50 257 in four, so neither TensorFlow.js
 * nor the host holds them all at once. `lastRowOnly` (generation, one sequence): when the logits
 * would be cut into pieces, only the last position's row is computed and handed over.
 */
function forwardInPieces(
  model: TransformerWeights,
  sequences: readonly Int32Array[],
  options: ForwardOptions,
  onLogits: (firstRow: number, logits: Float32Array) => void,
  lastRowOnly = false,
  noLogits = false,
): Omit<ForwardResult, 'logits'> {
  const c = model.config;
  const P = modelParamTensors(model);
  const B = sequences.length;
  const T = sequences[0]?.length ?? 0;
  if (options.lastLayer !== undefined && !noLogits) throw new Error('forward: lastLayer is for captures only (the logits need every layer)');
  const rowsPerPiece = Math.max(1, Math.floor(LOGITS_BUDGET.floats / c.vocabSize));
  const whole = B * T <= rowsPerPiece;
  const outs = tf.tidy(() => {
    const tokens = tokenTensor(sequences, c.vocabSize);
    const r = hiddenTensors(c, P, tokens, options, 'gather');
    return [whole && !noLogits ? unembed(c, P, r.hidden) : r.hidden, ...r.xs, ...r.attention];
  });
  try {
    if (noLogits) {
      // Only the captures were asked for.
    } else if (whole) onLogits(0, outs[0].dataSync() as Float32Array);
    else {
      const hidden = outs[0] as tf.Tensor2D;
      const pieces: [number, number][] = [];
      if (lastRowOnly && B === 1) pieces.push([T - 1, 1]);
      else for (let first = 0; first < B * T; first += rowsPerPiece) pieces.push([first, Math.min(rowsPerPiece, B * T - first)]);
      for (const [first, n] of pieces) {
        const piece = tf.tidy(() => unembed(c, P, tf.slice(hidden, [first, 0], [n, c.dModel])));
        try {
          onLogits(first, piece.dataSync() as Float32Array);
        } finally {
          piece.dispose();
        }
      }
    }
    const result: Omit<ForwardResult, 'logits'> = { batch: B, T, vocab: c.vocabSize };
    if (options.capture || options.captureAttention) {
      const ran = (options.lastLayer ?? c.nLayers - 1) + 1;
      const nx = options.capture ? ran : 0;
      result.layers = Array.from({ length: ran }, (_, l) => {
        const cap: LayerCapture = {};
        if (options.capture) cap.x = outs[1 + l].dataSync() as Float32Array;
        if (options.captureAttention) cap.attention = outs[1 + nx + l].dataSync() as Float32Array;
        return cap;
      });
    }
    return result;
  } finally {
    tf.dispose(outs);
  }
}

export interface EvalOptions {
  headLogits?: HeadLogitsFn;
  /**
   * Optional 0/1 masks, one per sequence over its length−1 predictions: only
   * predictions with mask 1 are scored (induction: the repeated half).
   */
  scored?: readonly Uint8Array[];
  /** Sequences per forward call (default 64, fewer when their logits would pass LOGITS_BUDGET). */
  batchSize?: number;
  /**
   * Filled, when given, with each sequence's arg-max next token at its scored positions
   * (0 elsewhere): the same pass as the score, for top-1 agreement (src/model/textAgreement.ts).
   */
  argmax?: Int32Array[];
}

/**
 * Most logits one forward call returns (floats): 64 sequences of our models stay far below it,
 * a GPT-2 window of 1 024 tokens × 50 257 is 51 M (then one window per call, its logits in pieces).
 * An object so that a test can lower it and see the pieces.
 */
export const LOGITS_BUDGET = { floats: 1 << 24 };

export interface EvalResult {
  /** Mean next-token cross-entropy in nats over the scored predictions. */
  crossEntropy: number;
  perplexity: number;
  /** Number of scored predictions. */
  tokens: number;
  /** Fraction of scored predictions whose argmax is the true next token. */
  accuracy: number;
}

/**
 * Mean next-token cross-entropy of token sequences. A sequence of length n
 * (2 ≤ n ≤ contextLength + 1) is fed as its first n−1 tokens and scored on
 * predicting tokens 1 … n−1. Sequences may have different lengths (they are
 * grouped by length). Log-softmax and the sums are in float64 on the host.
 */
export function crossEntropy(model: TransformerWeights, sequences: readonly Int32Array[], options: EvalOptions = {}): EvalResult {
  const c = model.config;
  const V = c.vocabSize;
  const groups = new Map<number, number[]>();
  sequences.forEach((s, i) => {
    if (s.length < 2 || s.length > c.contextLength + 1) throw new Error(`crossEntropy: sequence length ${s.length} outside [2, ${c.contextLength + 1}]`);
    if (options.scored && options.scored[i].length !== s.length - 1) throw new Error('crossEntropy: scored mask length must be sequence length − 1');
    const g = groups.get(s.length) ?? [];
    g.push(i);
    groups.set(s.length, g);
  });
  let sum = 0;
  let n = 0;
  let correct = 0;
  if (options.argmax) sequences.forEach((s, i) => (options.argmax![i] = new Int32Array(s.length - 1)));
  for (const [len, idx] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const bs = options.batchSize ?? Math.max(1, Math.min(64, Math.floor(LOGITS_BUDGET.floats / ((len - 1) * V))));
    for (let start = 0; start < idx.length; start += bs) {
      const chunk = idx.slice(start, start + bs);
      const inputs = chunk.map((i) => sequences[i].subarray(0, len - 1));
      const T = len - 1;
      // Each piece of logits is scored as it arrives (row r = b·T + t), then dropped.
      forwardInPieces(model, inputs, { headLogits: options.headLogits }, (firstRow, logits) => {
        const rows = logits.length / V;
        for (let i = 0; i < rows; i++) {
          const b = Math.floor((firstRow + i) / T);
          const t = (firstRow + i) % T;
          const si = chunk[b];
          const mask = options.scored?.[si];
          if (mask && !mask[t]) continue;
          const off = i * V;
          let max = -Infinity;
          let arg = 0;
          for (let v = 0; v < V; v++) {
            if (logits[off + v] > max) {
              max = logits[off + v];
              arg = v;
            }
          }
          let z = 0;
          for (let v = 0; v < V; v++) z += Math.exp(logits[off + v] - max);
          const target = sequences[si][t + 1];
          sum += Math.log(z) + max - logits[off + target];
          if (arg === target) correct++;
          if (options.argmax) options.argmax[si][t] = arg;
          n++;
        }
      });
    }
  }
  const ce = n > 0 ? sum / n : NaN;
  return { crossEntropy: ce, perplexity: Math.exp(ce), tokens: n, accuracy: n > 0 ? correct / n : NaN };
}

export interface GenerateOptions {
  headLogits?: HeadLogitsFn;
  /** A token id never produced (the word model's `<unk>`): its logit is treated as −∞. */
  never?: number;
}

export interface GenerateResult {
  prompt: string;
  /** The generated text only (words: spaced and capitalised as it continues the prompt). */
  continuation: string;
  /** Token ids of the continuation. */
  ids: Int32Array;
  /** The prompt's token ids the continuation follows (its text is `tokenizer.decodeAfter(context, ids)`). */
  context: ArrayLike<number>;
}

/**
 * Sample `tokens` tokens after `prompt` with a seeded RNG (see generateIds).
 * An empty prompt starts from "\n" (the corpus's file separator) when the
 * vocabulary has it. Characters: throws UnknownCharactersError for characters the
 * model does not know; words: unknown words are `<unk>` (callers refuse such prompts
 * in words first), and `<unk>` is never sampled.
 */
export function generate(model: Model, prompt: string, tokens: number, seed: number, temperature: number, options: GenerateOptions = {}): GenerateResult {
  const tok = model.tokenizer;
  let start = tok.encode(prompt);
  if (start.length === 0) {
    if (!tok.vocabulary.includes('\n')) throw new Error('generate: the prompt is empty');
    start = tok.encode('\n');
  }
  const never = tok.unknownId >= 0 ? tok.unknownId : undefined;
  const out = generateIds(model, start, tokens, seed, temperature, { never, ...options });
  return { prompt, continuation: tok.decodeAfter(start, out), ids: out, context: start };
}

/**
 * Continue the token ids `start` by `tokens` tokens with a seeded RNG (mulberry32(seed)).
 * temperature 0 is greedy (argmax, lowest id on ties); otherwise sampling from
 * softmax(logits / temperature). The model sees the last contextLength tokens.
 * `options.never` is excluded from both. Returns the new ids only.
 */
export function generateIds(
  model: TransformerWeights,
  start: Int32Array,
  tokens: number,
  seed: number,
  temperature: number,
  options: GenerateOptions = {},
): Int32Array {
  if (!Number.isInteger(tokens) || tokens < 0) throw new Error(`generate: tokens must be an integer >= 0 (got ${tokens})`);
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new Error(`generate: temperature must be >= 0 (got ${temperature})`);
  if (start.length === 0) throw new Error('generate: no tokens to continue');
  const ctx = model.config.contextLength;
  const V = model.config.vocabSize;
  const ids = Array.from(start);
  const rng = mulberry32(seed);
  const out = new Int32Array(tokens);
  const p = new Float64Array(V);
  const never = options.never !== undefined && options.never >= 0 && options.never < V ? options.never : undefined;
  for (let i = 0; i < tokens; i++) {
    const window = Int32Array.from(ids.slice(-ctx));
    let logits: Float32Array = new Float32Array(0);
    let off = 0;
    forwardInPieces(
      model,
      [window],
      { headLogits: options.headLogits },
      (firstRow, piece) => {
        // The piece that holds the last position.
        const last = window.length - 1 - firstRow;
        if (last >= 0 && last < piece.length / V) {
          logits = piece;
          off = last * V;
        }
      },
      true,
    );
    // (The piece is this step's own copy of the logits.)
    if (never !== undefined) logits[off + never] = -Infinity;
    let next = never === 0 ? 1 : 0;
    if (temperature === 0) {
      for (let v = next + 1; v < V; v++) if (logits[off + v] > logits[off + next]) next = v;
    } else {
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits[off + v] / temperature);
      let z = 0;
      for (let v = 0; v < V; v++) z += p[v] = Math.exp(logits[off + v] / temperature - max);
      let u = rng() * z;
      next = V - 1;
      for (let v = 0; v < V; v++) {
        u -= p[v];
        if (u < 0) {
          next = v;
          break;
        }
      }
    }
    out[i] = next;
    ids.push(next);
  }
  return out;
}
