/**
 * Model pruner (chapter 8): prune every attention head of a shipped transformer in
 * the worker, with the chosen method, sparsity and mode, calibrated on the same 8
 * sequences the CLI uses with seed 1, and score the dense and the pruned model on
 * the page's 32 evaluation sequences (perplexity; accuracy for `induction`).
 */
import { WidgetBase } from './widget-base.ts';
import type { Schema } from './state.ts';
import { heatmap } from './charts.ts';
import { numbersList, renderFigure } from './figure.ts';
import { count, fmt, pct } from './plots-extra.ts';
import type { ModelPruneJobResult } from '../worker/protocol.ts';
import type { ModelMethod, PruneMode } from '../model/prune.ts';
import type { ModelName } from '../model/config.ts';

const schema = {
  model: { kind: 'enum', label: 'model', default: 'brown-char', options: ['brown-char', 'induction'] },
  method: { kind: 'enum', label: 'method', default: 'gd', options: ['gd', 'magnitude', 'wanda', 'sparsegpt'] },
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 },
  mode: { kind: 'enum', label: 'mask on', default: 'merged', options: ['merged', 'factored'] },
  lambda: { kind: 'float', label: 'λ (gd: pull toward 0)', default: 0.1, min: 0, max: 10 },
  eta: { kind: 'float', label: 'step η (gd)', default: 0.05, min: 1e-6, max: 1000 },
  iters: { kind: 'int', label: 'iterations T (gd)', default: 300, min: 0, max: 2000 },
} as const satisfies Schema;

const METHOD_NAMES: Record<string, string> = {
  gd: 'gradient descent on the attention objective',
  magnitude: 'magnitude',
  wanda: 'Wanda',
  sparsegpt: 'SparseGPT',
};

