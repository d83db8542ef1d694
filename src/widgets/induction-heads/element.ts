/**
 * Induction heads under pruning (chapter 8): the `induction` model copies a repeated
 * segment with its layer-1 heads, which attend from a token to the position right
 * after that token's earlier occurrence. On a seeded induction sequence, the worker
 * prunes every head with the chosen methods and returns every head's attention
 * pattern, dense and per method, and each model's accuracy on the page's 32
 * evaluation sequences. This widget scores each pattern (src/model/inductionScore.ts)
 * and draws one head's pattern with its induction targets marked.
 *
 * Choosing which layer and head to draw does not rerun the job: the last result is
 * kept, keyed by the job's inputs, and redrawn.
 */
import * as Plot from '@observablehq/plot';
import { type Preset, WidgetBase } from '../../ui/widget-base.ts';
import { type Schema, pickedOptions } from '../../ui/state.ts';
import { renderFigure } from '../../ui/figure.ts';
import { colorLegend } from '../../ui/charts/heatmap.ts';
import { num } from '../../ui/format.ts';
import { quietMarks } from '../../ui/charts/quiet.ts';
import { applyGrid, fitColumns } from '../../ui/fitGrid.ts';
import { table } from '../../ui/table.ts';
import { solverSentences } from '../../ui/solverNotes.ts';
import { methodLabel, MODEL_METHOD_IDS, PAGE_DEFAULT_METHODS, REFIT_IDS, recipeLabel } from '../../core/methods.ts';
import { GD_FORMS, GD_FORM_HELP, gdFormOnlyField } from '../../ui/gdForm.ts';
import { REFITS_FIELD, REFITS_HELP, methodPresets, recipeKey, upgradeRetiredMethods } from '../../ui/recipes.ts';
import type { Job, ModelPruneJobResult } from '../../jobs/protocol.ts';
import { defaultModelConfig } from '../../model/config.ts';
import { INDUCTION_SPEC, inductionSequence } from '../../model/induction.ts';
import { headPattern, inductionQueryCount, inductionScore, inductionTargets, previousTokenScore } from '../../model/inductionScore.ts';
import { mulberry32 } from '../../core/random.ts';
import { WIDGET } from './widget.ts';
import { modelClient, recordOnElement, stepLine } from '../model-pruner/modelWidget.ts';
import { COSTS_CHANGED, estimate, estimateText, recordJob } from '../../worker/modelCosts.ts';

const MODEL = defaultModelConfig('induction', INDUCTION_SPEC.vocabSize);
const AUTO = 'most typical';

const schema = {
  seed: { kind: 'int', label: 'sequence seed', default: 1, min: 0, max: 999999 },
  methods: { kind: 'set', label: 'methods', default: PAGE_DEFAULT_METHODS, options: MODEL_METHOD_IDS },
  refits: REFITS_FIELD,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.9, min: 0, max: 0.95 },
  pattern: { kind: 'enum', label: 'pattern', default: 'unstructured', options: ['unstructured', '2:4'] },
  mode: { kind: 'enum', label: 'mask on', default: 'merged', options: ['merged', 'factored'] },
  gdForm: gdFormOnlyField('ours'),
  layer: { kind: 'int', label: 'layer shown', default: MODEL.nLayers - 1, min: 0, max: MODEL.nLayers - 1 },
  head: { kind: 'enum', label: 'head shown', default: AUTO, options: [AUTO, ...Array.from({ length: MODEL.nHeads }, (_, h) => String(h))] },
} as const satisfies Schema;

/** A model's scores on the sequence: one induction and one previous-token score per head, [layer][head]. */
interface PatternScores {
  induction: number[][];
  previous: number[][];
}

interface Scored {
  key: string;
  result: ModelPruneJobResult;
  tokens: number[];
  dense: PatternScores;
  pruned: PatternScores[];
}

