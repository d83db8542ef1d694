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
import sweepsFile from '../../../public/data/sweeps.json';
import brownManifest from '../../../public/models/brown-char/manifest.json';
import inductionManifest from '../../../public/models/induction/manifest.json';
import { fixed, percent } from '../../ui/format.ts';
import { type ModelMethodId, PAPER_METHOD_IDS } from '../../core/methods.ts';
import { rowMetric, type SavedSweep as Sweep, type SweepRow } from '../../model/sweep.ts';
import { claimsFor } from './claims.ts';

export type SweepModel = 'brown-char' | 'induction';
export type SweepMode = 'merged' | 'factored';

interface SweepsFile {
  methods: ModelMethodId[];
  sparsities: number[];
  sweeps: Sweep[];
}

const DATA = sweepsFile as unknown as SweepsFile;
/** The paper's comparison: Algorithm 1 and the three baselines (chapter 10 shows our methods from the same file). */
export const SWEEP_METHODS: readonly ModelMethodId[] = PAPER_METHOD_IDS.filter((m) => DATA.methods.includes(m));
export const SWEEP_SPARSITIES: readonly number[] = DATA.sparsities;

const claim = claimsFor('src/site/numbers/sweeps.ts (public/data/sweeps.json)');

export function sweep(model: SweepModel, mode: SweepMode, nm?: string): Sweep {
  const s = DATA.sweeps.find((x) => x.model === model && x.mode === mode && x.nm === nm);
  if (!s) throw new Error(`public/data/sweeps.json has no ${model} ${mode} ${nm ?? ''} sweep (run npm run precompute)`);
  return s;
}

const metricValue = (s: Sweep, r: SweepRow): number => rowMetric(s, r);
/** +1 if larger is better (accuracy), −1 if smaller is (perplexity). */
const sign = (s: Sweep): number => (s.metric === 'accuracy' ? 1 : -1);

export interface Cell {
  method: ModelMethodId;
  metric: number;
  error: number;
  bestMetric: boolean;
  bestError: boolean;
  worstMetric: boolean;
}
export interface TableRow {
  sparsity: number;
  /** "2:4" for the N:M row. */
  label: string;
  cells: Cell[];
}

