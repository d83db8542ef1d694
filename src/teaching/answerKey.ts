import { PAPER_METHOD_IDS } from '../core/methods.ts';
import { syntheticProblem } from '../core/synthetic.ts';
import { type JobContext, runJob } from '../jobs/jobs.ts';
import { judgeWinner } from './answers.ts';
import { bisectBoundary, convergingAbove, smallestDivergingStep } from './divergenceThreshold.ts';
import { blewUp, createGdRunner } from './gdRunner.ts';
import { closedFormGradient, gradientSteps } from './gradientSolution.ts';
import { DIVERGENCE_PRESET, divergenceSpec, GRADIENT_PROBLEMS, MAX_READER_ETA, WINNER_PRESETS, winnerJob } from './presets.ts';

const QUIET: JobContext = { progress: () => {}, pause: async () => {} };

/** (a) Each winner preset: the methods ranked as Check ranks them, and the linear error's favourite. */
export async function winnerKey() {
  const out = [];
  for (const p of WINNER_PRESETS) {
    const r = await runJob(winnerJob(p), QUIET);
    const scores = r.outcomes.flatMap((o) => (o.method === 'exhaustive' ? [] : [{ method: o.method, error: o.metrics.attentionError }]));
    // judgeWinner needs a pick; only its winners and ranking are read here.
    const judged = judgeWinner(PAPER_METHOD_IDS[0], scores);
    const rows = judged.ranking.map((s) => {
      const o = r.outcomes.find((x) => x.method === s.method);
      if (!o) throw new Error(`the compare job returned no ${s.method}`);
      return o;
    });
    const linearBest = [...r.outcomes].sort((a, b) => a.linearError - b.linearError)[0];
    const counts = new Set(r.outcomes.map((o) => o.pruned));
    out.push({ preset: p, judged, rows, linearBest, linearBestWins: judged.winners.some((w) => w === linearBest.method), counts, weights: r.d * r.d });
  }
  return out;
}

/** (b) The answer Check compares against, and the intermediate matrices behind it. */
export function gradientKey() {
  return GRADIENT_PROBLEMS.map((p) => ({ problem: p, ...closedFormGradient(p), steps: gradientSteps(p) }));
}

/**
 * (c) What the divergence exercise reports after a Check: the smallest diverging step,
 * converging steps above it, and where runs blow up. Its search lives in a browser-only
 * element, so the three calls are made here with the same runner and the same limits.
 */
export async function divergenceKey() {
  const runner = await createGdRunner(syntheticProblem(divergenceSpec()), { lambda: DIVERGENCE_PRESET.lambda, iters: DIVERGENCE_PRESET.iters });
  let runs = 0;
  const outcome = (eta: number) => {
    runs++;
    return runner.run(eta);
  };
  const diverges = async (eta: number) => outcome(eta).diverged;
  const blows = async (eta: number) => blewUp(outcome(eta));
  const threshold = await smallestDivergingStep(diverges, { safe: runner.safeEta, limit: MAX_READER_ETA });
  const above = threshold ? await convergingAbove(diverges, threshold.eta) : undefined;
  const blowFrom = threshold?.below || runner.safeEta;
  const blowUp = (await blows(MAX_READER_ETA)) && !(await blows(blowFrom)) ? await bisectBoundary(blows, blowFrom, MAX_READER_ETA) : undefined;
  const firstRun = threshold ? runner.run(threshold.eta) : undefined;
  return {
    safeEta: runner.safeEta,
    kernel: runner.kernel,
    threshold,
    above,
    blowUp,
    firstRun,
    runs,
    /** How far above the guaranteed step η* is (undefined when nothing diverged). */
    ratio: threshold ? threshold.eta / runner.safeEta : undefined,
    twoOverLambda: 2 / DIVERGENCE_PRESET.lambda,
  };
}
