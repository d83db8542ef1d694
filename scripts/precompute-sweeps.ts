/**
 * The whole-model tables (chapters 9–10) read public/data/sweeps.json, written here by
 * the project's own sweep code (the function behind `npm run cli -- sweep`): for each
 * model of SWEEP_PLAN, its masks (merged, and for brown-char and induction factored) at
 * four sparsities (and 2:4, merged, where the plan says so), every mask method of the
 * registry × every refit (none, linear, attention), with our gradient-descent defaults;
 * and Algorithm 1 in the paper's form (fixed η 0.05, λ 0.1, T 300, rounding by M_T, no
 * refit). Each sweep keeps the command that reproduces it.
 *
 * brown-word (issue 19) is swept in merged mode only (with 2:4): the session that added the
 * model had time for one mode of its full grid, and merged mode is the theory's. Its
 * factored sweeps are one line away (`modes: ['merged', 'factored']` in SWEEP_PLAN).
 *
 *   npm run precompute                         # its rows took 161 min of wall time in all (sweeps-time.json) on the loaded 2-core machine
 *   npm run precompute -- --parts tmp/parts    # keep each (sweep, method) in a file and reuse it on a rerun
 *   npm run precompute -- --parts tmp/parts --model induction [--match merged | --match =KEY]   # only those parts (one process each)
 *
 * Every method of a sweep is computed on its own (its cells do not depend on the other
 * methods), so a long run can resume. The file is deterministic: no dates or timings;
 * each row's time goes to public/data/sweeps-time.json instead (wall time on the
 * machine that ran it, for the tables' "compute" columns).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runSweep, sweepCommandLine, type SweepOptions, type SweepResult } from '../src/cli/pruneCommands.ts';
import type { ModelName } from '../src/model/config.ts';
import type { PruneMode } from '../src/model/prune.ts';
import type { SweepRow } from '../src/model/sweep.ts';
import { GD_PAPER_FORM } from '../src/core/gd.ts';
import { MODEL_METHOD_IDS, type ModelMethodId, REFIT_IDS } from '../src/core/methods.ts';

/** Which masks each model is swept with: its modes, and whether the merged 2:4 pattern is added. */
export interface ModelPlan {
  model: ModelName;
  modes: readonly PruneMode[];
  nm: boolean;
}
/** The models of the file, in the order chapter 9 shows them. */
export const SWEEP_PLAN: readonly ModelPlan[] = [
  // Merged only (the file's doc says why); 2:4 fits: its merged rows cost about 5 s each here, unloaded.
  { model: 'brown-word', modes: ['merged'], nm: true },
  { model: 'brown-char', modes: ['merged', 'factored'], nm: true },
  { model: 'induction', modes: ['merged', 'factored'], nm: true },
];
export const SWEEP_MODELS: readonly ModelName[] = SWEEP_PLAN.map((p) => p.model);
export const SWEEP_SPARSITIES = [0.3, 0.5, 0.7, 0.9] as const;
export const SWEEP_OUT = 'public/data/sweeps.json';
export const SWEEP_TIME_OUT = 'public/data/sweeps-time.json';
/** Algorithm 1 as the paper states it (src/core/gd.ts GD_PAPER_FORM), as the CLI's flags take it. */
export const PAPER_FORM_GD = {
  lambda: GD_PAPER_FORM.lambda,
  eta: GD_PAPER_FORM.eta,
  iters: GD_PAPER_FORM.iters,
  step: GD_PAPER_FORM.step,
  score: GD_PAPER_FORM.score,
} as const;

export interface SweepRun {
  model: ModelName;
  mode: PruneMode;
  nm?: string;
  /**
   * 'paper-form': Algorithm 1 with the paper's settings (gd only, no refit);
   * 'linear-refit' / 'attention-refit': every mask followed by that refit.
   * Absent: every mask with no refit.
   */
  settings?: 'paper-form' | 'linear-refit' | 'attention-refit';
  options: SweepOptions;
}

/** Every mask method of the registry, with no refit, with the linear and with the attention refit. */
export const MASK_METHODS: readonly ModelMethodId[] = MODEL_METHOD_IDS;
/** The masks the refits follow: all of them (every mask × refit, issue 17). */
export const REFIT_METHODS: readonly ModelMethodId[] = MASK_METHODS;
/** Every model is scored on 128 evaluation sequences, as the paper's 128 C4 validation sentences. */
export const SWEEP_EVAL_SEQS = 128;

