/**
 * A Hugging Face GPT-2 checkpoint (`model.safetensors` of a GPT2LMHeadModel, with or without
 * its `config.json`) mapped onto the project's one transformer (config.ts, weights.ts,
 * transformer.ts), after modeling_gpt2.py:
 *
 *   wte.weight [V, d] → tok_emb             wpe.weight [P, d] → pos_emb
 *   h.<l>.ln_1.weight / .bias → layers.<l>.ln1.g / .b      (ln_2 → ln2, ln_f → ln_f)
 *   h.<l>.attn.c_attn.weight [d, 3d], .bias [3d] → wq | wk | wv and bq | bk | bv (columns 0..d-1, d..2d-1, 2d..3d-1)
 *   h.<l>.attn.c_proj.weight [d, d], .bias → attn.wo, attn.bo
 *   h.<l>.mlp.c_fc.weight [d, m], .bias → mlp.w1, b1      h.<l>.mlp.c_proj.weight [m, d], .bias → mlp.w2, b2
 *   lm_head.weight [V, d]: absent or equal to wte → tied (no copy); different → unembed.w = its transpose
 *
 * GPT-2's Conv1D stores its weights [in, out], our layout already: no transposes. Names may
 * carry the `transformer.` prefix (as saved from GPT2LMHeadModel) or not (GPT2Model);
 * `attn.bias` and `attn.masked_bias` are causal-mask buffers, not weights, and are ignored.
 * Every needed tensor and its shape is checked from the header before any data is read.
 */
import { InputError } from '../../core/errors.ts';
import type { ModelConfig } from '../config.ts';
import { checkWeights, type NamedTensor, type TransformerWeights } from '../weights.ts';
import { decodeFloats, type Dtype } from './dtypes.ts';
import { type ByteSource, readSafetensorsHeader, readTensorBytes, type SafetensorsHeader, type TensorInfo } from './safetensors.ts';
import { Gpt2Tokenizer } from './tokenizer.ts';

/** A file that is safetensors but not a usable GPT-2 (exit 1): the message names the tensor or setting. */
export class Gpt2CheckpointError extends InputError {
  override name = 'Gpt2CheckpointError';
}

/** Heads of the standard GPT-2 widths (gpt2 and distilgpt2, -medium, -large, -xl), used when no config.json is given. */
export const STANDARD_HEADS: Readonly<Record<number, number>> = { 768: 12, 1024: 16, 1280: 20, 1600: 25 };

/** Activations of config.json we run (gelu_pytorch_tanh is the same function as gelu_new). */
const ACTIVATION_NAMES: Readonly<Record<string, ModelConfig['activation']>> = { gelu_new: 'gelu_new', gelu_pytorch_tanh: 'gelu_new', relu: 'relu' };

const PREFIX = 'transformer.';

export interface Gpt2Summary {
  layers: number;
  heads: number;
  dModel: number;
  dHead: number;
  dMlp: number;
  vocab: number;
  positions: number;
  /** Parameters the model uses (a tied lm_head counted once). */
  parameters: number;
  dtypes: Dtype[];
  /** lm_head is the token embedding (absent from the file, or equal to wte). */
  tied: boolean;
  /** The names carry the `transformer.` prefix. */
  prefixed: boolean;
  /** Where the number of heads came from. */
  headsFrom: 'config.json' | '--n-head' | 'standard width';
  /** Tensors in the file the model does not use (causal-mask buffers and anything unknown). */
  ignored: string[];
  metadata: Record<string, string>;
}

export interface Gpt2Model extends TransformerWeights {
  tokenizer: Gpt2Tokenizer;
  summary: Gpt2Summary;
}

export interface Gpt2LoadOptions {
  /** config.json, parsed (anything: it is checked here). */
  configJson?: unknown;
  /** The number of heads, when config.json is not given and the width is not a standard one. */
  nHead?: number;
  /** The model's name in messages (e.g. the file's name). */
  name?: string;
  /** Called with the configuration once the header is checked, before any tensor data is read (to refuse flags early). */
  beforeData?: (config: ModelConfig) => void;
}

/** The file's tensors by their names without the `transformer.` prefix. */
function unprefixed(header: SafetensorsHeader): { byName: Map<string, TensorInfo>; prefixed: boolean } {
  const byName = new Map<string, TensorInfo>();
  let prefixed = false;
  for (const [name, t] of header.tensors) {
    const bare = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name;
    if (bare !== name) prefixed = true;
    if (byName.has(bare)) throw new Gpt2CheckpointError(`the file has both "${bare}" and "${PREFIX}${bare}": which one is the model?`);
    byName.set(bare, t);
  }
  return { byName, prefixed };
}

