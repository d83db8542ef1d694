/**
 * The whole-model fair fight (issue 17), read from public/data/sweeps.json (`npm run
 * precompute`): every mask method of the registry × every refit, the paper's form of
 * Algorithm 1, chance, and the split of the gain over SparseGPT into "search + refit"
 * (SparseGPT → the linear swap search + linear refit: the same search and refit on the
 * linear objective) and "objective" (→ the attention swap search + attention refit).
 * Chapters 9 and 10 and the home page quote these; wall times come from
 * public/data/sweeps-time.json (the sweeps file keeps only exact evaluation counts).
 *
 *   npx tsx src/site/numbers/fairFight.ts      # the split, as JSON
 */
import sweepsFile from '../../../public/data/sweeps.json';
import timesFile from '../../../public/data/sweeps-time.json';
import type { ModelName } from '../../model/config.ts';
import { MODEL_METHOD_IDS, type ModelMethodId, REFIT_IDS, type RefitId, recipeLabel } from '../../core/methods.ts';
import { rowMetric, type SavedSweep, type SweepRow } from '../../model/sweep.ts';
import { fixed, percent, signedPercent } from '../../ui/format.ts';
import { type GainSplit, gainSplit } from './compare.ts';
import { claimsFor } from './claims.ts';

export type Model = ModelName;
export type Mode = 'merged' | 'factored';
type Sweep = SavedSweep & { settings?: 'paper-form' };

const SWEEPS = sweepsFile.sweeps as unknown as Sweep[];
/** The models the file holds, in its order (scripts/precompute-sweeps.ts SWEEP_PLAN: the order chapter 9 shows them in). */
export const SWEEP_MODELS: readonly Model[] = [...new Set(SWEEPS.map((x) => x.model as Model))];
/** The modes a model was swept in, merged first (brown-word: merged only, see scripts/precompute-sweeps.ts). */
export function modesOf(model: Model): Mode[] {
  return (['merged', 'factored'] as const).filter((mode) => SWEEPS.some((x) => x.model === model && x.mode === mode));
}
/** Whether the file has the model's merged 2:4 sweeps. */
export const hasNM = (model: Model): boolean => SWEEPS.some((x) => x.model === model && x.nm === '2:4');
const TIMES = timesFile.sweeps as { command: string; rows: { method: string; refit?: string; sparsity: number; time_ms?: number }[] }[];
export const SPARSITIES: readonly number[] = sweepsFile.sparsities;
/** The wall time of every row of the file, summed (minutes, on the machine that ran the precompute). */
export const ROWS_TOTAL_MINUTES: number = timesFile.rows_total_minutes;

type Settings = Sweep['settings'] | 'linear-refit' | 'attention-refit';
const settingsOfSweep = (x: Sweep): Settings => (x as { settings?: Settings }).settings;

/** The sweeps of one model, mode and pattern: our defaults' (no refit, and the refits) or, with `paperForm`, Algorithm 1 in the paper's form. */
function sweepsOf(model: Model, mode: Mode, nm: string | undefined, paperForm: boolean): Sweep[] {
  return SWEEPS.filter((x) => x.model === model && x.mode === mode && x.nm === nm && (settingsOfSweep(x) === 'paper-form') === paperForm);
}

/** The no-refit sweep of our defaults (every mask), or with `paperForm`, Algorithm 1 in the paper's form. */
export function savedSweep(model: Model, mode: Mode, nm?: string, paperForm = false): Sweep {
  const s = sweepsOf(model, mode, nm, paperForm).find((x) => paperForm || settingsOfSweep(x) === undefined);
  if (!s) throw new Error(`public/data/sweeps.json has no ${model} ${mode} ${nm ?? ''}${paperForm ? ' paper-form' : ''} sweep (run npm run precompute)`);
  return s;
}

/** The sweep of our defaults that holds this recipe (each refit has its own sweep and command). */
export function sweepWith(model: Model, mode: Mode, method: ModelMethodId, refit: RefitId, nm?: string): Sweep {
  const s = sweepsOf(model, mode, nm, false).find((x) => x.rows.some((r) => r.method === method && (r.refit ?? 'none') === refit));
  if (!s) throw new Error(`public/data/sweeps.json has no ${model} ${mode} ${nm ?? ''} sweep with ${method} + ${refit}`);
  return s;
}

/** The recipes (mask + refit) the file holds for one model and mode, in the registry's order. */
export function recipesOf(model: Model, mode: Mode): { method: ModelMethodId; refit: RefitId }[] {
  const rows = sweepsOf(model, mode, undefined, false).flatMap((x) => x.rows);
  return MODEL_METHOD_IDS.flatMap((method) =>
    REFIT_IDS.filter((refit) => rows.some((r) => r.method === method && (r.refit ?? 'none') === refit)).map((refit) => ({ method, refit })),
  );
}

