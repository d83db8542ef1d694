/**
 * The Hugging Face GPT-2 mapping onto the project's one transformer: names with or without
 * `transformer.`, lm_head tied or separate, c_attn split q | k | v, mask buffers ignored,
 * F16/BF16 equal to F32 within rounding, config.json and --n-head, every missing tensor and
 * "not a GPT-2" in words; the tokenizer's known encodings and the perplexity windows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { initBackend } from '../../../src/core/tf/backend.ts';
import { Gpt2CheckpointError, type Gpt2Model, loadGpt2 } from '../../../src/model/gpt2/checkpoint.ts';
import { perplexityWindows, scoreText } from '../../../src/model/gpt2/perplexity.ts';
import { gpt2ConfigJson } from '../../../src/model/gpt2/randomCheckpoint.ts';
import { bufferSource } from '../../../src/model/gpt2/safetensors.ts';
import { END_OF_TEXT, Gpt2Tokenizer } from '../../../src/model/gpt2/tokenizer.ts';
import { crossEntropy, forward, generateIds, LOGITS_BUDGET } from '../../../src/model/transformer.ts';
import { rawSafetensors, splitSafetensors, TINY, tinyCheckpoint } from '../../helpers/gpt2Files.ts';

const FIXTURES = new URL('../../fixtures/gpt2/', import.meta.url).pathname;
const config = gpt2ConfigJson(TINY);
const load = (file: Uint8Array, o: Parameters<typeof loadGpt2>[1] = { configJson: config }) => loadGpt2(bufferSource(file), o);

async function loadError(file: Uint8Array, o?: Parameters<typeof loadGpt2>[1]): Promise<Error> {
  const e = await load(file, o).then(
    () => null,
    (err: unknown) => err as Error,
  );
  expect(e, 'expected the load to fail').not.toBeNull();
  return e!;
}

beforeAll(async () => {
  await initBackend(['wasm', 'cpu']);
});

describe('mapping Hugging Face names onto the one transformer', () => {
  it('c_attn splits into q | k | v (weights and biases), Conv1D kept [in, out], names renamed', async () => {
    const file = tinyCheckpoint();
    const m = await load(file);
    const { header } = splitSafetensors(file);
    const d = TINY.nEmbd;
    expect(m.config).toMatchObject({
      nLayers: 2,
      nHeads: 2,
      dModel: d,
      contextLength: 16,
      vocabSize: 40,
      dMlp: 32,
      activation: 'gelu_new',
      qkBias: true,
      unembedBias: false,
      tiedEmbeddings: true,
    });
    // Read c_attn of layer 1 straight from the file's bytes.
    const entry = header['h.1.attn.c_attn.weight'] as { data_offsets: [number, number] };
    const start = 8 + Number(new DataView(file.buffer).getBigUint64(0, true)) + entry.data_offsets[0];
    const cAttn = new Float32Array(file.slice(start, start + 4 * d * 3 * d).buffer);
    const wk = m.params.get('layers.1.attn.wk')!.data;
    const wv = m.params.get('layers.1.attn.wv')!.data;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        expect(wk[i * d + j]).toBe(cAttn[i * 3 * d + d + j]);
        expect(wv[i * d + j]).toBe(cAttn[i * 3 * d + 2 * d + j]);
      }
    }
    expect(m.params.has('unembed.w')).toBe(false);
    expect(m.params.get('layers.0.attn.bq')!.data.some((v) => v !== 0)).toBe(true);
    expect(m.summary).toMatchObject({ layers: 2, heads: 2, tied: true, prefixed: false, headsFrom: 'config.json', dtypes: ['F32'], ignored: [] });
  });

  it('the `transformer.` prefix and the mask buffers change nothing', async () => {
    const plain = await load(tinyCheckpoint());
    const prefixed = await load(tinyCheckpoint({ prefixed: true, maskBuffers: true }));
    expect(prefixed.summary.prefixed).toBe(true);
    expect(prefixed.summary.ignored).toEqual([
      'transformer.h.0.attn.bias',
      'transformer.h.0.attn.masked_bias',
      'transformer.h.1.attn.bias',
      'transformer.h.1.attn.masked_bias',
    ]);
    for (const [name, t] of plain.params) expect(Array.from(prefixed.params.get(name)!.data), name).toEqual(Array.from(t.data));
  });

  it('lm_head: absent or equal to wte is tied; different is a separate unembedding [d, V]', async () => {
    const separate = await load(tinyCheckpoint({ separateLmHead: true }));
    expect(separate.config.tiedEmbeddings).toBe(false);
    expect(separate.params.get('unembed.w')!.shape).toEqual([TINY.nEmbd, TINY.vocab]);
    expect(separate.summary.parameters).toBe((await load(tinyCheckpoint())).summary.parameters + TINY.vocab * TINY.nEmbd);
    // lm_head saved as a copy of wte (a tied model saved with both names): tied, no copy kept.
    const { header, data } = splitSafetensors(tinyCheckpoint());
    const [wb, we] = (header['wte.weight'] as { data_offsets: [number, number] }).data_offsets;
    const withCopy = new Uint8Array(data.byteLength + (we - wb));
    withCopy.set(data);
    withCopy.set(data.subarray(wb, we), data.byteLength);
    const copied = await load(
      rawSafetensors(
        { ...header, 'lm_head.weight': { dtype: 'F32', shape: [TINY.vocab, TINY.nEmbd], data_offsets: [data.byteLength, withCopy.byteLength] } },
        withCopy,
      ),
    );
    expect(copied.config.tiedEmbeddings).toBe(true);
    expect(copied.params.has('unembed.w')).toBe(false);
    // Two names on the same bytes overlap: refused, as Hugging Face's reader does.
    await expect(load(rawSafetensors({ ...header, 'lm_head.weight': { ...(header['wte.weight'] as object) } }, data))).rejects.toThrow(/overlap/);
    const sep = (await load(tinyCheckpoint({ separateLmHead: true }))).params.get('unembed.w')!.data;
    const ids = [Int32Array.of(1, 5, 7, 3)];
    const a = forward(separate, ids).logits;
    const b = forward(await load(tinyCheckpoint()), ids).logits;
    expect(sep.length).toBe(TINY.vocab * TINY.nEmbd);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('F16 and BF16 files hold the F32 weights within rounding, and score the same within 1e-2 nats', async () => {
    const f32 = await load(tinyCheckpoint());
    const ids = [Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 40)];
    const ce32 = crossEntropy(f32, ids).crossEntropy;
    for (const [dtype, rel] of [
      ['F16', 2 ** -11],
      ['BF16', 2 ** -8],
    ] as const) {
      const m = await load(tinyCheckpoint({ dtype }));
      expect(m.summary.dtypes).toEqual([dtype]);
      for (const [name, t] of f32.params) {
        const other = m.params.get(name)!.data;
        // Relative half-ulp (absolute near F16's subnormals).
        for (let i = 0; i < t.data.length; i++)
          expect(Math.abs(other[i] - t.data[i]), `${dtype} ${name}[${i}]`).toBeLessThanOrEqual(rel * Math.abs(t.data[i]) + 2 ** -25);
      }
      expect(Math.abs(crossEntropy(m, ids).crossEntropy - ce32)).toBeLessThan(1e-2);
    }
  });

  it('without config.json: standard widths give the heads; others ask for --n-head in words', async () => {
    const file = tinyCheckpoint();
    const e = await loadError(file, {});
    expect(e).toBeInstanceOf(Gpt2CheckpointError);
    expect(e.message).toMatch(/number of heads cannot be read from the shapes: n_embd 8 is not a standard GPT-2 width .*give --n-head/);
    const m = await load(file, { nHead: 4 });
    expect(m.summary).toMatchObject({ heads: 4, headsFrom: '--n-head' });
    expect((await loadError(file, { nHead: 3 })).message).toMatch(/n_head 3 does not divide n_embd 8/);
    expect((await loadError(file, { configJson: config, nHead: 4 })).message).toMatch(/--n-head 4 disagrees with config.json's n_head 2/);
  });

  it('config.json must agree with the shapes, be a GPT-2 and use a supported activation', async () => {
    const file = tinyCheckpoint();
    expect((await loadError(file, { configJson: { ...config, n_layer: 3 } })).message).toMatch(/config.json says n_layer 3, but the tensors' shapes say 2/);
    expect((await loadError(file, { configJson: { ...config, n_positions: 1024 } })).message).toMatch(/n_positions 1024, but wpe.weight has 16 rows/);
    expect((await loadError(file, { configJson: { ...config, model_type: 'llama' } })).message).toMatch(/not a GPT-2: config.json says model_type "llama"/);
    expect((await loadError(file, { configJson: { ...config, activation_function: 'swish' } })).message).toMatch(
      /activation_function "swish" is not supported/,
    );
    const relu = await load(file, { configJson: { ...config, activation_function: 'relu', layer_norm_epsilon: 1e-6 } });
    expect(relu.config).toMatchObject({ activation: 'relu', lnEps: 1e-6 });
  });

  it('every missing tensor is named; a file without GPT-2 embeddings is "not a GPT-2"', async () => {
    const { header, data } = splitSafetensors(tinyCheckpoint({ prefixed: true }));
    for (const missing of ['transformer.h.1.attn.c_proj.bias', 'transformer.ln_f.weight', 'transformer.h.0.mlp.c_fc.weight', 'transformer.h.0.ln_2.weight']) {
      const { [missing]: _, ...rest } = header;
      const e = await loadError(rawSafetensors(rest, data));
      expect(e.message).toContain(`missing tensor "${missing}"`);
    }
    const llama = rawSafetensors({ 'model.embed_tokens.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, new Uint8Array(16));
    expect((await loadError(llama)).message).toMatch(/^not a GPT-2: the file has no wte.weight and wpe.weight .*model\.embed_tokens\.weight/);
    expect((await loadError(rawSafetensors({}))).message).toMatch(/not a GPT-2: .*holds no tensors/);
  });

  it('a tensor of the wrong shape is named with the shape GPT-2 needs', async () => {
    const { header, data } = splitSafetensors(tinyCheckpoint());
    const proj = header['h.0.attn.c_proj.weight'] as { data_offsets: [number, number] };
    const [b] = proj.data_offsets;
    // Same bytes, claimed as [4, 16] instead of [8, 8].
    const bad = rawSafetensors({ ...header, 'h.0.attn.c_proj.weight': { dtype: 'F32', shape: [4, 16], data_offsets: [b, b + 256] } }, data);
    expect((await loadError(bad)).message).toMatch(/"h\.0\.attn\.c_proj\.weight" has shape \[4, 16\], GPT-2 with these sizes needs \[8, 8\]/);
  });
});

describe('tokenizer (r50k_base) and perplexity windows', () => {
  const tok = new Gpt2Tokenizer();

  it('known encodings, no BOS, round trip', () => {
    expect(Array.from(tok.encode('Hello world'))).toEqual([15496, 995]);
    expect(Array.from(tok.encode(' the'))).toEqual([262]);
    expect(Array.from(tok.encode('<|endoftext|>'))).toEqual([END_OF_TEXT]);
    const text = 'naïve café 東京 😀\n\n  x';
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(() => tok.decode([50257])).toThrow(/outside GPT-2's vocabulary/);
  });

  it('non-overlapping windows, the last shorter; one-token remainders dropped', () => {
    const ids = Int32Array.from({ length: 10 }, (_, i) => i);
    expect(perplexityWindows(ids, 4).map((w) => Array.from(w))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(perplexityWindows(ids.subarray(0, 9), 4).map((w) => w.length)).toEqual([4, 4]);
    expect(() => perplexityWindows(ids, 1)).toThrow(/>= 2/);
  });

  it('each window is scored on every position after its first: tokens = n − windows, mean over scored', async () => {
    const m: Gpt2Model = await load(tinyCheckpoint());
    const ids = Int32Array.from({ length: 37 }, (_, i) => (i * 11) % 40);
    const s = scoreText(m, ids, 16);
    expect(s).toMatchObject({ text_tokens: 37, windows: 3, tokens: 37 - 3, window: 16 });
    // The mean over all scored tokens, not the mean of the windows' means.
    const parts = perplexityWindows(ids, 16).map((w) => crossEntropy(m, [w]));
    const mean = parts.reduce((a, p) => a + p.crossEntropy * p.tokens, 0) / 34;
    expect(s.cross_entropy).toBeCloseTo(mean, 10);
    expect(s.perplexity).toBeCloseTo(Math.exp(mean), 8);
  });

  it('the committed fixtures load with the full vocabulary and agree with each other', async () => {
    const cfg = JSON.parse(readFileSync(`${FIXTURES}config.json`, 'utf8'));
    const ids = tok.encode(readFileSync(`${FIXTURES}sample.txt`, 'utf8'));
    const ce = async (name: string) => scoreText(await loadGpt2(bufferSource(readFileSync(FIXTURES + name)), { configJson: cfg }), ids, 64).cross_entropy;
    const f32 = await ce('tiny-f32.safetensors');
    expect(Math.abs((await ce('tiny-f16.safetensors')) - f32)).toBeLessThan(1e-2);
    expect(Math.abs((await ce('tiny-bf16.safetensors')) - f32)).toBeLessThan(2e-2);
  });
});

describe('logits in pieces (a large vocabulary)', () => {
  it('cross-entropy and greedy generation are the same whether the logits come whole or in pieces', async () => {
    const m = await load(tinyCheckpoint());
    const seqs = [Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 40), Int32Array.from({ length: 16 }, (_, i) => (i * 3 + 1) % 40)];
    const whole = crossEntropy(m, seqs);
    const gen = generateIds(m, Int32Array.of(3, 1, 4), 6, 1, 0);
    const saved = LOGITS_BUDGET.floats;
    try {
      // 40-token vocabulary: 3 rows per piece, so 30 rows come in 10 pieces; generation computes the last row only.
      LOGITS_BUDGET.floats = 120;
      const pieces = crossEntropy(m, seqs, { batchSize: 2 });
      expect(pieces.tokens).toBe(whole.tokens);
      expect(pieces.crossEntropy).toBeCloseTo(whole.crossEntropy, 5);
      expect(pieces.accuracy).toBe(whole.accuracy);
      expect(Array.from(generateIds(m, Int32Array.of(3, 1, 4), 6, 1, 0))).toEqual(Array.from(gen));
      const f = forward(m, seqs);
      LOGITS_BUDGET.floats = saved;
      const g = forward(m, seqs);
      for (let i = 0; i < g.logits.length; i++) expect(Math.abs(f.logits[i] - g.logits[i])).toBeLessThan(1e-4);
    } finally {
      LOGITS_BUDGET.floats = saved;
    }
  });
});