type ConfigJson = Record<string, unknown>;

function configInt(cfg: ConfigJson | undefined, key: string): number | undefined {
  const v = cfg?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new Gpt2CheckpointError(`config.json: ${key} must be a positive integer (got ${JSON.stringify(v)})`);
  return v;
}

function readConfigJson(configJson: unknown): ConfigJson | undefined {
  if (configJson === undefined) return undefined;
  if (typeof configJson !== 'object' || configJson === null || Array.isArray(configJson)) throw new Gpt2CheckpointError('config.json is not a JSON object');
  const cfg = configJson as ConfigJson;
  if (cfg.model_type !== undefined && cfg.model_type !== 'gpt2')
    throw new Gpt2CheckpointError(
      `not a GPT-2: config.json says model_type "${String(cfg.model_type)}" (this loader reads GPT-2-family models, model_type "gpt2")`,
    );
  if (cfg.scale_attn_weights === false || cfg.scale_attn_by_inverse_layer_idx === true || cfg.reorder_and_upcast_attn === true)
    throw new Gpt2CheckpointError(
      "config.json: only GPT-2's standard attention scaling 1/√d_head is supported (scale_attn_weights true, scale_attn_by_inverse_layer_idx and reorder_and_upcast_attn false)",
    );
  return cfg;
}

function shapeOf(byName: Map<string, TensorInfo>, name: string, fileName: (n: string) => string): number[] {
  const t = byName.get(name);
  if (!t) throw new Gpt2CheckpointError(`missing tensor "${fileName(name)}": GPT-2 needs it`);
  return t.shape;
}

