/**
 * Model weights as named float32 tensors, and the shipped binary format:
 *
 *   public/models/<name>/weights.bin     all tensors, float32 little-endian, concatenated
 *                                        in manifest order (no header, no padding)
 *   public/models/<name>/manifest.json   config, vocabulary, tensor names/shapes/offsets,
 *                                        training record, data description, metrics
 *
 * One parse function, `parseModel(manifestJson, arrayBuffer)`, serves Node
 * (`loadModelNode`, reading files) and the browser (`loadModelUrl`, fetch).
 * This module imports nothing Node-specific at top level, so it bundles for
 * the browser; `loadModelNode` imports node:fs dynamically.
 *
 * Tensor names and shapes (linear maps stored [in, out]; see config.ts):
 *   tok_emb [V, d]   pos_emb [T, d]
 *   layers.<l>.ln1.g [d]  layers.<l>.ln1.b [d]
 *   layers.<l>.attn.wq [d, d]  layers.<l>.attn.wk [d, d]     (no Q/K bias; with config.qkBias: .bq [d], .bk [d])
 *   layers.<l>.attn.wv [d, d]  layers.<l>.attn.bv [d]  layers.<l>.attn.wo [d, d]  layers.<l>.attn.bo [d]
 *   layers.<l>.ln2.g/b [d], layers.<l>.mlp.w1 [d, m], .b1 [m], .w2 [m, d], .b2 [d]   (only if dMlp > 0)
 *   ln_f.g [d]  ln_f.b [d]  unembed.w [d, V]  unembed.b [V]
 *   (no unembed.w with config.tiedEmbeddings: tok_emb transposed; no unembed.b with unembedBias false)
 */
import { architectureOf, type ModelConfig, validateConfig } from './config.ts';
import { CharTokenizer, type Tokenizer, type TokenizerKind } from './tokenizer.ts';
import { WordTokenizer } from './wordTokenizer.ts';

export const MANIFEST_FORMAT = 'attention-pruning-explainer/model-v1';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Byte offset into weights.bin. */
  offset: number;
  /** Number of float32 elements. */
  length: number;
}

export interface ModelMetrics {
  /** Mean next-token cross-entropy (nats) on the validation split (induction: on the scored predictions). */
  val_cross_entropy: number;
  val_tokens: number;
  val_perplexity?: number;
  /** Induction: accuracy on the repeated half. */
  val_accuracy?: number;
  /** brown-char: the add-one character-bigram model fitted on the training split, on the same validation targets. */
  bigram_val_cross_entropy?: number;
  bigram_val_perplexity?: number;
  /** The same metric on a fixed small subset, for fast tests (what the subset is: `subset`). */
  val_subset?: { description: string; cross_entropy: number; tokens: number; accuracy?: number };
  final_train_loss?: number;
  [key: string]: unknown;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  config: ModelConfig;
  vocabulary: string[];
  /** How text becomes tokens (absent in older manifests: characters). */
  tokenizer?: { kind: TokenizerKind; [key: string]: unknown };
  weights: { file: string; bytes: number; dtype: 'float32'; endianness: 'little'; sha256?: string };
  tensors: TensorEntry[];
  training?: Record<string, unknown>;
  data?: Record<string, unknown>;
  metrics?: ModelMetrics;
  [key: string]: unknown;
}

/** All the forward pass needs: a configuration and its named parameters (ours or a loaded GPT-2). */
export interface TransformerWeights {
  config: ModelConfig;
  /** Named parameters. Treat as immutable: tfjs copies are cached per object (make a new one for new weights). */
  params: Map<string, NamedTensor>;
}

/** One of the project's own models: weights, vocabulary and tokenizer. */
export interface Model extends TransformerWeights {
  vocabulary: string[];
  tokenizer: Tokenizer;
  manifest?: Manifest;
}

