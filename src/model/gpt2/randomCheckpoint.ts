/**
 * GPT-2 checkpoints in Hugging Face's layout with seeded random weights, for the fixtures
 * (scripts/make-gpt2-fixtures.ts), the benchmark (scripts/bench-gpt2.ts) and the tests' bad
 * files. The scale makes every convention visible in the output: biases (Q and K included)
 * are clearly nonzero, Q and K differ, no matrix is symmetric, layer-norm gains are not 1,
 * and attention is far from uniform, so a transposed Conv1D or swapped q/k changes the
 * cross-entropy by much more than round-off.
 */
import { gaussian, mulberry32, subSeed } from '../../core/random.ts';
import type { Dtype } from './dtypes.ts';
import type { TensorToWrite } from './safetensors.ts';

export interface RandomGpt2Options {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  nPositions: number;
  vocab: number;
  seed: number;
  dtype: Dtype;
  /** Names with the `transformer.` prefix (as GPT2LMHeadModel saves them). */
  prefixed?: boolean;
  /** A separate lm_head.weight with its own values (else none: tied to wte). */
  separateLmHead?: boolean;
  /** Include the causal-mask buffers attn.bias [1, 1, P, P] and attn.masked_bias [] (as older GPT-2 files do). */
  maskBuffers?: boolean;
}

/** The config.json Hugging Face writes for these sizes (the fields the loader reads). */
export function gpt2ConfigJson(o: Pick<RandomGpt2Options, 'nLayer' | 'nHead' | 'nEmbd' | 'nPositions' | 'vocab'>): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    n_ctx: o.nPositions,
    n_embd: o.nEmbd,
    n_head: o.nHead,
    n_inner: null,
    n_layer: o.nLayer,
    n_positions: o.nPositions,
    vocab_size: o.vocab,
  };
}

/** The tensors of a random GPT-2 (write them with writeSafetensors). */
export function randomGpt2Tensors(o: RandomGpt2Options): TensorToWrite[] {
  const d = o.nEmbd;
  const m = 4 * d;
  const pre = o.prefixed ? 'transformer.' : '';
  const out: TensorToWrite[] = [];
  // Seeded by the bare name: a prefixed file holds the same values as a plain one.
  const add = (name: string, shape: number[], std: number, mean = 0, prefix = pre) => {
    const g = gaussian(mulberry32(subSeed(o.seed, name)));
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * g();
    out.push({ name: prefix + name, dtype: o.dtype, shape, data });
  };
  add('wte.weight', [o.vocab, d], 0.5);
  add('wpe.weight', [o.nPositions, d], 0.3);
  for (let l = 0; l < o.nLayer; l++) {
    const h = `h.${l}`;
    add(`${h}.ln_1.weight`, [d], 0.2, 1);
    add(`${h}.ln_1.bias`, [d], 0.2);
    // Q and K large enough for peaked attention; their biases too.
    add(`${h}.attn.c_attn.weight`, [d, 3 * d], 1.5 / Math.sqrt(d));
    add(`${h}.attn.c_attn.bias`, [3 * d], 0.5);
    add(`${h}.attn.c_proj.weight`, [d, d], 1 / Math.sqrt(d));
    add(`${h}.attn.c_proj.bias`, [d], 0.2);
    add(`${h}.ln_2.weight`, [d], 0.2, 1);
    add(`${h}.ln_2.bias`, [d], 0.2);
    add(`${h}.mlp.c_fc.weight`, [d, m], 1 / Math.sqrt(d));
    add(`${h}.mlp.c_fc.bias`, [m], 0.2);
    add(`${h}.mlp.c_proj.weight`, [m, d], 1 / Math.sqrt(m));
    add(`${h}.mlp.c_proj.bias`, [d], 0.2);
    if (o.maskBuffers) {
      const P = o.nPositions;
      const tri = new Float32Array(P * P);
      for (let i = 0; i < P; i++) for (let j = 0; j <= i; j++) tri[i * P + j] = 1;
      out.push({ name: `${pre}${h}.attn.bias`, dtype: o.dtype, shape: [1, 1, P, P], data: tri });
      out.push({ name: `${pre}${h}.attn.masked_bias`, dtype: o.dtype, shape: [], data: Float32Array.of(-1e4) });
    }
  }
  add('ln_f.weight', [d], 0.2, 1);
  add('ln_f.bias', [d], 0.2);
  // lm_head is never prefixed (it belongs to GPT2LMHeadModel, not to its transformer).
  if (o.separateLmHead) add('lm_head.weight', [o.vocab, d], 0.5, 0, '');
  return out;
}
