/**
 * Pruning a subset of a GPT-2's heads (src/model/prune.ts): `headsOf` lists a spec's heads in
 * model order and refuses heads outside the model; a layer left out of the calibration is
 * refused, a subset of a calibrated layer pruned with the full calibration's numbers; the
 * pool protocol (src/jobs/layerHeads.ts) run in-process gives pruneModel's heads; a worker's
 * error comes back as the same class.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError, NumericalError } from '../../../src/core/errors.ts';
import { errorFromKind, errorKindOf, type LayerHeadOps, LayerHeadPruner, type LayerHeadWorker, pruneLayerAcross } from '../../../src/jobs/layerHeads.ts';
import type { Gpt2Model } from '../../../src/model/gpt2/checkpoint.ts';
import { captureCalibration, headInputs, headsOf, type ModelPruneSpec, prunedLayersOf, pruneModel } from '../../../src/model/prune.ts';
import { fixtureModelAndWindows } from '../../helpers/gpt2Files.ts';

let model: Gpt2Model;
let windows: Int32Array[];

beforeAll(async () => {
  ({ model, windows } = await fixtureModelAndWindows());
});

const spec = (more: Partial<ModelPruneSpec>): ModelPruneSpec => ({
  method: 'wanda',
  sparsity: 0.5,
  mode: 'factored',
  granularity: { kind: 'unstructured' },
  ...more,
});

describe('a subset of heads', () => {
  it('headsOf: every head of the layers by default; a subset in model order, checked against the model', () => {
    const dims = { nLayers: 2, nHeads: 4 };
    expect(headsOf({ layers: [1] }, dims)).toEqual([0, 1, 2, 3].map((head) => ({ layer: 1, head })));
    expect(headsOf({}, dims)).toHaveLength(8);
    expect(
      headsOf(
        {
          heads: [
            { layer: 1, head: 2 },
            { layer: 0, head: 3 },
            { layer: 1, head: 0 },
          ],
        },
        dims,
      ),
    ).toEqual([
      { layer: 0, head: 3 },
      { layer: 1, head: 0 },
      { layer: 1, head: 2 },
    ]);
    expect(prunedLayersOf({ heads: [{ layer: 1, head: 2 }] }, dims)).toEqual([1]);
    expect(() => headsOf({ heads: [{ layer: 0, head: 4 }] }, dims)).toThrow(/head 4 out of range \(the model has 4 per layer\)/);
    expect(() => headsOf({ heads: [{ layer: 2, head: 0 }] }, dims)).toThrow(/layer 2 out of range/);
  });

  it('calibrated for layer 0 only: layer 1’s heads are refused, layer 0’s pruned as with the full calibration', () => {
    const full = captureCalibration(model, windows);
    const only0 = captureCalibration(model, windows, [0]);
    expect(() => headInputs(model, only0, 1, 0)).toThrow(/layer 1 was not calibrated/);
    // pruneModel on the subset prunes exactly those heads, with the numbers of the full calibration.
    const heads = [
      { layer: 0, head: 1 },
      { layer: 0, head: 3 },
    ];
    const a = pruneModel(model, only0, spec({ heads }));
    const b = pruneModel(model, full, spec({ heads }));
    expect(a.heads.map((h) => [h.layer, h.head])).toEqual([
      [0, 1],
      [0, 3],
    ]);
    expect(a.heads.map((h) => h.metrics)).toEqual(b.heads.map((h) => h.metrics));
  });

  it('the pool protocol, with in-process workers, gives pruneModel’s heads in order', async () => {
    const calib = captureCalibration(model, windows, [1]);
    const s = spec({ method: 'gd', layers: [1], gd: { iters: 5 } });
    const workers: LayerHeadWorker[] = [new LayerHeadPruner(), new LayerHeadPruner(), new LayerHeadPruner()].map((p) => ({
      call: async <K extends keyof LayerHeadOps>(op: K, args: LayerHeadOps[K]['args']) =>
        (op === 'setLayer'
          ? p.setLayer(args as LayerHeadOps['setLayer']['args'])
          : p.prune(args as LayerHeadOps['prune']['args'])) as LayerHeadOps[K]['result'],
    }));
    const inputs = [0, 1, 2, 3].map((h) => headInputs(model, calib, 1, h));
    const seen: number[] = [];
    const pooled = await pruneLayerAcross(workers, 'k', inputs, s, (h) => seen.push(h.head));
    const direct = pruneModel(model, calib, s).heads;
    expect(seen.sort()).toEqual([0, 1, 2, 3]);
    expect(pooled.map((h) => [h.head, h.override, h.metrics])).toEqual(direct.map((h) => [h.head, h.override, h.metrics]));
    // A worker asked for a head of a layer it does not hold says so.
    expect(() => new LayerHeadPruner().prune({ key: 'k', head: { head: 0, wq: inputs[0].wq, wk: inputs[0].wk }, spec: s })).toThrow(/holds layer none, not k/);
  });

  it('a worker’s error comes back as the same class (so the CLI’s exit code is the same)', () => {
    for (const e of [new InputError('bad'), new NumericalError('failed'), new Error('bug')]) {
      const back = errorFromKind(e.message, errorKindOf(e));
      expect(back.message).toBe(e.message);
      expect(back instanceof InputError).toBe(e instanceof InputError);
      expect(back instanceof NumericalError).toBe(e instanceof NumericalError);
    }
  });
});
