/**
 * Model pruner (chapter 8): prune every attention head of a shipped transformer in
 * the worker with one or more methods, at a sparsity or an N:M pattern, with merged
 * or factored masks, calibrated on the CLI's 8 training windows (seed 1) or on the
 * reader's own text; score the dense and each pruned model on the page's 32
 * evaluation sequences (perplexity; accuracy for `induction`); draw every head's
 * attention error, and one head's attention pattern on a prompt, dense next to
 * each method. Choosing another head to look at redraws without rerunning.
 */
import { type Preset, WidgetBase } from '../../ui/widget-base.ts';
import { type Schema, pickedOptions } from '../../ui/state.ts';
import { heatmap } from '../../ui/charts/heatmap.ts';
import { applyGrid, fitColumns } from '../../ui/fitGrid.ts';
import { matrixRows, numbersList, renderFigure } from '../../ui/figure.ts';
import { colorLegend, heatmapPlain } from '../../ui/charts/heatmap.ts';
import { count, num, percentAdaptive } from '../../ui/format.ts';
import { table } from '../../ui/table.ts';
import { solverSentences } from '../../ui/solverNotes.ts';
import { MODEL_METHOD_IDS, PAGE_DEFAULT_METHODS, REFIT_IDS, recipeLabel } from '../../core/methods.ts';
import { MODEL_GD_FIELDS, MODEL_GD_HINTS, gdSwitch } from '../../ui/gdForm.ts';
import { REFITS_FIELD, REFITS_HELP, methodPresets, evaluationsText, recipeKey, upgradeRetiredMethods } from '../../ui/recipes.ts';
import type { Job, ModelMethodRun, ModelPruneJobResult, ModelScore } from '../../jobs/protocol.ts';
import { inductionSequence } from '../../model/induction.ts';
import { mulberry32 } from '../../core/random.ts';
import { PAGE_MAX_CALIBRATION_CHARS } from '../../model/limits.ts';
import { JobError } from '../../worker/client.ts';
import { fitsInLink, linkLength } from '../../ui/state.ts';
import { modelTokenizer, promptProblem } from '../../ui/vocabulary.ts';
import { isBrownModel, MODEL_NAMES } from '../../model/config.ts';
import { WIDGET } from './widget.ts';
import { modelClient, recordOnElement, stepLine } from './modelWidget.ts';
import { COSTS_CHANGED, estimate, estimateText, recordJob } from '../../worker/modelCosts.ts';

/** Pasted text up to this many characters (percent-encoded) travels in the shareable link; servers refuse long addresses. */
const CALIB_TEXT_IN_LINK = 4000;

const schema = {
  // brown-word by default: the chapter's text figure opens on it too, and reuses the pruner's prunings.
  model: { kind: 'enum', label: 'model', default: 'brown-word', options: MODEL_NAMES },
  // The default leaves out our slower methods (gradual GD, the swap searches) and the refits: a reader adds them, or the fair fight preset.
  methods: { kind: 'set', label: 'methods', default: PAGE_DEFAULT_METHODS, options: MODEL_METHOD_IDS },
  refits: REFITS_FIELD,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 },
  pattern: { kind: 'enum', label: 'pattern', default: 'unstructured', options: ['unstructured', '2:4', '4:8'] },
  mode: { kind: 'enum', label: 'mask on', default: 'merged', options: ['merged', 'factored'] },
  calibration: { kind: 'enum', label: 'calibration', default: 'training windows', options: ['training windows', 'my text'] },
  calibText: {
    kind: 'text',
    label: 'your calibration text (Brown models)',
    default: '',
    maxLength: PAGE_MAX_CALIBRATION_CHARS,
    multiline: true,
    linkMaxLength: CALIB_TEXT_IN_LINK,
  },
  prompt: {
    kind: 'text',
    label: 'prompt for the attention pattern (Brown models)',
    default: 'The jury said it did find that the city was well run.',
    maxLength: 64,
  },
  layer: { kind: 'int', label: 'layer shown', default: 1, min: 0, max: 1 },
  head: { kind: 'int', label: 'head shown', default: 0, min: 0, max: 3 },
  ...MODEL_GD_FIELDS,
} as const satisfies Schema;

/** The gap between two maps of a row, px. */
const MAP_GAP = 12;

/** The induction model's attention is shown on this seeded sequence (a segment, then its repeat). */
const INDUCTION_VIEW_SEED = 1;

type Metric = ModelPruneJobResult['metric'];

function metricText(metric: Metric, s: ModelScore): string {
  return metric === 'accuracy' ? (s.accuracy === undefined ? 'not reported' : `${percentAdaptive(100 * s.accuracy)} %`) : num(s.perplexity, 4);
}

