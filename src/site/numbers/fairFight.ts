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
import { MODEL_METHOD_IDS, type ModelMethodId, REFIT_IDS, type RefitId, recipeLabel } from '../../core/methods.ts';
import { rowMetric, type SavedSweep, type SweepRow } from '../../model/sweep.ts';
import { percent } from '../../ui/format.ts';
import { type GainSplit, gainSplit } from './compare.ts';

export type Model = 'brown-char' | 'induction';
export type Mode = 'merged' | 'factored';
type Sweep = SavedSweep & { settings?: 'paper-form' };

const SWEEPS = sweepsFile.sweeps as unknown as Sweep[];
const TIMES = timesFile.sweeps as { command: string; rows: { method: string; refit?: string; sparsity: number; time_ms?: number }[] }[];
export const SPARSITIES: readonly number[] = sweepsFile.sparsities;

/** One sweep of the file: our defaults (every recipe) or, with `paperForm`, Algorithm 1 in the paper's form. */
export function savedSweep(model: Model, mode: Mode, nm?: string, paperForm = false): Sweep {
  const s = SWEEPS.find((x) => x.model === model && x.mode === mode && x.nm === nm && (x.settings === 'paper-form') === paperForm);
  if (!s) throw new Error(`public/data/sweeps.json has no ${model} ${mode} ${nm ?? ''}${paperForm ? ' paper-form' : ''} sweep (run npm run precompute)`);
  return s;
}

export const higherIsBetter = (model: Model): boolean => model === 'induction';

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
  const t = TIMES.find((x) => x.command === s.command)?.rows.find((r) => r.method === method && (r.refit ?? 'none') === refit && Math.abs(r.sparsity - sparsity) < 1e-9);
  if (t?.time_ms === undefined) throw new Error(`public/data/sweeps-time.json has no time for ${s.command}: ${method} + ${refit} at ${sparsity}`);
  return t.time_ms;
}

/** A recipe at one setting ('2:4' reads the merged 2:4 sweep). */
export function recipeCell(model: Model, mode: Mode, method: ModelMethodId, refit: RefitId, setting: number | '2:4', paperForm = false): RecipeCell {
  const s = savedSweep(model, mode, setting === '2:4' ? '2:4' : undefined, paperForm);
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
  return settingsOf(mode).map((setting) => {
    const v = (k: keyof typeof SPLIT) => recipeCell(model, mode, SPLIT[k].method, SPLIT[k].refit, setting).metric;
    const [baseline, twin, ours] = [v('baseline'), v('twin'), v('ours')];
    return { model, mode, setting, baseline, twin, ours, split: gainSplit(baseline, twin, ours, higherIsBetter(model)) };
  });
}

export function allSplitRows(): SplitRow[] {
  return (['brown-char', 'induction'] as const).flatMap((model) => (['merged', 'factored'] as const).flatMap((mode) => splitRows(model, mode)));
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
    gains: settingsOf(mode).map((s) => {
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

/** Every recipe of the file for one model and mode: the paper's form of Algorithm 1 first, then each method × refit. */
export function recipeTable(model: Model, mode: Mode, recipes?: readonly { method: ModelMethodId; refit: RefitId }[]): RecipeRow[] {
  const s = savedSweep(model, mode);
  const windowsOf = (refit: RefitId): string => {
    const w = s.windows?.find((x) => x.refit === refit);
    if (!w) throw new Error(`public/data/sweeps.json: ${model} ${mode} does not say which windows the ${refit} refit used`);
    return w.refit_stop > 0 ? `${w.refit_fit} + ${w.refit_stop}` : String(w.mask);
  };
  const settings = settingsOf(mode);
  const paper: RecipeRow[] = recipes
    ? []
    : [
        {
          label: 'Gradient descent, the paper’s form',
          method: 'gd',
          refit: 'none',
          paperForm: true,
          cells: settings.map((x) => recipeCell(model, mode, 'gd', 'none', x, true)),
          windows: windowsOf('none'),
        },
      ];
  const list = recipes ?? MODEL_METHOD_IDS.flatMap((method) => REFIT_IDS.map((refit) => ({ method, refit })));
  return [
    ...paper,
    ...list.map(({ method, refit }) => ({
      label: method === 'gd' && refit === 'none' ? 'Gradient descent, our defaults' : recipeLabel(method, refit),
      method,
      refit,
      paperForm: false,
      cells: settings.map((x) => recipeCell(model, mode, method, refit, x)),
      windows: windowsOf(refit),
    })),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(allSplitRows(), null, 2));
