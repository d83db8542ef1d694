/**
 * `model-prune --checkpoint` on worker threads and on a subset of heads (issue 18 items 3 and 5):
 * `--threads 2` prints the JSON of `--threads 1` to the bit (timings apart), a thread's failure
 * is the in-process `error:` line and exit code, and `--heads L.H,…` prunes those heads only
 * (JSON, the saved checkpoint's bytes and __metadata__), every bad value refused in words.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferSource, readSafetensorsHeader } from '../../../src/model/gpt2/safetensors.ts';
import { cliInProcess } from '../../helpers/cli.ts';

const FIX = new URL('../../fixtures/gpt2/', import.meta.url).pathname;
const CONFIG = `${FIX}config.json`;
const TEXT = `${FIX}sample.txt`;
const dir = mkdtempSync(join(tmpdir(), 'gpt2-threads-'));
const D = 16;
const DH = 4;

const prune = (...more: string[]) =>
  cliInProcess(
    'model-prune',
    '--checkpoint',
    `${FIX}tiny-f32.safetensors`,
    '--config',
    CONFIG,
    '--calib-text',
    TEXT,
    '--eval-text',
    TEXT,
    '--window',
    '16',
    ...more,
  );

/** The JSON without what measures time (time_ms, and each compute's time_ms). */
function withoutTimes(stdout: string): string {
  return JSON.stringify(JSON.parse(stdout), (k, v) => (k === 'time_ms' ? undefined : v));
}

describe('model-prune --checkpoint --threads', () => {
  for (const flags of [
    ['--method', 'sparsegpt', '--sparsity', '0.5', '--refit', 'linear'],
    ['--method', 'gd', '--sparsity', '0.6', '--iters', '20'],
  ])
    it(`${flags.join(' ')}: 2 threads give the numbers of 1, to the bit`, async () => {
      const one = await prune(...flags, '--threads', '1');
      const two = await prune(...flags, '--threads', '2');
      expect(one.code, one.stderr).toBe(0);
      expect(two.code, two.stderr).toBe(0);
      expect(withoutTimes(two.stdout)).toBe(withoutTimes(one.stdout));
      // Every head of both layers, in order; the timings were there (and were dropped above).
      const j = JSON.parse(two.stdout);
      expect(j.heads.map((h: { layer: number; head: number }) => `${h.layer}.${h.head}`)).toEqual(['0.0', '0.1', '0.2', '0.3', '1.0', '1.1', '1.2', '1.3']);
      expect(j.time_ms.prune).toBeGreaterThan(0);
    });

  it('a thread that fails (divergence) ends the command as in-process: the same error line, exit 2', async () => {
    const flags = ['--method', 'gd', '--sparsity', '0.5', '--step', 'fixed', '--eta', '1e12', '--iters', '5', '--layers', '1'];
    const one = await prune(...flags, '--threads', '1');
    const two = await prune(...flags, '--threads', '2');
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/^error: gradient descent diverged/);
    expect(two).toEqual(one);
  });

  it('--threads is a whole number from 1', async () => {
    for (const bad of ['0', '1.5', 'x']) {
      const r = await prune('--method', 'wanda', '--sparsity', '0.5', '--threads', bad);
      expect(r.code, bad).toBe(1);
      expect(r.stderr, bad).toMatch(/^error: --threads must be/);
    }
  });
});

describe('model-prune --checkpoint --heads', () => {
  it('prunes only the heads named (layer.head): the JSON, the saved bytes and __metadata__ say so', async () => {
    const saved = join(dir, 'subset.safetensors');
    const r = await prune('--method', 'magnitude', '--sparsity', '0.5', '--heads', '1.2,0.3,1.0', '--save-checkpoint', saved);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    // In model order, whatever the order given.
    expect(j.heads.map((h: { layer: number; head: number }) => `${h.layer}.${h.head}`)).toEqual(['0.3', '1.0', '1.2']);
    expect(j).toMatchObject({ layers: [0, 1], heads_chosen: '0.3,1.0,1.2' });
    expect(j.weights.dense_qk_weights).toBe(3 * 2 * D * DH);
    expect(j.overrides.map((o: { layer: number; head: number }) => `${o.layer}.${o.head}`)).toEqual(['0.3', '1.0', '1.2']);

    // Only the chosen heads' q and k columns of c_attn changed: c_attn.weight is [d, 3d], q | k | v.
    const read = async (file: string) => {
      const bytes = new Uint8Array(readFileSync(file));
      const h = await readSafetensorsHeader(bufferSource(bytes));
      const cAttn = (layer: number) => {
        const t = h.tensors.get(`h.${layer}.attn.c_attn.weight`)!;
        return new Float32Array(bytes.slice(h.dataStart + t.begin, h.dataStart + t.end).buffer);
      };
      return { metadata: h.metadata, cAttn };
    };
    const a = await read(`${FIX}tiny-f32.safetensors`);
    const b = await read(saved);
    const chosen = new Set(['0.3', '1.0', '1.2']);
    for (const layer of [0, 1]) {
      const before = a.cAttn(layer);
      const after = b.cAttn(layer);
      for (let col = 0; col < 3 * D; col++) {
        const part = Math.floor(col / D);
        const head = Math.floor((col % D) / DH);
        const changed = Array.from({ length: D }, (_, row) => before[row * 3 * D + col] !== after[row * 3 * D + col]).some(Boolean);
        // Magnitude at 0.5 zeroes entries of every pruned head's W_Q and W_K columns; V is never touched.
        expect(changed, `layer ${layer} column ${col}`).toBe(part < 2 && chosen.has(`${layer}.${head}`));
      }
    }
    expect(b.metadata).toMatchObject({ pruning_layers: '0,1', pruning_heads: '0.3,1.0,1.2', pruning_method: 'magnitude' });
  });

  it('without --heads every head of the layers is pruned, and the file says "all"', async () => {
    const saved = join(dir, 'all.safetensors');
    const r = await prune('--method', 'wanda', '--sparsity', '0.5', '--layers', '1', '--save-checkpoint', saved);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).heads_chosen).toBe('all');
    const h = await readSafetensorsHeader(bufferSource(new Uint8Array(readFileSync(saved))));
    expect(h.metadata).toMatchObject({ pruning_layers: '1', pruning_heads: 'all' });
  });

  it('bad --heads values: exit 1, one line naming what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--heads', '3'], /^error: --heads: "3" is not layer\.head \(give e\.g\. --heads 3\.0,3\.5/],
      [['--heads', '0.1,'], /^error: --heads: "" is not layer\.head/],
      [['--heads', '0.-1'], /^error: --heads: "0\.-1" is not layer\.head/],
      [['--heads', '0.1,0.1'], /^error: --heads: "0\.1,0\.1" names head 0\.1 twice/],
      [['--heads', '2.0'], /^error: --heads: 2\.0: layer 2 is out of range \(the model has 2: 0 to 1\)/],
      [['--heads', '1.4'], /^error: --heads: 1\.4: head 4 is out of range \(the model has 4 per layer: 0 to 3\)/],
      [['--heads', '1.0', '--layers', '1'], /^error: --heads names each head with its layer \(layer\.head\): give --layers or --heads, not both/],
    ];
    for (const [flags, re] of cases) {
      const r = await prune('--method', 'wanda', '--sparsity', '0.5', ...flags);
      expect(r.code, flags.join(' ')).toBe(1);
      expect(r.stderr, flags.join(' ')).toMatch(re);
      expect(r.stderr.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
