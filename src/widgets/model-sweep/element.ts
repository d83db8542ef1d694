/**
 * Sparsity sweep on the model (chapter 8): perplexity (accuracy for `induction`)
 * against sparsity for every method, with the dense model as a reference line, and
 * the numbers in tables. It opens on the sweep the command line computed at build
 * time with the page's settings (public/data/page-sweeps.json, written by
 * scripts/precompute-page-sweeps.ts), so it shows at once; "Rerun in your browser"
 * recomputes the chosen sweep with the worker's modelSweep job and says, cell by
 * cell, whether the two agree.
 */
import { rowMetric, type SavedSweep } from '../../model/sweep.ts';
import * as Plot from '@observablehq/plot';
import { WidgetBase } from '../../ui/widget-base.ts';
import { type Schema, pickedOptions } from '../../ui/state.ts';
import { quietMarks } from '../../ui/charts/quiet.ts';
import { renderFigure } from '../../ui/figure.ts';
import { num, tick } from '../../ui/format.ts';
import { table } from '../../ui/table.ts';
import { methodColour, methodLabel, MODEL_METHOD_IDS, REFIT_IDS, RETIRED_METHOD_IDS, type RefitId, recipeLabel, refitInfo } from '../../core/methods.ts';
import { type GdSettings, gdSettings } from '../../core/gd.ts';
import { GD_FORMS, GD_FORM_HELP, gdFormOnlyField } from '../../ui/gdForm.ts';
import { REFIT_STYLE, REFITS_FIELD, REFITS_HELP, recipeKey, upgradeRetiredMethods } from '../../ui/recipes.ts';
import { withBase } from '../../site/base.ts';
import type { ModelSweepJobResult } from '../../jobs/protocol.ts';
import type { PruneMode } from '../../model/prune.ts';
import type { ModelMethodId } from '../../core/methods.ts';
import { MODEL_NAMES, type ModelName } from '../../model/config.ts';
import { WIDGET } from './widget.ts';
import { modelClient, recordOnElement } from '../model-pruner/modelWidget.ts';

const DATA_URL = withBase('/data/page-sweeps.json');
/** Used only when the precomputed file cannot be read (it lists its own sparsities). */
const FALLBACK_SPARSITIES = [0.1, 0.3, 0.5, 0.7, 0.9];
/**
 * Live and precomputed numbers agree when they differ by at most this, relative to
 * the precomputed value: the CLI's forward passes run TensorFlow.js float32 on wasm
 * in Node, the page's on wasm too (equal to ~1e-16 when measured), or on webgl where
 * wasm cannot start, whose float32 sums round differently.
 */
export const MATCH_TOLERANCE = 1e-4;

const schema = {
  model: { kind: 'enum', label: 'model', default: 'brown-word', options: MODEL_NAMES },
  mode: { kind: 'enum', label: 'mask on', default: 'merged', options: ['merged', 'factored'] },
  methods: { kind: 'set', label: 'methods', default: MODEL_METHOD_IDS.join(','), options: MODEL_METHOD_IDS },
  refits: REFITS_FIELD,
  gdForm: gdFormOnlyField('ours'),
} as const satisfies Schema;

/** public/data/page-sweeps.json (scripts/precompute-page-sweeps.ts). */
interface SweepFile {
  sparsities: number[];
  sweeps: SavedSweep[];
}

/** A sweep as the widget draws it, wherever it came from. */
interface Sweep {
  model: ModelName;
  mode: PruneMode;
  metric: 'perplexity' | 'accuracy';
  dense: number;
  sparsities: number[];
  cells: Cell[];
}

/** One pruned model of a sweep: a method and a refit at one sparsity. */
interface Cell {
  method: ModelMethodId;
  refit: RefitId;
  sparsity: number;
  metric: number;
  attention: number;
}

/** A sweep row's recipe; a file written before refits were a stage names `swap-recon` for swap + attention refit. */
function rowRecipe(r: { method: string; refit?: RefitId }): { method: ModelMethodId; refit: RefitId } | undefined {
  const retired = RETIRED_METHOD_IDS[r.method];
  if (retired) return { method: retired.method as ModelMethodId, refit: retired.refit };
  return (MODEL_METHOD_IDS as readonly string[]).includes(r.method) ? { method: r.method as ModelMethodId, refit: r.refit ?? 'none' } : undefined;
}

