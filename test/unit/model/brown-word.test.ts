/**
 * The shipped word model (issue 19): the committed weights load through the one loader
 * with their word tokenizer, stay within the weights budget, give the manifest's
 * validation metric, and a short run of `npm run train -- --model brown-word`'s recipe
 * replays the committed log's first steps from the seed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/core/tf/backend.ts';
import { defaultTrainConfig } from '../../../src/model/config.ts';
import { brownText, evalWindows } from '../../../src/model/data/brown.ts';
import { crossEntropy, disposeModelTensors, generate } from '../../../src/model/transformer.ts';
import { brownWordData, trainLoop } from '../../../src/model/train.ts';
import { defaultModelsDir, loadModelNode, type Model } from '../../../src/model/weights.ts';

const DIR = join(defaultModelsDir(), 'brown-word');
let model: Model;

beforeAll(async () => {
  await initBackend(['wasm', 'cpu']);
  model = await loadModelNode('brown-word');
});

/** The committed train-log.csv as rows by step. */
function committedLog(): Map<number, { loss: number; gradNorm: number }> {
  const rows = readFileSync(join(DIR, 'train-log.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(
    rows.map((r) => {
      const [step, loss, , grad] = r.split(',');
      return [Number(step), { loss: Number(loss), gradNorm: Number(grad) }];
    }),
  );
}

describe('brown-word as shipped', () => {
  it('loads with its word tokenizer, d = 64, 2 layers, 4 heads, and weights within 4 MB gzip', () => {
    expect(model.tokenizer.kind).toBe('word');
    expect(model.manifest?.tokenizer?.kind).toBe('word');
    expect(model.vocabulary[0]).toBe('<unk>');
    const c = model.config;
    expect([c.dModel, c.nLayers, c.nHeads, c.contextLength]).toEqual([64, 2, 4, 64]);
    const gz = gzipSync(readFileSync(join(DIR, 'weights.bin'))).byteLength;
    expect(gz).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('gives the manifest’s validation metric on its fixed subset', () => {
    const windows = evalWindows(model.tokenizer.encode(brownText('val')), model.config.contextLength).slice(0, 32);
    const r = crossEntropy(model, windows);
    const s = model.manifest!.metrics!.val_subset!;
    expect(r.tokens).toBe(s.tokens);
    expect(Math.abs(r.crossEntropy - s.cross_entropy)).toBeLessThanOrEqual(1e-4);
  });

  it('never writes <unk>', () => {
    const r = generate(model, 'The jury said', 40, 3, 1.5);
    expect(Array.from(r.ids)).not.toContain(model.tokenizer.unknownId);
  });
});

describe('brown-word training reproduces from its seed', () => {
  it('replays the committed log’s first 10 steps (same vocabulary, batches and losses)', async () => {
    const training = model.manifest!.training as { seed: number; batch_size: number };
    const base = defaultTrainConfig('brown-word');
    const data = await brownWordData({ seed: training.seed, batchSize: training.batch_size });
    expect([...data.tokenizer.vocabulary]).toEqual(model.vocabulary);
    const losses = new Map<number, { loss: number; gradNorm: number }>();
    // The first steps are in the warm-up, whose learning rate does not depend on the run's length.
    const { model: trained } = trainLoop({
      config: data.config,
      train: { ...base, seed: training.seed, batchSize: training.batch_size, steps: 10, evalEvery: 0 },
      vocabulary: [...data.tokenizer.vocabulary],
      tokenizerKind: 'word',
      nextBatch: data.nextBatch,
      logEvery: 10,
      onLog: (e) => losses.set(e.step, { loss: e.loss, gradNorm: e.gradNorm }),
    });
    disposeModelTensors(trained);
    const log = committedLog();
    for (const step of [1, 10]) {
      expect(Math.abs(losses.get(step)!.loss - log.get(step)!.loss)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(losses.get(step)!.gradNorm - log.get(step)!.gradNorm)).toBeLessThanOrEqual(1e-3);
    }
  }, 180_000);
});