/** The configuration of a checkpoint from its header (and config.json / --n-head), all checked against the shapes. */
export function gpt2ConfigOf(
  header: SafetensorsHeader,
  options: Gpt2LoadOptions = {},
): { config: ModelConfig; summary: Omit<Gpt2Summary, 'parameters' | 'tied' | 'dtypes'> } {
  const { byName, prefixed } = unprefixed(header);
  const fileName = (n: string) => (prefixed ? PREFIX : '') + n;
  if (!byName.has('wte.weight') || !byName.has('wpe.weight')) {
    const some = [...header.tensors.keys()].slice(0, 3).join(', ');
    throw new Gpt2CheckpointError(
      `not a GPT-2: the file has no wte.weight and wpe.weight (GPT-2's token and position embeddings)${some ? `; its tensors are named like ${some}` : '; it holds no tensors'}`,
    );
  }
  const cfg = readConfigJson(options.configJson);
  const [V, d] = shapeOf(byName, 'wte.weight', fileName);
  const wpe = shapeOf(byName, 'wpe.weight', fileName);
  if (byName.get('wte.weight')!.shape.length !== 2 || wpe.length !== 2 || wpe[1] !== d)
    throw new Gpt2CheckpointError(`not a GPT-2: wte.weight [${byName.get('wte.weight')!.shape}] and wpe.weight [${wpe}] must be [vocab, d] and [positions, d]`);
  const P = wpe[0];
  const blocks = new Set<number>();
  for (const name of byName.keys()) {
    const m = /^h\.(\d+)\./.exec(name);
    if (m) blocks.add(Number(m[1]));
  }
  if (blocks.size === 0) throw new Gpt2CheckpointError('not a GPT-2: the file has embeddings but no transformer blocks (h.0.…)');
  const L = Math.max(...blocks) + 1;
  const expect = (key: string, fromShapes: number) => {
    const v = configInt(cfg, key);
    if (v !== undefined && v !== fromShapes) throw new Gpt2CheckpointError(`config.json says ${key} ${v}, but the tensors' shapes say ${fromShapes}`);
  };
  expect('n_layer', L);
  expect('n_embd', d);
  expect('vocab_size', V);
  const positions = configInt(cfg, 'n_positions') ?? configInt(cfg, 'n_ctx');
  if (positions !== undefined && positions !== P) throw new Gpt2CheckpointError(`config.json says n_positions ${positions}, but wpe.weight has ${P} rows`);
  const fc = shapeOf(byName, 'h.0.mlp.c_fc.weight', fileName);
  const dMlp = fc[1];

  let heads: number;
  let headsFrom: Gpt2Summary['headsFrom'];
  const cfgHeads = configInt(cfg, 'n_head');
  if (cfgHeads !== undefined) {
    if (options.nHead !== undefined && options.nHead !== cfgHeads)
      throw new Gpt2CheckpointError(`--n-head ${options.nHead} disagrees with config.json's n_head ${cfgHeads}`);
    heads = cfgHeads;
    headsFrom = 'config.json';
  } else if (options.nHead !== undefined) {
    heads = options.nHead;
    headsFrom = '--n-head';
  } else if (STANDARD_HEADS[d] !== undefined) {
    heads = STANDARD_HEADS[d];
    headsFrom = 'standard width';
  } else {
    throw new Gpt2CheckpointError(
      `the number of heads cannot be read from the shapes: n_embd ${d} is not a standard GPT-2 width (${Object.entries(STANDARD_HEADS)
        .map(([w, h]) => `${w}: ${h} heads`)
        .join(', ')}); give --n-head (a divisor of ${d}) or the model's config.json`,
    );
  }
  if (d % heads !== 0) throw new Gpt2CheckpointError(`n_head ${heads} does not divide n_embd ${d}`);

  const activationName = cfg?.activation_function ?? 'gelu_new';
  const activation = typeof activationName === 'string' && Object.hasOwn(ACTIVATION_NAMES, activationName) ? ACTIVATION_NAMES[activationName] : undefined;
  if (!activation)
    throw new Gpt2CheckpointError(
      `config.json: activation_function ${JSON.stringify(activationName)} is not supported (${Object.keys(ACTIVATION_NAMES).join(', ')})`,
    );
  const eps = cfg?.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0 && eps < 1))
    throw new Gpt2CheckpointError(`config.json: layer_norm_epsilon must be a number in (0, 1) (got ${JSON.stringify(eps)})`);

  const config: ModelConfig = {
    name: options.name ?? 'gpt2',
    vocabSize: V,
    contextLength: P,
    dModel: d,
    nLayers: L,
    nHeads: heads,
    dMlp,
    activation,
    lnEps: eps,
    qkBias: true,
    unembedBias: false,
  };
  const used = new Set(expectedShapes(config).map(([n]) => n));
  used.add('lm_head.weight');
  const ignored = [...byName.entries()].filter(([n]) => !used.has(n)).map(([, t]) => t.name);
  // Every needed tensor, with its shape, before a byte of data is read.
  for (const [name, shape] of expectedShapes(config)) {
    const got = shapeOf(byName, name, fileName);
    if (got.join('x') !== shape.join('x'))
      throw new Gpt2CheckpointError(`tensor "${fileName(name)}" has shape [${got.join(', ')}], GPT-2 with these sizes needs [${shape.join(', ')}]`);
  }
  const lm = byName.get('lm_head.weight');
  if (lm && lm.shape.join('x') !== `${V}x${d}`)
    throw new Gpt2CheckpointError(`tensor "lm_head.weight" has shape [${lm.shape.join(', ')}], GPT-2 with these sizes needs [${V}, ${d}]`);
  return {
    config,
    summary: { layers: L, heads, dModel: d, dHead: d / heads, dMlp, vocab: V, positions: P, prefixed, headsFrom, ignored, metadata: header.metadata },
  };
}

/** Hugging Face names and shapes of every tensor a GPT-2 of this configuration needs (lm_head aside). */
export function expectedShapes(c: ModelConfig): [string, number[]][] {
  const d = c.dModel;
  const out: [string, number[]][] = [
    ['wte.weight', [c.vocabSize, d]],
    ['wpe.weight', [c.contextLength, d]],
  ];
  for (let l = 0; l < c.nLayers; l++) {
    const h = `h.${l}`;
    out.push(
      [`${h}.ln_1.weight`, [d]],
      [`${h}.ln_1.bias`, [d]],
      [`${h}.attn.c_attn.weight`, [d, 3 * d]],
      [`${h}.attn.c_attn.bias`, [3 * d]],
      [`${h}.attn.c_proj.weight`, [d, d]],
      [`${h}.attn.c_proj.bias`, [d]],
      [`${h}.ln_2.weight`, [d]],
      [`${h}.ln_2.bias`, [d]],
      [`${h}.mlp.c_fc.weight`, [d, c.dMlp]],
      [`${h}.mlp.c_fc.bias`, [c.dMlp]],
      [`${h}.mlp.c_proj.weight`, [c.dMlp, d]],
      [`${h}.mlp.c_proj.bias`, [d]],
    );
  }
  out.push(['ln_f.weight', [d]], ['ln_f.bias', [d]]);
  return out;
}

