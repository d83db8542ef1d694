/**
 * Linear vs attention error (chapter 3): prune a synthetic head with many random
 * masks at the same sparsity and with each method, and place every pruned weight by
 * its linear error ‖XW − XW′‖/‖XW‖ (what magnitude, Wanda and SparseGPT keep small)
 * and its attention error ‖F′ − F₀‖/‖F₀‖ (what the reader of the attention sees).
 * Where the two disagree, the linear view is the wrong guide.
 */
import { WidgetBase } from '../../ui/widget-base.ts';
import type { Schema } from '../../ui/state.ts';
import { methodColour, methodLabel, methodShort } from '../../core/methods.ts';
import { num, percent } from '../../ui/format.ts';
import { labelledScatter } from '../../ui/charts/scatter.ts';
import { renderFigure } from '../../ui/figure.ts';
import type { ScatterResult } from '../../jobs/protocol.ts';
import { spearman as spearmanCorrelation } from '../../core/stats.ts';
import { PROBLEM_FIELDS, specOf } from '../../ui/fields.ts';
import { JobError } from '../../worker/client.ts';
import { WIDGET } from './widget.ts';

const schema = {
  n: { kind: 'int', label: 'tokens n', default: 32, min: 2, max: 256 },
  d: { kind: 'int', label: 'width d', default: 8, min: 2, max: 32 },
  ...PROBLEM_FIELDS,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0.05, max: 0.95 },
  samples: { kind: 'int', label: 'random masks', default: 200, min: 10, max: 2000 },
} as const satisfies Schema;

export function agreement(linear: number[], attention: number[]): { spearman: number; discordant: number; pairs: number } {
  const spearman = spearmanCorrelation(linear, attention);
  let discordant = 0;
  let pairs = 0;
  for (let i = 0; i < linear.length; i++) {
    for (let j = i + 1; j < linear.length; j++) {
      const s = Math.sign(linear[i] - linear[j]) * Math.sign(attention[i] - attention[j]);
      if (s === 0) continue;
      pairs++;
      if (s < 0) discordant++;
    }
  }
  return { spearman, discordant: pairs > 0 ? discordant / pairs : Number.NaN, pairs };
}

/** Fraction of the random masks whose error is strictly below x. */
const below = (values: number[], x: number): number => values.filter((v) => v < x).length / values.length;

function describeCorrelation(rho: number): string {
  if (!Number.isFinite(rho)) return 'undefined (one of the errors does not vary)';
  const a = Math.abs(rho);
  const strength = a >= 0.8 ? 'strong' : a >= 0.5 ? 'moderate' : a >= 0.2 ? 'weak' : 'almost no';
  return `${num(rho, 2)} (${strength}${a >= 0.2 ? (rho > 0 ? ' positive' : ' negative') : ''} agreement)`;
}

