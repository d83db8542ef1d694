/**
 * The small transformers (issue 3, model half): tokenizer, data, weights
 * format, merged vs factored head logits, head-logit overrides, shipped
 * metrics, a training smoke test and tensor hygiene.
 *
 * Runs on the wasm backend (the one training used), falling back to cpu.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/core/tf/backend.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { CharTokenizer, UnknownCharactersError } from '../../../src/model/tokenizer.ts';
import { cleanSentence, stripTag, brownFiles, splitOfFile, evalWindows, bigramCrossEntropy } from '../../../src/model/data/brown.ts';
import { inductionBatch, inductionVocabulary, INDUCTION_SPEC } from '../../../src/model/induction.ts';
import { defaultTrainConfig, headDim, type ModelConfig } from '../../../src/model/config.ts';
import { loadModelNode, makeModel, parseModel, serializeWeights, buildManifest, type Model } from '../../../src/model/weights.ts';
import { crossEntropy, disposeModelTensors, forward, generate, headQK, mergedHeadWeight, type HeadOverride } from '../../../src/model/transformer.ts';
import { initParams, trainLoop } from '../../../src/model/train.ts';

const tiny: ModelConfig = { name: 'tiny', vocabSize: 6, contextLength: 12, dModel: 16, nLayers: 2, nHeads: 2, dMlp: 32, activation: 'relu', lnEps: 1e-5 };

let brown: Model;
let induction: Model;

beforeAll(async () => {
  await initBackend(['wasm', 'cpu']);
  brown = await loadModelNode('brown-char');
  induction = await loadModelNode('induction');
});

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A few fixed validation-like sequences of a model. */
function sampleSequences(model: Model, count: number, T: number, seed: number): Int32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => Int32Array.from({ length: T }, () => Math.floor(rng() * model.config.vocabSize)));
}

function brownSequences(count: number, T: number): Int32Array[] {
  const text =
    'The jury said it did find that many of the registration and election laws "are outmoded or inadequate and often ambiguous". ' +
    'It recommended that Fulton legislators act to have these laws studied and revised to the end of modernizing and improving them.';
  const ids = brown.tokenizer.encode(text);
  return Array.from({ length: count }, (_, i) => ids.slice(i * 7, i * 7 + T));
}

describe('character tokenizer', () => {
  it('round-trips text and builds a sorted vocabulary', () => {
    const tok = CharTokenizer.fromText('hello, world!\nabc');
    expect([...tok.vocabulary]).toEqual([...tok.vocabulary].sort());
    const text = 'hello world, abc!\n';
    expect(tok.decode(tok.encode(text))).toBe(text);
    const shipped = brown.tokenizer;
    const t2 = 'The Fulton County Grand Jury said Friday "no evidence" (1/2).';
    expect(shipped.decode(shipped.encode(t2))).toBe(t2);
  });

  it('reports unknown characters instead of dropping them', () => {
    const tok = CharTokenizer.fromText('abc ');
    expect(() => tok.encode('a b c')).not.toThrow();
    let err: unknown;
    try {
      tok.encode('a zb é z');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownCharactersError);
    expect((err as UnknownCharactersError).unknown).toEqual(['z', 'é']);
    expect(tok.findUnknown('abcx')).toEqual(['x']);
    const lenient = tok.encodeLenient('axb');
    expect(tok.decode(lenient.ids)).toBe('ab');
    expect(lenient.unknown).toEqual(['x']);
    expect(brown.tokenizer.findUnknown('naïve → café')).toEqual(['ï', '→', 'é']);
  });
});

