/**
 * The numbers of the chapter "Reproducing the paper's experiment", read from
 * public/data/sweeps.json (written by `npm run precompute`, checked against a fresh
 * run by test/unit/model/sweeps-data.test.ts). Every sentence of the chapter that
 * compares methods is built here from the data, so the prose cannot drift from the
 * tables; where the prose makes a qualitative claim, `claim()` fails the build if
 * the data stop supporting it.
 *
 *   npx tsx src/site/numbers/sweeps.ts      # the findings, as JSON
 */
import brownManifest from '../../../public/models/brown-char/manifest.json';
import wordManifest from '../../../public/models/brown-word/manifest.json';
import inductionManifest from '../../../public/models/induction/manifest.json';
import { fixed, percent } from '../../ui/format.ts';
import { BASELINE_METHOD_IDS, type ModelMethodId, methodShort, recipeLabel } from '../../core/methods.ts';
import type { SavedSweep as Sweep } from '../../model/sweep.ts';
import { claimsFor } from './claims.ts';
import { type Place, placeOf } from './compare.ts';
import { type Model, type Mode, SPARSITIES, SWEEP_MODELS, hasNM, higherIsBetter, modesOf, recipeCell, recipesOf, savedSweep } from './fairFight.ts';

export type SweepModel = Model;
export type SweepMode = Mode;

/**
 * The paper's comparison, every method with no refit: Algorithm 1 in the paper's form and
 * with our defaults, every published baseline of the registry, and chance (a random mask).
 */
export interface Column {
  key: string;
  short: string;
  method: ModelMethodId;
  paperForm: boolean;
}
export const SWEEP_COLUMNS: readonly Column[] = [
  { key: 'gd-paper', short: 'GD (paper)', method: 'gd', paperForm: true },
  { key: 'gd', short: 'GD (ours)', method: 'gd', paperForm: false },
  ...BASELINE_METHOD_IDS.map((m) => ({ key: m, short: methodShort(m), method: m, paperForm: false })),
  { key: 'random', short: methodShort('random'), method: 'random', paperForm: false },
];
export const SWEEP_SPARSITIES: readonly number[] = SPARSITIES;

const claim = claimsFor('src/site/numbers/sweeps.ts (public/data/sweeps.json)');

/** Our defaults' sweep (every recipe); `paperForm` for Algorithm 1 in the paper's form. */
export function sweep(model: SweepModel, mode: SweepMode, nm?: string, paperForm = false): Sweep {
  return savedSweep(model, mode, nm, paperForm);
}

export interface Cell {
  key: string;
  method: ModelMethodId;
  metric: number;
  error: number;
  metricPlace: Place;
  errorPlace: Place;
}
export interface TableRow {
  sparsity: number;
  /** "2:4" for the N:M row. */
  label: string;
  cells: Cell[];
}

function rowOf(model: SweepModel, mode: SweepMode, setting: number | '2:4'): TableRow {
  const raw = SWEEP_COLUMNS.map((c) => ({ key: c.key, method: c.method, ...recipeCell(model, mode, c.method, 'none', setting, c.paperForm) }));
  const metrics = raw.map((c) => c.metric);
  const errors = raw.map((c) => c.error);
  return {
    sparsity: setting === '2:4' ? 0.5 : setting,
    label: setting === '2:4' ? '2:4' : percent(setting, 0),
    cells: raw.map((c, i) => ({
      key: c.key,
      method: c.method,
      metric: c.metric,
      error: c.error,
      metricPlace: placeOf(metrics, i, higherIsBetter(model)),
      errorPlace: placeOf(errors, i, false),
    })),
  };
}

export interface SweepTableData {
  model: SweepModel;
  mode: SweepMode;
  metric: 'perplexity' | 'accuracy';
  dense: number;
  rows: TableRow[];
  commands: string[];
}

/** The rows of one table: four sparsities, plus 2:4 when `withNM` (merged only). */
export function sweepTable(model: SweepModel, mode: SweepMode, withNM = false): SweepTableData {
  const s = sweep(model, mode);
  const rows = SWEEP_SPARSITIES.map((p) => rowOf(model, mode, p));
  const commands = [s.command, sweep(model, mode, undefined, true).command];
  if (withNM) {
    rows.push(rowOf(model, mode, '2:4'));
    commands.push(sweep(model, mode, '2:4').command, sweep(model, mode, '2:4', true).command);
  }
  const dense = s.rows.find((r) => r.method === 'dense')!;
  return { model, mode, metric: s.metric, dense: s.metric === 'accuracy' ? dense.accuracy! : dense.perplexity!, rows, commands };
}

// ---------------------------------------------------------------- formatting