/** The precomputed cells of the chosen methods and refits (gradient descent's only when the file used the same settings). */
function fromFile(f: SavedSweep, methods: readonly ModelMethodId[], refits: readonly RefitId[], gd: GdSettings): Sweep {
  const dense = f.rows.find((r) => r.method === 'dense');
  const sameGd = sameGdSettings(f.gd, gd);
  const cells = f.rows.flatMap((r): Cell[] => {
    const recipe = r.method === 'dense' ? undefined : rowRecipe(r);
    if (!recipe || !methods.includes(recipe.method) || !refits.includes(recipe.refit)) return [];
    if (!sameGd && USES_GD.includes(recipe.method)) return [];
    return [{ ...recipe, sparsity: r.sparsity, metric: rowMetric(f, r), attention: r.mean_attention_error }];
  });
  return {
    model: f.model,
    mode: f.mode,
    metric: f.metric,
    dense: dense ? rowMetric(f, dense) : Number.NaN,
    sparsities: [...new Set(cells.map((c) => c.sparsity))].sort((a, b) => a - b),
    cells,
  };
}

function fromJob(r: ModelSweepJobResult, sparsities: number[]): Sweep {
  const value = (s: { perplexity: number; accuracy?: number }): number => (r.metric === 'accuracy' ? (s.accuracy ?? Number.NaN) : s.perplexity);
  return {
    model: r.model,
    mode: r.mode,
    metric: r.metric,
    dense: value(r.dense),
    sparsities,
    cells: r.rows.map((row) => ({ method: row.method, refit: row.refit, sparsity: row.sparsity, metric: value(row.score), attention: row.meanAttentionError })),
  };
}

/** The methods whose result depends on gradient descent's settings. */
const USES_GD: readonly ModelMethodId[] = ['gd', 'gradual'];

function sameGdSettings(a: GdSettings, b: GdSettings): boolean {
  return a.lambda === b.lambda && a.eta === b.eta && a.iters === b.iters && a.step === b.step && a.score === b.score;
}

/** The recipes a sweep holds, in the registry's order (method, then refit). */
function recipesIn(sweep: Sweep): { method: ModelMethodId; refit: RefitId }[] {
  return MODEL_METHOD_IDS.flatMap((method) =>
    REFIT_IDS.filter((refit) => sweep.cells.some((c) => c.method === method && c.refit === refit)).map((refit) => ({ method, refit })),
  );
}

const relativeDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/** Cell-by-cell agreement of a live sweep with the precomputed one. */
export interface Agreement {
  compared: number;
  worstMetric: number;
  worstAttention: number;
  denseDiff: number;
  mismatches: { method: ModelMethodId; refit: RefitId; sparsity: number; what: 'metric' | 'attention'; live: number; saved: number; diff: number }[];
}

export function agreement(live: Sweep, saved: Sweep): Agreement {
  const out: Agreement = { compared: 0, worstMetric: 0, worstAttention: 0, denseDiff: relativeDiff(live.dense, saved.dense), mismatches: [] };
  for (const c of live.cells) {
    const s = saved.cells.find((x) => x.method === c.method && x.refit === c.refit && x.sparsity === c.sparsity);
    if (!s) continue;
    out.compared++;
    for (const what of ['metric', 'attention'] as const) {
      const diff = relativeDiff(c[what], s[what]);
      if (what === 'metric') out.worstMetric = Math.max(out.worstMetric, diff);
      else out.worstAttention = Math.max(out.worstAttention, diff);
      if (!(diff <= MATCH_TOLERANCE))
        out.mismatches.push({ method: c.method, refit: c.refit, sparsity: c.sparsity, what, live: c[what], saved: s[what], diff });
    }
  }
  return out;
}

