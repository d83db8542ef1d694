/**
 * The numbers of the chapter "Making attention-aware pruning win", read at build time
 * from the ablation (docs/ablation.json: the full grid and our methods;
 * docs/ablation-armijo.json: the follow-up on Armijo runs with small λ and T, written by
 * scripts/ablation.ts) and from the model sweeps (public/data/sweeps.json). Every claim
 * the prose makes is checked here: if the data changes, the build fails.
 *
 *   npx tsx src/site/numbers/winning.ts      # the findings, as JSON
 */
import full from '../../../docs/ablation.json';
import followUp from '../../../docs/ablation-armijo.json';
import sweepsFile from '../../../public/data/sweeps.json';
import { GD_DEFAULTS } from '../../core/gd.ts';
import { MODEL_METHOD_IDS, type ModelMethodId, methodInfo } from '../../core/methods.ts';
import { rowMetric, type SavedSweep } from '../../model/sweep.ts';
import { claimsFor } from './claims.ts';

interface Row {
  mode: string;
  setting: string;
  method: string;
  heldOut: number;
}
interface GdRun {
  mode: string;
  lambda: number;
  step: string;
  T: number;
  stepsRaisedL: number;
  evaluations: number;
  meanObservedRate: number;
}
interface AblationModel {
  model: string;
  heads: number;
  rows: Row[];
  gd: GdRun[];
}
interface Ablation {
  grid: { settings: string[] };
  models: AblationModel[];
}

export const SETTINGS = ['0.1', '0.3', '0.5', '0.7', '0.9', '2:4'] as const;
export type Setting = (typeof SETTINGS)[number];
export type Model = 'brown-char' | 'induction';
export type Mode = 'merged' | 'factored';

const FULL = full as unknown as Ablation;
const FOLLOW = followUp as unknown as Ablation;

const claim = claimsFor('src/site/numbers/winning.ts (docs/ablation*.json, public/data/sweeps.json)');

/** The ablation's name of a GD configuration. */
export const gdName = (o: { lambda: number; iters: number; step: string; score: string }): string => `gd λ=${o.lambda} T=${o.iters} ${o.step} ${o.score}`;
/** Algorithm 1 as the paper states it, with the settings this site used before the ablation. */
export const PAPER_GD = { lambda: 0.1, iters: 300, step: 'fixed', score: 'relaxed' } as const;
export const DEFAULT_GD = { lambda: GD_DEFAULTS.lambda, iters: GD_DEFAULTS.iters, step: GD_DEFAULTS.step, score: GD_DEFAULTS.score };

function heldOut(model: Model, mode: Mode, setting: string, method: string): number {
  for (const file of [FULL, FOLLOW]) {
    const m = file.models.find((x) => x.model === model);
    const r = m?.rows.find((x) => x.mode === mode && x.setting === setting && x.method === method);
    if (r) return r.heldOut;
  }
  throw new Error(`src/site/numbers/winning.ts: no ablation row for ${model} ${mode} ${setting} ${method}`);
}

/** The methods of the chapter's tables, in their order, with the ablation's names. */
export const TABLE_METHODS = [
  { key: 'magnitude', label: 'Magnitude', ablation: 'magnitude' },
  { key: 'wanda', label: 'Wanda', ablation: 'wanda' },
  { key: 'sparsegpt', label: 'SparseGPT', ablation: 'sparsegpt' },
  { key: 'paper', label: 'GD as the paper states it (fixed η, rounding M_T)', ablation: gdName(PAPER_GD) },
  { key: 'gd', label: 'GD with our defaults (Armijo, rounding |M_T∘W|·‖X_i‖)', ablation: gdName(DEFAULT_GD) },
  { key: 'gradual', label: 'Gradual GD (ours)', ablation: 'gradual' },
  { key: 'swap', label: 'Swap search (ours)', ablation: 'swap' },
  { key: 'swap-recon', label: 'Swap search + reconstruction (ours)', ablation: 'swap+recon' },
  { key: 'sparsegpt-recon', label: 'SparseGPT + reconstruction (ours)', ablation: 'sparsegpt+recon' },
] as const;

export function errorTable(model: Model, mode: Mode) {
  return TABLE_METHODS.map((m) => ({ ...m, errors: SETTINGS.map((s) => heldOut(model, mode, s, m.ablation)) }));
}

