/**
 * Configuration of the one transformer architecture (SPEC §7): decoder-only,
 * pre-layer-norm, learned absolute position embeddings. The project's small
 * models have NO bias on the Q and K projections, so that each head's logits are exactly
 *   S_h = X W_h Xᵀ  with  W_h = W_Q^h (W_K^h)ᵀ / √d_h,
 * where X is the layer-normed input of that layer's attention. A Hugging Face
 * GPT-2 is the same architecture with three switches set (src/model/gpt2/): Q/K
 * biases, gelu_new, and an unembedding tied to the token embedding without a bias.
 *
 * Conventions (row vectors, x·W): every linear map is stored as [in, out].
 * Head h of a layer uses columns h·d_h … (h+1)·d_h − 1 of that layer's
 * W_Q, W_K, W_V (each d×d) and rows h·d_h … of W_O.
 */

export type ModelName = 'brown-char' | 'brown-word' | 'induction';

export const MODEL_NAMES: readonly ModelName[] = ['brown-char', 'brown-word', 'induction'];

/** The Brown-corpus language models (text in, text out), as opposed to the synthetic induction task. */
export function isBrownModel(name: string): name is 'brown-char' | 'brown-word' {
  return name === 'brown-char' || name === 'brown-word';
}

export interface ModelConfig {
  /** Model name, also its folder under public/models/. */
  name: string;
  vocabSize: number;
  /** Maximum sequence length (number of learned positions). */
  contextLength: number;
  /** Residual width d. */
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** Hidden width of each MLP; 0 means attention-only (no MLP blocks). */
  dMlp: number;
  /** MLP nonlinearity: ReLU (ours) or GPT-2's tanh approximation of GELU. */
  activation: Activation;
  /** Layer-norm epsilon. */
  lnEps: number;
  /** Biases on the Q and K projections (`attn.bq`, `attn.bk`): GPT-2 has them, our models do not. Default false. */
  qkBias?: boolean;
  /** The unembedding is the token embedding transposed (GPT-2's tied lm_head): no `unembed.w` tensor. Default false. */
  tiedEmbeddings?: boolean;
  /** A bias on the unembedding (`unembed.b`): ours have one, GPT-2's lm_head has none. Default true. */
  unembedBias?: boolean;
}

export type Activation = 'relu' | 'gelu_new';

export const ACTIVATIONS: readonly Activation[] = ['relu', 'gelu_new'];

/** The architecture switches with their defaults filled in (the defaults are our small models). */
export function architectureOf(c: ModelConfig): { qkBias: boolean; tiedEmbeddings: boolean; unembedBias: boolean } {
  return { qkBias: c.qkBias ?? false, tiedEmbeddings: c.tiedEmbeddings ?? false, unembedBias: c.unembedBias ?? true };
}

/** Per-head width d_h = d / heads. */
export function headDim(c: ModelConfig): number {
  return c.dModel / c.nHeads;
}

export function validateConfig(c: ModelConfig): void {
  const ints: (keyof ModelConfig)[] = ['vocabSize', 'contextLength', 'dModel', 'nLayers', 'nHeads', 'dMlp'];
  for (const k of ints) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (k === 'dMlp' ? 0 : 1))
      throw new Error(`model config: ${k} must be a positive integer (got ${String(v)})`);
  }
  if (c.dModel % c.nHeads !== 0) throw new Error(`model config: dModel ${c.dModel} is not divisible by nHeads ${c.nHeads}`);
  if (!ACTIVATIONS.includes(c.activation)) throw new Error(`model config: unknown activation ${String(c.activation)}`);
  if (!(c.lnEps > 0)) throw new Error('model config: lnEps must be > 0');
  for (const k of ['qkBias', 'tiedEmbeddings', 'unembedBias'] as const) {
    if (c[k] !== undefined && typeof c[k] !== 'boolean') throw new Error(`model config: ${k} must be true or false (got ${String(c[k])})`);
  }
}

/** Training hyper-parameters (recorded in the manifest). */
export interface TrainConfig {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Final learning rate as a fraction of the peak (cosine decay). */
  minLrFraction: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  seed: number;
  /** Evaluate on the validation set every this many steps (0 = only at the end). */
  evalEvery: number;
}

/** Words in brown-word's vocabulary besides <unk> and the file separator (chosen by coverage and cost: README). */
export const BROWN_WORD_VOCABULARY = 4000;

/**
 * brown-word's training length and batch: 2,500 steps (2.4 passes over the training tokens) took
 * 46 min with most of one core; 1,000 steps (one pass) had given perplexity 111 instead of 92.6 (README).
 */
export const BROWN_WORD_STEPS = 2500;
export const BROWN_WORD_BATCH = 16;

/** The architecture of each shipped model (the vocabulary size of brown-char is set from its data). */
export function defaultModelConfig(name: ModelName, vocabSize: number): ModelConfig {
  if (name === 'brown-char' || name === 'brown-word') {
    return { name, vocabSize, contextLength: 64, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 256, activation: 'relu', lnEps: 1e-5 };
  }
  return { name, vocabSize, contextLength: 32, dModel: 64, nLayers: 2, nHeads: 4, dMlp: 0, activation: 'relu', lnEps: 1e-5 };
}

export function defaultTrainConfig(name: ModelName): TrainConfig {
  // Both models train alike; they differ in length and how often they are evaluated.
  const common = {
    batchSize: 32,
    learningRate: 3e-3,
    warmupSteps: 100,
    minLrFraction: 0.1,
    weightDecay: 0.01,
    beta1: 0.9,
    beta2: 0.99,
    gradClip: 1,
    seed: 1,
  };
  if (name === 'brown-char') return { steps: 1200, ...common, evalEvery: 300 };
  if (name === 'brown-word') return { steps: BROWN_WORD_STEPS, ...common, batchSize: BROWN_WORD_BATCH, evalEvery: 250 };
  return { steps: 1500, ...common, evalEvery: 250 };
}