export class ModelSweep extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Model, mask and methods (calibration seed 1, 8 sequences; 32 evaluation sequences)';
  protected override readonly stoppable = true;
  // The page's one model worker: a live rerun reuses what the pruner and the other model widgets pruned.
  protected override client = modelClient();
  override readonly hints = {
    model: {
      help: 'brown-char (characters) and brown-word (words) are scored by perplexity (lower is better); induction by its accuracy at copying the repeated half (higher is better).',
    },
    mode: { help: 'merged: one mask on W_h = W_Q W_Kᵀ/√d_h. factored: masks on W_Q and W_K themselves.' },
    methods: { help: 'Fewer methods make the rerun in your browser quicker.' },
    refits: { help: `${REFITS_HELP} Lines: one colour per method, the refit by the dash and the point’s symbol.` },
    gdForm: {
      help: `Used by gd and gradual only (the precomputed sweep uses our defaults). ${GD_FORM_HELP.replace(' Editing a field below makes it custom.', '')}`,
    },
  };
  protected override upgradeLink(params: URLSearchParams): string[] {
    return upgradeRetiredMethods(params, this.urlPrefix);
  }
  private file: Promise<SweepFile> | undefined;
  /** The settings the reader asked to recompute live; any other run shows the precomputed sweep. */
  private liveFor: string | undefined;
  private doneMessage = 'Done.';
  private rerun!: HTMLButtonElement;
  /** A live rerun is in the worker (the Stop button shows only then). */
  private liveRunning = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.rerun) return;
    this.rerun = document.createElement('button');
    this.rerun.type = 'button';
    this.rerun.className = 'msweep-rerun';
    this.rerun.textContent = 'Rerun in your browser';
    this.rerun.addEventListener('click', () => {
      this.liveFor = this.settingsKey();
      this.update({});
    });
    this.controls.querySelector('.widget-actions')?.prepend(this.rerun);
    this.syncButtons(this.dataset.status ?? 'idle');
  }

  private settingsKey(): string {
    return JSON.stringify([this.state.model, this.state.mode, this.state.methods, this.state.refits, this.state.gdForm]);
  }

  /** The base's Run/Stop button only matters during a run (as Stop); "Rerun in your browser" starts one. */
  private syncButtons(status: string): void {
    const stop = this.controls?.querySelector<HTMLButtonElement>('.widget-stop');
    if (stop) stop.hidden = status !== 'running' || !this.liveRunning;
    if (this.rerun) this.rerun.disabled = status === 'running' && this.liveRunning;
  }

  protected override setStatus(status: 'idle' | 'running' | 'done' | 'error', text?: string): void {
    super.setStatus(status, text);
    this.syncButtons(status);
  }

  override stop(): void {
    super.stop();
    this.setStatus('idle', 'Stopped. Press “Rerun in your browser” to start again; the table shows the precomputed numbers.');
  }

  private loadFile(): Promise<SweepFile> {
    this.file ??= fetch(DATA_URL).then(async (r) => {
      if (!r.ok) throw new Error(`could not load the precomputed sweeps (${DATA_URL}: HTTP ${r.status}); press “Rerun in your browser” to compute them here`);
      return (await r.json()) as SweepFile;
    });
    this.file.catch(() => (this.file = undefined));
    return this.file;
  }

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const methods = pickedOptions(MODEL_METHOD_IDS, s.methods);
    const refits = pickedOptions(REFIT_IDS, s.refits);
    const gd = gdSettings(GD_FORMS[s.gdForm]);
    const live = this.liveFor === this.settingsKey();
    this.liveFor = undefined;
    this.liveRunning = false;
    this.syncButtons('running');
    let file: SweepFile | undefined;
    let fileError: unknown;
    try {
      file = await this.loadFile();
    } catch (e) {
      if (!live) throw e;
      fileError = e;
    }
    const saved = file?.sweeps.find((x) => x.model === s.model && x.mode === s.mode);
    if (!live) {
      // A live run still in the worker is no longer wanted.
      this.client.cancel();
      if (signal.stale) return;
      if (!saved) throw new Error(`no precomputed sweep for ${s.model} with ${s.mode} masks; press “Rerun in your browser” to compute it here`);
      const sweep = fromFile(saved, methods, refits, gd);
      const missing = methods.flatMap((m) => refits.filter((r) => !sweep.cells.some((c) => c.method === m && c.refit === r)).map((r) => recipeLabel(m, r)));
      if (sweep.cells.length === 0)
        throw new Error(
          `the precomputed sweep has none of the chosen methods and refits${USES_GD.some((m) => methods.includes(m)) && !sameGdSettings(saved.gd, gd) ? ' (its gradient descent used our defaults)' : ''}; press “Rerun in your browser” to compute them here`,
        );
      this.draw(sweep, { source: 'precomputed', command: saved.command, gd: saved.gd, missing });
      this.doneMessage = `Done: the sweep precomputed by the command line (${sweep.cells.length} pruned models). “Rerun in your browser” recomputes it here.`;
      return;
    }
    const sparsities = file?.sparsities ?? FALLBACK_SPARSITIES;
    this.liveRunning = true;
    this.syncButtons('running');
    this.progress(`Loading ${s.model} in your browser…`);
    let result: ModelSweepJobResult;
    try {
      result = await this.client.run({ kind: 'modelSweep', settings: { model: s.model, mode: s.mode, gd, refits }, methods, sparsities }, (p) => {
        const step = p;
        if ('done' in step)
          this.progress(
            `Recomputing in your browser: ${step.stage ?? 'working'} (step ${step.done} of ${step.total}${this.remaining(step.done, step.total)})…`,
          );
      });
    } finally {
      if (!signal.stale) this.liveRunning = false;
    }
    recordOnElement(this, { kind: 'modelSweep', timeMs: result.timeMs.total, prunings: result.rows.map((r) => r.pruning) });
    if (signal.stale) return;
    const sweep = fromJob(result, sparsities);
    const check = saved ? agreement(sweep, fromFile(saved, methods, refits, gd)) : undefined;
    const seconds = num(result.timeMs.total / 1000);
    const verdict = check?.compared
      ? verdictText(check, sweep.metric)
      : saved
        ? 'The precomputed sweep has none of these methods and refits with these gradient-descent settings, so these live numbers are not compared with it.'
        : `There is no precomputed sweep to compare with${fileError ? ` (${(fileError as Error).message.replace(/; press.*$/, '')})` : ''}: these are the live numbers.`;
    this.draw(sweep, {
      source: 'live',
      verdict,
      check,
      timing: `Recomputed in your browser in ${seconds} s (TensorFlow.js backend for the forward passes: ${result.backend}; model loading ${num(result.timeMs.load / 1000)} s).`,
    });
    this.doneMessage =
      `Done: recomputed in your browser in ${seconds} s. ${check ? (check.mismatches.length === 0 ? 'It matches the precomputed sweep.' : 'Some numbers differ from the precomputed sweep: see below.') : ''}`.trim();
  }

  protected override doneText(): string {
    return this.doneMessage;
  }

  private draw(
    sweep: Sweep,
    o: { source: 'precomputed' | 'live'; command?: string; gd?: GdSettings; missing?: string[]; verdict?: string; check?: Agreement; timing?: string },
  ): void {
    const acc = sweep.metric === 'accuracy';
    const metricName = acc ? 'accuracy' : 'perplexity';
    const show = (v: number): string => (!Number.isFinite(v) ? num(v) : acc ? `${(100 * v).toFixed(2)} %` : v.toFixed(3));
    const recipes = recipesIn(sweep);
    const lede = document.createElement('p');
    lede.className = 'widget-lede';
    lede.textContent =
      `Each point is the whole ${sweep.model} model with every attention head pruned (${sweep.mode} masks) at one sparsity by one method, scored on the page’s 32 evaluation sequences (${acc ? 'accuracy on the repeated half; higher is better' : 'perplexity; lower is better'}). ` +
      (o.source === 'precomputed'
        ? 'These numbers were computed by the command line when the site was built; “Rerun in your browser” recomputes them here and compares.'
        : 'These numbers were just computed in your browser.');
    this.dataset.source = o.source;
    const parts: HTMLElement[] = [lede];
    if (o.missing?.length) {
      const p = document.createElement('p');
      p.className = 'msweep-missing';
      p.textContent = `Not in the precomputed sweep: ${o.missing.join(', ')}. “Rerun in your browser” computes ${o.missing.length === 1 ? 'it' : 'them'} here.`;
      parts.push(p);
    }
    if (o.verdict) {
      const p = document.createElement('p');
      p.className = 'msweep-verdict';
      p.dataset.match = o.check ? String(o.check.mismatches.length === 0) : 'none';
      p.textContent = o.verdict;
      parts.push(p);
    }
    const chart = document.createElement('div');
    const atTop = sweep.sparsities.at(-1);
    const top = sweep.cells.filter((c) => c.sparsity === atTop);
    renderFigure(chart, {
      title: `${acc ? 'Accuracy' : 'Perplexity'} of ${sweep.model} against sparsity`,
      summary:
        `${recipes.length} method${recipes.length === 1 ? '' : 's'} (with their refits), ${sweep.mode} masks, ${o.source === 'live' ? 'computed in your browser' : 'precomputed by the command line'}. Dense model: ${show(sweep.dense)} (dashed line). ` +
        (top.length ? `At sparsity ${atTop}: ${top.map((c) => `${recipeLabel(c.method, c.refit)} ${show(c.metric)}`).join(', ')}.` : ''),
      plot: () => sweepLines(sweep, { yLabel: acc ? 'accuracy (%)' : 'perplexity', percent: acc, width: Math.max(300, Math.min(640, this.clientWidth - 24)) }),
      rows: () =>
        sweep.cells.map((c) => ({
          method: c.method,
          refit: c.refit,
          sparsity: c.sparsity,
          [metricName]: c.metric,
          mean_attention_error: c.attention,
          source: o.source,
        })),
      filename: `model-sweep-${sweep.model}-${sweep.mode}-${o.source}`,
    });
    parts.push(chart);
    const differs = new Set((o.check?.mismatches ?? []).map((m) => `${m.what}|${recipeKey(m.method, m.refit)}|${m.sparsity}`));
    parts.push(
      this.grid(
        sweep,
        recipes,
        'metric',
        show,
        differs,
        `${acc ? 'Accuracy' : 'Perplexity'} by method (rows) and sparsity p (columns), ${o.source}. Dense model: ${show(sweep.dense)}.`,
      ),
      this.grid(
        sweep,
        recipes,
        'attention',
        (v) => (Number.isFinite(v) && v >= 1e-3 ? v.toFixed(4) : num(v, 2)),
        differs,
        `Mean relative attention error over the heads, on the calibration sequences (lower is better), ${o.source}.`,
      ),
    );
    const foot = document.createElement('p');
    foot.className = 'widget-footnote';
    if (o.command && o.gd) {
      foot.append('Precomputed by: ');
      const code = document.createElement('code');
      code.textContent = o.command;
      foot.append(
        code,
        ` (gradient descent: ${o.gd.step === 'armijo' ? 'Armijo steps from' : 'fixed step'} η = ${o.gd.eta}, λ = ${o.gd.lambda}, T = ${o.gd.iters}, rounding ${o.gd.score}${sameGdSettings(o.gd, gdSettings()) ? ': the command line’s defaults' : ''}).`,
      );
    } else if (o.timing) foot.textContent = o.timing;
    parts.push(foot);
    this.output.replaceChildren(...parts);
  }

  /** A recipe × sparsity table whose cells carry their exact values for tests and copy-paste (data-method: the recipe's key). */
  private grid(
    sweep: Sweep,
    recipes: readonly { method: ModelMethodId; refit: RefitId }[],
    what: 'metric' | 'attention',
    show: (v: number) => string,
    differs: Set<string>,
    caption: string,
  ): HTMLElement {
    const value = (r: { method: ModelMethodId; refit: RefitId }, p: number): number =>
      sweep.cells.find((c) => c.method === r.method && c.refit === r.refit && c.sparsity === p)?.[what] ?? Number.NaN;
    const keys = recipes.map((r) => recipeKey(r.method, r.refit));
    const el = table({
      caption,
      head: ['method', ...sweep.sparsities.map((p) => `p = ${p}`)],
      rows: recipes.map((r, i) => [
        recipeLabel(r.method, r.refit),
        ...sweep.sparsities.map((p) => show(value(r, p)) + (differs.has(`${what}|${keys[i]}|${p}`) ? ' ≠' : '')),
      ]),
    });
    const t = el.querySelector('table')!;
    t.dataset.quantity = what;
    t.dataset.dense = String(sweep.dense);
    el.querySelectorAll('tbody tr').forEach((tr, i) => {
      tr.querySelectorAll('td').forEach((td, j) => {
        const p = sweep.sparsities[j];
        td.dataset.method = keys[i];
        td.dataset.sparsity = String(p);
        td.dataset.value = String(value(recipes[i], p));
        if (differs.has(`${what}|${keys[i]}|${p}`)) td.title = 'differs from the precomputed value (see the sentence above the chart)';
      });
    });
    return el;
  }
}

