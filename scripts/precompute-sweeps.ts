/**
 * The chapter "Reproducing the paper's experiment" reads its tables from
 * public/data/sweeps.json, written here by the project's own sweep code (the
 * function behind `npm run cli -- sweep`): both models, every method, in merged
 * and factored mode at four sparsities, and 2:4 in merged mode.
 *
 *   npm run precompute            # about 1–2 minutes on the 2-core machine
 *
 * The file is deterministic: no dates or timings (the sweep's per-row `time_ms`
 * is dropped), so rerunning it on unchanged code leaves it unchanged.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { runSweep, sweepCommandLine, type SweepOptions, type SweepResult } from '../src/cli/pruneCommands.ts';
import type { ModelName } from '../src/model/config.ts';
import type { PruneMode } from '../src/model/prune.ts';
import { MODEL_METHOD_IDS } from '../src/core/methods.ts';

export const SWEEP_MODELS = ['brown-char', 'induction'] as const;
export const SWEEP_SPARSITIES = [0.3, 0.5, 0.7, 0.9] as const;
export const SWEEP_OUT = 'public/data/sweeps.json';

export interface SweepRun {
  model: ModelName;
  mode: PruneMode;
  nm?: string;
  options: SweepOptions;
}

/** The settings of every sweep in the file. */
export function sweepRuns(): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const model of SWEEP_MODELS) {
    for (const mode of ['merged', 'factored'] as const) {
      runs.push({ model, mode, options: { model, methods: MODEL_METHOD_IDS, sparsities: SWEEP_SPARSITIES, mode } });
    }
    runs.push({ model, mode: 'merged', nm: '2:4', options: { model, methods: MODEL_METHOD_IDS, mode: 'merged', nm: '2:4' } });
  }
  return runs;
}

/** A sweep without its timings (they vary from run to run). */
export function withoutTimings(r: SweepResult): SweepResult {
  return { ...r, rows: r.rows.map(({ time_ms: _t, ...rest }) => rest) };
}

async function main(): Promise<void> {
  const sweeps: (SweepResult & { command: string })[] = [];
  for (const run of sweepRuns()) {
    process.stderr.write(`precompute: ${run.model} ${run.mode}${run.nm ? ` ${run.nm}` : ''}\n`);
    const r = await runSweep(run.options);
    sweeps.push({ command: sweepCommandLine(run.options), ...withoutTimings(r) });
  }
  const json = {
    description:
      "Sparsity sweeps of the project's two small transformers, every attention head pruned by each method; " +
      'computed by scripts/precompute-sweeps.ts (npm run precompute) with the code behind `npm run cli -- sweep`.',
    methods: MODEL_METHOD_IDS,
    sparsities: SWEEP_SPARSITIES,
    metric: {
      'brown-char': 'perplexity on held-out Brown text (lower is better)',
      induction: 'accuracy on the repeated half of the validation sequences (higher is better)',
    },
    mean_attention_error: 'relative Frobenius error of each head’s attention matrix on the calibration sequences, averaged over the 8 heads (lower is better)',
    sweeps,
  };
  mkdirSync(dirname(SWEEP_OUT), { recursive: true });
  writeFileSync(SWEEP_OUT, JSON.stringify(json, null, 1) + '\n');
  process.stderr.write(`precompute: wrote ${SWEEP_OUT}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