/** The settings of every sweep in the file. */
export function sweepRuns(): SweepRun[] {
  const runs: SweepRun[] = [];
  const kinds = [
    { settings: undefined, methods: MASK_METHODS, refits: ['none'] as const, nm: true },
    { settings: 'linear-refit' as const, methods: REFIT_METHODS, refits: ['linear'] as const, nm: true },
    { settings: 'attention-refit' as const, methods: REFIT_METHODS, refits: ['attention'] as const, nm: true },
    { settings: 'paper-form' as const, methods: ['gd'] as const, gd: PAPER_FORM_GD, nm: true },
  ];
  for (const plan of SWEEP_PLAN) {
    const { model } = plan;
    for (const k of kinds) {
      const { settings, nm, ...o } = k;
      const base = { model, ...o, evalSeqs: SWEEP_EVAL_SEQS };
      for (const mode of plan.modes) {
        runs.push({ model, mode, ...(settings ? { settings } : {}), options: { ...base, sparsities: SWEEP_SPARSITIES, mode } });
      }
      if (nm && plan.nm) runs.push({ model, mode: 'merged', nm: '2:4', ...(settings ? { settings } : {}), options: { ...base, mode: 'merged', nm: '2:4' } });
    }
  }
  return runs;
}

export const runKey = (r: Pick<SweepRun, 'model' | 'mode' | 'nm' | 'settings'>): string =>
  [r.model, r.mode, r.nm?.replace(':', '-'), r.settings].filter(Boolean).join('.');

/** A sweep without its timings (they vary from run to run). */
export function withoutTimings(r: SweepResult): SweepResult {
  return { ...r, rows: r.rows.map(({ time_ms: _t, ...rest }) => rest) };
}

/**
 * One sweep, one method at a time (each part reused from `partsDir` when present):
 * the rows come back in the order `cli -- sweep` prints them (dense, then sparsity,
 * method, refit), so the result equals one run of the whole command.
 */
