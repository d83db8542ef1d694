/**
 * The model commands as a user meets them, on the shipped `induction` model (small
 * and fast): model-prune's report is internally consistent and reloadable by
 * generate --prune; sweep prints the table; bad input is one line on stderr and exit 1
 * (run in-process: no child start-up per case).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliInChild, cliInProcess } from '../helpers/cli.ts';

describe('model commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-cli-'));

  it('model-prune reports every head, dense and pruned accuracy, and weights that generate reloads', async () => {
    const out = join(dir, 'R.json');
    const r = await cliInChild('model-prune', '--model', 'induction', '--method', 'magnitude', '--sparsity', '0.5', '--eval-seqs', '32', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.heads).toHaveLength(8);
    for (const h of json.heads) {
      expect(h.pruned).toBe(2048);
      expect(h.total).toBe(4096);
      expect(h.attention_error).toBeGreaterThan(0);
    }
    expect(json.dense.accuracy).toBeGreaterThan(0.95);
    expect(json.pruned.accuracy).toBeGreaterThan(0);
    expect(json.mean_attention_error).toBeCloseTo(json.heads.reduce((a: number, h: { attention_error: number }) => a + h.attention_error, 0) / 8, 12);
    expect(json.weights.break_even_sparsity_merged).toBe(0.5);
    expect(json.overrides).toHaveLength(8);
    const g = await cliInChild('generate', '--model', 'induction', '--prompt', 'abcdeabcd', '--tokens', '5', '--temperature', '0', '--prune', out);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout.startsWith('abcdeabcd')).toBe(true);
  });

  it('sweep prints a row per method, refit and sparsity after the dense row', async () => {
    const r = await cliInChild(
      'sweep',
      '--model',
      'induction',
      '--methods',
      'magnitude,wanda',
      '--sparsities',
      '0.5,0.9',
      '--refit',
      'none,linear',
      '--eval-seqs',
      '16',
      '--format',
      'csv',
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('method,refit,sparsity,accuracy,mean_attention_error,evaluations,time_ms');
    // The dense row has no refit; then sparsity, method, refit in that order.
    expect(lines).toHaveLength(1 + 1 + 2 * 2 * 2);
    expect(lines[1].startsWith('dense,,0,')).toBe(true);
    expect(lines.slice(2, 6).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'magnitude,none,0.5',
      'magnitude,linear,0.5',
      'wanda,none,0.5',
      'wanda,linear,0.5',
    ]);
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown model', ['model-prune', '--model', 'gpt5', '--method', 'gd', '--sparsity', '0.5'], /--model must be one of/],
    ['unknown method', ['model-prune', '--model', 'induction', '--method', 'obs', '--sparsity', '0.5'], /unknown method/],
    ['sparsity out of range', ['model-prune', '--model', 'induction', '--method', 'gd', '--sparsity', '1.5'], /\[0, 1\)/],
    ['bad mode', ['model-prune', '--model', 'induction', '--method', 'gd', '--sparsity', '0.5', '--mode', 'both'], /--mode/],
    [
      'calibration text with unknown characters',
      ['model-prune', '--model', 'brown-char', '--method', 'gd', '--sparsity', '0.5', '--calib-text', 'UNKNOWN'],
      /--calib-text \S+: the calibration text has \d+ characters? the model never saw in training/,
    ],
    ['empty calibration text', ['model-prune', '--model', 'brown-char', '--method', 'gd', '--sparsity', '0.5', '--calib-text', 'EMPTY'], /empty/],
    ['missing prune file', ['generate', '--model', 'induction', '--prompt', 'abc', '--prune', 'nope.json'], /file not found/],
  ];
  for (const [name, args, message] of bad) {
    it(`bad input: ${name} (exit 1)`, async () => {
      const resolved = args.map((a) => {
        if (a === 'UNKNOWN') {
          const f = join(dir, 'unknown.txt');
          writeFileSync(f, 'Ünïcödé ☃ snowmen '.repeat(20));
          return f;
        }
        if (a === 'EMPTY') {
          const f = join(dir, 'empty.txt');
          writeFileSync(f, '   \n');
          return f;
        }
        return a;
      });
      const r = await cliInProcess(...resolved);
      expect(r.code).toBe(1);
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