function metricValue(metric: Metric, s: ModelScore): number {
  return metric === 'accuracy' ? (s.accuracy ?? Number.NaN) : s.perplexity;
}

export class ModelPruner extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected override readonly stoppable = true;
  // One worker for the page's model widgets: the model loads once and each setting is pruned once.
  protected override client = modelClient();
  // A whole model is pruned with every chosen method: it waits for the reader's Run.
  protected override readonly startOn = 'click';
  protected readonly legend = 'Model, methods, sparsity and calibration';
  protected override readonly presets: readonly Preset<typeof schema>[] = methodPresets(
    'Six runs of a search and a refit take longer than the defaults (the table gives each run’s time and objective evaluations).',
  );
  protected override readonly switches = [gdSwitch()];
  protected override upgradeLink(params: URLSearchParams): string[] {
    return upgradeRetiredMethods(params, this.urlPrefix);
  }
  override readonly hints = {
    model: {
      help: 'brown-char: a character model of the Brown corpus, scored by perplexity per character. brown-word: a word model of the same corpus (its 4,000 most frequent words), scored by perplexity per word. induction: a model that copies repeated segments, scored by accuracy.',
    },
    methods: { help: 'Each method prunes its own copy of the model; gradient descent runs once per head and is reused when only the sparsity changes.' },
    refits: { help: REFITS_HELP },
    ...MODEL_GD_HINTS,
    sparsity: { help: 'The fraction of each head’s entries set to zero (ignored for 2:4 and 4:8, which prune N of every M).' },
    pattern: {
      help: 'N:M prunes N of every M consecutive entries down each column (the inputs of one output), keeping M − N: the structure sparse hardware accelerates.',
    },
    mode: { help: 'merged: one mask on W_h = W_Q W_Kᵀ/√d_h (d² entries). factored: masks on W_Q and W_K themselves (2·d·d_h entries).' },
    calibration: {
      help: 'training windows: the 8 windows the command line uses with seed 1. my text: the first 8 windows of 64 characters (brown-char) or 64 words and marks (brown-word, unknown words read as <unk>) of the text below.',
    },
    calibText: {
      help: `Paste English prose, at least 64 characters, at most ${PAGE_MAX_CALIBRATION_CHARS.toLocaleString('en-US')}. Characters the model never saw are named, not dropped. Only a short text (up to ${CALIB_TEXT_IN_LINK.toLocaleString('en-US')} characters as written in a link, about ${Math.floor(CALIB_TEXT_IN_LINK / 3).toLocaleString('en-US')}–${CALIB_TEXT_IN_LINK.toLocaleString('en-US')} letters) travels in the shareable link; a longer one is used here but not put into the link.`,
    },
    prompt: { help: 'The attention pattern below is drawn on these characters (the induction model uses a seeded repeated sequence instead).' },
    layer: { help: 'Which head’s attention pattern to draw (this does not rerun anything).' },
    head: { help: 'Heads 0–3 of the chosen layer.' },
    lambda: { help: 'Used by gd only.' },
    eta: { help: 'Used by gd only; too large a step diverges.' },
    iters: { help: 'Used by gd only.' },
  };
  private last: { key: string; result: ModelPruneJobResult } | undefined;

  /** Before the first run, the idle line follows what the page's other model widgets measured and pruned. */
  protected override readonly idleFollows = [COSTS_CHANGED];

  protected override idleText(): string {
    const job = this.job();
    const e = estimate(job.settings, job.methods);
    const refits = job.settings.refits ?? ['none'];
    const runs = job.methods.length * refits.length;
    return `Press Run to prune all ${e.heads} heads of ${job.settings.model} with ${job.methods.length === 1 ? 'one method' : `${job.methods.length} methods`} (${job.methods.join(', ')})${refits.length > 1 || refits[0] !== 'none' ? `, each with ${refits.length === 1 ? `the ${refits[0]} refit` : `each refit (${refits.join(', ')})`}: ${runs} run${runs === 1 ? '' : 's'},` : ''} and score each pruned model. ${estimateText(e, (x) => num(x, 2))}`;
  }

  /** The worker job for the current state (what the display-only fields do not change). */
  private job(): Extract<Job, { kind: 'modelPrune' }> {
    const s = this.state;
    const model = s.model;
    const useText = isBrownModel(model) && s.calibration === 'my text';
    return {
      kind: 'modelPrune',
      settings: {
        model,
        sparsity: s.sparsity,
        pattern: s.pattern,
        mode: s.mode,
        gd: { lambda: s.lambda, eta: s.eta, iters: s.iters, step: s.step, score: s.score },
        refits: pickedOptions(REFIT_IDS, s.refits),
        ...(useText ? { calibText: s.calibText } : {}),
      },
      methods: pickedOptions(MODEL_METHOD_IDS, s.methods),
      view: model === 'induction' ? { tokens: Array.from(inductionSequence(mulberry32(INDUCTION_VIEW_SEED)).seq) } : { text: s.prompt },
    };
  }

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const job = this.job();
    // Check the prompt before any work, as generated-text does (the worker would find out only after pruning every head).
    if (job.view?.text !== undefined) {
      const text = job.view.text;
      const tokenizer = await modelTokenizer(job.settings.model);
      if (signal.stale) return;
      const why = text.length < 2 ? 'the prompt for the attention pattern must have at least 2 characters' : tokenizer ? promptProblem(tokenizer, text) : '';
      if (why) {
        this.output.replaceChildren();
        throw new JobError(why, 'input');
      }
    }
    const key = JSON.stringify(job);
    if (this.last?.key === key) {
      this.draw(this.last.result);
      return;
    }
    const result = await this.client.run(job, (p) => {
      if ('done' in p) this.progress(stepLine(p, (d, t) => this.remaining(d, t)));
    });
    recordJob(job.settings, result);
    recordOnElement(this, { kind: job.kind, timeMs: result.timeMs.total, prunings: result.runs.map((r) => r.pruning) });
    if (signal.stale) return;
    this.last = { key, result };
    this.draw(result);
  }

  /** The width the figures may take: the output box's (before the first draw, the widget's less its padding). */
  private width(): number {
    return this.output.clientWidth || this.clientWidth - 26;
  }

  /** Draw the last result again at the new width: no job. */
  protected override redraw(): void {
    if (this.last) this.draw(this.last.result);
  }

  private draw(r: ModelPruneJobResult): void {
    const acc = r.metric === 'accuracy';
    const denseValue = metricValue(r.metric, r.dense);
    const meanError = (run: ModelMethodRun): number => run.heads.reduce((a, h) => a + h.attentionError, 0) / run.heads.length;
    const numbers = numbersList([
      [acc ? 'Accuracy of the dense model' : 'Perplexity of the dense model', metricText(r.metric, r.dense)],
      ['Pattern', r.pattern === 'unstructured' ? `unstructured, sparsity ${num(r.sparsity)}` : `${r.pattern} (sparsity ${num(r.sparsity)})`],
      ['Calibration', r.calibration],
      ['Evaluation', `${r.evaluation}, ${count(r.dense.tokens)} predictions`],
      ['TensorFlow.js backend (forward passes)', r.backend],
      [
        'Time in the worker',
        `${num(r.timeMs.total / 1000)} s (loading and calibrating ${num(r.timeMs.load / 1000)} s, pruning ${num(r.timeMs.prune / 1000)} s, scoring ${num(r.timeMs.evaluate / 1000)} s)`,
      ],
    ]);

    const results = table({
      caption: `Every head pruned at ${r.pattern === 'unstructured' ? `sparsity ${num(r.sparsity)}` : r.pattern} (${r.mode} masks), each method on its own copy of the model. ${acc ? 'Accuracy' : 'Perplexity'} on the evaluation sequences (dense: ${metricText(r.metric, r.dense)}).`,
      head: [
        'method',
        acc ? 'accuracy' : 'perplexity',
        acc ? 'change (points)' : 'change',
        'mean attention error',
        'Q/K entries kept',
        'compute: time (s)',
        'compute: objective evaluations',
      ],
      rows: r.runs.map((run) => {
        const v = metricValue(r.metric, run.pruned);
        return [
          recipeLabel(run.method, run.refit),
          metricText(r.metric, run.pruned),
          acc ? `${v - denseValue >= 0 ? '+' : ''}${num(100 * (v - denseValue), 3)}` : `${v - denseValue >= 0 ? '+' : ''}${num(v - denseValue, 3)}`,
          meanError(run),
          count(run.weights.kept_entries),
          num(run.compute.timeMs / 1000, 2),
          evaluationsText(run.compute),
        ];
      }),
    });
    results.classList.add('pruner-results');

    const w = r.runs[0].weights;
    const words = document.createElement('p');
    words.textContent =
      w.mode === 'merged'
        ? `Memory: the dense model stores W_Q and W_K, ${count(w.dense_qk_weights)} numbers over its ${r.nLayers * r.nHeads} heads. A merged mask keeps ${count(w.kept_entries)} of the ${count(w.merged_dense_entries)} entries of the merged matrices W_h, which is ${w.kept_entries < w.dense_qk_weights ? 'fewer' : 'not fewer'} than the dense W_Q and W_K: merged storage saves memory only above sparsity ${num(w.break_even_sparsity_merged)}.`
        : `Memory: the dense model stores W_Q and W_K, ${count(w.dense_qk_weights)} numbers over its ${r.nLayers * r.nHeads} heads; the factored masks keep ${count(w.kept_entries)} of them (${percentAdaptive((100 * w.kept_entries) / w.dense_qk_weights)} %).`;

    const errorMaps = this.errorMaps(r);
    const pattern = this.patternMaps(r);
    const notes = solverSentences(r.runs.map((run) => ({ label: recipeLabel(run.method, run.refit), notes: run.heads.flatMap((h) => h.notes) })));
    const extra = document.createElement('div');
    if (notes.length) {
      const p = document.createElement('p');
      p.textContent = `Notes from the solvers: ${notes.join(' ')}`;
      extra.append(p);
    }
    // For tests and scripts: the numbers behind the table at full precision.
    this.dataset.result = JSON.stringify({
      model: r.model,
      metric: r.metric,
      dense: denseValue,
      runs: r.runs.map((run) => ({
        method: run.method,
        refit: run.refit,
        compute: run.compute,
        value: metricValue(r.metric, run.pruned),
        crossEntropy: run.pruned.crossEntropy,
        headErrors: run.heads.map((h) => h.attentionError),
        kept: run.weights.kept_entries,
        pruneMs: run.pruneMs,
      })),
      backend: r.backend,
      timeMs: r.timeMs,
    });
    // "my text" applies to the Brown models only: say so rather than ignore the choice silently.
    const ignoredText: HTMLElement[] = [];
    if (r.model === 'induction' && this.state.calibration === 'my text') {
      ignoredText.push(
        Object.assign(document.createElement('p'), {
          textContent:
            'The induction model reads synthetic token sequences, not text: it is calibrated on its 8 training sequences (seed 1), and your text is not used.',
        }),
      );
    } else if (isBrownModel(r.model) && this.state.calibration === 'my text' && !fitsInLink(this.schema.calibText, this.state.calibText)) {
      ignoredText.push(
        Object.assign(document.createElement('p'), {
          textContent: `Your calibration text (${count(this.state.calibText.length)} characters, ${count(linkLength(this.state.calibText))} as written in a link) is too long to travel in the shareable link (at most ${count(CALIB_TEXT_IN_LINK)}): whoever opens the link is asked to paste a text.`,
        }),
      );
    }
    this.output.replaceChildren(...ignoredText, numbers, results, words, errorMaps, pattern, extra);
  }

  /** One small heatmap of per-head attention errors per method, on one colour scale. */
  private errorMaps(r: ModelPruneJobResult): HTMLElement {
    const box = document.createElement('div');
    const all = r.runs.flatMap((run) => run.heads.map((h) => h.attentionError));
    const domain: [number, number] = [0, Math.max(...all, 1e-12)];
    const maps = document.createElement('div');
    maps.className = 'pruner-maps pruner-error-maps';
    // Each map as wide as its column: 4 heads keep ≥ 40 px each, and the colour legend its 200 px.
    const fit = fitColumns(this.width(), { min: 220, max: 300, gap: MAP_GAP, most: r.runs.length });
    applyGrid(maps, fit, MAP_GAP);
    const cell = fit.cell;
    for (const run of r.runs) {
      const el = document.createElement('div');
      const worst = run.heads.reduce((a, h) => (h.attentionError > a.attentionError ? h : a), run.heads[0]);
      const best = run.heads.reduce((a, h) => (h.attentionError < a.attentionError ? h : a), run.heads[0]);
      renderFigure(el, {
        title: `${recipeLabel(run.method, run.refit)}: attention error by layer (row) and head (column)`,
        summary: `Relative attention error ‖F′ − F₀‖/‖F₀‖ of each head on the calibration sequences: from ${num(best.attentionError)} (layer ${best.layer}, head ${best.head}) to ${num(worst.attentionError)} (layer ${worst.layer}, head ${worst.head}).`,
        plot: () =>
          heatmap(
            run.heads.map((h) => h.attentionError),
            { rows: r.nLayers, cols: r.nHeads, scheme: 'oranges', domain, label: 'attention error', width: cell, xLabel: 'head', yLabel: 'layer' },
          ),
        rows: () =>
          run.heads.map((h) => ({
            layer: h.layer,
            head: h.head,
            attention_error: h.attentionError,
            mean_row_kl: h.meanRowKL,
            pruned: h.pruned,
            total: h.total,
          })),
        filename: `model-pruner-errors-${r.model}-${recipeKey(run.method, run.refit)}-${r.mode}-${r.pattern === 'unstructured' ? `p${r.sparsity}` : r.pattern.replace(':', 'of')}`,
      });
      maps.append(el);
    }
    box.append(maps);
    return box;
  }

  /** The chosen head's attention on the prompt: dense next to each method. */
  private patternMaps(r: ModelPruneJobResult): HTMLElement {
    const box = document.createElement('div');
    const v = r.view;
    if (!v) return box;
    const layer = Math.min(this.state.layer, v.nLayers - 1);
    const head = Math.min(this.state.head, v.nHeads - 1);
    const T = v.T;
    const offset = (layer * v.nHeads + head) * T * T;
    const slice = (a: Float32Array): Float32Array => a.subarray(offset, offset + T * T);
    const dense = slice(v.dense);
    const heading = document.createElement('h4');
    heading.textContent = `Attention of layer ${layer}, head ${head}`;
    const tokens = document.createElement('p');
    tokens.className = 'pruner-tokens';
    tokens.textContent =
      r.model === 'induction'
        ? `On a seeded induction sequence (seed ${INDUCTION_VIEW_SEED}) of ${T} tokens: ${v.tokens.join(' ')}. Row i is the query at position i, column j the key it attends to.`
        : r.model === 'brown-word'
          ? `On the ${T} words and marks “${v.tokens.join(' ')}”. Row i is the query at token i, column j the token it attends to.`
          : `On the ${T} characters “${v.tokens.join('')}”. Row i is the query at character i, column j the character it attends to.`;
    let hi = 0;
    for (const x of dense) hi = Math.max(hi, x);
    for (const p of v.pruned) for (const x of slice(p)) hi = Math.max(hi, x);
    const domain: [number, number] = [0, Math.max(hi, 1e-12)];
    const legend = colorLegend({ domain, label: 'attention weight (same scale in every map)', width: Math.min(320, this.width()) });
    legend.setAttribute('role', 'img');
    legend.setAttribute('aria-label', `Colour scale of the attention maps below: from 0 (light) to ${num(hi, 3)} (dark).`);
    const maps = document.createElement('div');
    maps.className = 'pruner-maps';
    // Each map as wide as its column and at least 200 px, so each of up to 64 keys keeps ≥ 2.6 px.
    const fit = fitColumns(this.width(), { min: 200, max: 300, gap: MAP_GAP, most: r.runs.length + 1 });
    applyGrid(maps, fit, MAP_GAP);
    const cell = fit.cell;
    const map = (data: Float32Array, title: string, summary: string, file: string): void => {
      const el = document.createElement('div');
      renderFigure(el, {
        title,
        summary,
        plot: () => heatmapPlain(data, { rows: T, cols: T, domain, width: cell }),
        rows: () => matrixRows(data, T, T),
        filename: file,
        sharedLegend: legend,
      });
      maps.append(el);
    };
    const frob = (a: Float32Array, b?: Float32Array): number => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
      return Math.sqrt(s);
    };
    const base = `${r.model}-L${layer}H${head}`;
    map(
      dense,
      'Dense',
      `Layer ${layer}, head ${head} of the unpruned model on the prompt; each row sums to 1; largest weight ${num(Math.max(...dense), 3)}.`,
      `attention-${base}-dense`,
    );
    r.runs.forEach((run, i) => {
      const p = slice(v.pruned[i]);
      map(
        p,
        recipeLabel(run.method, run.refit),
        `The same head after ${recipeLabel(run.method, run.refit)}: relative difference from the dense pattern on this prompt ${num(frob(p, dense) / frob(dense))}.`,
        `attention-${base}-${recipeKey(run.method, run.refit)}`,
      );
    });
    box.append(heading, tokens, legend, maps);
    return box;
  }

  protected override doneText(): string {
    const r = this.last?.result;
    if (!r) return 'Done.';
    const parts = r.runs.map((run) => `${recipeLabel(run.method, run.refit)} ${metricText(r.metric, run.pruned)}`);
    return `Done: ${r.nLayers * r.nHeads} heads pruned by ${r.runs.length} run${r.runs.length === 1 ? '' : 's'} in ${num(r.timeMs.prune / 1000)} s; ${r.metric} ${metricText(r.metric, r.dense)} dense, ${parts.join(', ')}.`;
  }
}

customElements.define(WIDGET.tag, ModelPruner);
