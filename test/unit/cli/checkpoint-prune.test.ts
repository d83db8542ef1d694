/**
 * `model-prune --checkpoint` as a user meets it (in-process): the JSON (dense and pruned
 * cross-entropy, per-head attention error, windows, compute), --save-checkpoint reloaded by
 * `eval --checkpoint` with the same cross-entropy (F32 to 1e-6; F16/BF16 within rounding),
 * the same names/shapes/dtypes, the biases' bytes untouched, __metadata__; and the refusals.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferSource, readSafetensorsHeader } from '../../../src/model/gpt2/safetensors.ts';
import { cliInProcess } from '../../helpers/cli.ts';

const FIX = new URL('../../fixtures/gpt2/', import.meta.url).pathname;
const CONFIG = `${FIX}config.json`;
const TEXT = `${FIX}sample.txt`;
const dir = mkdtempSync(join(tmpdir(), 'gpt2-prune-'));

const prune = (file: string, ...more: string[]) =>
  cliInProcess('model-prune', '--checkpoint', `${FIX}${file}`, '--config', CONFIG, '--calib-text', TEXT, '--eval-text', TEXT, '--window', '16', ...more);

async function evalCe(file: string): Promise<number> {
  const r = await cliInProcess('eval', '--checkpoint', file, '--config', CONFIG, '--text', TEXT, '--window', '16');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).cross_entropy;
}

/** model-prune … --save-checkpoint, then eval --checkpoint on the saved file: its JSON and the cross-entropy gap. */
async function pruneSaveReload(file: string, saved: string, ...flags: string[]) {
  const r = await prune(file, ...flags, '--save-checkpoint', saved);
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(r.stdout);
  return { json, gap: Math.abs((await evalCe(saved)) - json.pruned.cross_entropy) };
}

async function tensors(file: string) {
  const h = await readSafetensorsHeader(bufferSource(new Uint8Array(readFileSync(file))));
  return { h, bytes: new Uint8Array(readFileSync(file)) };
}