/** The comparison in words: how many cells match to the tolerance, and which differ by how much. */
export function verdictText(a: Agreement, metric: 'perplexity' | 'accuracy'): string {
  const plural = metric === 'accuracy' ? 'accuracies' : 'perplexities';
  const tol = `${num(MATCH_TOLERANCE)} relative`;
  const bad = a.mismatches;
  const denseOk = a.denseDiff <= MATCH_TOLERANCE;
  const dense = denseOk ? '' : ` The dense model’s ${metric} differs by ${num(a.denseDiff, 2)} relative.`;
  if (bad.length === 0)
    return `All ${a.compared} ${plural} match the precomputed ones to within ${tol} (largest difference ${num(a.worstMetric, 1)}), and so do the ${a.compared} mean attention errors (largest difference ${num(a.worstAttention, 1)}).${dense}`;
  const listed = bad
    .slice(0, 6)
    .map(
      (m) =>
        `${recipeLabel(m.method, m.refit)} at p = ${m.sparsity}, ${m.what === 'metric' ? metric : 'attention error'} ${num(m.live, 5)} live vs ${num(m.saved, 5)} precomputed (relative difference ${num(m.diff, 2)})`,
    );
  const metricBad = bad.filter((m) => m.what === 'metric').length;
  const attBad = bad.length - metricBad;
  return (
    `${a.compared - metricBad} of ${a.compared} ${plural} and ${a.compared - attBad} of ${a.compared} mean attention errors match the precomputed ones to within ${tol}. ` +
    `These differ (marked ≠ in the tables): ${listed.join('; ')}${bad.length > 6 ? `; and ${bad.length - 6} more` : ''}. ` +
    'A float32 rounding difference can flip a mask entry that sits exactly at the pruning threshold.' +
    dense
  );
}

