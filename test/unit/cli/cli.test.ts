/**
 * The command line as a user meets it: stdout parsed as JSON, stderr one line on bad
 * input, the documented exit codes (1 bad input, 2 the numbers failed). Most cases run
 * the CLI in-process (`runCli`); a few run it as a real child process, for the contract
 * (start-up, streams, exit status). Golden outputs live in test/fixtures/golden; a
 * missing one fails the test. Regenerate them with UPDATE_GOLDEN=1 after a deliberate
 * change and review the diff.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliInProcess, ROOT } from '../../helpers/cli.ts';

const GOLDEN = join(ROOT, 'test/fixtures/golden');

function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    const a = actual as number;
    expect(Math.abs(a - expected), `${path}: ${a} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    const keys = Object.keys(expected).filter((k) => k !== 'time_ms');
    expect(
      Object.keys(actual as object)
        .filter((k) => k !== 'time_ms')
        .sort(),
      path,
    ).toEqual(keys.sort());
    for (const k of keys) expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

/** A copy with every `time_ms` (the top level's and compute's) set to 0. */
function zeroTimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(zeroTimes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'time_ms' ? 0 : zeroTimes(x)]));
  return v;
}

describe('cli solve: golden outputs', () => {
  const runs: [string, string[]][] = [
    ['gd', ['--method', 'gd', '--sparsity', '0.5', '--lambda', '0.1', '--eta', '0.05', '--iters', '60']],
    ['gd-causal-clip', ['--method', 'gd', '--sparsity', '0.5', '--causal', '--clip', '--iters', '40']],
    ['magnitude', ['--method', 'magnitude', '--sparsity', '0.5']],
    ['wanda', ['--method', 'wanda', '--sparsity', '0.5']],
    ['sparsegpt', ['--method', 'sparsegpt', '--sparsity', '0.5']],
    ['wanda-2of4', ['--method', 'wanda', '--nm', '2:4']],
    ['exhaustive', ['--method', 'exhaustive', '--sparsity', '0.5', '--iters', '60']],
    ['ria', ['--method', 'ria', '--sparsity', '0.5']],
    ['random-seed3', ['--method', 'random', '--sparsity', '0.5', '--seed', '3']],
    ['magnitude-refit-linear', ['--method', 'magnitude', '--sparsity', '0.5', '--refit', 'linear']],
  ];
  for (const [name, args] of runs) {
    it(`${name} matches test/fixtures/golden/${name}.json`, async () => {
      const r = await cliInProcess('solve', '--problem', join(GOLDEN, 'problem.json'), ...args);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      const file = join(GOLDEN, `${name}.json`);
      // Wall times vary run to run: the files hold 0 (the comparison skips every time_ms, compute's too).
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, JSON.stringify(zeroTimes(out), null, 1) + '\n');
      expect(existsSync(file), `${file} is missing: write it with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expectClose(out, JSON.parse(readFileSync(file, 'utf8')));
      expect(out.time_ms).toBeGreaterThanOrEqual(0);
    });
  }

  it('--out writes the same JSON to a file and nothing to stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const out = join(dir, 'r.json');
    const r = cli('solve', '--problem', join(GOLDEN, 'problem.json'), '--method', 'magnitude', '--sparsity', '0.5', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).method).toBe('magnitude');
  });

  it('synth writes a problem that solve accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const file = join(dir, 'p.json');
    expect(cli('synth', '--n', '6', '--d', '3', '--seed', '4', '--out', file).code).toBe(0);
    const r = cli('solve', '--problem', file, '--method', 'gd', '--sparsity', '0.3', '--iters', '5');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).loss_history).toHaveLength(6);
  });
});

describe('cli solve: bad input is one line on stderr and a non-zero exit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-bad-'));
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const good = {
    X: [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    W: [
      [0.1, 0.2],
      [0.3, 0.4],
    ],
  };
  // [name, arguments, message, exit code]
  const cases: [string, string[], RegExp, 1 | 2][] = [
    ['missing file', ['--problem', join(dir, 'nope.json'), '--method', 'gd', '--sparsity', '0.5'], /not found/, 1],
    ['malformed JSON', ['--problem', write('bad.json', '{"X": [[1,2]'), '--method', 'gd', '--sparsity', '0.5'], /not valid JSON/, 1],
    ['no W', ['--problem', write('now.json', JSON.stringify({ X: good.X })), '--method', 'gd', '--sparsity', '0.5'], /no "W"/, 1],
    ['ragged X', ['--problem', write('ragged.json', JSON.stringify({ ...good, X: [[1, 2], [3]] })), '--method', 'gd', '--sparsity', '0.5'], /ragged/, 1],
    [
      'mismatched shapes',
      ['--problem', write('shape.json', JSON.stringify({ ...good, X: [[1, 2, 3]] })), '--method', 'gd', '--sparsity', '0.5'],
      /shape mismatch/,
      1,
    ],
    ['non-square W', ['--problem', write('square.json', JSON.stringify({ ...good, W: [[1, 2]] })), '--method', 'gd', '--sparsity', '0.5'], /square/, 1],
    ['infinite value', ['--problem', write('inf.json', '{"X": [[1, 2]], "W": [[1e999, 0], [0, 1]]}'), '--method', 'gd', '--sparsity', '0.5'], /not finite/, 1],
    [
      'non-number',
      [
        '--problem',
        write(
          'str.json',
          JSON.stringify({
            ...good,
            W: [
              ['a', 0],
              [0, 1],
            ],
          }),
        ),
        '--method',
        'gd',
        '--sparsity',
        '0.5',
      ],
      /not a number/,
      1,
    ],
    ['sparsity 1', ['--problem', write('ok1.json', JSON.stringify(good)), '--method', 'gd', '--sparsity', '1'], /\[0, 1\)/, 1],
    ['negative sparsity', ['--problem', write('ok2.json', JSON.stringify(good)), '--method', 'gd', '--sparsity', '-0.1'], /\[0, 1\)/, 1],
    ['sparsity not a number', ['--problem', write('ok3.json', JSON.stringify(good)), '--method', 'gd', '--sparsity', 'half'], /finite number/, 1],
    ['unknown method', ['--problem', write('ok4.json', JSON.stringify(good)), '--method', 'obs', '--sparsity', '0.5'], /unknown method/, 1],
    [
      'unknown refit',
      ['--problem', write('ok8.json', JSON.stringify(good)), '--method', 'swap', '--sparsity', '0.5', '--refit', 'ls'],
      /--refit: unknown refit "ls"/,
      1,
    ],
    [
      'a retired id names its recipe (swap-recon)',
      ['--problem', write('ok9.json', JSON.stringify(good)), '--method', 'swap-recon', '--sparsity', '0.5'],
      /unknown method "swap-recon".*--method swap --refit attention/,
      1,
    ],
    [
      'a retired id names its recipe (sparsegpt-recon)',
      ['--problem', write('ok10.json', JSON.stringify(good)), '--method', 'sparsegpt-recon', '--sparsity', '0.5'],
      /--method sparsegpt --refit attention/,
      1,
    ],
    [
      'no refit for the exhaustive search',
      ['--problem', write('ok11.json', JSON.stringify(good)), '--method', 'exhaustive', '--sparsity', '0.5', '--refit', 'linear'],
      /--refit applies to a pruning method/,
      1,
    ],
    [
      'negative seed',
      ['--problem', write('ok12.json', JSON.stringify(good)), '--method', 'random', '--sparsity', '0.5', '--seed', '-1'],
      /--seed.*integer >= 0/,
      1,
    ],
    ['bad N:M', ['--problem', write('ok5.json', JSON.stringify(good)), '--method', 'wanda', '--nm', '3:2'], /bad N:M/, 1],
    ['N:M not dividing d', ['--problem', write('ok6.json', JSON.stringify(good)), '--method', 'wanda', '--nm', '2:4'], /multiple of M/, 1],
    ['unknown flag', ['--problem', write('ok7.json', JSON.stringify(good)), '--method', 'gd', '--sparsity', '0.5', '--fast'], /unknown option/, 1],
    [
      'exhaustive too large',
      [
        '--problem',
        write('big.json', JSON.stringify({ X: [Array(8).fill(1)], W: Array.from({ length: 8 }, () => Array(8).fill(0.1)) })),
        '--method',
        'exhaustive',
        '--sparsity',
        '0.5',
      ],
      /refused/,
      2,
    ],
    [
      'divergence',
      ['--problem', write('div.json', JSON.stringify(good)), '--method', 'gd', '--sparsity', '0.5', '--eta', '1e6', '--step', 'fixed'],
      /diverged.*eta <=/,
      2,
    ],
  ];
  for (const [name, args, message, code] of cases) {
    it(`${name}: exit ${code}`, async () => {
      const r = await cliInProcess('solve', ...args);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('solve:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('as a child process too: one line on stderr, exit 1, nothing on stdout', () => {
    const r = cli('solve', '--problem', join(dir, 'nope.json'), '--method', 'gd', '--sparsity', '0.5');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(/^error: --problem \S*nope\.json: file not found$/);
  });

  // model-prune and sweep check their refit flags before loading a model: one line, exit 1.
  const modelCases: [string, string[], RegExp][] = [
    [
      'model-prune with an unknown refit',
      ['model-prune', '--model', 'brown-char', '--method', 'swap', '--sparsity', '0.5', '--refit', 'nope'],
      /--refit: unknown refit "nope"/,
    ],
    [
      'model-prune with a retired id',
      ['model-prune', '--model', 'brown-char', '--method', 'swap-recon', '--sparsity', '0.5'],
      /--method swap --refit attention/,
    ],
    ['sweep with a refit named twice', ['sweep', '--model', 'brown-char', '--methods', 'swap', '--refit', 'none,none'], /names a refit twice/],
    ['sweep with an unknown refit in the list', ['sweep', '--model', 'brown-char', '--methods', 'swap', '--refit', 'none,lsq'], /--refit: unknown refit "lsq"/],
    // generate --compare needs a pruned model to compare; --eval-seqs means nothing without it.
    [
      'generate --compare without --prune',
      ['generate', '--model', 'brown-char', '--prompt', 'The', '--compare'],
      /--compare compares a pruned model .*--prune R\.json/,
    ],
    [
      'generate --eval-seqs without --compare',
      ['generate', '--model', 'brown-char', '--prompt', 'The', '--eval-seqs', '4'],
      /--eval-seqs applies with --compare/,
    ],
  ];
  for (const [name, args, message] of modelCases) {
    it(`${name}: exit 1`, async () => {
      const r = await cliInProcess(...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
    });
  }

  it('an unknown command is an error too (exit 1)', async () => {
    const r = await cliInProcess('frobnicate');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command/);
  });

  it('no command: the usage goes to stderr with exit 1; --help prints it on stdout with exit 0', async () => {
    const none = await cliInProcess();
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^error: no command given\nusage:/);
    const help = await cliInProcess('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:/);
  });
});