export const higherIsBetter = (model: Model): boolean => model === 'induction';
/** The model's metric in words: "accuracy" or "perplexity". */
export const metricWord = (model: Model): string => (higherIsBetter(model) ? 'accuracy' : 'perplexity');
/** A model's metric as the chapters print it: accuracy in percent, perplexity with two decimals. */
export const metricText = (model: Model, x: number): string => (higherIsBetter(model) ? percent(x, 1) : fixed(x, 2));
/** A gain in the model's metric (positive = better): accuracy points, or the change in perplexity (− = lower, the better way). */
export function gainText(model: Model, x: number): string {
  return higherIsBetter(model) ? `${x >= 0 ? '+' : '−'}${fixed(Math.abs(100 * x), 1)} pt` : `${x >= 0 ? '−' : '+'}${fixed(Math.abs(x), 2)}`;
}

export interface RecipeCell {
  metric: number;
  error: number;
  evaluations: number;
  /** Wall time of the row (pruning every head and scoring), ms, on the machine that ran the precompute. */
  timeMs: number;
}

function row(s: Sweep, method: ModelMethodId, refit: RefitId, sparsity: number): SweepRow {
  const r = s.rows.find((x) => x.method === method && (x.refit ?? 'none') === refit && Math.abs(x.sparsity - sparsity) < 1e-9);
  if (!r) throw new Error(`public/data/sweeps.json: ${s.model} ${s.mode}${s.nm ? ` ${s.nm}` : ''} has no ${method} + ${refit} row at ${sparsity}`);
  return r;
}

function timeOf(s: Sweep, method: string, refit: string, sparsity: number): number {
  const t = TIMES.find((x) => x.command === s.command)?.rows.find(
    (r) => r.method === method && (r.refit ?? 'none') === refit && Math.abs(r.sparsity - sparsity) < 1e-9,
  );
  if (t?.time_ms === undefined) throw new Error(`public/data/sweeps-time.json has no time for ${s.command}: ${method} + ${refit} at ${sparsity}`);
  return t.time_ms;
}

/** A recipe at one setting ('2:4' reads the merged 2:4 sweeps). */
export function recipeCell(model: Model, mode: Mode, method: ModelMethodId, refit: RefitId, setting: number | '2:4', paperForm = false): RecipeCell {
  const nm = setting === '2:4' ? '2:4' : undefined;
  const s = paperForm ? savedSweep(model, mode, nm, true) : sweepWith(model, mode, method, refit, nm);
  const p = setting === '2:4' ? 0.5 : setting;
  const r = row(s, method, refit, p);
  return { metric: rowMetric(s, r), error: r.mean_attention_error, evaluations: r.evaluations ?? 0, timeMs: timeOf(s, method, refit, p) };
}

export function dense(model: Model): number {
  const s = savedSweep(model, 'merged');
  return rowMetric(s, s.rows[0]);
}

/** The settings of a mode's tables: four sparsities, and 2:4 in merged mode. */
export function settingsOf(mode: Mode): (number | '2:4')[] {
  return mode === 'merged' ? [...SPARSITIES, '2:4'] : [...SPARSITIES];
}
export const settingLabel = (s: number | '2:4'): string => (s === '2:4' ? '2:4' : percent(s, 0));

// ---------------------------------------------------------------- the split

/** The three recipes of the split: the baseline, its linear twin (same search and refit), ours. */
export const SPLIT = {
  baseline: { method: 'sparsegpt', refit: 'none' },
  twin: { method: 'swap-linear', refit: 'linear' },
  ours: { method: 'swap', refit: 'attention' },
} as const satisfies Record<string, { method: ModelMethodId; refit: RefitId }>;

export interface SplitRow {
  model: Model;
  mode: Mode;
  setting: number | '2:4';
  baseline: number;
  twin: number;
  ours: number;
  split: GainSplit;
}

export function splitRows(model: Model, mode: Mode): SplitRow[] {
  return SPARSITIES.map((setting) => {
    const v = (k: keyof typeof SPLIT) => recipeCell(model, mode, SPLIT[k].method, SPLIT[k].refit, setting).metric;
    const [baseline, twin, ours] = [v('baseline'), v('twin'), v('ours')];
    return { model, mode, setting, baseline, twin, ours, split: gainSplit(baseline, twin, ours, higherIsBetter(model)) };
  });
}

// ---------------------------------------------------------------- where the objective acts