describe('data', () => {
  it('cleans Brown corpus tags to plain text', () => {
    expect(cleanSentence('The/at Fulton/np-tl County/nn-tl')).toBe('The Fulton County');
    expect(stripTag('1/2/cd')).toBe('1/2');
    expect(stripTag('//in')).toBe('/');
    expect(cleanSentence("``/`` no/at evidence/nn ''/'' that/cs ,/, 3/cd (/( a/at )/) ./.")).toBe('"no evidence" that, 3 (a).');
  });

  it('splits by file: every 10th sorted file is validation', () => {
    const files = brownFiles();
    expect(files.length).toBe(500);
    const val = files.filter((_, i) => splitOfFile(i) === 'val');
    expect(val.length).toBe(50);
    expect(val.slice(0, 2)).toEqual(['ca10', 'ca20']);
    expect(brown.manifest?.data?.['sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('evaluation windows score every transition once; bigram CE is finite', () => {
    const ids = Int32Array.from({ length: 100 }, (_, i) => (i * 7) % 5);
    const w = evalWindows(ids, 8);
    expect(w.reduce((s, x) => s + x.length - 1, 0)).toBe(99);
    const bg = bigramCrossEntropy(ids, ids, 5);
    expect(bg.tokens).toBe(99);
    expect(bg.crossEntropy).toBeGreaterThan(0);
  });

  it('induction sequences: every scored target is determined by its earlier occurrence', () => {
    const { sequences, scored } = inductionBatch(mulberry32(5), 50);
    for (let b = 0; b < sequences.length; b++) {
      const s = sequences[b];
      let count = 0;
      for (let j = 0; j < s.length - 1; j++) {
        if (!scored[b][j]) continue;
        count++;
        const prev: number[] = [];
        for (let i = 0; i < j; i++) if (s[i] === s[j]) prev.push(i);
        expect(prev.length).toBeGreaterThanOrEqual(1);
        for (const i of prev) expect(s[i + 1]).toBe(s[j + 1]);
      }
      expect(count).toBeGreaterThanOrEqual(INDUCTION_SPEC.length - 1 - INDUCTION_SPEC.maxSegment);
      // Unscored predictions are exactly those whose current token has not occurred before.
      for (let j = 0; j < s.length - 1; j++) if (!scored[b][j]) expect(s.subarray(0, j).includes(s[j])).toBe(false);
    }
    expect(inductionVocabulary().length).toBe(INDUCTION_SPEC.vocabSize);
  });
});

describe('weights format', () => {
  it('serialises and parses back bit-exactly (one parse function for Node and browser)', () => {
    const model = makeModel(tiny, 'abcdef'.split(''), initParams(tiny, 3));
    const { buffer, tensors } = serializeWeights(model);
    const manifest = buildManifest(model, tensors, buffer.byteLength);
    const copy = new ArrayBuffer(buffer.byteLength);
    new Uint8Array(copy).set(buffer);
    const back = parseModel(JSON.stringify(manifest), copy);
    for (const [name, t] of model.params) expect(Array.from(back.params.get(name)!.data)).toEqual(Array.from(t.data));
    expect(() => parseModel(JSON.stringify(manifest), copy.slice(4))).toThrow(/bytes/);
  });

  it('shipped models meet the issue: sizes, architecture, metrics', () => {
    for (const m of [brown, induction]) {
      expect(m.manifest!.weights.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
      expect(m.params.has('layers.0.attn.bq')).toBe(false);
      expect(m.params.has('layers.0.attn.bk')).toBe(false);
    }
    expect(brown.config.nLayers).toBeGreaterThanOrEqual(2);
    expect(brown.config.nHeads).toBe(4);
    expect(brown.config.dModel).toBe(64);
    expect(brown.config.contextLength).toBe(64);
    expect(brown.config.dMlp).toBeGreaterThan(0);
    const bm = brown.manifest!.metrics!;
    expect(bm.val_cross_entropy).toBeLessThan(bm.bigram_val_cross_entropy! - 0.3);
    expect(induction.config.nLayers).toBe(2);
    expect(induction.config.dMlp).toBe(0);
    expect(induction.manifest!.metrics!.val_accuracy!).toBeGreaterThanOrEqual(0.95);
  });
});

describe('merged and factored head logits', () => {
  it('X W_h Xᵀ equals the factored Q/K logits of every head and the dense attention', () => {
    for (const model of [brown, induction]) {
      const c = model.config;
      const T = 24;
      const seqs = model === brown ? brownSequences(2, T) : sampleSequences(model, 2, T, 7);
      const r = forward(model, seqs, { capture: true, captureAttention: true });
      const d = c.dModel;
      const dh = headDim(c);
      for (let l = 0; l < c.nLayers; l++) {
        const X = r.layers![l].x!;
        const A = r.layers![l].attention!;
        expect(X.length).toBe(seqs.length * T * d);
        for (let h = 0; h < c.nHeads; h++) {
          const W = mergedHeadWeight(model, l, h);
          const { Wq, Wk } = headQK(model, l, h);
          for (let b = 0; b < seqs.length; b++) {
            const xs = (t: number, i: number) => X[(b * T + t) * d + i];
            const merged = new Float64Array(T * T);
            const fact = new Float64Array(T * T);
            for (let t = 0; t < T; t++) {
              const xw = new Float64Array(d);
              for (let j = 0; j < d; j++) for (let i = 0; i < d; i++) xw[j] += xs(t, i) * W[i * d + j];
              const q = new Float64Array(dh);
              for (let k = 0; k < dh; k++) for (let i = 0; i < d; i++) q[k] += xs(t, i) * Wq[i * dh + k];
              for (let s = 0; s < T; s++) {
                let m = 0;
                for (let j = 0; j < d; j++) m += xw[j] * xs(s, j);
                let f = 0;
                for (let k = 0; k < dh; k++) {
                  let kk = 0;
                  for (let i = 0; i < d; i++) kk += xs(s, i) * Wk[i * dh + k];
                  f += q[k] * kk;
                }
                merged[t * T + s] = m;
                fact[t * T + s] = f / Math.sqrt(dh);
              }
            }
            expect(maxAbsDiff(merged, fact) / maxAbs(fact)).toBeLessThanOrEqual(1e-5);
            // Causal softmax of the merged logits = the model's own attention probabilities.
            let err = 0;
            for (let t = 0; t < T; t++) {
              let mx = -Infinity;
              for (let s = 0; s <= t; s++) mx = Math.max(mx, merged[t * T + s]);
              let z = 0;
              for (let s = 0; s <= t; s++) z += Math.exp(merged[t * T + s] - mx);
              for (let s = 0; s < T; s++) {
                const p = s <= t ? Math.exp(merged[t * T + s] - mx) / z : 0;
                err = Math.max(err, Math.abs(p - A[((b * c.nHeads + h) * T + t) * T + s]));
              }
            }
            expect(err).toBeLessThanOrEqual(1e-5);
          }
        }
      }
    }
  });

  it('unpruned merged and factored overrides reproduce the dense logits', () => {
    for (const model of [brown, induction]) {
      const seqs = model === brown ? brownSequences(3, 32) : sampleSequences(model, 3, 32, 9);
      const dense = forward(model, seqs).logits;
      const merged = new Map<string, HeadOverride>();
      const factored = new Map<string, HeadOverride>();
      for (let l = 0; l < model.config.nLayers; l++) {
        for (let h = 0; h < model.config.nHeads; h++) {
          merged.set(`${l}/${h}`, { kind: 'merged', W: Float32Array.from(mergedHeadWeight(model, l, h)) });
          factored.set(`${l}/${h}`, { kind: 'factored', ...headQK(model, l, h) });
        }
      }
      const m = forward(model, seqs, { headLogits: (l, h) => merged.get(`${l}/${h}`) }).logits;
      const f = forward(model, seqs, { headLogits: (l, h) => factored.get(`${l}/${h}`) }).logits;
      const scale = maxAbs(dense);
      expect(maxAbsDiff(m, dense) / scale).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(f, dense) / scale).toBeLessThanOrEqual(1e-5);
      // An override of one head only changes that head: zeroing it changes the output.
      const zero = forward(model, seqs, {
        headLogits: (l, h) => (l === 0 && h === 0 ? { kind: 'merged', W: new Float32Array(model.config.dModel ** 2) } : undefined),
      }).logits;
      expect(maxAbsDiff(zero, dense)).toBeGreaterThan(1e-4);
    }
  });
});

describe('shipped metrics', () => {
  it('loaded weights give the manifest validation metric on its fixed subset', async () => {
    // The subsets (first 32 brown-char validation windows; first 64 induction validation
    // sequences) are what the manifest's metrics.val_subset records; the full splits take
    // ~20 s and are checked by `cli -- eval`.
    const { brownText } = await import('../../../src/model/data/brown.ts');
    const windows = evalWindows(brown.tokenizer.encode(brownText('val')), brown.config.contextLength).slice(0, 32);
    const rb = crossEntropy(brown, windows);
    const sb = brown.manifest!.metrics!.val_subset!;
    expect(rb.tokens).toBe(sb.tokens);
    expect(Math.abs(rb.crossEntropy - sb.cross_entropy)).toBeLessThanOrEqual(1e-4);

    const { inductionValidation } = await import('../../../src/model/induction.ts');
    const val = inductionValidation();
    const ri = crossEntropy(induction, val.sequences.slice(0, 64), { scored: val.scored.slice(0, 64) });
    const si = induction.manifest!.metrics!.val_subset!;
    expect(ri.tokens).toBe(si.tokens);
    expect(Math.abs(ri.crossEntropy - si.cross_entropy)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(ri.accuracy - si.accuracy!)).toBeLessThanOrEqual(1e-4);
  });

  it('generates reproducibly, greedy and sampled, with overrides', () => {
    const a = generate(brown, 'The jury', 30, 4, 0.8);
    const b = generate(brown, 'The jury', 30, 4, 0.8);
    expect(a.continuation).toBe(b.continuation);
    expect(a.continuation.length).toBe(30);
    const g = generate(brown, 'The jury', 20, 1, 0);
    const over = new Map<string, HeadOverride>();
    for (let l = 0; l < brown.config.nLayers; l++)
      for (let h = 0; h < brown.config.nHeads; h++) over.set(`${l}/${h}`, { kind: 'factored', ...headQK(brown, l, h) });
    const g2 = generate(brown, 'The jury', 20, 2, 0, { headLogits: (l, h) => over.get(`${l}/${h}`) });
    expect(g2.continuation).toBe(g.continuation);
    expect(() => generate(brown, 'naïve', 5, 1, 0)).toThrow(UnknownCharactersError);
  });
});

describe('training and tensor hygiene', () => {
  it('a few Adam steps lower the loss on a tiny config', () => {
    const rng = mulberry32(11);
    // Periodic sequences (period 3 with a random phase): learnable in a few steps.
    const batch = () =>
      Array.from({ length: 16 }, () => {
        const phase = Math.floor(rng() * 3);
        return Int32Array.from({ length: 13 }, (_, t) => (t + phase) % 3);
      });
    const before = tf.memory().numTensors;
    const { log, model } = trainLoop({
      config: tiny,
      vocabulary: 'abcdef'.split(''),
      train: { ...defaultTrainConfig('induction'), steps: 40, warmupSteps: 5, learningRate: 1e-2, evalEvery: 0, seed: 2 },
      nextBatch: batch,
      logEvery: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    const first = log[0].loss;
    const last = log[log.length - 1].loss;
    expect(last).toBeLessThan(first * 0.6);
    expect(crossEntropy(model, batch()).crossEntropy).toBeLessThan(first * 0.6);
    disposeModelTensors(model);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('forward, crossEntropy and generate do not leak tensors', () => {
    const seqs = brownSequences(2, 16);
    forward(brown, seqs); // uploads the weights once (cached per model)
    const before = tf.memory().numTensors;
    const W = Float32Array.from(mergedHeadWeight(brown, 1, 2));
    for (let i = 0; i < 3; i++) {
      forward(brown, seqs, { capture: true, captureAttention: true, headLogits: (l, h) => (l === 1 && h === 2 ? { kind: 'merged', W } : undefined) });
      forward(brown, seqs, { headLogits: (l, h) => (h === 0 ? { kind: 'factored', ...headQK(brown, l, h) } : undefined) });
      crossEntropy(brown, seqs);
      generate(brown, 'A', 3, i, 1);
    }
    expect(() => forward(brown, [seqs[0], seqs[1].subarray(1)])).toThrow(/equal length/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loadModelUrl', () => {
  it('asks for the weights under their version (so a cache may keep them) and parses what it gets', async () => {
    const { readFile } = await import('node:fs/promises');
    const { loadModelUrl, defaultModelsDir } = await import('../../../src/model/weights.ts');
    const asked: string[] = [];
    const fakeFetch = (async (url: string) => {
      asked.push(url);
      const file = defaultModelsDir() + url.replace(/^\/models\//, '').replace(/\?v=.*$/, '');
      return new Response(await readFile(file));
    }) as unknown as typeof fetch;
    const model = await loadModelUrl('/models/induction/', fakeFetch);
    expect(model.config.name).toBe('induction');
    const sha = model.manifest?.weights.sha256 ?? '';
    expect(asked).toEqual(['/models/induction/manifest.json', `/models/induction/weights.bin?v=${sha.slice(0, 16)}`]);
  });
});