describe('model-prune --checkpoint', () => {
  it('prints the model-prune JSON; the saved F32 checkpoint reloads with the pruned cross-entropy (1e-6)', async () => {
    const saved = join(dir, 'p32.safetensors');
    const { json: j, gap } = await pruneSaveReload(
      'tiny-f32.safetensors',
      saved,
      '--method',
      'magnitude',
      '--sparsity',
      '0.5',
      '--refit',
      'linear',
      '--layers',
      '1',
    );
    expect(gap).toBeLessThan(1e-6);
    expect(j).toMatchObject({ method: 'magnitude', refit: 'linear', mode: 'factored', layers: [1], saved_checkpoint: saved });
    expect(j.calibration).toMatchObject({ sequences: 8, window: 16, tokens: 128 });
    expect(j.windows).toMatchObject({ calibration: 8, mask: 8, refit_fit: 8 });
    expect(j.heads.map((h: { layer: number }) => h.layer)).toEqual([1, 1, 1, 1]);
    expect(j.heads.every((h: { attention_error: number }) => h.attention_error > 0 && h.attention_error < 2)).toBe(true);
    expect(j.pruned.cross_entropy).not.toBe(j.dense.cross_entropy);

    // Same names, shapes, dtypes and offsets; only layer 1's c_attn weight changed, never a bias.
    const a = await tensors(`${FIX}tiny-f32.safetensors`);
    const b = await tensors(saved);
    expect([...b.h.tensors.keys()].sort()).toEqual([...a.h.tensors.keys()].sort());
    for (const [name, t] of a.h.tensors) {
      const u = b.h.tensors.get(name)!;
      expect({ dtype: u.dtype, shape: u.shape, begin: u.begin, end: u.end }, name).toEqual({ dtype: t.dtype, shape: t.shape, begin: t.begin, end: t.end });
      const same =
        Buffer.compare(a.bytes.subarray(a.h.dataStart + t.begin, a.h.dataStart + t.end), b.bytes.subarray(b.h.dataStart + u.begin, b.h.dataStart + u.end)) ===
        0;
      expect(same, name).toBe(!/h\.1\.attn\.c_attn\.weight$/.test(name));
    }
    expect(b.h.metadata).toMatchObject({
      pruning_method: 'magnitude',
      pruning_refit: 'linear',
      pruning_sparsity: '0.5',
      pruning_mode: 'factored',
      pruning_layers: '1',
    });
    expect(b.h.metadata.pruning_calibration).toContain('8 windows of 16 tokens');
    expect(b.h.metadata.format).toBe(a.h.metadata.format);
  });

  // With no refit the kept weights are the file's own values, so F16/BF16 reload exactly too (1e-6).
  for (const file of ['tiny-f16.safetensors', 'tiny-prefixed-lm-head-f16.safetensors', 'tiny-bf16.safetensors'])
    it(`${file}: the saved checkpoint reloads with the pruned cross-entropy (no refit: 1e-6)`, async () => {
      const { gap } = await pruneSaveReload(file, join(dir, `none-${file}`), '--method', 'wanda', '--sparsity', '0.5', '--layers', '1');
      expect(gap).toBeLessThan(1e-6);
    });

  it('BF16 with the attention refit: the refitted weights are rounded to 8 bits of mantissa when saved (within 1e-2 nats)', async () => {
    const flags = ['--method', 'wanda', '--sparsity', '0.5', '--refit', 'attention', '--layers', '0'];
    const { gap } = await pruneSaveReload('tiny-bf16.safetensors', join(dir, 'refit-bf16.safetensors'), ...flags);
    // Measured here: 2.1e-4 nats.
    expect(gap).toBeLessThan(1e-2);
  });

  it('generate --checkpoint --prune R.json continues a prompt as the saved pruned checkpoint does (same seed)', async () => {
    const saved = join(dir, 'gen.safetensors');
    const report = join(dir, 'gen.json');
    const r = await prune('tiny-f32.safetensors', '--method', 'wanda', '--sparsity', '0.7', '--save-checkpoint', saved, '--out', report);
    expect(r.code, r.stderr).toBe(0);
    const gen = (file: string, ...more: string[]) =>
      cliInProcess(
        'generate',
        '--checkpoint',
        file,
        '--config',
        CONFIG,
        '--prompt',
        'The jury said',
        '--tokens',
        '12',
        '--temperature',
        '1',
        '--seed',
        '3',
        ...more,
      );
    const withPrune = await gen(`${FIX}tiny-f32.safetensors`, '--prune', report);
    expect(withPrune.code, withPrune.stderr).toBe(0);
    expect(withPrune.stdout).toBe((await gen(saved)).stdout);
    // …and not as the dense model does (so the file was applied).
    expect(withPrune.stdout).not.toBe((await gen(`${FIX}tiny-f32.safetensors`)).stdout);
    // A prune file of another shape is refused before the weights load.
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ overrides: [{ layer: 5, head: 0, kind: 'factored', Wq: [], Wk: [] }] }));
    const bad = await gen(`${FIX}tiny-f32.safetensors`, '--prune', other);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: --prune .*overrides\[0\]\.layer must be an integer in \[0, 1\]/);
  });

  it('merged mode folds the biases and says so; it cannot be saved', async () => {
    const r = await prune('tiny-f32.safetensors', '--method', 'sparsegpt', '--sparsity', '0.5', '--mode', 'merged', '--layers', '0');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.biases).toContain('(d+1)×(d+1)');
    expect(j.heads[0].total).toBe(17 * 17);
    const s = await prune(
      'tiny-f32.safetensors',
      '--method',
      'wanda',
      '--sparsity',
      '0.5',
      '--mode',
      'merged',
      '--save-checkpoint',
      join(dir, 'm.safetensors'),
    );
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/^error: --save-checkpoint needs --mode factored: a merged .* not expressible as GPT-2 weights\n$/);
  });

  it('bad flags and files: exit 1 with one error line', async () => {
    const short = join(dir, 'short.txt');
    writeFileSync(short, 'Too short.');
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, new Uint8Array(5));
    const cases: [string[], RegExp][] = [
      [['--method', 'wanda', '--sparsity', '0.5', '--layers', '2'], /--layers: layer 2 is out of range \(the model has 2/],
      [['--method', 'wanda', '--sparsity', '0.5', '--layers', '0,0'], /--layers: "0,0" names a layer twice/],
      [['--method', 'wanda', '--nm', '2:4', '--mode', 'merged'], /--nm 2:4: the merged matrices have 17 rows/],
      [['--method', 'nope', '--sparsity', '0.5'], /unknown method "nope"/],
      [['--method', 'wanda', '--sparsity', '0.5', '--out', TEXT], /--out/],
    ];
    for (const [flags, re] of cases) {
      const r = await prune('tiny-f32.safetensors', ...flags);
      expect(r.code, flags.join(' ')).toBe(1);
      expect(r.stderr, flags.join(' ')).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // Whole command lines (no defaults from `prune`): the window, a short text, a bad file, a missing flag.
    const base = ['--checkpoint', `${FIX}tiny-f32.safetensors`, '--method', 'wanda', '--sparsity', '0.5'];
    const lines: [string[], RegExp][] = [
      [
        [...base, '--config', CONFIG, '--calib-text', TEXT, '--eval-text', TEXT, '--window', '65'],
        /^error: --window 65 is longer than the model's 64 positions\n$/,
      ],
      [[...base, '--config', CONFIG, '--calib-text', short, '--eval-text', TEXT], /--calib-text .*fewer than one calibration window of 64/],
      [['--checkpoint', bad, '--calib-text', TEXT, '--eval-text', TEXT, '--method', 'wanda', '--sparsity', '0.5'], /^error: --checkpoint .*bad\.safetensors: /],
      [[...base, '--eval-text', TEXT], /--calib-text is required/],
    ];
    for (const [line, re] of lines) {
      const r = await cliInProcess('model-prune', ...line);
      expect(r.code, line.join(' ')).toBe(1);
      expect(r.stderr, line.join(' ')).toMatch(re);
    }
  });
});