async function runSweepByMethod(run: SweepRun, partsDir: string | undefined): Promise<SweepResult> {
  const methods = run.options.methods ?? MODEL_METHOD_IDS;
  const parts: SweepResult[] = [];
  for (const method of methods) {
    const file = partsDir ? join(partsDir, `${runKey(run)}.${method}.json`) : undefined;
    const refits = run.options.refits ?? ['none'];
    if (file && existsSync(file)) {
      // A part may hold more refits than this run asks for (an earlier plan): keep this run's.
      const part = JSON.parse(readFileSync(file, 'utf8')) as SweepResult;
      const rows = part.rows.filter((r) => r.method === 'dense' || refits.includes(r.refit ?? 'none'));
      parts.push({ ...part, rows, windows: part.windows?.filter((w) => refits.includes(w.refit)) });
      continue;
    }
    const t0 = performance.now();
    const part = await runSweep({ ...run.options, methods: [method] }, () => {});
    process.stderr.write(`precompute: ${runKey(run)} ${method}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    if (file) writeFileSync(file, JSON.stringify(part));
    parts.push(part);
  }
  const [first] = parts;
  const cells = parts.flatMap((p) => p.rows.filter((r) => r.method !== 'dense'));
  const order = (r: SweepRow) => [r.sparsity, methods.indexOf(r.method as (typeof methods)[number]), REFIT_IDS.indexOf(r.refit ?? 'none')];
  cells.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  return { ...first, rows: [first.rows[0], ...cells] };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--parts');
  const partsDir = i > 0 ? process.argv[i + 1] : undefined;
  if (partsDir) mkdirSync(partsDir, { recursive: true });
  const m = process.argv.indexOf('--model');
  if (m > 0) {
    if (!partsDir) throw new Error('--model only fills --parts DIR (the file needs every model)');
    // Merged first, then factored, then 2:4; within each, the fair fight's attention refits first.
    const order = [undefined, 'linear-refit', 'attention-refit', 'paper-form'];
    const rank = (r: SweepRun) => (r.nm ? 20 : r.mode === 'merged' ? 0 : 10) + order.indexOf(r.settings);
    // --match merged|factored: only the runs whose key holds it (one process per model and mode).
    const k = process.argv.indexOf('--match');
    const want = k < 0 ? undefined : process.argv[k + 1];
    // "=key" names one run exactly; otherwise every run whose key holds the text.
    const matches = (r: SweepRun) => !want || (want.startsWith('=') ? runKey(r) === want.slice(1) : runKey(r).includes(want));
    const runs = sweepRuns().filter((r) => r.model === process.argv[m + 1] && matches(r));
    for (const run of runs.sort((a, b) => rank(a) - rank(b))) await runSweepByMethod(run, partsDir);
    return;
  }
  const sweeps: (SweepResult & { command: string; settings?: string })[] = [];
  const times: { command: string; rows: { method: string; refit?: string; sparsity: number; time_ms?: number }[] }[] = [];
  const t0 = performance.now();
  for (const run of sweepRuns()) {
    const r = await runSweepByMethod(run, partsDir);
    const command = sweepCommandLine(run.options);
    sweeps.push({ command, ...(run.settings ? { settings: run.settings } : {}), ...withoutTimings(r) });
    times.push({
      command,
      rows: r.rows.filter((x) => x.method !== 'dense').map(({ method, refit, sparsity, time_ms }) => ({ method, refit, sparsity, time_ms })),
    });
  }
  const json = {
    description:
      `Sparsity sweeps of the project's small transformers (${SWEEP_MODELS.join(', ')}), every attention head pruned, merged (W_h; also 2:4) and factored (W_Q and W_K; ` +
      `${
        SWEEP_PLAN.filter((p) => !p.modes.includes('factored'))
          .map((p) => `${p.model} merged only`)
          .join(', ') || 'every model'
      }), by each mask method of the registry ` +
      `(${MASK_METHODS.join(', ')}) with no refit (sweeps without \`settings\`), with the linear and with the attention refit (settings "linear-refit", "attention-refit"), ` +
      'with our gradient-descent defaults; and Algorithm 1 in the paper’s form ' +
      '(settings "paper-form": fixed step 0.05, λ 0.1, 300 iterations, rounding by M_T, no refit). ' +
      'Every model is scored on 128 evaluation sequences. Every method sees the same 8 ' +
      'calibration windows; the attention refit fits on 6 of them and stops on the other 2 (each sweep’s `windows`). ' +
      '`evaluations` counts exact objective evaluations over every head (mask stage + refit). Computed by scripts/precompute-sweeps.ts ' +
      '(npm run precompute) with the code behind `npm run cli -- sweep`; each sweep lists the command that prints it. ' +
      `Wall times are in ${SWEEP_TIME_OUT}.`,
    methods: MASK_METHODS,
    refits: REFIT_IDS,
    sparsities: SWEEP_SPARSITIES,
    metric: {
      'brown-word': 'perplexity per word on held-out Brown text (lower is better)',
      'brown-char': 'perplexity per character on held-out Brown text (lower is better)',
      induction: 'accuracy on the repeated half of the validation sequences (higher is better)',
    },
    mean_attention_error: 'relative Frobenius error of each head’s attention matrix on the calibration sequences, averaged over the 8 heads (lower is better)',
    sweeps,
  };
  mkdirSync(dirname(SWEEP_OUT), { recursive: true });
  writeFileSync(SWEEP_OUT, JSON.stringify(json, null, 1) + '\n');
  const minutes = (performance.now() - t0) / 60000;
  writeFileSync(
    SWEEP_TIME_OUT,
    JSON.stringify(
      {
        description: `Wall time of each row of ${SWEEP_OUT} (pruning every head and scoring the model), in ms, on the machine that ran npm run precompute; varies with the machine and its load.`,
        // Parts reused from --parts keep the times they were computed with: the sum of the rows is the run's cost.
        rows_total_minutes: Math.round(times.flatMap((t) => t.rows).reduce((a, r) => a + (r.time_ms ?? 0), 0) / 6000) / 10,
        sweeps: times,
      },
      null,
      1,
    ) + '\n',
  );
  process.stderr.write(`precompute: wrote ${SWEEP_OUT} and ${SWEEP_TIME_OUT} (${minutes.toFixed(1)} min)\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
