/**
 * The numbers of the chapter "Making attention-aware pruning win", read at build time
 * from the ablation (docs/ablation.json: the GD grid and every registry method × refit on equal data;
 * docs/ablation-armijo.json: the follow-up on Armijo runs with small λ and T, written by
 * scripts/ablation.ts); the whole-model tables come from fairFight.ts. Every claim
 * the prose makes is checked here: if the data changes, the build fails.
 *
 *   npx tsx src/site/numbers/winning.ts      # the findings, as JSON
 */
import full from '../../../docs/ablation.json';
import followUp from '../../../docs/ablation-armijo.json';
import { GD_DEFAULTS } from '../../core/gd.ts';
import { BASELINE_METHOD_IDS, MODEL_METHOD_IDS, type ModelMethodId, REFIT_IDS, type RefitId, recipeLabel } from '../../core/methods.ts';
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

function rowOf(model: Model, mode: Mode, setting: string, method: string): Row | undefined {
  for (const file of [FULL, FOLLOW]) {
    const m = file.models.find((x) => x.model === model);
    const r = m?.rows.find((x) => x.mode === mode && x.setting === setting && x.method === method);
    if (r) return r;
  }
  return undefined;
}

function heldOut(model: Model, mode: Mode, setting: string, method: string): number {
  const r = rowOf(model, mode, setting, method);
  if (!r) throw new Error(`src/site/numbers/winning.ts: no ablation row for ${model} ${mode} ${setting} ${method}`);
  return r.heldOut;
}

/** How scripts/ablation.ts names a registry method followed by a refit. */
export const recipeKey = (method: ModelMethodId, refit: RefitId): string => (refit === 'none' ? method : `${method}+${refit}`);

export interface TableMethod {
  key: string;
  label: string;
  ablation: string;
  method?: ModelMethodId;
  refit?: RefitId;
}

/**
 * The rows of the chapter's per-head tables, in their order: Algorithm 1 as the paper
 * states it and with our defaults, then every mask method of the registry with each
 * refit the ablation ran in that mode (factored mode runs the attention refit after the
 * fair fight's masks only: docs/ablation.json `cuts`).
 */
/** The settings where the ablation measured the registry's recipes (docs/ablation.json `cuts`: merged, four sparsities). */
export function recipeSettings(model: Model, mode: Mode): Setting[] {
  const m = FULL.models.find((x) => x.model === model);
  return SETTINGS.filter((s) => m?.rows.some((r) => r.mode === mode && r.setting === s && r.method === 'swap+attention'));
}

export function tableMethods(model: Model, mode: Mode): TableMethod[] {
  const has = (name: string) => recipeSettings(model, mode).every((s) => rowOf(model, mode, s, name) !== undefined);
  return [
    { key: 'paper', label: 'GD as the paper states it (fixed η, rounding M_T)', ablation: gdName(PAPER_GD) },
    ...MODEL_METHOD_IDS.flatMap((method) =>
      REFIT_IDS.map((refit) => ({
        key: recipeKey(method, refit),
        label: method === 'gd' && refit === 'none' ? 'GD with our defaults (Armijo, rounding |M_T∘W|·‖X_i‖)' : recipeLabel(method, refit),
        ablation: recipeKey(method, refit),
        method,
        refit,
      })),
    ).filter((m) => has(m.ablation)),
  ];
}

export function errorTable(model: Model, mode: Mode) {
  const settings = recipeSettings(model, mode);
  return { settings, rows: tableMethods(model, mode).map((m) => ({ ...m, errors: settings.map((s) => heldOut(model, mode, s, m.ablation)) })) };
}

/** The calibration windows each refit used in the ablation (equal data: 8 for every mask; the attention refit 6 + 2). */
export function ablationWindows() {
  const w = (full as unknown as { windows?: { refit: RefitId; mask: number; refit_fit: number; refit_stop: number; held_out_measuring_only: number }[] })
    .windows;
  if (!w) throw new Error('docs/ablation.json does not say which windows each refit used (rerun scripts/ablation.ts)');
  const cuts = (full as unknown as { cuts?: string }).cuts ?? '';
  return { windows: w, cuts };
}