/** Our parameter names for a Hugging Face name (c_attn is split separately). */
const RENAME: [RegExp, string][] = [
  [/^wte\.weight$/, 'tok_emb'],
  [/^wpe\.weight$/, 'pos_emb'],
  [/^h\.(\d+)\.ln_1\.weight$/, 'layers.$1.ln1.g'],
  [/^h\.(\d+)\.ln_1\.bias$/, 'layers.$1.ln1.b'],
  [/^h\.(\d+)\.ln_2\.weight$/, 'layers.$1.ln2.g'],
  [/^h\.(\d+)\.ln_2\.bias$/, 'layers.$1.ln2.b'],
  [/^h\.(\d+)\.attn\.c_proj\.weight$/, 'layers.$1.attn.wo'],
  [/^h\.(\d+)\.attn\.c_proj\.bias$/, 'layers.$1.attn.bo'],
  [/^h\.(\d+)\.mlp\.c_fc\.weight$/, 'layers.$1.mlp.w1'],
  [/^h\.(\d+)\.mlp\.c_fc\.bias$/, 'layers.$1.mlp.b1'],
  [/^h\.(\d+)\.mlp\.c_proj\.weight$/, 'layers.$1.mlp.w2'],
  [/^h\.(\d+)\.mlp\.c_proj\.bias$/, 'layers.$1.mlp.b2'],
  [/^ln_f\.weight$/, 'ln_f.g'],
  [/^ln_f\.bias$/, 'ln_f.b'],
];

/** Columns [from, from + width) of a row-major [rows, cols] matrix (a [cols] vector when rows is 1). */
function columns(data: Float32Array, rows: number, cols: number, from: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) out.set(data.subarray(i * cols + from, i * cols + from + width), i * width);
  return out;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Load and check a GPT-2 checkpoint from any byte source (a file in Node, a File in the browser). */
export async function loadGpt2(source: ByteSource, options: Gpt2LoadOptions = {}): Promise<Gpt2Model> {
  const header = await readSafetensorsHeader(source);
  const { config, summary } = gpt2ConfigOf(header, options);
  options.beforeData?.(config);
  const { byName } = unprefixed(header);
  const d = config.dModel;
  const read = async (name: string) => {
    const t = byName.get(name)!;
    const n = t.shape.reduce((a, b) => a * b, 1);
    return decodeFloats(await readTensorBytes(source, header, t), t.dtype, n);
  };
  const params = new Map<string, NamedTensor>();
  const dtypes = new Set<Dtype>();
  let parameters = 0;
  for (const [name, shape] of expectedShapes(config)) {
    dtypes.add(byName.get(name)!.dtype);
    const data = await read(name);
    parameters += data.length;
    const attn = /^h\.(\d+)\.attn\.c_attn\.(weight|bias)$/.exec(name);
    if (attn) {
      // c_attn's output columns are q | k | v, each d wide (the bias likewise).
      const rows = attn[2] === 'weight' ? d : 1;
      const kind = attn[2] === 'weight' ? 'w' : 'b';
      ['q', 'k', 'v'].forEach((part, i) => {
        params.set(`layers.${attn[1]}.attn.${kind}${part}`, { shape: rows === 1 ? [d] : [d, d], data: columns(data, rows, 3 * d, i * d, d) });
      });
      continue;
    }
    const rule = RENAME.find(([re]) => re.test(name));
    if (!rule) throw new Error(`loadGpt2: no rename rule for ${name}`);
    params.set(name.replace(rule[0], rule[1]), { shape, data });
  }
  let tied = true;
  if (byName.has('lm_head.weight')) {
    dtypes.add(byName.get('lm_head.weight')!.dtype);
    const lm = await read('lm_head.weight');
    if (!sameValues(lm, params.get('tok_emb')!.data)) {
      tied = false;
      parameters += lm.length;
      params.set('unembed.w', { shape: [d, config.vocabSize], data: transpose(lm, config.vocabSize, d) });
    }
  }
  const weights = { config: { ...config, tiedEmbeddings: tied }, params };
  checkWeights(weights);
  return { ...weights, tokenizer: new Gpt2Tokenizer(), summary: { ...summary, parameters, tied, dtypes: [...dtypes] } };
}