/**
 * Metric against sparsity, one line per recipe: the method's colour (the registry's), the
 * refit's dash and point symbol (recipes.ts); the dense model as a dashed horizontal line.
 */
function sweepLines(sweep: Sweep, o: { yLabel: string; percent: boolean; width: number }): Element {
  const k = o.percent ? 100 : 1;
  const points = sweep.cells
    .filter((c) => Number.isFinite(c.metric))
    .map((c) => ({
      sparsity: c.sparsity,
      value: k * c.metric,
      name: methodLabel(c.method),
      refit: refitInfo(c.refit).label,
      recipe: recipeKey(c.method, c.refit),
      r: c.refit,
    }));
  const recipes = recipesIn(sweep);
  const methods = MODEL_METHOD_IDS.filter((m) => recipes.some((r) => r.method === m));
  const refits = REFIT_IDS.filter((f) => recipes.some((r) => r.refit === f));
  const dense = k * sweep.dense;
  return quietMarks(
    Plot.plot({
      width: o.width,
      height: 300,
      marginLeft: 56,
      marginRight: 12,
      marginTop: 24,
      x: { label: 'sparsity p (share of each head’s entries pruned)', domain: [0, 1], ticks: sweep.sparsities },
      y: { label: o.yLabel, grid: true, nice: true, tickFormat: tick },
      color: { legend: true, domain: methods.map((m) => methodLabel(m)), range: methods.map((m) => methodColour(m)) },
      // The refits get a symbol legend only when more than one is drawn (with none alone the chart is as before).
      symbol: {
        legend: refits.length > 1 || refits[0] !== 'none',
        domain: refits.map((f) => refitInfo(f).label),
        range: refits.map((f) => REFIT_STYLE[f].symbol),
      },
      marks: [
        ...(Number.isFinite(dense)
          ? [
              Plot.ruleY([dense], { stroke: 'currentColor', strokeDasharray: '4 3', strokeOpacity: 0.7 }),
              Plot.text([dense], {
                x: 0,
                y: (d: number) => d,
                text: () => 'dense model',
                textAnchor: 'start',
                dx: 4,
                dy: -7,
                fontSize: 11,
                fill: 'currentColor',
              }),
            ]
          : []),
        ...refits.map((f) =>
          Plot.line(
            points.filter((p) => p.r === f),
            { x: 'sparsity', y: 'value', stroke: 'name', z: 'recipe', strokeWidth: 1.5, strokeDasharray: REFIT_STYLE[f].dash },
          ),
        ),
        Plot.dot(points, { x: 'sparsity', y: 'value', fill: 'name', symbol: 'refit', r: 3 }),
      ],
    }),
  );
}

customElements.define(WIDGET.tag, ModelSweep);