export function fmtMetric(metric: 'perplexity' | 'accuracy', v: number): string {
  return metric === 'accuracy' ? percent(v, 2) : fixed(v, 2);
}
export function fmtError(v: number): string {
  return fixed(v, 3);
}
/** "30 %, 50 % and 70 %"; "no sparsity" for none; "every sparsity" for all four. */
export function sparsityList(ps: readonly number[]): string {
  if (ps.length === 0) return 'none of the four sparsities';
  if (ps.length === SWEEP_SPARSITIES.length) return 'every sparsity';
  const s = ps.map((p) => percent(p, 0));
  return s.length === 1 ? s[0] : `${s.slice(0, -1).join(', ')} and ${s[s.length - 1]}`;
}

// ---------------------------------------------------------------- findings

/** The sparsities where a column is best, worst, or tied with every method (ties are neither best nor worst). */
export interface Standing {
  best: number[];
  worst: number[];
  allTied: number[];
}

function standing(t: SweepTableData, key: string, what: 'metricPlace' | 'errorPlace'): Standing {
  const at = (place: Place) => t.rows.filter((r) => r.cells.find((c) => c.key === key)![what] === place).map((r) => r.sparsity);
  return { best: at('best'), worst: at('worst'), allTied: at('all-tied') };
}

/** "the best perplexity at 30 % and 50 %, the worst at 90 %, and ties with every method at 70 %". */
export function standingPhrase(st: Standing, word: string): string {
  const parts = [`the best ${word} (alone or tied) at ${sparsityList(st.best)}`];
  if (st.worst.length) parts.push(`the worst at ${sparsityList(st.worst)}`);
  if (st.allTied.length) parts.push(`ties with every method at ${sparsityList(st.allTied)}`);
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export interface Finding {
  model: SweepModel;
  mode: SweepMode;
  metric: 'perplexity' | 'accuracy';
  /** Algorithm 1 in the paper's form, and with our defaults: where each stands among the columns. */
  paper: { metric: Standing; error: Standing };
  ours: { metric: Standing; error: Standing };
  /** One sentence, from the numbers. */
  sentence: string;
}

export function finding(model: SweepModel, mode: SweepMode): Finding {
  const t = sweepTable(model, mode);
  const word = t.metric === 'accuracy' ? 'accuracy' : 'perplexity';
  const paper = { metric: standing(t, 'gd-paper', 'metricPlace'), error: standing(t, 'gd-paper', 'errorPlace') };
  const ours = { metric: standing(t, 'gd', 'metricPlace'), error: standing(t, 'gd', 'errorPlace') };
  const sentence =
    `On ${model}, ${mode}: Algorithm 1 in the paper's form has ${standingPhrase(paper.metric, word)}; ` +
    `with our defaults it has ${standingPhrase(ours.metric, word)} (mean attention error: ${standingPhrase(ours.error, 'error').replace(/^the best error/, 'the smallest')}).`;
  return { model, mode, metric: t.metric, paper, ours, sentence };
}

const MANIFESTS: Record<SweepModel, { config: { dModel: number; nHeads: number; nLayers: number; contextLength: number; vocabSize: number } }> = {
  'brown-char': brownManifest,
  'brown-word': wordManifest,
  induction: inductionManifest,
};

/**
 * At the top sparsity of a perplexity model's merged table: Algorithm 1 (both forms), chance, the best
 * baseline, SparseGPT, the best recipe of the file (any mask × refit), and the dense model.
 */
function topOf(model: SweepModel, top: number) {
  const t = sweepTable(model, 'merged');
  const at = (key: string) => t.rows.find((r) => r.sparsity === top)!.cells.find((c) => c.key === key)!.metric;
  const baselines = BASELINE_METHOD_IDS.map(at);
  const pick = higherIsBetter(model) ? Math.max : Math.min;
  const recipes = recipesOf(model, 'merged').map(({ method, refit }) => ({
    label: recipeLabel(method, refit),
    metric: recipeCell(model, 'merged', method, refit, top).metric,
  }));
  const bestRecipe = recipes.find((x) => x.metric === pick(...recipes.map((y) => y.metric)))!;
  return { model, paper: at('gd-paper'), gd: at('gd'), random: at('random'), sparsegpt: at('sparsegpt'), best: pick(...baselines), bestRecipe, dense: t.dense };
}

/** Everything the chapter's prose quotes, with the qualitative claims checked. */
export function reproduction() {
  const cfg = brownManifest.config;
  const dh = cfg.dModel / cfg.nHeads;
  claim(
    SWEEP_MODELS.every((m) => {
      const c = MANIFESTS[m].config;
      return c.dModel === cfg.dModel && c.nHeads === cfg.nHeads && c.nLayers === cfg.nLayers;
    }),
    'every model has the same layers and heads of the same shape',
  );
  const breakEven = 1 - (2 * dh) / cfg.dModel;

  // The whole-model sweeps: every mode each model was swept in (scripts/precompute-sweeps.ts SWEEP_PLAN).
  const all = SWEEP_MODELS.flatMap((model) => modesOf(model).map((mode) => finding(model, mode)));
  const top = Math.max(...SWEEP_SPARSITIES);
  const lowest = Math.min(...SWEEP_SPARSITIES);

  // Where Algorithm 1's masks alone (the paper's form) have the best model metric; the chapter says "only at the top sparsity".
  const paperBestAnywhere = all.filter((x) => x.paper.metric.best.length > 0).map((x) => `${x.model} ${x.mode} at ${sparsityList(x.paper.metric.best)}`);
  claim(
    all.every((x) => x.paper.metric.best.every((p) => p === top)),
    `Algorithm 1's masks alone (the paper's form) have the best model metric nowhere below ${percent(top, 0)}`,
  );
  const sgn = (m: SweepModel) => (higherIsBetter(m) ? 1 : -1);
  const paperVsRandom = all.flatMap((x) => {
    const t = sweepTable(x.model, x.mode);
    return t.rows.map((r) => {
      const p = r.cells.find((c) => c.key === 'gd-paper')!;
      const rnd = r.cells.find((c) => c.key === 'random')!;
      return {
        where: `${x.model} ${x.mode} ${r.label}`,
        paperBetter: sgn(x.model) * p.metric > sgn(x.model) * rnd.metric,
        paper: p.metric,
        random: rnd.metric,
      };
    });
  });
  // Ties: where every column has the same metric (induction's accuracy at low sparsity).
  const allTied = all.flatMap((x) => x.ours.metric.allTied.map((p) => `${x.model} ${x.mode} at ${percent(p, 0)}`));
  claim(
    all.every((x) => x.model === 'induction' || x.ours.metric.allTied.length === 0),
    'where every method ties, the copying task (induction) survives any mask',
  );

  // Memory (SPEC §7): per head, the merged W_h has d² entries, W_Q and W_K 2·d·d_h.
  const merged = cfg.dModel ** 2;
  const factored = 2 * cfg.dModel * dh;
  const keptMergedAtLowest = Math.round((1 - lowest) * merged);
  claim(keptMergedAtLowest > factored, `a merged mask at ${percent(lowest, 0)} keeps more entries than the dense factors`);

  // The chapter: "even a random mask moves brown-word's perplexity far less than brown-char's" (at the top sparsity), and
  // it quotes brown-word's gap between SparseGPT and the best recipe as the first perplexity model's.
  const atTop = SWEEP_MODELS.filter((m) => !higherIsBetter(m)).map((m) => topOf(m, top));
  const randomCost = (m: SweepModel) => atTop.find((t) => t.model === m)!.random / atTop.find((t) => t.model === m)!.dense - 1;
  claim(atTop[0].model === 'brown-word', 'brown-word is the first model of the file');
  claim(
    randomCost('brown-word') < randomCost('brown-char') / 2,
    `a random mask at ${percent(top, 0)} moves brown-word's perplexity far less than brown-char's`,
  );
  claim(atTop[0].sparsegpt >= atTop[0].bestRecipe.metric, 'the best recipe is no worse than SparseGPT');

  const perModel = <T>(f: (m: SweepModel) => T) => Object.fromEntries(SWEEP_MODELS.map((m) => [m, f(m)])) as Record<SweepModel, T>;
  return {
    merged,
    factored,
    keptMergedAtLowest,
    d: cfg.dModel,
    heads: cfg.nHeads,
    layers: cfg.nLayers,
    dh,
    breakEven,
    models: SWEEP_MODELS,
    modes: perModel(modesOf),
    nm: perModel(hasNM),
    context: perModel((m) => MANIFESTS[m].config.contextLength),
    vocab: perModel((m) => MANIFESTS[m].config.vocabSize),
    calibration: perModel((m) => sweep(m, 'merged').calibration),
    evaluation: perModel((m) => sweep(m, 'merged').evaluation.replace(/ \(the paper.*\)$/, '')),
    gd: sweep('brown-char', 'merged').gd,
    paperGd: sweep('brown-char', 'merged', undefined, true).gd,
    findings: all,
    top,
    lowest,
    paperBestAnywhere,
    paperVsRandom,
    allTied,
    /** The perplexity models' top sparsity, in the file's order. */
    atTop,
    commands: perModel((m) => ({ merged: sweep(m, 'merged').command, paper: sweep(m, 'merged', undefined, true).command })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(reproduction(), null, 2));