/** Rounding: the same descent (the paper's run) rounded three ways. */
export function roundingStudy(model: Model, mode: Mode) {
  const scores = ['relaxed', 'magnitude-weighted', 'wanda-weighted'] as const;
  return scores.map((score) => ({ score, errors: SETTINGS.map((s) => heldOut(model, mode, s, gdName({ ...PAPER_GD, score }))) }));
}

/** How far to descend: Armijo runs at the default λ, rounded with the default score, at each T of the follow-up. */
export function depthStudy(model: Model, mode: Mode) {
  const Ts = [15, 30, 60, 100];
  return Ts.map((T) => ({ T, errors: SETTINGS.map((s) => heldOut(model, mode, s, gdName({ ...DEFAULT_GD, iters: T }))) }));
}

/**
 * How far λ lets M move: the geometric mean of (held-out error / magnitude's) over both
 * models and every setting, merged mode, for Armijo runs of T = 100 rounded with the
 * default score, at each λ the two ablation files measured.
 */
export function lambdaStudy() {
  const lambdas = [0.001, 0.01, 0.03, 0.1, 1];
  const out = lambdas.map((lambda) => {
    const logs: number[] = [];
    for (const model of ['brown-char', 'induction'] as const) {
      for (const s of SETTINGS) {
        const e = heldOut(model, 'merged', s, gdName({ lambda, iters: 100, step: 'armijo', score: DEFAULT_GD.score }));
        logs.push(Math.log(e / heldOut(model, 'merged', s, 'magnitude')));
      }
    }
    return { lambda, ratio: Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) };
  });
  const small = out.filter((l) => l.lambda <= 0.01);
  const large = out.filter((l) => l.lambda >= 0.03);
  claim(Math.max(...small.map((l) => l.ratio)) < Math.min(...large.map((l) => l.ratio)), 'every λ ≤ 0.01 rounds better than every λ ≥ 0.03 (Armijo, T = 100)');
  return out;
}

function gdRuns(model: Model, file: Ablation): GdRun[] {
  return file.models.find((m) => m.model === model)?.gd ?? [];
}

/** Steps that raised L, by step rule, over every run of the full grid (all heads, both modes). */
export function raisedSteps() {
  const out = { fixed: { raised: 0, steps: 0, worst: '' }, armijo: { raised: 0, steps: 0 } };
  let worstShare = 0;
  for (const model of ['brown-char', 'induction'] as const) {
    for (const g of gdRuns(model, FULL)) {
      const heads = FULL.models.find((m) => m.model === model)?.heads ?? 8;
      if (g.step === 'fixed') {
        out.fixed.raised += g.stepsRaisedL;
        out.fixed.steps += g.T * heads;
        const share = g.stepsRaisedL / (g.T * heads);
        if (share > worstShare) {
          worstShare = share;
          out.fixed.worst = `${model}, ${g.mode}, λ = ${g.lambda}, T = ${g.T}: ${g.stepsRaisedL} of ${g.T * heads} steps`;
        }
      } else {
        out.armijo.raised += g.stepsRaisedL;
        out.armijo.steps += g.T * heads;
      }
    }
  }
  for (const model of ['brown-char', 'induction'] as const) for (const g of gdRuns(model, FOLLOW)) if (g.step === 'armijo') out.armijo.raised += g.stepsRaisedL;
  return out;
}