/** Rounding: the same descent (the paper's run) rounded three ways, and a random mask of the same size (chance). */
export function roundingStudy(model: Model, mode: Mode) {
  const scores = ['relaxed', 'magnitude-weighted', 'wanda-weighted'] as const;
  // The settings where the random mask was measured (docs/ablation.json `cuts`).
  const settings = recipeSettings(model, mode);
  const rows = scores.map((score) => ({ score, errors: settings.map((s) => heldOut(model, mode, s, gdName({ ...PAPER_GD, score }))) }));
  const chance = settings.map((s) => heldOut(model, mode, s, 'random'));
  // "Rounding by M_T is at the level of chance": within a quarter of the random mask's error, or worse, at every setting.
  const relaxed = rows[0].errors;
  const nearChance = settings.filter((_, j) => relaxed[j] >= 0.75 * chance[j]);
  const magnitude = settings.map((s) => heldOut(model, mode, s, 'magnitude'));
  const beatsMagnitude = settings.filter((_, j) => relaxed[j] < magnitude[j]);
  claim(
    nearChance.includes(settings[0]),
    'at the lowest sparsity measured, rounding by M_T is at the level of chance (within a quarter of the random mask’s error, or worse)',
  );
  claim(
    relaxed.every((e, j) => e < chance[j]),
    'rounding by M_T is never worse than a random mask',
  );
  return { settings, rows, chance, nearChance, beatsMagnitude, magnitude };
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
    bestBaseline: number;
    bestBaselineMethod: string;
    sparsegpt: number;
    best: number;
    bestMethod: string;
  }[] = [];
  for (const model of ['brown-char', 'induction'] as const) {
    for (const mode of ['merged', 'factored'] as const) {
      const methods = tableMethods(model, mode);
      for (const setting of recipeSettings(model, mode)) {
        const get = (m: string) => heldOut(model, mode, setting, m);
        // Every published baseline of the registry, with no refit: the "best baseline".
        const baselines = BASELINE_METHOD_IDS.map((m) => ({ label: recipeLabel(m, 'none'), e: get(recipeKey(m, 'none')) }));
        // Everything else: Algorithm 1 (both forms), our searches, and any mask with a refit (chance excluded).
        const others = methods
          .filter((m) => m.method !== 'random' && !baselines.some((b) => b.label === m.label))
          .map((m) => ({ label: m.label, e: get(m.ablation) }));
        const best = others.reduce((x, y) => (y.e < x.e ? y : x));
        const bb = baselines.reduce((x, y) => (y.e < x.e ? y : x));
        cells.push({
          model,
          mode,
          setting,
          gd: get(gdName(DEFAULT_GD)),
          magnitude: get('magnitude'),
          wanda: get('wanda'),
          bestBaseline: bb.e,
          bestBaselineMethod: bb.label,
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
  const ratios = halfCells.map((c) => c.best / c.sparsegpt);
  return {
    cells,
    bestBeatsBaselines: cells.filter((c) => c.best < c.bestBaseline).length,
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

/**
 * The split on the per-head held-out attention error (the table, measured by
 * this project's ablation): SparseGPT → the linear swap search + linear refit → the
 * attention swap search + attention refit; and the mixed recipes that say where the
 * objective acts.
 */
export function heldOutSplit(model: Model, mode: Mode) {
  const rows = [
    { key: 'sparsegpt', label: recipeLabel('sparsegpt', 'none') },
    { key: 'swap-linear+linear', label: recipeLabel('swap-linear', 'linear') },
    { key: 'swap+linear', label: recipeLabel('swap', 'linear') },
    { key: 'swap-linear+attention', label: recipeLabel('swap-linear', 'attention') },
    { key: 'swap+attention', label: recipeLabel('swap', 'attention') },
    { key: 'random+attention', label: recipeLabel('random', 'attention') },
  ];
  const settings = recipeSettings(model, mode);
  const out = { settings, rows: rows.map((r) => ({ ...r, errors: settings.map((s) => heldOut(model, mode, s, r.key)) })) };
  if (model === 'brown-char' && settings.includes('0.5')) {
    const e = (key: string) => heldOut(model, mode, '0.5', key);
    // Chapter 10: "at 50 % the linear twin is already as good as ours" (within 5 %, either side).
    claim(Math.abs(e('swap-linear+linear') - e('swap+attention')) <= 0.05 * e('swap+attention'), 'at 50 % on brown-char the linear twin is as good as ours');
  }
  return out;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /winning\.ts$/.test(process.argv[1]);
if (isMain) console.log(JSON.stringify({ targets: targets(), raised: raisedSteps() }, null, 2));
