/**
 * The CLI under hostile input (issue 12): files that are not regular files or are too
 * large, numbers above the documented limits (src/cli/limits.ts), results that are
 * not finite, outputs that would fail or destroy an input, repeated or contradictory
 * flags, malformed `--prune` files, characters outside the model (named by code point).
 * Every case asserts the exit code (1 bad input, 2 the numbers failed; never 3, a bug),
 * one `error: …` line on stderr naming the flag or file, and nothing on stdout.
 * Most run in-process; FIFOs and devices run in a child with a timeout, so a
 * regression would fail instead of hanging the suite. No model weights are loaded:
 * every model case is refused before the weights load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliInProcess, ROOT } from '../../helpers/cli.ts';
import { NumericalError } from '../../../src/core/errors.ts';
import { UsageError } from '../../../src/cli/args.ts';
import { firstNonFinite, readInputFile, stringifyFinite } from '../../../src/cli/io.ts';
import { FILE_MAX_BYTES, FLAG_MAX } from '../../../src/cli/limits.ts';
import { readProblem } from '../../../src/cli/problemFile.ts';
import { parsePruneFile } from '../../../src/cli/pruneFile.ts';
import { calibrationFromText, CalibrationTextError, showCharacter } from '../../../src/model/calibrationText.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-hostile-'));
const write = (name: string, text: string | Buffer): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const json = (name: string, value: unknown): string => write(name, JSON.stringify(value));

/** A small valid problem (n = 6, d = 4) and the two scales that used to print NaN/null. */
function gaussianProblem(seed: number, sx: number, sw: number) {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  return {
    X: Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => sx * r())),
    W: Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => sw * r())),
  };
}
const P = json('p.json', gaussianProblem(1, 1, 1));
const HUGE = json('huge.json', gaussianProblem(2, 1.79e308, 1.79e308));
const STD1E3 = json('std1e3.json', gaussianProblem(3, 3.4e3, 3.4e3));
const FIFO = join(dir, 'fifo');
execFileSync('mkfifo', [FIFO]);

/** [name, argv, message, exit code] */
type Case = [string, string[], RegExp, 1 | 2];

function expectError(r: { code: number; stdout: string; stderr: string }, code: 1 | 2, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !/^(solve|model-prune|sweep):/.test(l));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at |\uFFFD|[\uD800-\uDFFF]/u);
}

function runCases(cases: Case[]): void {
  for (const [name, args, message, code] of cases) {
    it(`${name}: exit ${code}`, async () => expectError(await cliInProcess(...args), code, message));
  }
}

/**
 * The CLI in a child process that is killed after `timeoutMs` (a hang fails the test instead
 * of the suite). A refusal takes a second or two; the limit is generous because four
 * children starting tsx at once took over 30 s with both cores busy (load average about 30).
 */