export class LinearVsAttention extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Problem, sparsity and random masks';
  /** Thousands of random masks at the largest settings take a while: a Stop button. */
  protected override readonly stoppable = true;
  override readonly hints = {
    scale: { help: 'Larger weights make attention more peaked, and the softmax more selective about which errors matter.' },
    samples: { help: 'Random masks pruning the same number of weights, drawn from the seed.' },
  };
  private last: { r: ScatterResult; spearman: number } | undefined;

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    // Nothing pruned: every mask is the dense matrix, and there is nothing to compare (it read "NaN %").
    if (Math.floor(s.sparsity * s.d * s.d + 1e-9) === 0) {
      this.output.replaceChildren();
      throw new JobError(
        `at sparsity ${num(s.sparsity)} no weight of the ${s.d * s.d} is pruned (${num(s.sparsity)} × ${s.d * s.d} rounds down to 0), so every mask is the dense matrix; raise the sparsity to at least ${num(1 / (s.d * s.d), 3)}`,
        'input',
      );
    }
    const r = await this.client.run(
      {
        kind: 'scatter',
        spec: specOf(s),
        sparsity: s.sparsity,
        samples: s.samples,
        seed: s.seed,
        gd: {},
      },
      (p) => {
        if ('done' in p) this.progress(`Random masks: ${p.done} of ${p.total}${this.remaining(p.done, p.total)}…`);
      },
    );
    if (signal.stale) return;
    const problems = [...r.random, ...r.methods].filter((p) => !Number.isFinite(p.linear) || !Number.isFinite(p.attention));
    if (problems.length > 0) {
      throw new Error(`${problems.length} of the errors are not finite numbers (the attention overflowed); lower the weight scale`);
    }
    this.draw(r);
  }

  private chartWidth(): number {
    return Math.max(280, Math.min(680, this.output.clientWidth || this.clientWidth - 24));
  }

  private draw(r: ScatterResult): void {
    const s = this.state;
    const linear = r.random.map((p) => p.linear);
    const attention = r.random.map((p) => p.attention);
    const { spearman, discordant, pairs } = agreement(linear, attention);
    this.last = { r, spearman };
    const bestLinear = r.methods.reduce((a, b) => (b.linear < a.linear ? b : a));
    const bestAttention = r.methods.reduce((a, b) => (b.attention < a.attention ? b : a));
    const pruned = Math.floor(s.sparsity * s.d * s.d + 1e-9);

    const summary =
      `${r.random.length} random masks each prune ${pruned} of the ${s.d * s.d} weights. ` +
      `Rank correlation (Spearman) between their linear and attention errors: ${describeCorrelation(spearman)}; ` +
      (pairs > 0
        ? `for ${percent(discordant, 0)} of the pairs of random masks, the two errors disagree about which mask is better. `
        : 'no two random masks differ in both errors, so none can disagree. ') +
      `Lowest linear error among the methods: ${methodLabel(bestLinear.method)} (${num(bestLinear.linear)}); ` +
      `lowest attention error: ${methodLabel(bestAttention.method)} (${num(bestAttention.attention)}).` +
      (bestLinear.method !== bestAttention.method ? ' The two views pick different winners.' : ' Here both views pick the same winner.') +
      ' ' +
      this.versusRandom(r, linear, attention);

    const chart = document.createElement('div');
    renderFigure(chart, {
      title: 'Linear error against attention error',
      summary,
      plot: () =>
        labelledScatter(
          r.random.map((p) => ({ x: p.linear, y: p.attention })),
          r.methods.map((m) => ({ x: m.linear, y: m.attention, label: methodShort(m.method), colour: methodColour(m.method) })),
          { xLabel: 'linear error ‖XW − XW′‖ / ‖XW‖', yLabel: 'attention error ‖F′ − F₀‖ / ‖F₀‖', width: this.chartWidth() },
        ),
      rows: () => [
        ...r.random.map((p, i) => ({ kind: 'random', mask: i, linear_error: p.linear, attention_error: p.attention })),
        ...r.methods.map((m) => ({ kind: m.method, mask: '', linear_error: m.linear, attention_error: m.attention })),
      ],
      filename: 'linear-vs-attention',
    });
    const legend = document.createElement('p');
    legend.className = 'lva-key';
    legend.textContent =
      "Grey dots: random masks at the same sparsity. Coloured marks: the methods (attention GD is Algorithm 1, the paper's method; SparseGPT also updates the kept weights).";

    const table = document.createElement('table');
    table.className = 'lva-table';
    const caption = document.createElement('caption');
    caption.textContent = `Each method at sparsity ${num(s.sparsity)} (${pruned} of ${s.d * s.d} weights pruned); lower is better, the best in each column is marked.`;
    const head = document.createElement('thead');
    const hr = document.createElement('tr');
    for (const h of ['method', 'linear error', 'attention error']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      hr.append(th);
    }
    head.append(hr);
    const body = document.createElement('tbody');
    for (const m of r.methods) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = methodLabel(m.method);
      const cell = (text: string, best: boolean): HTMLTableCellElement => {
        const td = document.createElement('td');
        td.textContent = best ? `${text} (best)` : text;
        if (best) td.className = 'lva-best';
        return td;
      };
      tr.append(th, cell(num(m.linear), m === bestLinear), cell(num(m.attention), m === bestAttention));
      body.append(tr);
    }
    table.append(caption, head, body);
    const wrap = document.createElement('div');
    wrap.className = 'lva-table-wrap';
    wrap.append(table);

    this.output.replaceChildren(chart, legend, wrap);
  }

  /** Where the methods sit relative to the random cloud, in words. */
  private versusRandom(r: ScatterResult, linear: number[], attention: number[]): string {
    const worse = r.methods
      .map((m) => ({ name: methodLabel(m.method), lin: below(linear, m.linear), att: below(attention, m.attention) }))
      .filter((m) => m.lin > 0 || m.att > 0);
    if (worse.length === 0) return `Every method beats all ${r.random.length} random masks in both errors.`;
    return worse
      .map((m) => `${percent(m.lin, 0)} of the random masks have a lower linear error than ${m.name}, ${percent(m.att, 0)} a lower attention error.`)
      .join(' ');
  }

  protected override doneText(): string {
    const l = this.last;
    if (!l) return 'Done.';
    return `Done: ${l.r.random.length} random masks and ${l.r.methods.length} methods; rank correlation ${num(l.spearman, 2)}.`;
  }
}

customElements.define(WIDGET.tag, LinearVsAttention);