function rowOf(s: Sweep, sparsity: number, label: string): TableRow {
  const raw = SWEEP_METHODS.map((method) => {
    const r = s.rows.find((x) => x.method === method && x.sparsity === sparsity);
    if (!r) throw new Error(`public/data/sweeps.json: ${s.model} ${s.mode} has no ${method} row at ${sparsity}`);
    return { method, metric: metricValue(s, r), error: r.mean_attention_error };
  });
  const bestM = Math.max(...raw.map((c) => sign(s) * c.metric));
  const worstM = Math.min(...raw.map((c) => sign(s) * c.metric));
  const bestE = Math.min(...raw.map((c) => c.error));
  return {
    sparsity,
    label,
    cells: raw.map((c) => ({ ...c, bestMetric: sign(s) * c.metric === bestM, worstMetric: sign(s) * c.metric === worstM, bestError: c.error === bestE })),
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
  const rows = SWEEP_SPARSITIES.map((p) => rowOf(s, p, percent(p, 0)));
  const commands = [s.command];
  if (withNM) {
    const n = sweep(model, mode, '2:4');
    rows.push(rowOf(n, 0.5, '2:4'));
    commands.push(n.command);
  }
  const dense = s.rows.find((r) => r.method === 'dense')!;
  return { model, mode, metric: s.metric, dense: metricValue(s, dense), rows, commands };
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

export interface Finding {
  model: SweepModel;
  mode: SweepMode;
  metric: 'perplexity' | 'accuracy';
  /** Sparsities (of the four) where gradient descent is best / worst of the four methods. */
  gdBestMetric: number[];
  gdWorstMetric: number[];
  gdBestError: number[];
  gdWorstError: number[];
  /** Gradient descent's and SparseGPT's mean attention error across the four sparsities. */
  gdError: [number, number];
  sparsegptError: [number, number];
  /** One sentence, from the numbers. */
  sentence: string;
}

export function finding(model: SweepModel, mode: SweepMode): Finding {
  const t = sweepTable(model, mode);
  const where = (f: (c: Cell) => boolean) => t.rows.filter((r) => f(r.cells.find((c) => c.method === 'gd')!)).map((r) => r.sparsity);
  const gdBestMetric = where((c) => c.bestMetric);
  const gdWorstMetric = where((c) => c.worstMetric);
  const gdBestError = where((c) => c.bestError);
  const worstErr = t.rows.filter((r) => Math.max(...r.cells.map((c) => c.error)) === r.cells.find((c) => c.method === 'gd')!.error).map((r) => r.sparsity);
  const errs = (m: ModelMethodId) => t.rows.map((r) => r.cells.find((c) => c.method === m)!.error);
  const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
  const metricWord = t.metric === 'accuracy' ? 'accuracy' : 'perplexity';
  const sentence =
    `On ${model}, ${mode}: gradient descent has the best ${metricWord} at ${sparsityList(gdBestMetric)}` +
    (gdWorstMetric.length ? ` and the worst at ${sparsityList(gdWorstMetric)}` : '') +
    `; the smallest mean attention error at ${sparsityList(gdBestError)}` +
    (worstErr.length ? ` and the largest at ${sparsityList(worstErr)}` : '') +
    '.';
  return {
    model,
    mode,
    metric: t.metric,
    gdBestMetric,
    gdWorstMetric,
    gdBestError,
    gdWorstError: worstErr,
    gdError: range(errs('gd')),
    sparsegptError: range(errs('sparsegpt')),
    sentence,
  };
}

/** Everything the chapter's prose quotes, with the qualitative claims checked. */
export function reproduction() {
  const cfg = brownManifest.config;
  const icfg = inductionManifest.config;
  const dh = cfg.dModel / cfg.nHeads;
  claim(icfg.dModel === cfg.dModel && icfg.nHeads === cfg.nHeads, 'both models have heads of the same shape');
  const breakEven = 1 - (2 * dh) / cfg.dModel;

  const f = {
    brownMerged: finding('brown-char', 'merged'),
    brownFactored: finding('brown-char', 'factored'),
    indMerged: finding('induction', 'merged'),
    indFactored: finding('induction', 'factored'),
  };
  const all = Object.values(f);
  const top = Math.max(...SWEEP_SPARSITIES);
  const brown = sweepTable('brown-char', 'merged');
  const at = (t: SweepTableData, p: number, m: ModelMethodId) => t.rows.find((r) => r.sparsity === p)!.cells.find((c) => c.method === m)!;

  // The chapter's summary, with Algorithm 1 at our defaults (Armijo, rounding |M_T∘W|·‖X_i‖).
  const lowest = Math.min(...SWEEP_SPARSITIES);
  claim(f.brownMerged.gdBestMetric.length === 0, 'on brown-char (merged) Algorithm 1 has the best perplexity at no sparsity');
  claim(
    SWEEP_SPARSITIES.every((p) => at(brown, p, 'gd').metric < at(brown, p, 'magnitude').metric),
    'on brown-char (merged) Algorithm 1 has a lower perplexity than magnitude pruning at every sparsity',
  );
  claim(
    at(brown, top, 'gd').metric > Math.min(at(brown, top, 'wanda').metric, at(brown, top, 'sparsegpt').metric),
    `at ${percent(top, 0)} on brown-char (merged) Wanda or SparseGPT beats Algorithm 1`,
  );
  const low = SWEEP_SPARSITIES.filter((p) => p < top);
  const gdWinsLow = all.filter((x) => x.gdBestMetric.some((p) => low.includes(p)));

  // Where the smallest attention error did not give the best model metric.
  const errorNotMetric = all.flatMap((x) =>
    x.gdBestError.filter((p) => !x.gdBestMetric.includes(p)).map((p) => ({ model: x.model, mode: x.mode, sparsity: p })),
  );
  // The 2:4 row (merged): gradient descent's place among the four methods, 1 = best.
  const nmPlace = (model: SweepModel) => {
    const row = sweepTable(model, 'merged', true).rows.at(-1)!;
    const sgn = sweep(model, 'merged').metric === 'accuracy' ? 1 : -1;
    const gd = row.cells.find((c) => c.method === 'gd')!;
    return 1 + row.cells.filter((c) => sgn * c.metric > sgn * gd.metric).length;
  };
  const nm = { brown: nmPlace('brown-char'), induction: nmPlace('induction') };
  // Memory (SPEC §7): per head, the merged W_h has d² entries, W_Q and W_K 2·d·d_h.
  const merged = cfg.dModel ** 2;
  const factored = 2 * cfg.dModel * dh;
  const keptMergedAtLowest = Math.round((1 - lowest) * merged);
  claim(keptMergedAtLowest > factored, `a merged mask at ${percent(lowest, 0)} keeps more entries than the dense factors`);

  const worstEverywhere = SWEEP_SPARSITIES.filter((p) => all.every((x) => x.gdWorstMetric.includes(p)));

  return {
    worstEverywhere,
    errorNotMetric,
    nm,
    merged,
    factored,
    keptMergedAtLowest,
    d: cfg.dModel,
    heads: cfg.nHeads,
    layers: cfg.nLayers,
    dh,
    breakEven,
    brownT: cfg.contextLength,
    inductionT: icfg.contextLength,
    vocab: { brown: cfg.vocabSize, induction: icfg.vocabSize },
    calibration: { brown: sweep('brown-char', 'merged').calibration, induction: sweep('induction', 'merged').calibration },
    evaluation: { brown: sweep('brown-char', 'merged').evaluation.replace(/ \(the paper.*\)$/, ''), induction: sweep('induction', 'merged').evaluation },
    gd: sweep('brown-char', 'merged').gd,
    findings: f,
    top,
    lowest,
    gdWinsLow: gdWinsLow.map((x) => `${x.model} ${x.mode}`),
    brownTop: {
      gd: at(brown, top, 'gd').metric,
      magnitude: at(brown, top, 'magnitude').metric,
      wanda: at(brown, top, 'wanda').metric,
      sparsegpt: at(brown, top, 'sparsegpt').metric,
      dense: brown.dense,
    },
    brownLow: { gd: at(brown, lowest, 'gd').metric, sparsegpt: at(brown, lowest, 'sparsegpt').metric },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(reproduction(), null, 2));