function scoresOf(all: Float32Array, tokens: number[], nLayers: number, nHeads: number): PatternScores {
  const T = tokens.length;
  const per = (f: (p: Float32Array) => number): number[][] =>
    Array.from({ length: nLayers }, (_, l) => Array.from({ length: nHeads }, (_, h) => f(headPattern(all, T, nHeads, l, h))));
  return { induction: per((p) => inductionScore(p, tokens)), previous: per((p) => previousTokenScore(p, T)) };
}

/** Causal attention spread evenly over the visible keys: the chance level of a score. */
function uniformPattern(T: number): Float64Array {
  const a = new Float64Array(T * T);
  for (let t = 0; t < T; t++) for (let s = 0; s <= t; s++) a[t * T + s] = 1 / (t + 1);
  return a;
}

function percent(accuracy: number | undefined): string {
  return accuracy === undefined || !Number.isFinite(accuracy) ? 'not reported' : `${(100 * accuracy).toFixed(2)} %`;
}

function score3(x: number): string {
  // Not finite only when no query has an induction target (see inductionScore).
  return Number.isFinite(x) ? x.toFixed(3) : 'not defined';
}

/** The token labels' size, px: readable on a phone. */
const TICK_FONT = 10;
/** The gap between two maps of a row, px. */
const MAP_GAP = 12;

/**
 * One head's attention pattern as cells, axes labelled with the token ids at each
 * position, and the induction targets (key right after an earlier occurrence of the
 * query's token) outlined.
 */
function patternChart(pattern: ArrayLike<number>, tokens: number[], targets: number[][], o: { domain: [number, number]; width: number }): Element {
  const T = tokens.length;
  const positions = Array.from({ length: T }, (_, i) => i);
  const cells: { t: number; s: number; value: number }[] = [];
  for (let t = 0; t < T; t++) for (let s = 0; s <= t; s++) cells.push({ t, s, value: pattern[t * T + s] });
  const marked = targets.flatMap((keys, t) => keys.map((s) => ({ t, s })));
  const margin = { left: 30, right: 4, top: 6, bottom: 34 };
  const side = o.width - margin.left - margin.right;
  // Labels TICK_FONT px high, each at least a label and a bit apart: every k-th position is labelled.
  const every = Math.max(1, Math.ceil((TICK_FONT + 2) / (side / T)));
  const ticks = positions.filter((i) => i % every === 0);
  return quietMarks(
    Plot.plot({
      width: o.width,
      height: side + margin.top + margin.bottom,
      marginLeft: margin.left,
      marginRight: margin.right,
      marginTop: margin.top,
      marginBottom: margin.bottom,
      padding: 0,
      style: { fontSize: `${TICK_FONT}px` },
      x: {
        type: 'band',
        domain: positions,
        ticks,
        tickFormat: (i: number) => String(tokens[i]),
        tickRotate: -90,
        tickSize: 0,
        label: 'key: token id at position →',
        labelAnchor: 'left',
      },
      y: { type: 'band', domain: positions, ticks, tickFormat: (i: number) => String(tokens[i]), tickSize: 0, label: '↓ query: token id', labelAnchor: 'top' },
      color: { type: 'linear', scheme: 'blues', domain: o.domain },
      marks: [
        Plot.frame({ stroke: 'currentColor', strokeOpacity: 0.25 }),
        Plot.cell(cells, { x: 's', y: 't', fill: 'value' }),
        Plot.dot(marked, { x: 's', y: 't', r: Math.max(1.6, side / T / 2.6), stroke: '#e8590c', strokeWidth: 1.2, fill: 'none' }),
      ],
    }),
  );
}

/** A score from which a head counts as doing its role (1 is a pure such head; uniform attention scores far lower). */
const CLEAR_ROLE = 0.5;

/**
 * What the "most typical" head is, in words that follow its computed score: the clearest
 * previous-token (layer 0) or induction head, or, when even the best scores low, that
 * the layer has none, with the score of a pure head and of uniform attention beside it.
 */
