/**
 * "Your own model"'s session (src/jobs/ownModel.ts), which the page's primary worker runs,
 * against the CLI on the same fixture and the site's shipped texts: the dense and pruned
 * cross-entropy and each head's attention error are `model-prune --checkpoint`'s (the same
 * functions: equal to the last bit in one process), the heads pruned one by one through
 * pruneHead (as the pool does) are the CLI's, the saved checkpoint is read by `eval
 * --checkpoint` with the pruned cross-entropy, and a merged pruning is refused in words.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OwnModelSession, ownPrunedCheckpoint } from '../../../src/jobs/ownModel.ts';
import { bufferSource } from '../../../src/model/gpt2/safetensors.ts';
import { pruneHead } from '../../../src/model/prune.ts';
import { cliInProcess } from '../../helpers/cli.ts';
import { initBackend } from '../../../src/core/tf/backend.ts';
import { parseLayers } from '../../../src/widgets/own-model/layers.ts';

const FIX = new URL('../../fixtures/gpt2/', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;
const CALIB = `${ROOT}public/data/gpt2-calibration.txt`;
/** The fixture's short sample as the scored text: the shipped evaluation text (1,075 tokens) costs seconds per forward pass. */
const EVAL = `${FIX}sample.txt`;
const CONFIG = `${FIX}config.json`;
const dir = mkdtempSync(join(tmpdir(), 'own-model-'));

beforeAll(async () => {
  await initBackend(['wasm', 'cpu']);
});

describe('own model session', () => {
  it('prunes layer 0 head by head with the CLI numbers, and its saved checkpoint evaluates to the pruned cross-entropy', async () => {
    const bytes = new Uint8Array(readFileSync(`${FIX}tiny-f32.safetensors`));
    const session = await OwnModelSession.open(bufferSource(bytes), { configJson: JSON.parse(readFileSync(CONFIG, 'utf8')) });
    const prepared = session.prepare(readFileSync(CALIB, 'utf8'), readFileSync(EVAL, 'utf8'), [0]);
    // Only the layers to prune keep their calibration X.
    expect(() => session.layerInputs(1)).toThrow(/layer 1 was not calibrated/);
    const spec = { method: 'wanda', sparsity: 0.5, mode: 'factored', granularity: { kind: 'unstructured' }, refit: 'none', seed: 1, layers: [0] } as const;
    const heads = session.layerInputs(0).map((inputs) => pruneHead(structuredClone(inputs), spec));
    const pruned = session.score(heads);
    const cli = await cliInProcess(
      'model-prune',
      '--checkpoint',
      `${FIX}tiny-f32.safetensors`,
      '--config',
      CONFIG,
      '--method',
      'wanda',
      '--sparsity',
      '0.5',
      '--layers',
      '0',
      '--calib-text',
      CALIB,
      '--eval-text',
      EVAL,
    );
    expect(cli.code, cli.stderr).toBe(0);
    const ref = JSON.parse(cli.stdout);
    expect(prepared.calibration.sequences).toBe(ref.calibration.sequences);
    expect(prepared.dense.tokens).toBe(ref.evaluation.tokens);
    expect(prepared.dense.cross_entropy).toBe(ref.dense.cross_entropy);
    expect(pruned.cross_entropy).toBe(ref.pruned.cross_entropy);
    expect(heads.map((h) => h.metrics.attentionError)).toEqual(ref.heads.map((h: { attention_error: number }) => h.attention_error));
    // Pruning moves the model; the top-1 agreement is a fraction, and the dense model agrees with itself.
    expect(pruned.agreement).toBeGreaterThan(0);
    expect(pruned.agreement).toBeLessThanOrEqual(1);
    expect(session.score([]).agreement).toBe(1);

    const saved = join(dir, 'pruned.safetensors');
    writeFileSync(
      saved,
      await ownPrunedCheckpoint(bytes, heads, session.model.config, { method: 'wanda', refit: 'none', sparsity: 0.5, layers: [0], calibration: 'test' }),
    );
    const reread = await cliInProcess('eval', '--checkpoint', saved, '--config', CONFIG, '--text', EVAL);
    expect(reread.code, reread.stderr).toBe(0);
    expect(Math.abs(JSON.parse(reread.stdout).cross_entropy - pruned.cross_entropy)).toBeLessThan(1e-6);

    // Attention maps: one per head of the layer, rows summing to 1; a greedy continuation is text.
    const a = session.attention(1, heads);
    expect(a.maps.length).toBe(4 * a.T * a.T);
    expect(a.maps.subarray(0, a.T).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    expect(session.generate('The jury said', 5)).toBe(session.generate('The jury said', 5));

    const merged = pruneHead(session.layerInputs(0)[0], { ...spec, mode: 'merged' });
    await expect(
      ownPrunedCheckpoint(bytes, [merged], session.model.config, { method: 'wanda', refit: 'none', sparsity: 0.5, layers: [0], calibration: 'test' }),
    ).rejects.toThrow(/merged mode: a merged W_h is not expressible as GPT-2 weights/);
  });

  it('refuses a calibration text shorter than one window in words', async () => {
    const session = await OwnModelSession.open(bufferSource(new Uint8Array(readFileSync(`${FIX}tiny-f32.safetensors`))), { nHead: 4 });
    expect(() => session.prepare('Too short.', 'Also short.')).toThrow(/fewer than one window of the model's 64 positions/);
  });

  it('reads the layers to prune: lists, ranges, all; out of range and nonsense in words', () => {
    expect(parseLayers('0', 12)).toEqual([0]);
    expect(parseLayers(' 3, 0-2 ,2', 12)).toEqual([0, 1, 2, 3]);
    expect(parseLayers('ALL', 3)).toEqual([0, 1, 2]);
    expect(() => parseLayers('12', 12)).toThrow(/layer 12 is out of range: the model has 12 layers \(0 to 11\)/);
    expect(() => parseLayers('one', 12)).toThrow(/“one” is not a layer number/);
  });

  it('ships the demo checkpoint as an exact copy of the F16 test fixture and its config', () => {
    expect(Buffer.compare(readFileSync(`${ROOT}public/data/gpt2-demo.safetensors`), readFileSync(`${FIX}tiny-f16.safetensors`))).toBe(0);
    expect(readFileSync(`${ROOT}public/data/gpt2-demo-config.json`, 'utf8')).toBe(readFileSync(CONFIG, 'utf8'));
  });
});