/** The parameter names and shapes of a configuration, in storage order. */
export function parameterShapes(c: ModelConfig): { name: string; shape: number[] }[] {
  const d = c.dModel;
  const arch = architectureOf(c);
  const out: { name: string; shape: number[] }[] = [
    { name: 'tok_emb', shape: [c.vocabSize, d] },
    { name: 'pos_emb', shape: [c.contextLength, d] },
  ];
  for (let l = 0; l < c.nLayers; l++) {
    const p = `layers.${l}`;
    out.push(
      { name: `${p}.ln1.g`, shape: [d] },
      { name: `${p}.ln1.b`, shape: [d] },
      { name: `${p}.attn.wq`, shape: [d, d] },
      { name: `${p}.attn.wk`, shape: [d, d] },
      ...(arch.qkBias
        ? [
            { name: `${p}.attn.bq`, shape: [d] },
            { name: `${p}.attn.bk`, shape: [d] },
          ]
        : []),
      { name: `${p}.attn.wv`, shape: [d, d] },
      { name: `${p}.attn.bv`, shape: [d] },
      { name: `${p}.attn.wo`, shape: [d, d] },
      { name: `${p}.attn.bo`, shape: [d] },
    );
    if (c.dMlp > 0) {
      out.push(
        { name: `${p}.ln2.g`, shape: [d] },
        { name: `${p}.ln2.b`, shape: [d] },
        { name: `${p}.mlp.w1`, shape: [d, c.dMlp] },
        { name: `${p}.mlp.b1`, shape: [c.dMlp] },
        { name: `${p}.mlp.w2`, shape: [c.dMlp, d] },
        { name: `${p}.mlp.b2`, shape: [d] },
      );
    }
  }
  out.push({ name: 'ln_f.g', shape: [d] }, { name: 'ln_f.b', shape: [d] });
  if (!arch.tiedEmbeddings) out.push({ name: 'unembed.w', shape: [d, c.vocabSize] });
  if (arch.unembedBias) out.push({ name: 'unembed.b', shape: [c.vocabSize] });
  return out;
}

export function getParam(model: TransformerWeights, name: string): NamedTensor {
  const t = model.params.get(name);
  if (!t) throw new Error(`model ${model.config.name}: no tensor "${name}"`);
  return t;
}

/** The tokenizer of a kind over a vocabulary. */
export function makeTokenizer(kind: TokenizerKind, vocabulary: readonly string[]): Tokenizer {
  if (kind === 'word') return new WordTokenizer(vocabulary);
  if (kind === 'char') return new CharTokenizer(vocabulary);
  throw new Error(`model manifest: unknown tokenizer kind ${JSON.stringify(kind)}`);
}

/**
 * Build a Model from a config, vocabulary and named tensors (checks every name and shape).
 * The tokenizer kind is the manifest's (characters when it names none) unless given.
 */
export function makeModel(
  config: ModelConfig,
  vocabulary: string[],
  params: Map<string, NamedTensor>,
  manifest?: Manifest,
  kind: TokenizerKind = manifest?.tokenizer?.kind ?? 'char',
): Model {
  validateConfig(config);
  if (vocabulary.length !== config.vocabSize)
    throw new Error(`model ${config.name}: vocabulary has ${vocabulary.length} entries, config says ${config.vocabSize}`);
  checkWeights({ config, params });
  return { config, vocabulary, tokenizer: makeTokenizer(kind, vocabulary), params, manifest };
}

/** Check a configuration and that its parameters are all there with the right shapes. */
export function checkWeights({ config, params }: TransformerWeights): void {
  validateConfig(config);
  for (const { name, shape } of parameterShapes(config)) {
    const t = params.get(name);
    if (!t) throw new Error(`model ${config.name}: missing tensor "${name}"`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.shape.join('x') !== shape.join('x') || t.data.length !== n)
      throw new Error(`model ${config.name}: tensor "${name}" has shape [${t.shape}] (expected [${shape}])`);
  }
}

/** Serialise: the weights.bin bytes and the tensor table (manifest order = parameterShapes order). */
export function serializeWeights(model: Model): { buffer: Uint8Array; tensors: TensorEntry[] } {
  const shapes = parameterShapes(model.config);
  const total = shapes.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const buffer = new Uint8Array(total * 4);
  const view = new DataView(buffer.buffer);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const { name, shape } of shapes) {
    const data = getParam(model, name).data;
    tensors.push({ name, shape, offset, length: data.length });
    for (let i = 0; i < data.length; i++) view.setFloat32(offset + 4 * i, data[i], true);
    offset += 4 * data.length;
  }
  return { buffer, tensors };
}