/** Pairs that differ in one thing: the mask search's objective (same refit), or the refit's (same mask). */
export const OBJECTIVE_PAIRS = [
  { where: 'mask search', same: 'linear refit', linear: { method: 'swap-linear', refit: 'linear' }, attention: { method: 'swap', refit: 'linear' } },
  { where: 'mask search', same: 'attention refit', linear: { method: 'swap-linear', refit: 'attention' }, attention: { method: 'swap', refit: 'attention' } },
  { where: 'refit', same: 'linear swap mask', linear: { method: 'swap-linear', refit: 'linear' }, attention: { method: 'swap-linear', refit: 'attention' } },
  { where: 'refit', same: 'attention swap mask', linear: { method: 'swap', refit: 'linear' }, attention: { method: 'swap', refit: 'attention' } },
  { where: 'refit', same: 'SparseGPT mask', linear: { method: 'sparsegpt', refit: 'linear' }, attention: { method: 'sparsegpt', refit: 'attention' } },
] as const satisfies readonly {
  where: string;
  same: string;
  linear: { method: ModelMethodId; refit: RefitId };
  attention: { method: ModelMethodId; refit: RefitId };
}[];

/** Per pair and setting: the gain of the attention version over its linear twin (positive = the objective helps). */
export function objectiveGains(model: Model, mode: Mode) {
  const sign = higherIsBetter(model) ? 1 : -1;
  return OBJECTIVE_PAIRS.map((p) => ({
    ...p,
    gains: SPARSITIES.map((s) => {
      const lin = recipeCell(model, mode, p.linear.method, p.linear.refit, s).metric;
      const att = recipeCell(model, mode, p.attention.method, p.attention.refit, s).metric;
      return sign * (att - lin);
    }),
  }));
}

// ---------------------------------------------------------------- the whole-model table

export interface RecipeRow {
  label: string;
  method: ModelMethodId;
  refit: RefitId;
  paperForm: boolean;
  cells: RecipeCell[];
  /** Calibration windows: "8" (mask only or linear refit) or "6 + 2" (the attention refit fits on 6, stops on 2). */
  windows: string;
}

/** Every recipe of the file for one model and mode, at the four sparsities: the paper's form of Algorithm 1 first, then each mask × refit. */
export function recipeTable(model: Model, mode: Mode, recipes?: readonly { method: ModelMethodId; refit: RefitId }[]): RecipeRow[] {
  const windowsOf = (method: ModelMethodId, refit: RefitId): string => {
    const w = sweepWith(model, mode, method, refit).windows?.find((x) => x.refit === refit);
    if (!w) throw new Error(`public/data/sweeps.json: ${model} ${mode} does not say which windows the ${refit} refit used`);
    return w.refit_stop > 0 ? `${w.refit_fit} + ${w.refit_stop}` : String(w.mask);
  };
  const paper: RecipeRow[] = recipes
    ? []
    : [
        {
          label: 'Gradient descent, the paper’s form',
          method: 'gd',
          refit: 'none',
          paperForm: true,
          cells: SPARSITIES.map((x) => recipeCell(model, mode, 'gd', 'none', x, true)),
          windows: windowsOf('gd', 'none'),
        },
      ];
  return [
    ...paper,
    ...(recipes ?? recipesOf(model, mode)).map(({ method, refit }) => ({
      label: method === 'gd' && refit === 'none' ? 'Gradient descent, our defaults' : recipeLabel(method, refit),
      method,
      refit,
      paperForm: false,
      cells: SPARSITIES.map((x) => recipeCell(model, mode, method, refit, x)),
      windows: windowsOf(method, refit),
    })),
  ];
}

/** The command lines that print a model and mode's whole-model table (one per refit, and the paper's form). */
export function recipeCommands(model: Model, mode: Mode): string[] {
  return [...sweepsOf(model, mode, undefined, false), savedSweep(model, mode, undefined, true)].map((x) => x.command);
}

// ---------------------------------------------------------------- what the prose says

