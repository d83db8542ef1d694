/**
 * `eval --checkpoint` and `generate --checkpoint` as a user meets them (in-process): the JSON
 * fields, the windowing flag, greedy generation, and every bad file as exit 1 with one
 * `error: --checkpoint F: …` line naming what is wrong, within seconds.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliInProcess } from '../../helpers/cli.ts';
import { rawSafetensors, splitSafetensors } from '../../helpers/gpt2Files.ts';

const FIX = new URL('../../fixtures/gpt2/', import.meta.url).pathname;
const F32 = `${FIX}tiny-f32.safetensors`;
const CONFIG = `${FIX}config.json`;
const TEXT = `${FIX}sample.txt`;

describe('eval --checkpoint', () => {
  it('prints tokens, cross_entropy and perplexity, and the model it read', async () => {
    const r = await cliInProcess('eval', '--checkpoint', F32, '--config', CONFIG, '--text', TEXT);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tokens).toBe(j.text_tokens - j.windows);
    expect(j.window).toBe(64);
    expect(j.perplexity).toBeCloseTo(Math.exp(j.cross_entropy), 6);
    expect(j.model).toMatchObject({
      layers: 2,
      heads: 4,
      d_model: 16,
      vocab: 50257,
      positions: 64,
      dtypes: ['F32'],
      tied_lm_head: true,
      activation: 'gelu_new',
    });
    // --n-head instead of config.json: the same model, the same number.
    const n = await cliInProcess('eval', '--checkpoint', F32, '--n-head', '4', '--text', TEXT);
    expect(n.code, n.stderr).toBe(0);
    expect(JSON.parse(n.stdout).cross_entropy).toBe(j.cross_entropy);
    // A shorter window: more windows, fewer scored tokens.
    const w = JSON.parse((await cliInProcess('eval', '--checkpoint', F32, '--config', CONFIG, '--text', TEXT, '--window', '16')).stdout);
    expect(w.windows).toBe(Math.ceil(j.text_tokens / 16));
    expect(w.tokens).toBe(j.text_tokens - w.windows);
  });

  it('generate --checkpoint is greedy by default and reproducible; sampling follows --seed', async () => {
    const args = ['generate', '--checkpoint', F32, '--config', CONFIG, '--prompt', 'Hello world', '--tokens', '5'];
    const a = await cliInProcess(...args);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.startsWith('Hello world')).toBe(true);
    expect(a.stdout.length).toBeGreaterThan('Hello world\n'.length);
    expect((await cliInProcess(...args)).stdout).toBe(a.stdout);
    const s1 = await cliInProcess(...args, '--temperature', '1', '--seed', '2');
    expect(s1.code, s1.stderr).toBe(0);
    expect((await cliInProcess(...args, '--temperature', '1', '--seed', '2')).stdout).toBe(s1.stdout);
  });
});

describe('bad checkpoints and flags: exit 1, one error line, within seconds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpt2-cli-'));
  const good = new Uint8Array(readFileSync(F32));
  const { header, data } = splitSafetensors(good);
  const file = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const edited = (name: string, change: Record<string, unknown>) => rawSafetensors({ ...header, [name]: { ...(header[name] as object), ...change } }, data);
  const { 'h.1.mlp.c_fc.bias': _dropped, ...withoutFcBias } = header;
  const wpe = header['wpe.weight'] as { data_offsets: [number, number] };
  mkdirSync(join(dir, 'a-directory.safetensors'));

  const cases: [string, string, RegExp][] = [
    ['truncated to 4 bytes', file('tiny4.safetensors', good.slice(0, 4)), /the file is truncated: 4 bytes/],
    ['truncated mid-data', file('cut.safetensors', good.slice(0, good.byteLength - 1000)), /run past the end of the data .*truncated/],
    ['header length past the end', file('hlen.safetensors', good.slice(0, 64)), /header length \d+ runs past the end of the file \(64 bytes\)/],
    ['header length absurd', file('absurd.safetensors', rawSafetensors({}, new Uint8Array(0), 1n << 50n)), /header length \d+ is absurd/],
    ['header not JSON', file('notjson.safetensors', rawSafetensors('this is not json at all', data)), /the header is not JSON/],
    [
      'offsets out of range',
      file('range.safetensors', edited('ln_f.bias', { data_offsets: [data.byteLength, data.byteLength + 64] })),
      /"ln_f\.bias": data_offsets .* run past the end of the data/,
    ],
    [
      'overlapping offsets',
      file('overlap.safetensors', edited('ln_f.bias', { data_offsets: [wpe.data_offsets[0], wpe.data_offsets[0] + 64] })),
      /overlap in the data/,
    ],
    ['unsupported dtype', file('dtype.safetensors', edited('wpe.weight', { dtype: 'I32' })), /"wpe\.weight": dtype I32 is not supported/],
    [
      'shape not matching bytes',
      file('shape.safetensors', edited('wpe.weight', { shape: [65, 16] })),
      /"wpe\.weight": shape \[65, 16\] of F32 is 4,160 bytes, but its data_offsets hold 4,096 bytes/,
    ],
    ['missing tensor', file('missing.safetensors', rawSafetensors(withoutFcBias, data)), /missing tensor "h\.1\.mlp\.c_fc\.bias"/],
    [
      'not a GPT-2',
      file('llama.safetensors', rawSafetensors({ 'model.embed_tokens.weight': { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }, new Uint8Array(8))),
      /not a GPT-2/,
    ],
    ['a directory', join(dir, 'a-directory.safetensors'), /is a directory/],
    ['a missing file', join(dir, 'nope.safetensors'), /file not found/],
    ['a device (/dev/zero), never read', '/dev/zero', /is a character device; only regular files are read/],
  ];
  for (const [name, path, message] of cases) {
    it(name, async () => {
      const t0 = performance.now();
      const r = await cliInProcess('eval', '--checkpoint', path, '--config', CONFIG, '--text', TEXT);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`error: --checkpoint ${path}: `)).toBe(true);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(performance.now() - t0).toBeLessThan(5000);
    });
  }

  const flagCases: [string, string[], RegExp][] = [
    [
      '--window longer than the positions',
      ['eval', '--checkpoint', F32, '--config', CONFIG, '--text', TEXT, '--window', '65'],
      /--window 65 is longer than the model's 64 positions/,
    ],
    ['--window 1', ['eval', '--checkpoint', F32, '--config', CONFIG, '--text', TEXT, '--window', '1'], /--window must be an integer >= 2/],
    ['no --text', ['eval', '--checkpoint', F32, '--config', CONFIG], /--text is required/],
    [
      'a text of one token',
      ['eval', '--checkpoint', F32, '--config', CONFIG, '--text', file('one.txt', new TextEncoder().encode('Hello'))],
      /1 token, nothing to score/,
    ],
    ['--config not JSON', ['eval', '--checkpoint', F32, '--config', TEXT, '--text', TEXT], /--config .*: not JSON/],
    ['no heads for a non-standard width', ['eval', '--checkpoint', F32, '--text', TEXT], /give --n-head/],
    [
      'generate --tokens above the limit',
      ['generate', '--checkpoint', F32, '--config', CONFIG, '--prompt', 'a', '--tokens', '257'],
      /--tokens must be <= 256 with --checkpoint/,
    ],
    ['an unknown flag', ['eval', '--checkpoint', F32, '--model', 'brown-char'], /unknown option --model/],
  ];
  for (const [name, args, message] of flagCases) {
    it(name, async () => {
      const r = await cliInProcess(...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