/** Build the manifest for a model (the caller adds training/data/metrics records). */
export function buildManifest(model: Model, tensors: TensorEntry[], bytes: number, extra: Partial<Manifest> = {}): Manifest {
  return {
    format: MANIFEST_FORMAT,
    name: model.config.name,
    config: model.config,
    vocabulary: model.vocabulary,
    tokenizer: { kind: model.tokenizer.kind },
    weights: { file: 'weights.bin', bytes, dtype: 'float32', endianness: 'little' },
    tensors,
    ...extra,
  };
}

/**
 * The one parse function: a manifest (JSON text or already-parsed object) and the
 * weights.bin bytes → a Model. Checks the format, sizes, names and shapes.
 */
export function parseModel(manifestJson: string | unknown, weights: ArrayBuffer | ArrayBufferView): Model {
  const manifest = (typeof manifestJson === 'string' ? JSON.parse(manifestJson) : manifestJson) as Manifest;
  if (!manifest || typeof manifest !== 'object' || manifest.format !== MANIFEST_FORMAT)
    throw new Error(`model manifest: unknown format ${JSON.stringify((manifest as { format?: unknown })?.format)}`);
  const bytes = ArrayBuffer.isView(weights) ? new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) : new Uint8Array(weights);
  if (bytes.byteLength !== manifest.weights.bytes)
    throw new Error(`model ${manifest.name}: weights file has ${bytes.byteLength} bytes, manifest says ${manifest.weights.bytes}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const params = new Map<string, NamedTensor>();
  for (const t of manifest.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.length || t.offset < 0 || t.offset + 4 * n > bytes.byteLength || t.offset % 4 !== 0)
      throw new Error(`model ${manifest.name}: tensor "${t.name}" does not fit the weights file`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(t.offset + 4 * i, true);
    params.set(t.name, { shape: [...t.shape], data });
  }
  return makeModel(manifest.config, manifest.vocabulary, params, manifest);
}

/** Node: the repository's public/models directory. */
export function defaultModelsDir(): string {
  // (A variable, not a literal, so that bundlers do not treat this as an asset URL.)
  const relative = '../../public/models/';
  return decodeURIComponent(new URL(relative, import.meta.url).pathname);
}

/** Node: load public/models/<name>/ (or `dir`/<name>/). */
export async function loadModelNode(name: string, dir: string = defaultModelsDir()): Promise<Model> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const base = join(dir, name);
  let manifestText: string;
  try {
    manifestText = await readFile(join(base, 'manifest.json'), 'utf8');
  } catch {
    throw new Error(`no trained model "${name}" in ${dir} (run: npm run train -- --model ${name})`);
  }
  const manifest = JSON.parse(manifestText) as Manifest;
  const buf = await readFile(join(base, manifest.weights?.file ?? 'weights.bin'));
  return parseModel(manifest, buf);
}

/** Browser (or anything with fetch): load `<baseUrl>/manifest.json` and its weights file. */
export async function loadModelUrl(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<Model> {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const mres = await fetchFn(base + 'manifest.json');
  if (!mres.ok) throw new Error(`model manifest ${base}manifest.json: HTTP ${mres.status}`);
  const manifest = (await mres.json()) as Manifest;
  // The weights' URL names their version (sha256), so a cache may keep them for good:
  // retrained weights get a new URL.
  const version = manifest.weights?.sha256 ? `?v=${manifest.weights.sha256.slice(0, 16)}` : '';
  const wres = await fetchFn(base + (manifest.weights?.file ?? 'weights.bin') + version);
  if (!wres.ok) throw new Error(`model weights ${base}${manifest.weights?.file}: HTTP ${wres.status}`);
  return parseModel(manifest, await wres.arrayBuffer());
}