/** The chapter's targets, checked cell by cell; the chapter prints what holds and what misses. */
export function targets() {
  const cells: {
    model: Model;
    mode: Mode;
    setting: Setting;
    gd: number;
    magnitude: number;
    wanda: number;
    sparsegpt: number;
    best: number;
    bestMethod: string;
  }[] = [];
  for (const model of ['brown-char', 'induction'] as const) {
    for (const mode of ['merged', 'factored'] as const) {
      for (const setting of SETTINGS) {
        const get = (m: string) => heldOut(model, mode, setting, m);
        const ours = TABLE_METHODS.filter((m) => ['gd', 'gradual', 'swap', 'swap-recon', 'sparsegpt-recon'].includes(m.key)).map((m) => ({
          label: m.label,
          e: get(m.ablation),
        }));
        const best = ours.reduce((a, b) => (b.e < a.e ? b : a));
        cells.push({
          model,
          mode,
          setting,
          gd: get(gdName(DEFAULT_GD)),
          magnitude: get('magnitude'),
          wanda: get('wanda'),
          sparsegpt: get('sparsegpt'),
          best: best.e,
          bestMethod: best.label,
        });
      }
    }
  }
  const high = (s: Setting) => s === '2:4' || Number(s) >= 0.5;
  const atLeast03 = (s: Setting) => s === '2:4' || Number(s) >= 0.3;
  const gdWithin2 = cells.filter((c) => c.gd <= 1.02 * c.magnitude);
  const gdMisses2 = cells.filter((c) => c.gd > 1.02 * c.magnitude);
  const gdBeatsBoth = cells.filter((c) => high(c.setting) && c.gd < Math.min(c.magnitude, c.wanda));
  const gdHighCells = cells.filter((c) => high(c.setting));
  const halfOfSparseGpt = cells.filter((c) => atLeast03(c.setting) && c.best <= 0.5 * c.sparsegpt);
  const halfCells = cells.filter((c) => atLeast03(c.setting));
  const bestEverywhere = cells.every((c) => c.best < Math.min(c.magnitude, c.wanda, c.sparsegpt));
  claim(bestEverywhere, 'in every cell, one of the attention-aware methods has a lower held-out error than all three baselines');
  const ratios = halfCells.map((c) => c.best / c.sparsegpt);
  return {
    cells,
    gdWithin2: gdWithin2.length,
    gdMisses2: gdMisses2.map((c) => ({ where: `${c.model} ${c.mode} ${c.setting}`, ratio: c.gd / c.magnitude })),
    gdBeatsBoth: gdBeatsBoth.length,
    gdHighCells: gdHighCells.length,
    halfOfSparseGpt: halfOfSparseGpt.map((c) => `${c.model} ${c.mode} ${c.setting}`),
    halfCells: halfCells.length,
    ratioRange: [Math.min(...ratios), Math.max(...ratios)] as const,
    total: cells.length,
  };
}

/** Model metrics after pruning every head (public/data/sweeps.json, 128 evaluation windows). */
export function modelResults() {
  const sweeps = sweepsFile.sweeps as unknown as SavedSweep[];
  const find = (model: Model, mode: Mode) => {
    const s = sweeps.find((x) => x.model === model && x.mode === mode && !x.nm);
    if (!s) throw new Error(`public/data/sweeps.json has no ${model} ${mode} sweep`);
    return s;
  };
  const metricAt = (model: Model, mode: Mode, method: ModelMethodId | 'dense', p: number) => {
    const s = find(model, mode);
    const r = s.rows.find((x) => x.method === method && (method === 'dense' || Math.abs(x.sparsity - p) < 1e-9));
    if (!r) throw new Error(`public/data/sweeps.json: no ${model} ${mode} ${method} at ${p}`);
    return rowMetric(s, r);
  };
  // The baselines first, then Algorithm 1 and ours: the registry's order, baselines moved up.
  const methods: ModelMethodId[] = [
    ...MODEL_METHOD_IDS.filter((m) => methodInfo(m).origin === 'baseline'),
    ...MODEL_METHOD_IDS.filter((m) => methodInfo(m).origin !== 'baseline'),
  ];
  const sparsities = (sweepsFile.sparsities as number[]).slice();
  const table = (model: Model, mode: Mode) => methods.map((m) => ({ method: m, values: sparsities.map((p) => metricAt(model, mode, m, p)) }));
  const brownDense = metricAt('brown-char', 'merged', 'dense', 0);
  const bestBaseline = (p: number) => Math.min(...(['magnitude', 'wanda', 'sparsegpt'] as const).map((m) => metricAt('brown-char', 'merged', m, p)));
  const bestOurs = (p: number) => Math.min(...(['swap', 'gradual', 'gd'] as const).map((m) => metricAt('brown-char', 'merged', m, p)));
  return {
    sparsities,
    brown: table('brown-char', 'merged'),
    brownFactored: table('brown-char', 'factored'),
    induction: table('induction', 'merged'),
    brownDense,
    inductionDense: metricAt('induction', 'merged', 'dense', 0),
    at50: { ours: bestOurs(0.5), baseline: bestBaseline(0.5) },
    at90: { ours: bestOurs(0.9), baseline: bestBaseline(0.9) },
  };
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /winning\.ts$/.test(process.argv[1]);
if (isMain) console.log(JSON.stringify({ targets: targets(), raised: raisedSteps(), model: modelResults() }, null, 2));
