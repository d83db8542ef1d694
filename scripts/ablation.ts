/**
 * The ablation behind Algorithm 1's defaults and the methods of SPEC §9 (issue 10).
 *
 *   npx tsx scripts/ablation.ts                 # both models in parallel (one process each), writes docs/ablation.json
 *   npx tsx scripts/ablation.ts --model induction --out /tmp/x.json   # one model
 *
 * Data (no evaluation data is touched): calibration = the CLI's default, 8 seeded
 * training sequences, seed 1 (src/cli/pruneCommands.ts); STOP = 8 other training
 * windows (seed 'stop'), used only for reconstruction's early stopping; HELD-OUT = 8
 * further training windows (seed 'heldout'): every number reported and every choice
 * made is the mean over heads of the relative attention error ‖F' − F₀‖/‖F₀‖ (SPEC §5)
 * on HELD-OUT. For induction the windows are sequences of the induction training stream.
 *
 * Grid: merged and factored; sparsities 0.1 … 0.9 and 2:4; magnitude, Wanda, SparseGPT;
 * Algorithm 1 over λ × T × step rule × binarisation score (one descent per head, λ and
 * rule serve every T snapshot, sparsity and score); gradual; swap search; reconstruction
 * after the swap search and after SparseGPT. Timings are per head, merged, p = 0.5.
 */
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32, subSeed } from '../src/core/random.ts';
import { randomWindows } from '../src/model/evaluate.ts';
import { captureCalibration, matrix, merge } from '../src/model/prune.ts';
import { headQK, mergedHeadWeight } from '../src/model/transformer.ts';
import { headDim } from '../src/model/config.ts';
import type { Model } from '../src/model/weights.ts';
import type { Matrix } from '../src/core/matrix.ts';
import type { Problem } from '../src/core/problem.ts';
import { type Granularity, applyMask } from '../src/core/mask.ts';
import { compareAttention } from '../src/core/attention.ts';
import { magnitudePrune } from '../src/core/baselines/magnitude.ts';
import { wandaPrune } from '../src/core/baselines/wanda.ts';
import { sparseGptPrune } from '../src/core/baselines/sparsegpt.ts';
import { GradientDescent, type StepRule } from '../src/core/gd.ts';
import { FactoredObjective, type FactoredProblem } from '../src/core/factored.ts';
import { BINARISE_SCORES, binariseFactored, binariseMerged } from '../src/core/binarise.ts';
import { attentionSwapSearch, factoredSwapSearch } from '../src/core/swapSearch.ts';
import { attentionReconstruct, factoredReconstruct } from '../src/core/reconstruct.ts';
import { factoredGradualPrune, gradualPrune } from '../src/core/gradual.ts';

type Mode = 'merged' | 'factored';
const MODELS = ['brown-char', 'induction'] as const;
const SETTINGS: { label: string; sparsity: number; granularity: Granularity }[] = [
  ...[0.1, 0.3, 0.5, 0.7, 0.9].map((p) => ({ label: String(p), sparsity: p, granularity: { kind: 'unstructured' } as Granularity })),
  { label: '2:4', sparsity: 0.5, granularity: { kind: 'nm', n: 2, m: 4 } },
];
// ABLATION_GRID='{"merged":{...},"factored":{...}}' replaces the grid (a follow-up run on part of it).
const GRID: Record<'merged' | 'factored', { lambdas: number[]; snapshots: number[] }> = process.env.ABLATION_GRID
  ? JSON.parse(process.env.ABLATION_GRID)
  : { merged: { lambdas: [0.01, 0.1, 1], snapshots: [100, 300] }, factored: { lambdas: [0.1, 1], snapshots: [100, 300] } };
// ABLATION_STEPS=armijo keeps one step rule; ABLATION_GD_ONLY=1 skips the baselines' follow-ups (gradual, swap, reconstruction).
const GD_ONLY = process.env.ABLATION_GD_ONLY === '1';
const STEPS: { rule: StepRule; eta: number }[] = [
  { rule: 'fixed' as const, eta: 0.05 },
  { rule: 'armijo' as const, eta: 0.05 },
].filter((st) => !process.env.ABLATION_STEPS || process.env.ABLATION_STEPS === st.rule);
const BUDGET = {
  merged: { swapEvals: 300, reconIters: 150, gradualStages: 4, gradualIters: 50 },
  factored: { swapEvals: 80, reconIters: 30, gradualStages: 2, gradualIters: 15 },
};

