/**
 * The chapter "Pruning a real transformer" opens its sparsity sweep with numbers
 * computed here, at build time, by the function behind `npm run cli -- sweep`, with
 * the page's own settings: calibration seed 1, 8 calibration sequences, the first 32
 * evaluation sequences (the ones public/data/*.json hold for the worker), the GD
 * defaults, sparsities 0.1…0.9, every model method of the registry with no refit (the
 * widget's default; a refit is one click away and costs more), merged and factored, every model.
 * The widget's "Rerun in your browser" recomputes the same sweeps with the worker's
 * modelSweep job and says whether they agree.
 *
 *   npm run precompute:page        # a few minutes on the 2-core machine
 *
 * The output, public/data/page-sweeps.json, is deterministic (no dates, no
 * timings): rerunning on unchanged code leaves it unchanged.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { runSweep, sweepCommandLine, type SweepOptions, type SweepResult } from '../src/cli/pruneCommands.ts';
import { MODEL_METHOD_IDS, type RefitId } from '../src/core/methods.ts';
import { withoutTimings } from './precompute-sweeps.ts';

export const PAGE_SWEEP_OUT = 'public/data/page-sweeps.json';
export const PAGE_SWEEP_MODELS = ['brown-word', 'brown-char', 'induction'] as const;
export const PAGE_SWEEP_MODES = ['merged', 'factored'] as const;
export const PAGE_SWEEP_SPARSITIES = [0.1, 0.3, 0.5, 0.7, 0.9] as const;
/** The page's calibration and evaluation (scripts/export-page-data.ts writes the same sequences). */
export const PAGE_SWEEP_SETTINGS = { seed: 1, calibSeqs: 8, evalSeqs: 32 } as const;
/** The refits the file holds (each row says its refit): none, as the widget opens. */
export const PAGE_SWEEP_REFITS: readonly RefitId[] = ['none'];

export interface PageSweepRun {
  model: (typeof PAGE_SWEEP_MODELS)[number];
  mode: (typeof PAGE_SWEEP_MODES)[number];
  options: SweepOptions;
}

/** Every sweep in the file, with the page's calibration and evaluation. */
export function pageSweepRuns(): PageSweepRun[] {
  const s = PAGE_SWEEP_SETTINGS;
  return PAGE_SWEEP_MODELS.flatMap((model) =>
    PAGE_SWEEP_MODES.map((mode) => ({
      model,
      mode,
      options: {
        model,
        methods: MODEL_METHOD_IDS,
        refits: PAGE_SWEEP_REFITS,
        sparsities: PAGE_SWEEP_SPARSITIES,
        mode,
        seed: s.seed,
        calibSeqs: s.calibSeqs,
        evalSeqs: s.evalSeqs,
      },
    })),
  );
}

/** The command line that prints one sweep of the file. */
export function commandOf(run: PageSweepRun): string {
  return sweepCommandLine(run.options);
}

async function main(): Promise<void> {
  const sweeps: (SweepResult & { command: string })[] = [];
  for (const run of pageSweepRuns()) {
    process.stderr.write(`precompute:page: ${run.model} ${run.mode}\n`);
    const r = await runSweep(run.options);
    sweeps.push({ command: commandOf(run), ...withoutTimings(r) });
  }
  const json = {
    description:
      "Sparsity sweeps with the page's settings (calibration seed 1, 8 calibration sequences, the first 32 evaluation sequences), " +
      'shown by the "Sparsity sweep on the model" widget of the chapter "Pruning a real transformer"; computed by ' +
      'scripts/precompute-page-sweeps.ts (npm run precompute:page) with the code behind `npm run cli -- sweep`. ' +
      'Every row says its refit (none: the masks alone, as the widget opens). Each sweep lists the command that prints it.',
    methods: MODEL_METHOD_IDS,
    refits: PAGE_SWEEP_REFITS,
    sparsities: PAGE_SWEEP_SPARSITIES,
    settings: PAGE_SWEEP_SETTINGS,
    metric: {
      'brown-char': 'perplexity on held-out Brown text (lower is better)',
      induction: 'accuracy on the repeated half of the validation sequences (higher is better)',
    },
    mean_attention_error: 'relative Frobenius error of each head’s attention matrix on the calibration sequences, averaged over the heads (lower is better)',
    sweeps,
  };
  mkdirSync(dirname(PAGE_SWEEP_OUT), { recursive: true });
  writeFileSync(PAGE_SWEEP_OUT, JSON.stringify(json, null, 1) + '\n');
  process.stderr.write(`precompute:page: wrote ${PAGE_SWEEP_OUT}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