function typicalWords(s: Scored, layer: number, head: number): string {
  const role = layer === 0 ? 'previous-token' : 'induction';
  const T = s.tokens.length;
  const uniform = uniformPattern(T);
  const score = layer === 0 ? s.dense.previous[0][head] : s.dense.induction[layer][head];
  const chance = layer === 0 ? previousTokenScore(uniform, T) : inductionScore(uniform, s.tokens);
  // Said after a semicolon: these words sit inside the heading's parenthesis.
  const scale = `a pure ${role} head scores 1, uniform attention ${score3(chance)}`;
  return score >= CLEAR_ROLE
    ? `the dense model’s clearest ${role} head in layer ${layer}: ${role} score ${score3(score)}; ${scale}`
    : `the highest ${role} score of the dense model’s layer ${layer}, ${score3(score)}, is low: no head of this layer is a clear ${role} head; ${scale}`;
}

/** The refits of a job in the idle line, only when there is one to name. */
const refitsText = (r?: readonly string[]): string => (r?.some((x) => x !== 'none') ? `; refits ${r.join(', ')}` : '');

export class InductionHeads extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected override readonly stoppable = true;
  // The page's one model worker (shared with the model pruner: its induction settings are reused).
  protected override client = modelClient();
  protected override readonly startOn = 'click';
  protected readonly legend = 'Sequence, pruning, and the head shown';
  protected override readonly presets: readonly Preset<typeof schema>[] = methodPresets(
    'At sparsity 0.9, look at how much of the induction stripe, and of the accuracy, each keeps.',
  );
  protected override upgradeLink(params: URLSearchParams): string[] {
    return upgradeRetiredMethods(params, this.urlPrefix);
  }
  override readonly hints = {
    seed: { help: 'Draws the sequence: a segment of 5 to 12 distinct tokens, repeated until 32 tokens.' },
    methods: { help: 'Each method prunes its own copy of the model (calibration: the command line’s 8 training sequences, seed 1).' },
    refits: { help: REFITS_HELP },
    gdForm: { help: `Used by gd and gradual only. ${GD_FORM_HELP.replace(' Editing a field below makes it custom.', '')}` },
    sparsity: { help: 'The fraction of each head’s W_h entries set to zero (ignored for 2:4, which prunes 2 of every 4).' },
    mode: { help: 'merged: one mask on W_h = W_Q W_Kᵀ/√d_h. factored: masks on W_Q and W_K themselves.' },
    layer: { help: 'Which layer’s head to draw (redraws; does not rerun the pruning).' },
    head: { help: `“${AUTO}”: the head with the highest dense score for its layer’s role (induction in the last layer, previous token in layer 0).` },
  };
  private last: Scored | undefined;
  /** The job in the worker, so that changing the head shown while it runs waits for it instead of restarting it. */
  private pending: { key: string; promise: Promise<ModelPruneJobResult> } | undefined;
  private jobsStarted = 0;
  private redrawn = false;

  /** Before the first run, the idle line follows what the page's other model widgets measured and pruned. */
  protected override readonly idleFollows = [COSTS_CHANGED];

  protected override idleText(): string {
    const job = this.job(this.tokens());
    const e = estimate(job.settings, job.methods);
    const runs = job.methods.length * (job.settings.refits?.length ?? 1);
    return `Press Run to prune the ${e.heads} heads of the induction model with ${runs === 1 ? 'one method' : `${runs} method and refit pairs`} (${job.methods.join(', ')}${refitsText(job.settings.refits)}) and read every head's attention on the sequence. ${estimateText(e, (x) => num(x, 2))}`;
  }

  private tokens(): number[] {
    return Array.from(inductionSequence(mulberry32(this.state.seed)).seq);
  }

  /** The worker job: everything but the layer and head shown. */
  private job(tokens: number[]): Extract<Job, { kind: 'modelPrune' }> {
    const s = this.state;
    return {
      kind: 'modelPrune',
      // 2:4 fixes the sparsity at 1/2: the slider's value must not make a new job.
      settings: {
        model: 'induction',
        sparsity: s.pattern === 'unstructured' ? s.sparsity : 0.5,
        pattern: s.pattern,
        mode: s.mode,
        gd: { ...GD_FORMS[s.gdForm] },
        refits: pickedOptions(REFIT_IDS, s.refits),
      },
      methods: pickedOptions(MODEL_METHOD_IDS, s.methods),
      view: { tokens },
    };
  }

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const tokens = this.tokens();
    const job = this.job(tokens);
    const key = JSON.stringify(job);
    if (this.last?.key === key) {
      this.redrawn = true;
      this.draw(this.last);
      return;
    }
    this.redrawn = false;
    if (this.pending?.key !== key) {
      this.dataset.jobs = String(++this.jobsStarted);
      const waiting = document.createElement('p');
      waiting.textContent = `Pruning every head with ${job.methods.map((m) => methodLabel(m)).join(', ')} (refits: ${(job.settings.refits ?? ['none']).join(', ')}) and reading the attention on the sequence below…`;
      this.output.replaceChildren(this.intro(), this.sequenceText(tokens), waiting);
      const promise = this.client.run(job, (p) => {
        if ('done' in p) this.progress(stepLine(p, (d, t) => this.remaining(d, t)));
      });
      promise.then(
        (result) => {
          recordJob(job.settings, result);
          recordOnElement(this, { kind: job.kind, timeMs: result.timeMs.total, prunings: result.runs.map((r) => r.pruning) });
        },
        () => undefined,
      );
      const entry = { key, promise };
      this.pending = entry;
      const settle = (): void => {
        if (this.pending === entry) this.pending = undefined;
      };
      promise.then(settle, settle);
    }
    const result = await this.pending!.promise;
    if (signal.stale) return;
    const v = result.view;
    if (!v) throw new Error('the worker returned no attention patterns');
    this.last = {
      key,
      result,
      tokens: v.ids,
      dense: scoresOf(v.dense, v.ids, v.nLayers, v.nHeads),
      pruned: v.pruned.map((p) => scoresOf(p, v.ids, v.nLayers, v.nHeads)),
    };
    this.draw(this.last);
  }

  private intro(): HTMLElement {
    const p = document.createElement('p');
    p.className = 'widget-lede';
    p.textContent =
      'The induction model predicts the rest of a repeated segment by copying: at a token it has seen before, a last-layer head attends to the position right after that token’s earlier occurrence (circled below) and copies the token there. ' +
      'A head’s induction score is its attention on the circled cells, averaged over the queries that have one: 1 for a perfect induction head; the table compares it with the accuracy each pruned model keeps.';
    return p;
  }

  private sequenceText(tokens: number[]): HTMLElement {
    const p = document.createElement('p');
    p.className = 'induction-tokens';
    const period = inductionTargets(tokens).findIndex((k) => k.length > 0);
    const queries = inductionQueryCount(tokens);
    p.textContent =
      queries === 0
        ? `Sequence (seed ${this.state.seed}): ${tokens.join(' ')}. No token repeats, so the induction score is not defined on it.`
        : `Sequence (seed ${this.state.seed}), ${tokens.length} token ids: ${tokens.join(' ')}. From position ${period} on, every token has occurred before: ${queries} queries have induction targets.`;
    return p;
  }

  /** The head to draw: the chosen one, or the dense model's most typical head for its layer. */
  private shownHead(s: Scored, layer: number): number {
    if (this.state.head !== AUTO) return Number(this.state.head);
    const byRole = layer === 0 ? s.dense.previous[0] : s.dense.induction[layer];
    let best = 0;
    byRole.forEach((x, h) => {
      if (x > byRole[best] || !Number.isFinite(byRole[best])) best = h;
    });
    return best;
  }

  private draw(s: Scored): void {
    const r = s.result;
    const v = r.view!;
    const last = v.nLayers - 1;
    const layer = Math.min(this.state.layer, last);
    const head = this.shownHead(s, layer);
    const heads = Array.from({ length: v.nHeads }, (_, h) => h);
    const uniform = uniformPattern(v.T);
    const chance = inductionScore(uniform, s.tokens);
    const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
    const setting = r.pattern === 'unstructured' ? `sparsity ${num(r.sparsity)}` : r.pattern;

    const inductionTable = table({
      caption: `Accuracy on the page’s evaluation sequences (${r.evaluation}, ${r.dense.tokens} predictions) and induction score of each layer-${last} head on this sequence, dense and after pruning every head at ${setting} (${r.mode} masks). The uniform row is causal attention spread evenly: the score of a head that ignores the tokens.`,
      head: ['model', 'accuracy', ...heads.map((h) => `L${last} H${h}${layer === last && h === head ? ' (shown)' : ''}`), 'mean'],
      rows: [
        ['Dense', percent(r.dense.accuracy), ...s.dense.induction[last].map(score3), score3(mean(s.dense.induction[last]))],
        ...r.runs.map((run, i) => [
          recipeLabel(run.method, run.refit),
          percent(run.pruned.accuracy),
          ...s.pruned[i].induction[last].map(score3),
          score3(mean(s.pruned[i].induction[last])),
        ]),
        ['Uniform attention', '—', ...heads.map(() => score3(chance)), score3(chance)],
      ],
    });
    inductionTable.classList.add('induction-scores');
    // Full-precision numbers for scripts and tests, on the rows themselves.
    const rowData = [
      { method: 'dense', accuracy: r.dense.accuracy, scores: s.dense.induction[last] },
      ...r.runs.map((run, i) => ({ method: recipeKey(run.method, run.refit), accuracy: run.pruned.accuracy, scores: s.pruned[i].induction[last] })),
    ];
    inductionTable.querySelectorAll('tbody tr').forEach((tr, i) => {
      const d = rowData[i];
      if (!d) return;
      (tr as HTMLElement).dataset.method = d.method;
      (tr as HTMLElement).dataset.accuracy = String(d.accuracy);
      (tr as HTMLElement).dataset.inductionScores = d.scores.join(',');
    });

    const previousTable = table({
      caption: `Previous-token score of each layer-0 head (attention on the key just before the query, averaged over the sequence; 1 for a pure previous-token head, ${score3(previousTokenScore(uniform, v.T))} for uniform attention).`,
      head: ['model', ...heads.map((h) => `L0 H${h}${layer === 0 && h === head ? ' (shown)' : ''}`)],
      rows: [
        ['Dense', ...s.dense.previous[0].map(score3)],
        ...r.runs.map((run, i) => [recipeLabel(run.method, run.refit), ...s.pruned[i].previous[0].map(score3)]),
      ],
    });

    this.output.replaceChildren(this.intro(), this.sequenceText(s.tokens), inductionTable, this.patterns(s, layer, head), previousTable, this.solverNotes(r));
    this.dataset.shown = `${layer},${head}`;
  }

  /** The shown head's pattern, dense next to each method, on one colour scale. */
  private patterns(s: Scored, layer: number, head: number): HTMLElement {
    const r = s.result;
    const v = r.view!;
    const box = document.createElement('div');
    const heading = document.createElement('h4');
    heading.textContent = `Attention of layer ${layer}, head ${head}${this.state.head === AUTO ? ` (${typicalWords(s, layer, head)})` : ''}`;
    const dense = headPattern(v.dense, v.T, v.nHeads, layer, head);
    const pruned = v.pruned.map((p) => headPattern(p, v.T, v.nHeads, layer, head));
    let hi = 0;
    for (const p of [dense, ...pruned]) for (const x of p) hi = Math.max(hi, x);
    const domain: [number, number] = [0, Math.max(hi, 1e-12)];
    const legend = colorLegend({
      domain,
      // Short enough for a phone's legend (the intro and the aria-label say what the circles are).
      label: 'attention probability, same scale in every map',
      width: Math.min(340, this.width()),
    });
    legend.setAttribute('role', 'img');
    legend.setAttribute(
      'aria-label',
      `Colour scale of the attention maps below: from 0 (light) to ${num(hi, 3)} (dark blue). Orange circles mark the induction targets.`,
    );
    const targets = inductionTargets(s.tokens);
    const maps = document.createElement('div');
    maps.className = 'induction-maps';
    const fit = fitColumns(this.width(), { min: 240, max: 340, gap: MAP_GAP, most: r.runs.length + 1 });
    applyGrid(maps, fit, MAP_GAP);
    const width = fit.cell;
    const diff = (a: Float32Array): number => {
      let num = 0;
      let den = 0;
      for (let i = 0; i < a.length; i++) {
        num += (a[i] - dense[i]) ** 2;
        den += dense[i] ** 2;
      }
      return Math.sqrt(num / den);
    };
    const map = (p: Float32Array, name: string, scores: PatternScores, extra: string, file: string): void => {
      const el = document.createElement('div');
      renderFigure(el, {
        title: name,
        summary: `Layer ${layer}, head ${head}: induction score ${score3(scores.induction[layer][head])}, previous-token score ${score3(scores.previous[layer][head])}${extra}. Row: the query position, column: the key it attends to, both labelled with their token id.`,
        plot: () => patternChart(p, s.tokens, targets, { domain, width }),
        rows: () => {
          const out: Record<string, number>[] = [];
          for (let t = 0; t < v.T; t++)
            for (let k = 0; k <= t; k++)
              out.push({
                query_position: t,
                query_token: s.tokens[t],
                key_position: k,
                key_token: s.tokens[k],
                attention: p[t * v.T + k],
                induction_target: targets[t].includes(k) ? 1 : 0,
              });
          return out;
        },
        filename: `induction-L${layer}H${head}-seed${this.state.seed}-${file}`,
        sharedLegend: legend,
      });
      maps.append(el);
    };
    map(dense, 'Dense', s.dense, '', 'dense');
    r.runs.forEach((run, i) =>
      map(
        pruned[i],
        recipeLabel(run.method, run.refit),
        s.pruned[i],
        `; relative difference from the dense pattern ${num(diff(pruned[i]))}`,
        `${recipeKey(run.method, run.refit)}-${r.mode}-${r.pattern === 'unstructured' ? `p${r.sparsity}` : r.pattern.replace(':', 'of')}`,
      ),
    );
    box.append(heading, legend, maps);
    return box;
  }

  /** The width the figures may take: the output box's (before the first draw, the widget's less its padding). */
  private width(): number {
    return this.output.clientWidth || this.clientWidth - 26;
  }

  /** The last result drawn again at the new width: no job. */
  protected override redraw(): void {
    if (this.last) this.draw(this.last);
  }

  private solverNotes(r: ModelPruneJobResult): HTMLElement {
    const box = document.createElement('div');
    const notes = solverSentences(r.runs.map((run) => ({ label: recipeLabel(run.method, run.refit), notes: run.heads.flatMap((h) => h.notes) })));
    const p = document.createElement('p');
    p.className = 'widget-footnote';
    p.textContent = `Calibration: ${r.calibration}. Forward passes: TensorFlow.js (${r.backend}); time in the worker ${num(r.timeMs.total / 1000)} s (loading and calibrating ${num(r.timeMs.load / 1000)} s, pruning ${num(r.timeMs.prune / 1000)} s, scoring ${num(r.timeMs.evaluate / 1000)} s, the rest drawing the attention).${notes.length ? ` Notes from the solvers: ${notes.join(' ')}` : ''}`;
    box.append(p);
    return box;
  }

  protected override doneText(): string {
    const s = this.last;
    if (!s) return 'Done.';
    const r = s.result;
    const layer = Math.min(this.state.layer, r.nLayers - 1);
    if (this.redrawn)
      return `Done: showing layer ${layer}, head ${this.shownHead(s, layer)} from the last run (no new job: the sequence and the pruning settings are unchanged).`;
    const parts = r.runs.map((run) => `${recipeLabel(run.method, run.refit)} ${percent(run.pruned.accuracy)}`);
    return `Done: every head pruned by ${r.runs.length} method${r.runs.length === 1 ? '' : 's'} in ${num(r.timeMs.total / 1000)} s; accuracy ${percent(r.dense.accuracy)} dense, ${parts.join(', ')}.`;
  }
}

customElements.define(WIDGET.tag, InductionHeads);