interface Row {
  mode: Mode;
  setting: string;
  method: string;
  heldOut: number;
  calibration: number;
}
interface GdRun {
  mode: Mode;
  lambda: number;
  step: StepRule;
  T: number;
  stepsRaisedL: number;
  evaluations: number;
  meanObservedRate: number;
  plRate: number;
  diverged: number;
}

async function sequences(name: string, model: Model) {
  const T = model.config.contextLength;
  const rng = (tag: string) => mulberry32(subSeed(1, tag));
  if (name === 'brown-char') {
    const { brownText } = await import('../src/model/data/brown.ts');
    const ids = model.tokenizer.encode(brownText('train'));
    return {
      calibration: randomWindows(ids, T, 8, rng('calibration')),
      stop: randomWindows(ids, T, 8, rng('stop')),
      heldOut: randomWindows(ids, T, 8, rng('heldout')),
      description: `brown-char train split: calibration = the CLI's 8 windows of ${T} (seed 1); stop and held-out = 8 windows each at seeded offsets 'stop', 'heldout'`,
    };
  }
  const ind = await import('../src/model/induction.ts');
  const batch = (tag: string) => ind.inductionBatch(rng(tag), 8).sequences.map((s) => s.slice(0, T));
  return {
    calibration: batch('calibration'),
    stop: batch('stop'),
    heldOut: batch('heldout'),
    description:
      "induction training stream: calibration = the CLI's 8 sequences (seed 1); stop and held-out = 8 sequences each from the streams seeded 'stop', 'heldout'",
  };
}

