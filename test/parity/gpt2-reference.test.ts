/**
 * The CLI's GPT-2 cross-entropy against the independent numpy reference
 * (scripts/reference/gpt2_reference.py, written from the architecture), on every committed
 * fixture: equal to 1e-3 nats. And the check has teeth: the reference with a deliberately
 * wrong convention (q and k swapped; Conv1D weights read as [out, in]) misses by more.
 * Skipped, saying why, only when python3 with numpy is not installed. The CLI and python run
 * as child processes (never blocking this worker's event loop for long).
 */
import { describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gpt2Tokenizer } from '../../src/model/gpt2/tokenizer.ts';
import { cliJson, ROOT } from '../helpers/cli.ts';

const FIX = join(ROOT, 'test/fixtures/gpt2/');
const FIXTURES = ['tiny-f32', 'tiny-f16', 'tiny-bf16', 'tiny-prefixed-lm-head-f16'];
const TOLERANCE = 1e-3;

const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const hasNumpy = numpy.status === 0;
if (!hasNumpy) console.warn(`gpt2-reference: SKIPPED, python3 with numpy is not available (${numpy.error?.message ?? numpy.stderr.trim()})`);

describe.skipIf(!hasNumpy)('GPT-2: the CLI against the numpy reference', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpt2-ref-'));
  const idsFile = join(dir, 'ids.json');
  writeFileSync(idsFile, JSON.stringify(Array.from(new Gpt2Tokenizer().encode(readFileSync(`${FIX}sample.txt`, 'utf8')))));

  async function reference(fixture: string, ...extra: string[]): Promise<{ cross_entropy: number; tokens: number }> {
    const script = join(ROOT, 'scripts/reference/gpt2_reference.py');
    const { stdout } = await promisify(execFile)(
      'python3',
      [script, `${FIX}${fixture}.safetensors`, '--tokens', idsFile, '--config', `${FIX}config.json`, ...extra],
      {
        encoding: 'utf8',
      },
    );
    return JSON.parse(stdout);
  }

  async function cliScore(fixture: string, ...extra: string[]): Promise<{ cross_entropy: number; tokens: number }> {
    return (await cliJson('eval', '--checkpoint', `${FIX}${fixture}.safetensors`, '--config', `${FIX}config.json`, '--text', `${FIX}sample.txt`, ...extra)) as {
      cross_entropy: number;
      tokens: number;
    };
  }

  for (const fixture of FIXTURES) {
    it(`${fixture}: cross-entropy within ${TOLERANCE} nats; wrong conventions are not`, async () => {
      const [ours, ref] = await Promise.all([cliScore(fixture), reference(fixture)]);
      expect(ours.tokens).toBe(ref.tokens);
      expect(Math.abs(ours.cross_entropy - ref.cross_entropy)).toBeLessThan(TOLERANCE);
      for (const wrong of ['swap-qk', 'transpose-conv1d']) {
        const bad = await reference(fixture, '--wrong', wrong);
        expect(Math.abs(ours.cross_entropy - bad.cross_entropy), `${wrong} should fail the check`).toBeGreaterThan(TOLERANCE);
      }
    });
  }

  it('the windowing rule agrees too (--window 16)', async () => {
    const [ours, ref] = await Promise.all([cliScore('tiny-f32', '--window', '16'), reference('tiny-f32', '--window', '16')]);
    expect(ours.tokens).toBe(ref.tokens);
    expect(Math.abs(ours.cross_entropy - ref.cross_entropy)).toBeLessThan(TOLERANCE);
  });
});