/** "5 % at 30 %, 12 % at 50 %, … and 48 % at 90 %" (the objective's share of the gain over SparseGPT). */
export function shareSentence(rows: readonly SplitRow[]): string {
  const parts = rows.map(
    (r) => `${r.split.objectiveShare === null ? 'no gain to share' : signedPercent(r.split.objectiveShare, 0)} at ${settingLabel(r.setting)}`,
  );
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Mean over the pairs of one kind ('mask search' or 'refit') of the attention version's gain at each setting. */
export function meanGain(model: Model, mode: Mode, where: 'mask search' | 'refit'): number[] {
  const pairs = objectiveGains(model, mode).filter((p) => p.where === where);
  return SPARSITIES.map((_, j) => pairs.reduce((a, p) => a + p.gains[j], 0) / pairs.length);
}

const claim = claimsFor('src/site/numbers/fairFight.ts (public/data/sweeps.json)');

/** One model's fair fight: the split in each mode it was swept in, the sentences, where the objective acts, chance refitted. */
export interface ModelFight {
  model: Model;
  /** Merged mode (the theory's W_h): the verdicts read it. */
  split: SplitRow[];
  /** Factored mode, where the file has it (else empty). */
  splitFactored: SplitRow[];
  sentence: string;
  /** null where the model has no factored sweeps. */
  sentenceFactored: string | null;
  where: { mask: number[]; refit: number[] };
  pairs: ReturnType<typeof objectiveGains>;
  chance: { refit: RefitId; metric: number[] }[];
}

function modelFight(model: Model): ModelFight {
  const split = splitRows(model, 'merged');
  const splitFactored = modesOf(model).includes('factored') ? splitRows(model, 'factored') : [];
  return {
    model,
    split,
    splitFactored,
    sentence: shareSentence(split),
    sentenceFactored: splitFactored.length ? shareSentence(splitFactored) : null,
    where: { mask: meanGain(model, 'merged', 'mask search'), refit: meanGain(model, 'merged', 'refit') },
    pairs: objectiveGains(model, 'merged'),
    chance: REFIT_IDS.map((refit) => ({ refit, metric: SPARSITIES.map((x) => recipeCell(model, 'merged', 'random', refit, x).metric) })),
  };
}

/** Every model's fair fight, keyed by model (the file's models: SWEEP_MODELS). */
export function fairFight(): Record<Model, ModelFight> {
  return Object.fromEntries(SWEEP_MODELS.map((m) => [m, modelFight(m)])) as Record<Model, ModelFight>;
}

/**
 * The verdicts the chapters write, per model, generated from the data (no sentence
 * assumes a direction the numbers could reverse): where the objective's share of the
 * gain is largest, whether it is ever negative, and whether it acts through the mask
 * search or the refit.
 */
export function fairFightVerdict(): Record<Model, Verdict> {
  return Object.fromEntries(Object.values(fairFight()).map((f) => [f.model, verdict(f)])) as Record<Model, Verdict>;
}

export type Verdict = ReturnType<typeof verdict>;

function verdict({ model, split: rows, where }: ModelFight) {
  const shares = rows.map((r) => r.split.objectiveShare ?? Number.NEGATIVE_INFINITY);
  const iMax = shares.indexOf(Math.max(...shares));
  const anyGain = Number.isFinite(shares[iMax]);
  const top = rows.length - 1;
  const low = rows.filter((r) => r.setting !== '2:4' && (r.setting as number) <= 0.5);
  const negative = rows.filter((r) => r.split.objective < 0).map((r) => settingLabel(r.setting));
  const lowShare = Math.max(...low.map((r) => r.split.objectiveShare ?? 0));
  // Where the attention objective helps most at a setting; null where it helps in neither place.
  const actsThrough = (j: number) => (Math.max(where.refit[j], where.mask[j]) <= 0 ? null : where.refit[j] > where.mask[j] ? 'the refit' : 'the mask search');
  claim(
    rows.every((r) => r.split.total >= 0),
    `on ${model}, swap search + attention refit is never worse than SparseGPT`,
  );
  claim(
    low.every((r) => r.split.total <= 0 || r.split.searchRefit >= r.split.objective),
    `on ${model}, at 50 % and below the gain over SparseGPT comes mostly from searching and refitting`,
  );
  return {
    model,
    /** Where the objective's share of the gain is largest (null: swap + attention refit gains nothing over SparseGPT anywhere). */
    largestShareAt: anyGain ? settingLabel(rows[iMax].setting) : null,
    largestShare: anyGain ? shares[iMax] : null,
    topShare: rows[top].split.objectiveShare,
    topLabel: settingLabel(rows[top].setting),
    lowShare,
    /** The share is largest at the top sparsity and smaller at 50 % and below: the objective pays more the more is pruned. */
    grows: anyGain && rows[top].split.objectiveShare === shares[iMax] && lowShare < shares[iMax],
    negative,
    actsAtTop: actsThrough(top),
    maskAtTop: where.mask[top],
    refitAtTop: where.refit[top],
    totalAtTop: rows[top].split.total,
  };
}

/** "At 90 % on brown-word, changing the mask search's objective moves the perplexity by … : the objective acts mainly through the refit." */
export function whereSentence(v: Verdict): string {
  const m = v.model;
  const moves = `At ${v.topLabel} on ${m}, changing the mask search's objective moves the ${metricWord(m)} by ${gainText(m, v.maskAtTop)} on average, changing the refit's by ${gainText(m, v.refitAtTop)}`;
  if (v.actsAtTop === null) return `${moves}: the attention objective helps in neither place.`;
  const other = v.actsAtTop === 'the refit' ? v.maskAtTop : v.refitAtTop;
  const otherPlace = v.actsAtTop === 'the refit' ? 'the mask search' : 'the refit';
  if (other > 0) return `${moves}: the objective acts in both places, mainly through ${v.actsAtTop}.`;
  return `${moves}: the objective acts only through ${v.actsAtTop}${other < 0 ? `; in ${otherPlace} it does harm` : ''}.`;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ fight: fairFight(), verdict: fairFightVerdict() }, null, 2));