function cliChild(args: string[], timeoutMs = 90_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('input files: only regular files, with a size limit, never blocking', () => {
  it('--problem /dev/zero, a FIFO with no writer, a directory: exit 1 at once (child processes)', async () => {
    const t0 = Date.now();
    const [zero, fifo, directory] = await Promise.all([
      cliChild(['solve', '--problem', '/dev/zero', '--sparsity', '0.5']),
      cliChild(['solve', '--problem', FIFO, '--sparsity', '0.5']),
      cliChild(['solve', '--problem', dir, '--sparsity', '0.5']),
    ]);
    expectError(zero, 1, /--problem \/dev\/zero: is a character device; only regular files are read/);
    expectError(fifo, 1, /--problem .*fifo: is a FIFO \(named pipe\); only regular files are read/);
    expectError(directory, 1, /--problem .*: is a directory; only regular files are read/);
    expect(Date.now() - t0).toBeLessThan(25_000);
  });

  it('--calib-text and --prune: /dev/zero and a FIFO are refused too (child processes)', async () => {
    const [calibZero, calibFifo, pruneZero, pruneFifo] = await Promise.all([
      cliChild(['model-prune', '--model', 'brown-char', '--method', 'magnitude', '--sparsity', '0.5', '--calib-text', '/dev/zero']),
      cliChild(['sweep', '--model', 'brown-char', '--calib-text', FIFO]),
      cliChild(['generate', '--model', 'induction', '--prompt', 'abc', '--prune', '/dev/zero']),
      cliChild(['generate', '--model', 'induction', '--prompt', 'abc', '--prune', FIFO]),
    ]);
    expectError(calibZero, 1, /--calib-text \/dev\/zero: is a character device/);
    expectError(calibFifo, 1, /--calib-text .*fifo: is a FIFO/);
    expectError(pruneZero, 1, /--prune \/dev\/zero: is a character device/);
    expectError(pruneFifo, 1, /--prune .*fifo: is a FIFO/);
  }, 120_000);

  const big = join(dir, 'big-valid.json');
  beforeAll(() => {
    // A valid 200 MB problem: a tiny problem followed by 200 MB of JSON whitespace.
    const head = Buffer.from(
      JSON.stringify({
        X: [[1, 2]],
        W: [
          [0.1, 0.2],
          [0.3, 0.4],
        ],
      }),
    );
    writeFileSync(big, Buffer.concat([head, Buffer.alloc(200 * 1024 * 1024, 0x20)]));
  });
  afterAll(() => rmSync(big, { force: true }));

  runCases([
    [
      '--problem, a valid problem of 200 MB',
      ['solve', '--problem', big, '--method', 'magnitude', '--sparsity', '0.5'],
      /--problem .*big-valid\.json: file too large \(200\.0 MB; at most 64\.0 MB\)/,
      1,
    ],
    ['--problem, a directory (in-process)', ['solve', '--problem', dir, '--sparsity', '0.5'], /is a directory/, 1],
    ['--problem, a missing file', ['solve', '--problem', join(dir, 'nope.json'), '--sparsity', '0.5'], /--problem .*nope\.json: file not found/, 1],
    ['--problem, not UTF-8', ['solve', '--problem', write('latin1.json', Buffer.from([0x7b, 0xe9, 0x7d])), '--sparsity', '0.5'], /not valid UTF-8/, 1],
    [
      'model-prune --calib-text, a directory (before the model loads)',
      ['model-prune', '--model', 'brown-char', '--method', 'magnitude', '--sparsity', '0.5', '--calib-text', dir],
      /--calib-text .*: is a directory; only regular files are read/,
      1,
    ],
    [
      'sweep --calib-text, a missing file',
      ['sweep', '--model', 'brown-char', '--calib-text', join(dir, 'missing.txt')],
      /--calib-text .*missing\.txt: file not found/,
      1,
    ],
  ]);

  it('the limit is a constant: readProblem with a lower one refuses a valid file as too large', () => {
    expect(FILE_MAX_BYTES.problem).toBe(64 * 1024 * 1024);
    expect(() => readProblem(P, 100)).toThrow(UsageError);
    expect(() => readProblem(P, 100)).toThrow(/file too large \(\d+ bytes; at most 100 bytes\)/);
    expect(readProblem(P).W.rows).toBe(4);
    expect(() => readInputFile(FIFO, 'x', 10)).toThrow(/is a FIFO/);
  });
});

describe('documented upper limits: refused with exit 1 before any work', () => {
  runCases([
    [
      'solve --iters 1e9',
      ['solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', '--iters', '1e9'],
      /--iters must be <= 100000, the documented limit \(got 1e9\)/,
      1,
    ],
    ['solve --iters 100001', ['solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', '--iters', '100001'], /--iters must be <= 100000/, 1],
    [
      'model-prune --calib-seqs 1e9',
      ['model-prune', '--model', 'brown-char', '--method', 'gd', '--sparsity', '0.5', '--calib-seqs', '1e9'],
      /--calib-seqs must be <= 512/,
      1,
    ],
    [
      'model-prune --eval-seqs 1e9',
      ['model-prune', '--model', 'brown-char', '--method', 'gd', '--sparsity', '0.5', '--eval-seqs', '1e9'],
      /--eval-seqs must be <= 10000/,
      1,
    ],
    [
      'model-prune --iters 1e9',
      ['model-prune', '--model', 'induction', '--method', 'gd', '--sparsity', '0.5', '--iters', '1e9'],
      /--iters must be <= 100000/,
      1,
    ],
    ['sweep --calib-seqs 1e9', ['sweep', '--model', 'induction', '--calib-seqs', '1e9'], /--calib-seqs must be <= 512/, 1],
    ['sweep --eval-seqs 1e9', ['sweep', '--model', 'induction', '--eval-seqs', '1e9'], /--eval-seqs must be <= 10000/, 1],
    ['generate --tokens 1e7', ['generate', '--model', 'brown-char', '--prompt', 'The', '--tokens', '1e7'], /--tokens must be <= 2000/, 1],
    ['generate --tokens 2001', ['generate', '--model', 'induction', '--prompt', 'abc', '--tokens', '2001'], /--tokens must be <= 2000/, 1],
    ['synth --n 1e9 (was "Invalid typed array length", exit 3)', ['synth', '--n', '1e9'], /--n must be <= 4096/, 1],
    ['synth --d 1e5 (was exit 3)', ['synth', '--d', '1e5'], /--d must be <= 256/, 1],
    ['synth --scale 1e300', ['synth', '--scale', '1e300'], /--scale must be <= 1000000/, 1],
  ]);

  it('the limits are the documented ones, and the usage text prints them', async () => {
    expect(FLAG_MAX).toMatchObject({ iters: 100_000, 'calib-seqs': 512, 'eval-seqs': 10_000, tokens: 2_000, n: 4_096, d: 256 });
    const help = await cliInProcess('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/limits: --iters <= 100000, --calib-seqs <= 512, --eval-seqs <= 10000, --tokens <= 2000, --n <= 4096, --d <= 256/);
    expect(help.stdout).toMatch(/--problem 64 MB, --calib-text 16 MB, --prune 16 MB/);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const [flag, max] of Object.entries(FLAG_MAX))
      expect(readme, `README names --${flag} <= ${max}`).toContain(`--${flag}\` ≤ ${max.toLocaleString('en-US')}`);
  });

  it('at the limit is accepted: synth --n 4096 --d 1 and --d 256 --n 1', async () => {
    expect((await cliInProcess('synth', '--n', '4096', '--d', '1')).code).toBe(0);
    expect((await cliInProcess('synth', '--n', '1', '--d', '256')).code).toBe(0);
  });
});

describe('results that are not finite: exit 2, never NaN or null in the JSON', () => {
  runCases([
    [
      'solve --method magnitude on entries near 1e308',
      ['solve', '--problem', HUGE, '--method', 'magnitude', '--sparsity', '0.5'],
      /not finite: attention_error = NaN \(the attention logits X·W·Xᵀ overflow float64/,
      2,
    ],
    [
      'solve --method wanda on entries near 1e308',
      ['solve', '--problem', HUGE, '--method', 'wanda', '--sparsity', '0.5'],
      /not finite: attention_error = NaN/,
      2,
    ],
    [
      'solve --method gd on entries of std 1e3',
      ['solve', '--problem', STD1E3, '--method', 'gd', '--sparsity', '0.5', '--iters', '20'],
      /not finite: mean_row_kl = Infinity \(the attention logits X·W·Xᵀ can reach .* one-hot/,
      2,
    ],
    [
      'solve --method magnitude on entries of std 1e3',
      ['solve', '--problem', STD1E3, '--method', 'magnitude', '--sparsity', '0.5'],
      /not finite: mean_row_kl = Infinity/,
      2,
    ],
  ]);

  it('the guard names the field, nested too, and catches what JSON.stringify would print as null', () => {
    expect(JSON.stringify({ a: Number.NaN })).toBe('{"a":null}');
    expect(() => stringifyFinite({ a: 1, b: { c: [0, Number.NaN] } })).toThrow(NumericalError);
    expect(() => stringifyFinite({ a: 1, b: { c: [0, Number.NaN] } })).toThrow(/b\.c\[1\] = NaN/);
    expect(firstNonFinite({ rows: [{ x: 1 }, { x: -Infinity }] })).toEqual({ path: 'rows[1].x', value: -Infinity });
    expect(firstNonFinite({ skipped: undefined, ok: [1, 2], s: 'NaN' })).toBeNull();
    expect(stringifyFinite({ a: [1, 2] }, () => 'never called')).toBe('{"a":[1,2]}');
  });

  it('a moderate problem still gives a finite result (exit 0)', async () => {
    const r = await cliInProcess('solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', '--iters', '20');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/null|NaN/);
  });
});

/** Logits near 1e300 (entries 1e100): softmax rows one-hot, so pruned rows can have an infinite KL. */
const ONE_HOT = json('one-hot.json', gaussianProblem(3, 1e100, 1e100));

describe('no null for a number (issue 20): what was not measured says so in words; a failed step search exits 2', () => {
  runCases([
    [
      'solve --method gd --eta 1e308: the Armijo search gives up, exit 2 as on the fixed-step path',
      ['solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', '--eta', '1e308'],
      /the Armijo step search gave up at iteration 0: none of 61 trial steps, from 10³⁰⁸ .* lowered L; the smoothness bound guarantees descent for eta <= /,
      2,
    ],
    [
      'solve --method gd --step fixed --eta 1e308: diverges, exit 2',
      ['solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', '--eta', '1e308', '--step', 'fixed'],
      /gradient descent diverged at iteration 1/,
      2,
    ],
  ]);

  for (const [flag, reason] of [
    [['--iters', '0'], /no step accepted: no iteration was asked for \(iters = 0\)/],
    [['--lambda', '0'], /no step accepted: the gradient is zero at iteration 0 \(a stationary point\)/],
  ] as const) {
    it(`solve --method gd ${flag.join(' ')}: exit 0, the step and the rate in words, no null`, async () => {
      const r = await cliInProcess('solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', ...flag);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/null|NaN/);
      const c = JSON.parse(r.stdout).convergence;
      expect(c.accepted_step).toMatch(reason);
      expect(c.observed_linear_rate).toBe('not measured: the loss did not move');
      expect(typeof c.smoothness_bound_beta).toBe('number');
    });
  }

  it('a run that moves reports its steps and rate as numbers, and why it stopped', async () => {
    const r = await cliInProcess('solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', '--iters', '20');
    const c = JSON.parse(r.stdout).convergence;
    expect(c.stopped).toBe('ran all 20 iterations');
    expect(typeof c.accepted_step.min).toBe('number');
    expect(typeof c.observed_linear_rate).toBe('number');
  });
});

describe('one rule for every method on a problem whose logits reach ~1e300 (issue 20)', () => {
  const rule = /not finite: .*mean_row_kl = Infinity \(the attention logits X·W·Xᵀ can reach .* one-hot/;
  runCases(
    (['gd', 'magnitude', 'wanda', 'sparsegpt', 'exhaustive'] as const).map(
      (m): Case => [`solve --method ${m}`, ['solve', '--problem', ONE_HOT, '--method', m, '--sparsity', '0.5'], rule, 2],
    ),
  );
  it('exhaustive names the ranked method whose result is not finite', async () => {
    const r = await cliInProcess('solve', '--problem', ONE_HOT, '--method', 'exhaustive', '--sparsity', '0.5');
    expect(r.stderr).toMatch(/ranked_results\.gd\.mean_row_kl = Infinity/);
  });
  it('exhaustive is refused as soon as one ranked method is (here only SparseGPT is)', async () => {
    const mixed = json('one-hot-mixed.json', gaussianProblem(5, 1e100, 1e100));
    const code = async (m: string) => (await cliInProcess('solve', '--problem', mixed, '--method', m, '--sparsity', '0.5')).code;
    expect([await code('gd'), await code('sparsegpt'), await code('exhaustive')]).toEqual([0, 2, 2]);
  });
});

describe('--out: an output that would fail or destroy an input is exit 1, before any work', () => {
  const twin = join(dir, 'twin.json');
  const sym = join(dir, 'sym.json');
  beforeAll(() => {
    linkSync(P, twin);
    symlinkSync(P, sym);
    mkdirSync(join(dir, 'sub'));
  });
  runCases([
    [
      'solve --out into a missing directory',
      ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.5', '--out', join(dir, 'missing', 'r.json')],
      /--out .*missing\/r\.json: the directory .*missing does not exist/,
      1,
    ],
    [
      'solve --out onto a directory',
      ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.5', '--out', join(dir, 'sub')],
      /--out .*sub: is a directory; give a file name/,
      1,
    ],
    [
      'solve --out equal to --problem',
      ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.5', '--out', P],
      /--out .*p\.json: is the input file .*p\.json; writing it would overwrite the input/,
      1,
    ],
    ['solve --out a hard link of --problem', ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.5', '--out', twin], /is the input file/, 1],
    ['solve --out a symlink to --problem', ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.5', '--out', sym], /is the input file/, 1],
    ['solve --out onto a FIFO', ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.5', '--out', FIFO], /--out .*fifo: is a FIFO/, 1],
    ['solve --out ""', ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.5', '--out', ''], /--out needs a file name/, 1],
    ['synth --out into a missing directory', ['synth', '--out', join(dir, 'missing', 'p.json')], /--out .*does not exist/, 1],
    ['synth --out onto a directory', ['synth', '--out', dir], /--out .*: is a directory/, 1],
    [
      'model-prune --out into a missing directory (before the model loads)',
      ['model-prune', '--model', 'induction', '--method', 'magnitude', '--sparsity', '0.5', '--out', join(dir, 'missing', 'R.json')],
      /--out .*does not exist/,
      1,
    ],
    [
      'model-prune --out equal to --calib-text',
      ['model-prune', '--model', 'brown-char', '--method', 'magnitude', '--sparsity', '0.5', '--calib-text', P, '--out', P],
      /is the input file/,
      1,
    ],
  ]);

  it('the input is left untouched', () => {
    expect(JSON.parse(readFileSync(P, 'utf8')).W).toHaveLength(4);
  });
});

describe('flags: each at most once; --nm fixes the sparsity', () => {
  runCases([
    [
      '--sparsity 0.3 --sparsity 0.7',
      ['solve', '--problem', P, '--method', 'magnitude', '--sparsity', '0.3', '--sparsity', '0.7'],
      /--sparsity given twice/,
      1,
    ],
    ['--sparsity=0.3 --sparsity 0.7', ['solve', '--problem', P, '--method', 'magnitude', '--sparsity=0.3', '--sparsity', '0.7'], /--sparsity given twice/, 1],
    ['--clip --clip', ['solve', '--problem', P, '--method', 'gd', '--sparsity', '0.5', '--clip', '--clip'], /--clip given twice/, 1],
    ['--problem twice', ['solve', '--problem', P, '--problem', P, '--sparsity', '0.5'], /--problem given twice/, 1],
    ['model-prune --model twice', ['model-prune', '--model', 'induction', '--model', 'brown-char', '--sparsity', '0.5'], /--model given twice/, 1],
    [
      'solve --nm 2:4 --sparsity 0.9',
      ['solve', '--problem', P, '--method', 'wanda', '--nm', '2:4', '--sparsity', '0.9'],
      /--nm 2:4 fixes the sparsity at 0\.5, but --sparsity gives 0\.9/,
      1,
    ],
    [
      'model-prune --nm 2:4 --sparsity 0.9',
      ['model-prune', '--model', 'induction', '--method', 'wanda', '--nm', '2:4', '--sparsity', '0.9'],
      /--nm 2:4 fixes the sparsity at 0\.5/,
      1,
    ],
    [
      'sweep --nm 2:4 --sparsities 0.3,0.5',
      ['sweep', '--model', 'induction', '--nm', '2:4', '--sparsities', '0.3,0.5'],
      /--nm 2:4 fixes the sparsity at 0\.5, but --sparsities gives 0\.3/,
      1,
    ],
  ]);

  it('--nm 2:4 with --sparsity 0.5 (= N/M, the documented rule) runs', async () => {
    const r = await cliInProcess('solve', '--problem', P, '--method', 'magnitude', '--nm', '2:4', '--sparsity', '0.5');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).nm).toBe('2:4');
  });
});

describe('no command', () => {
  for (const argv of [[], [''], ['  ']]) {
    it(`${JSON.stringify(argv)}: the usage on stderr, exit 1, nothing on stdout`, async () => {
      const r = await cliInProcess(...argv);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: no command given\nusage: /);
    });
  }
});

describe('generate --prune: the schema is validated fully against the model (induction: 2 layers, 4 heads, d = 64, d_h = 16)', () => {
  const d = 64;
  const merged = (extra: Record<string, unknown> = {}) => ({ layer: 0, head: 0, kind: 'merged', W: Array(d * d).fill(0.01), ...extra });
  const factored = (extra: Record<string, unknown> = {}) => ({
    layer: 1,
    head: 3,
    kind: 'factored',
    Wq: Array(d * 16).fill(0.01),
    Wk: Array(d * 16).fill(0.01),
    ...extra,
  });
  const file = (name: string, overrides: unknown, model: unknown = 'induction') => json(name, { model, overrides });
  const gen = (f: string) => ['generate', '--model', 'induction', '--prompt', 'abcabc', '--tokens', '3', '--prune', f];
  const bigW = Array(d * d).fill(0.01);
  bigW[5] = 1e300;
  const strW = Array(d * d).fill(0.01);
  strW[7] = '0.5';
  runCases([
    ['null', gen(write('null.json', 'null')), /--prune .*null\.json: must be a JSON object .* got null/, 1],
    ['an array', gen(write('array.json', '[]')), /must be a JSON object/, 1],
    ['not JSON', gen(write('notjson.json', '{"overrides": [')), /--prune .*: not valid JSON/, 1],
    ['no overrides', gen(json('noov.json', { model: 'induction' })), /no "overrides" array/, 1],
    ['"overrides": null', gen(file('ovnull.json', null)), /no "overrides" array/, 1],
    ['another model', gen(file('other.json', [], 'brown-char')), /was made for model "brown-char", not "induction"/, 1],
    ['a null entry', gen(file('nullentry.json', [null])), /overrides\[0\] must be an object .* got null/, 1],
    ['a wrong-size W', gen(file('wrongw.json', [merged({ W: [1, 2, 3] })])), /overrides\[0\]\.W has 3 entries; the model needs 4096 \(d×d = 64×64\)/, 1],
    ['W null', gen(file('wnull.json', [merged({ W: null })])), /overrides\[0\]\.W must be an array of 4096 numbers .* got null/, 1],
    ['a bogus kind', gen(file('kind.json', [merged({ kind: 'sparse' })])), /overrides\[0\]\.kind must be "merged" or "factored", got the string "sparse"/, 1],
    ['no kind', gen(file('nokind.json', [merged({ kind: undefined })])), /kind must be "merged" or "factored", got undefined/, 1],
    ['a string entry', gen(file('string.json', [merged({ W: strW })])), /overrides\[0\]\.W\[7\] is the string "0\.5", not a number/, 1],
    ['a huge value', gen(file('hugev.json', [merged({ W: bigW })])), /overrides\[0\]\.W\[5\] = 1e\+300 is out of range \(\|v\| <= 1000000\)/, 1],
    [
      'layer 99',
      gen(file('layer99.json', [merged({ layer: 99 })])),
      /overrides\[0\]\.layer must be an integer in \[0, 1\] \(the model has 2 layers\), got 99/,
      1,
    ],
    ['layer -1', gen(file('layerneg.json', [merged({ layer: -1 })])), /layer must be an integer in \[0, 1\]/, 1],
    ['layer 0.5', gen(file('layerfrac.json', [merged({ layer: 0.5 })])), /layer must be an integer/, 1],
    ['layer "0"', gen(file('layerstr.json', [merged({ layer: '0' })])), /layer must be an integer .* got the string "0"/, 1],
    [
      'head 4',
      gen(file('head4.json', [merged({ head: 4 })])),
      /overrides\[0\]\.head must be an integer in \[0, 3\] \(the model has 4 heads per layer\), got 4/,
      1,
    ],
    ['a repeated head', gen(file('twice.json', [merged(), merged()])), /overrides\[1\] repeats layer 0 head 0/, 1],
    ['merged with Wq', gen(file('mixed.json', [merged({ Wq: [] })])), /is merged but has "Wq"\/"Wk"/, 1],
    [
      'factored with a wrong-size Wk',
      gen(file('wk.json', [factored({ Wk: Array(d * d).fill(0) })])),
      /overrides\[0\]\.Wk has 4096 entries; the model needs 1024 \(d×d_h = 64×16\)/,
      1,
    ],
    ['factored without Wq', gen(file('nowq.json', [factored({ Wq: undefined })])), /overrides\[0\]\.Wq must be an array of 1024 numbers/, 1],
    ['factored with W', gen(file('fw.json', [factored({ W: [] })])), /is factored but has "W"/, 1],
    ['a missing file', gen(join(dir, 'missing.json')), /--prune .*missing\.json: file not found/, 1],
    ['a directory', gen(dir), /--prune .*: is a directory/, 1],
  ]);

  it('a valid file passes the schema (merged and factored)', () => {
    const config = {
      name: 'induction',
      vocabSize: 32,
      contextLength: 32,
      dModel: 64,
      nLayers: 2,
      nHeads: 4,
      dMlp: 0,
      activation: 'relu' as const,
      lnEps: 1e-5,
    };
    const heads = parsePruneFile({ model: 'induction', overrides: [merged(), factored()], extra: 'ignored' }, 'R.json', 'induction', config);
    expect(heads.map((h) => [h.layer, h.head, h.override.kind])).toEqual([
      [0, 0, 'merged'],
      [1, 3, 'factored'],
    ]);
  });
});

describe('characters outside the model are named by code point (an emoji is one character)', () => {
  runCases([
    [
      'generate --prompt with an emoji',
      ['generate', '--model', 'brown-char', '--prompt', 'hi \u{1F600}', '--tokens', '5'],
      /--prompt has 1 character the model does not know: “\u{1F600}” \(U\+1F600\) \(brown-char knows 85 characters\)/u,
      1,
    ],
    [
      'generate --prompt with é and an emoji, twice',
      ['generate', '--model', 'brown-char', '--prompt', 'caf\u00e9 \u{1F600}\u{1F600}', '--tokens', '5'],
      /2 characters .*“é” \(U\+00E9\), “\u{1F600}” \(U\+1F600\)/u,
      1,
    ],
    ['generate --prompt with a lone surrogate', ['generate', '--model', 'brown-char', '--prompt', 'a\uD83D', '--tokens', '5'], /does not know: U\+D83D/, 1],
    [
      'generate --model brown-word --prompt with words outside its vocabulary',
      ['generate', '--model', 'brown-word', '--prompt', 'The Ierulli jury said zzyzx', '--tokens', '5'],
      /--prompt has 2 words the model does not know: “Ierulli”, “zzyzx”\. The model learned the 4,000 most frequent words/,
      1,
    ],
    ['generate --model induction --prompt "" (was exit 3)', ['generate', '--model', 'induction', '--prompt', '', '--tokens', '5'], /--prompt is empty/, 1],
  ]);

  it('--calib-text with an emoji names it as U+1F600, not two halves', () => {
    const tok = CharTokenizer.fromText('abcdefghijklmnopqrstuvwxyz .,\n');
    let message = '';
    try {
      calibrationFromText(tok, 'the cat sat on the mat \u{1F600} and \u{1F600} again, and again.', 8, 2);
    } catch (e) {
      expect(e).toBeInstanceOf(CalibrationTextError);
      message = (e as Error).message;
    }
    expect(message).toContain('1 character the model never saw in training: “\u{1F600}” (U+1F600)');
    expect(message).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(showCharacter('\t')).toBe('tab (U+0009)');
    expect(showCharacter('\u0007')).toBe('U+0007');
    expect(showCharacter('x')).toBe('“x”');
  });
});