async function runModel(name: string) {
  const { loadShippedModel } = await import('../src/cli/modelCommands.ts');
  const model = await loadShippedModel(name as (typeof MODELS)[number]);
  const seqs = await sequences(name, model);
  const cal = captureCalibration(model, seqs.calibration);
  const stop = captureCalibration(model, seqs.stop);
  const held = captureCalibration(model, seqs.heldOut);
  const { nLayers, nHeads, dModel: d } = model.config;
  const dh = headDim(model.config);
  const acc = new Map<string, { held: number; cal: number; n: number }>();
  const add = (mode: Mode, setting: string, method: string, hp: Problem, cp: Problem | undefined, w: Matrix) => {
    const key = `${mode}|${setting}|${method}`;
    const e = acc.get(key) ?? { held: 0, cal: 0, n: 0 };
    e.held += compareAttention(hp, w).attentionError;
    // Calibration error only where it tells something (new methods, baselines): NaN for the GD grid, to save time.
    e.cal += cp ? compareAttention(cp, w).attentionError : Number.NaN;
    e.n++;
    acc.set(key, e);
  };
  const timing = new Map<string, number>();
  const time = <T>(key: string, f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    timing.set(key, (timing.get(key) ?? 0) + performance.now() - t0);
    return r;
  };
  const gdRuns = new Map<string, GdRun & { rates: number[] }>();
  const heads = nLayers * nHeads;
  for (let layer = 0; layer < nLayers; layer++) {
    for (let head = 0; head < nHeads; head++) {
      const t0 = performance.now();
      const W = matrix(d, d, mergedHeadWeight(model, layer, head));
      const cp: Problem = { X: cal.xs[layer], W, causal: true, segments: cal.segments };
      const hp: Problem = { X: held.xs[layer], W, causal: true, segments: held.segments };
      const stopSet = { X: stop.xs[layer], segments: stop.segments };
      const qk = headQK(model, layer, head);
      const fp: FactoredProblem = { X: cal.xs[layer], Wq: matrix(d, dh, qk.Wq), Wk: matrix(d, dh, qk.Wk), causal: true, segments: cal.segments };
      for (const mode of ['merged', 'factored'] as const) {
        const timed = mode === 'merged';
        // Algorithm 1: one descent per (λ, rule), snapshots at each T.
        for (const lambda of GRID[mode].lambdas) {
          for (const st of STEPS) {
            const gd =
              mode === 'merged'
                ? new GradientDescent(cp, { lambda, eta: st.eta, iters: Math.max(...GRID[mode].snapshots), step: st.rule })
                : new GradientDescent(
                    undefined,
                    { lambda, eta: st.eta, iters: Math.max(...GRID[mode].snapshots), step: st.rule },
                    new FactoredObjective(fp, lambda),
                  );
            let done = 0;
            let elapsed = 0;
            for (const T of GRID[mode].snapshots) {
              let diverged = 0;
              const t1 = performance.now();
              try {
                gd.advance(T - done);
              } catch {
                diverged = 1;
              }
              elapsed += performance.now() - t1;
              if (gd.status === 'diverged') diverged = 1;
              if (timed && lambda === 0.1) timing.set(`gd ${st.rule} T=${T}`, (timing.get(`gd ${st.rule} T=${T}`) ?? 0) + elapsed);
              done = T;
              const rep = gd.convergenceReport();
              const rk = `${mode}|${lambda}|${st.rule}|${T}`;
              const r = gdRuns.get(rk) ?? {
                mode,
                lambda,
                step: st.rule,
                T,
                stepsRaisedL: 0,
                evaluations: 0,
                meanObservedRate: 0,
                plRate: 0,
                diverged: 0,
                rates: [],
              };
              r.stepsRaisedL += rep.stepsRaisedL;
              r.evaluations += rep.evaluations;
              r.rates.push(rep.observedRate);
              r.plRate = Math.max(r.plRate, rep.plRate || 0);
              r.diverged += diverged;
              gdRuns.set(rk, r);
              const m = Float64Array.from(gd.m);
              for (const s of SETTINGS) {
                for (const score of BINARISE_SCORES) {
                  const method = `gd λ=${lambda} T=${T} ${st.rule} ${score}`;
                  if (diverged || !m.every(Number.isFinite)) continue;
                  if (mode === 'merged') add(mode, s.label, method, hp, undefined, applyMask(binariseMerged(m, cp, s.sparsity, s.granularity, score), W));
                  else {
                    const { maskQ, maskK } = binariseFactored(m, fp, s.sparsity, s.granularity, score);
                    add(mode, s.label, method, hp, undefined, merge(applyMask(maskQ, fp.Wq), applyMask(maskK, fp.Wk)));
                  }
                }
              }
            }
          }
        }
        const B = BUDGET[mode];
        for (const s of SETTINGS) {
          const opts = { sparsity: s.sparsity, granularity: s.granularity };
          const tk = (k: string) => (timed && s.label === '0.5' ? k : `__${k}`);
          if (mode === 'merged') {
            for (const [name, f] of [
              ['magnitude', magnitudePrune],
              ['wanda', wandaPrune],
              ['sparsegpt', sparseGptPrune],
            ] as const) {
              add(mode, s.label, name, hp, cp, time(tk(name), () => f(cp, opts)).wPruned);
            }
            if (GD_ONLY) continue;
            const sg = sparseGptPrune(cp, opts);
            const gr = time(tk('gradual'), () => gradualPrune(cp, opts, { stages: B.gradualStages, itersPerStage: B.gradualIters }));
            add(mode, s.label, 'gradual', hp, cp, gr.wPruned);
            const sw = time(tk('swap'), () => attentionSwapSearch(cp, opts, { maxEvaluations: B.swapEvals }));
            add(mode, s.label, 'swap', hp, cp, sw.wPruned);
            const rs = time(tk('swap+recon'), () => attentionReconstruct(cp, sw.mask, { iters: B.reconIters, heldOut: stopSet }));
            add(mode, s.label, 'swap+recon', hp, cp, rs.wPruned);
            const rg = time(tk('sparsegpt+recon'), () => attentionReconstruct(cp, sg.mask, { iters: B.reconIters, heldOut: stopSet, init: sg.wPruned }));
            add(mode, s.label, 'sparsegpt+recon', hp, cp, rg.wPruned);
          } else {
            const lin = (f: typeof magnitudePrune) => ({ q: f({ X: fp.X, W: fp.Wq, causal: true }, opts), k: f({ X: fp.X, W: fp.Wk, causal: true }, opts) });
            for (const [name, f] of [
              ['magnitude', magnitudePrune],
              ['wanda', wandaPrune],
              ['sparsegpt', sparseGptPrune],
            ] as const) {
              const r = lin(f);
              add(mode, s.label, name, hp, cp, merge(r.q.wPruned, r.k.wPruned));
            }
            if (GD_ONLY) continue;
            const sg = lin(sparseGptPrune);
            const gr = factoredGradualPrune(fp, opts, { stages: B.gradualStages, itersPerStage: B.gradualIters });
            add(mode, s.label, 'gradual', hp, cp, merge(gr.wq, gr.wk));
            const sw = factoredSwapSearch(fp, opts, { maxEvaluations: B.swapEvals });
            add(mode, s.label, 'swap', hp, cp, merge(sw.wq, sw.wk));
            const rs = factoredReconstruct(fp, sw, { iters: B.reconIters, heldOut: stopSet });
            add(mode, s.label, 'swap+recon', hp, cp, merge(rs.wq, rs.wk));
            const rg = factoredReconstruct(
              fp,
              { maskQ: sg.q.mask, maskK: sg.k.mask },
              { iters: B.reconIters, heldOut: stopSet, init: { wq: sg.q.wPruned, wk: sg.k.wPruned } },
            );
            add(mode, s.label, 'sparsegpt+recon', hp, cp, merge(rg.wq, rg.wk));
          }
        }
      }
      process.stderr.write(`ablation ${name}: head ${layer}.${head} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  }
  const rows: Row[] = [...acc.entries()].map(([key, e]) => {
    const [mode, setting, method] = key.split('|');
    return { mode: mode as Mode, setting, method, heldOut: e.held / e.n, calibration: e.cal / e.n };
  });
  const timings: Record<string, number> = {};
  for (const [k, v] of timing) if (!k.startsWith('__')) timings[k] = v / heads;
  const gd = [...gdRuns.values()].map(({ rates, ...r }) => ({
    ...r,
    meanObservedRate: rates.filter(Number.isFinite).reduce((a, b) => a + b, 0) / Math.max(1, rates.filter(Number.isFinite).length),
  }));
  return { model: name, data: seqs.description, heads, d, n: cal.xs[0].rows, rows, gd, timingsMsPerHead: timings };
}

type ModelResult = Awaited<ReturnType<typeof runModel>>;

/** Defaults for Algorithm 1: the grid point with the lowest mean held-out error relative to magnitude, over every model, mode and setting. */
function chooseDefaults(results: ModelResult[]) {
  const byConfig = new Map<string, number[]>();
  for (const r of results) {
    const mag = new Map(r.rows.filter((x) => x.method === 'magnitude').map((x) => [`${x.mode}|${x.setting}`, x.heldOut]));
    for (const x of r.rows) {
      if (!x.method.startsWith('gd ')) continue;
      const [, lam, T, rule, score] = x.method.split(' ');
      // factored uses a subset of λ; compare configurations on what both modes ran
      const key = `${lam} ${T} ${rule} ${score}`;
      const ratio = x.heldOut / mag.get(`${x.mode}|${x.setting}`)!;
      (byConfig.get(key) ?? byConfig.set(key, []).get(key)!).push(Math.log(ratio));
    }
  }
  const full = Math.max(...[...byConfig.values()].map((v) => v.length));
  const ranked = [...byConfig.entries()]
    .filter(([, v]) => v.length === full)
    .map(([k, v]) => ({ config: k, meanLogRatioToMagnitude: v.reduce((a, b) => a + b, 0) / v.length, worstLogRatio: Math.max(...v) }));
  ranked.sort((a, b) => a.meanLogRatioToMagnitude - b.meanLogRatioToMagnitude);
  return ranked;
}

function targets(results: ModelResult[], gdMethod: string) {
  const out: {
    model: string;
    mode: string;
    setting: string;
    gd: number;
    magnitude: number;
    wanda: number;
    sparsegpt: number;
    best: string;
    bestErr: number;
    gdWithin2pct: boolean;
    gdBeatsLinear: boolean | null;
    bestHalfOfSparseGpt: boolean | null;
  }[] = [];
  const ours = ['gradual', 'swap', 'swap+recon', 'sparsegpt+recon'];
  for (const r of results) {
    for (const mode of ['merged', 'factored'] as const) {
      for (const s of SETTINGS) {
        const get = (m: string) => r.rows.find((x) => x.mode === mode && x.setting === s.label && x.method === m)?.heldOut ?? Number.NaN;
        const gdm = mode === 'merged' ? gdMethod : gdMethod;
        const g = get(gdm);
        const [mag, wan, sg] = [get('magnitude'), get('wanda'), get('sparsegpt')];
        const cand = [...ours, gdm].map((m) => ({ m, e: get(m) })).sort((a, b) => a.e - b.e)[0];
        const high = s.label === '2:4' || s.sparsity >= 0.5;
        out.push({
          model: r.model,
          mode,
          setting: s.label,
          gd: g,
          magnitude: mag,
          wanda: wan,
          sparsegpt: sg,
          best: cand.m,
          bestErr: cand.e,
          gdWithin2pct: g <= 1.02 * mag,
          gdBeatsLinear: high ? g < mag && g < wan : null,
          bestHalfOfSparseGpt: s.label === '2:4' || s.sparsity >= 0.3 ? cand.e <= 0.5 * sg : null,
        });
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const mi = argv.indexOf('--model');
  const oi = argv.indexOf('--out');
  if (mi >= 0) {
    const r = await runModel(argv[mi + 1]);
    writeFileSync(oi >= 0 ? argv[oi + 1] : join(tmpdir(), `ablation-${argv[mi + 1]}.json`), JSON.stringify(r));
    return;
  }
  const t0 = performance.now();
  // One process per model: the two cores work in parallel.
  const files = MODELS.map((m) => join(tmpdir(), `ablation-${m}-${process.pid}.json`));
  await Promise.all(
    MODELS.map(
      (m, i) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [...process.execArgv, process.argv[1], '--model', m, '--out', files[i]], {
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ablation ${m} exited ${code}`))));
        }),
    ),
  );
  const results: ModelResult[] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const ranked = chooseDefaults(results);
  const chosen = ranked[0];
  const gdMethod = `gd ${chosen.config}`;
  const t = targets(results, gdMethod);
  const json = {
    generated_by: `npx tsx scripts/ablation.ts${process.env.ABLATION_GRID ? ` (ABLATION_GRID=${process.env.ABLATION_GRID} ABLATION_STEPS=${process.env.ABLATION_STEPS ?? ''} ABLATION_GD_ONLY=${process.env.ABLATION_GD_ONLY ?? ''})` : ''}`,
    metric: 'mean over heads of the relative attention error on HELD-OUT windows (not calibration, not evaluation data)',
    grid: { settings: SETTINGS.map((s) => s.label), gd: GRID, steps: STEPS, scores: BINARISE_SCORES, budgets: BUDGET },
    wall_seconds: (performance.now() - t0) / 1000,
    defaults: {
      chosen: chosen.config,
      rule: 'lowest mean log(held-out error / magnitude) over both models, both modes and every setting',
      ranked: ranked.slice(0, 12),
    },
    targets: t,
    models: results,
  };
  // ABLATION_OUT names another file for a follow-up run on part of the grid.
  const out = process.env.ABLATION_OUT ?? 'docs/ablation.json';
  mkdirSync('docs', { recursive: true });
  writeFileSync(out, JSON.stringify(json, null, 1) + '\n');
  // Summary table.
  const methods = ['magnitude', 'wanda', 'sparsegpt', 'gd λ=0.1 T=300 fixed relaxed', gdMethod, 'gradual', 'swap', 'swap+recon', 'sparsegpt+recon'];
  for (const r of results)
    for (const mode of ['merged', 'factored'] as const) {
      console.log(`\n${r.model} ${mode} (held-out mean attention error)`);
      console.log(['method'.padEnd(40), ...SETTINGS.map((s) => s.label.padStart(7))].join(''));
      for (const m of methods) {
        console.log(
          [
            m.padEnd(40),
            ...SETTINGS.map((s) =>
              (r.rows.find((x) => x.mode === mode && x.setting === s.label && x.method === m)?.heldOut ?? Number.NaN).toFixed(4).padStart(7),
            ),
          ].join(''),
        );
      }
    }
  console.log(`\nchosen default: ${chosen.config}; wall ${((performance.now() - t0) / 1000) | 0} s`);
}

main().catch((e) => {
  process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