export class ModelPruner extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Model, method and sparsity (calibration seed fixed at 1)';
  override readonly hints = {
    model: { help: 'brown-char: a character model of the Brown corpus, scored by perplexity. induction: a model that copies repeated segments, scored by accuracy.' },
    mode: { help: 'merged: one mask on W_h = W_Q W_Kᵀ/√d_h (d² entries). factored: masks on W_Q and W_K themselves (2·d·d_h entries).' },
    sparsity: { help: 'The fraction of each head’s entries set to zero.' },
    lambda: { help: 'Used by the gd method only.' },
    eta: { help: 'Used by the gd method only; too large a step diverges.' },
    iters: { help: 'Used by the gd method only.' },
  };
  private last: ModelPruneJobResult | undefined;

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const note = document.createElement('p');
    note.textContent = `Loading ${s.model} and pruning its heads in your browser. Calibration: the 8 sequences the command line uses with seed 1 (fixed).`;
    this.output.replaceChildren(note);
    const result = await this.client.run<ModelPruneJobResult>(
      {
        kind: 'modelPrune',
        model: s.model as ModelName,
        method: s.method as ModelMethod,
        sparsity: s.sparsity,
        mode: s.mode as PruneMode,
        gd: { lambda: s.lambda, eta: s.eta, iters: s.iters },
      },
      (p) => {
        if ('done' in p) this.progress(`Pruned head ${p.done} of ${p.total}…`);
      },
    );
    if (signal.stale) return;
    this.last = result;
    this.draw(result);
  }

  private draw(r: ModelPruneJobResult): void {
    const acc = r.metric === 'accuracy';
    const metricText = (x: { perplexity: number; accuracy?: number }): string => (acc ? `${pct(100 * (x.accuracy ?? Number.NaN))} %` : fmt(x.perplexity, 4));
    const meanError = r.heads.reduce((a, h) => a + h.attentionError, 0) / r.heads.length;
    const w = r.weights;
    const keptShare = w.kept_entries / (w.mode === 'merged' ? w.merged_dense_entries : w.dense_qk_weights);
    const accounting =
      w.mode === 'merged'
        ? `The dense model stores W_Q and W_K: ${count(w.dense_qk_weights)} numbers over its ${r.nLayers * r.nHeads} heads. A merged mask keeps ${count(w.kept_entries)} of the ${count(w.merged_dense_entries)} entries of the merged matrices W_h (${pct(100 * keptShare)} %), which is ${w.kept_entries < w.dense_qk_weights ? 'fewer' : 'not fewer'} than the dense W_Q and W_K: merged storage only saves memory above sparsity ${fmt(w.break_even_sparsity_merged)}.`
        : `The dense model stores W_Q and W_K: ${count(w.dense_qk_weights)} numbers over its ${r.nLayers * r.nHeads} heads. The factored masks keep ${count(w.kept_entries)} of them (${pct(100 * keptShare)} %).`;
    const numbers = numbersList([
      [acc ? 'Accuracy of the dense model' : 'Perplexity of the dense model', metricText(r.dense)],
      [acc ? 'Accuracy of the pruned model' : 'Perplexity of the pruned model', metricText(r.pruned)],
      ['Cross-entropy, dense → pruned (nats per token)', `${fmt(r.dense.crossEntropy, 4)} → ${fmt(r.pruned.crossEntropy, 4)}`],
      ['Mean relative attention error over the heads', fmt(meanError)],
      ['Calibration', `${r.calibration} (the seed is fixed at 1, as the command line’s default)`],
      ['Evaluation', `${r.evaluation}, ${count(r.dense.tokens)} predictions`],
      ['TensorFlow.js backend (forward passes)', r.backend],
      ['Time in the worker', `${fmt(r.timeMs.total / 1000)} s (loading ${fmt(r.timeMs.load / 1000)} s, pruning ${fmt(r.timeMs.prune / 1000)} s, scoring ${fmt(r.timeMs.evaluate / 1000)} s)`],
    ]);
    const words = document.createElement('p');
    words.textContent = accounting;
    const map = document.createElement('div');
    const errors = r.heads.map((h) => h.attentionError);
    const worst = r.heads.reduce((a, h) => (h.attentionError > a.attentionError ? h : a), r.heads[0]);
    const best = r.heads.reduce((a, h) => (h.attentionError < a.attentionError ? h : a), r.heads[0]);
    renderFigure(map, {
      title: 'Attention error by layer (row) and head (column)',
      summary: `Relative attention error ‖F′ − F₀‖/‖F₀‖ of each of the ${r.heads.length} heads on the calibration sequences, after ${METHOD_NAMES[r.method] ?? r.method} at sparsity ${fmt(r.sparsity)} (${r.mode}): from ${fmt(best.attentionError)} (layer ${best.layer}, head ${best.head}) to ${fmt(worst.attentionError)} (layer ${worst.layer}, head ${worst.head}); mean ${fmt(meanError)}.`,
      plot: () => heatmap(errors, { rows: r.nLayers, cols: r.nHeads, scheme: 'oranges', domain: [0, Math.max(...errors, 1e-12)], label: 'attention error', width: Math.max(240, Math.min(420, this.clientWidth - 8)) }),
      rows: () => r.heads.map((h) => ({ layer: h.layer, head: h.head, attention_error: h.attentionError, mean_row_kl: h.meanRowKL, pruned: h.pruned, total: h.total })),
      filename: `model-pruner-${r.model}-${r.method}-${r.mode}-p${r.sparsity}`,
    });
    const notes = [...new Set(r.heads.flatMap((h) => h.notes))];
    const extra = document.createElement('div');
    if (notes.length) {
      const p = document.createElement('p');
      p.textContent = `Notes from the solver: ${notes.join('; ')}.`;
      extra.append(p);
    }
    this.output.replaceChildren(numbers, words, map, extra);
  }

  protected override doneText(): string {
    const r = this.last;
    if (!r) return 'Done.';
    const acc = r.metric === 'accuracy';
    const v = (x: { perplexity: number; accuracy?: number }): string => (acc ? `${pct(100 * (x.accuracy ?? Number.NaN))} %` : fmt(x.perplexity, 4));
    return `Done: ${r.heads.length} heads pruned in ${fmt(r.timeMs.prune / 1000)} s; ${acc ? 'accuracy' : 'perplexity'} ${v(r.dense)} dense, ${v(r.pruned)} pruned.`;
  }
}

customElements.define('model-pruner', ModelPruner);
