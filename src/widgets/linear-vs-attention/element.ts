/**
 * Linear vs attention error (chapter 3), at the competitive end: prune a synthetic head
 * with each method, draw masks a few swaps away from each method's mask, and place every
 * mask by its linear error ‖XW − XW′‖/‖XW‖ (what magnitude, Wanda and SparseGPT keep
 * small) and its attention error ‖F′ − F₀‖/‖F₀‖. Random masks are computed too, but only
 * counted: they are all far worse than every method, so drawing them would squeeze the
 * part of the plot where methods compete into a corner.
 */
import { WidgetBase, type Preset } from '../../ui/widget-base.ts';
import type { Schema } from '../../ui/state.ts';
import { methodLabel } from '../../core/methods.ts';
import { num, percent } from '../../ui/format.ts';
import { renderFigure } from '../../ui/figure.ts';
import type { ScatterResult } from '../../jobs/protocol.ts';
import { agreement } from '../../jobs/nearCloud.ts';
import { PROBLEM_FIELDS, specOf } from '../../ui/fields.ts';
import { GD_FORMS, GD_FORM_HELP, gdFormOnlyField } from '../../ui/gdForm.ts';
import { JobError } from '../../worker/client.ts';
import { nearCloudChart } from './cloudChart.ts';
import { WIDGET } from './widget.ts';

// Opens on the prose's example: the first of its heads at the middle scale (src/site/numbers/nearCloud.ts).
const schema = {
  n: { kind: 'int', label: 'tokens n', default: 32, min: 2, max: 256 },
  d: { kind: 'int', label: 'width d', default: 8, min: 2, max: 32 },
  ...PROBLEM_FIELDS,
  scale: { ...PROBLEM_FIELDS.scale, default: 2 },
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0.05, max: 0.95 },
  near: { kind: 'int', label: 'masks near each method', default: 40, min: 4, max: 400 },
  samples: { kind: 'int', label: 'random masks', default: 100, min: 10, max: 2000 },
  // The methods' gradient descent (the paper's form or our defaults, as the CLI's defaults).
  gdForm: gdFormOnlyField('ours'),
} as const satisfies Schema;

function describeCorrelation(rho: number): string {
  if (!Number.isFinite(rho)) return 'undefined (one of the errors does not vary)';
  const a = Math.abs(rho);
  const strength = a >= 0.8 ? 'strong' : a >= 0.5 ? 'moderate' : a >= 0.2 ? 'weak' : 'almost no';
  return `${num(rho, 2)} (${strength}${a >= 0.2 ? (rho > 0 ? ' positive' : ' negative') : ''} agreement)`;
}

export class LinearVsAttention extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Problem, sparsity and masks';
  /** Thousands of masks at the largest settings take a while: a Stop button. */
  protected override readonly stoppable = true;
  protected override readonly presets: readonly Preset<typeof schema>[] = [
    { label: 'the example (scale 2)', state: { n: 32, d: 8, seed: 1, scale: 2, sparsity: 0.5 } },
    {
      label: 'flat attention (scale 1)',
      state: { n: 32, d: 8, seed: 1, scale: 1, sparsity: 0.5 },
      note: 'Compare the rank correlation with the example: it changes less than from one seed to the next.',
    },
    { label: 'peaked attention (scale 3)', state: { n: 32, d: 8, seed: 1, scale: 3, sparsity: 0.5 } },
    { label: 'high sparsity', state: { n: 32, d: 8, seed: 1, scale: 2, sparsity: 0.75 } },
  ];
  override readonly hints = {
    scale: { help: 'Larger weights make attention more peaked, and the softmax more selective about which errors matter.' },
    near: { help: 'Masks drawn around each method’s mask by exchanging 1 to 4 kept and pruned entries (original weights kept).' },
    samples: { help: 'Random masks pruning the same number of weights; counted, not drawn (they are all far worse).' },
    gdForm: { help: `Used by the gradient-descent methods only. ${GD_FORM_HELP.replace(' Editing a field below makes it custom.', '')}` },
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
      { kind: 'scatter', spec: specOf(s), sparsity: s.sparsity, samples: s.samples, seed: s.seed, gd: { ...GD_FORMS[s.gdForm] }, near: s.near },
      (p) => {
        if ('done' in p) this.progress(`Masks: ${p.done} of ${p.total}${this.remaining(p.done, p.total)}…`);
      },
    );
    if (signal.stale) return;
    const problems = [...r.random, ...r.methods, ...r.near].filter((p) => !Number.isFinite(p.linear) || !Number.isFinite(p.attention));
    if (problems.length > 0) {
      throw new Error(`${problems.length} of the errors are not finite numbers (the attention overflowed); lower the weight scale`);
    }
    this.draw(r);
  }

  private chartWidth(): number {
    return Math.max(280, Math.min(760, this.output.clientWidth || this.clientWidth - 24));
  }

  private draw(r: ScatterResult): void {
    const s = this.state;
    const { spearman, discordant, pairs } = agreement(
      r.near.map((p) => p.linear),
      r.near.map((p) => p.attention),
    );
    this.last = { r, spearman };
    const bestLinear = r.methods.reduce((a, b) => (b.linear < a.linear ? b : a));
    const bestAttention = r.methods.reduce((a, b) => (b.attention < a.attention ? b : a));
    const pruned = Math.floor(s.sparsity * s.d * s.d + 1e-9);
    const disagree = r.near.filter((p) => p.disagrees).length;

    const summary =
      `${r.near.length} masks near the masks of the ${new Set(r.near.map((p) => p.from)).size} methods that only mask W (1 to 4 kept and pruned entries exchanged), each pruning ${pruned} of the ${s.d * s.d} weights. ` +
      `Rank correlation (Spearman) between their linear and attention errors: ${describeCorrelation(spearman)}; ` +
      (pairs > 0
        ? `the two errors order ${percent(discordant, 0)} of the pairs of these masks oppositely. `
        : 'no two of these masks differ in both errors. ') +
      `${disagree} of them (ringed) are better than their method's mask by one error and worse by the other. ` +
      `Lowest linear error among the methods: ${methodLabel(bestLinear.method)} (${num(bestLinear.linear)}); ` +
      `lowest attention error: ${methodLabel(bestAttention.method)} (${num(bestAttention.attention)}).` +
      (bestLinear.method !== bestAttention.method ? ' The two views pick different winners.' : ' Here both views pick the same winner.') +
      ' ' +
      this.versusRandom(r);

    const chart = document.createElement('div');
    renderFigure(chart, {
      title: 'Linear error against attention error, near the methods’ masks',
      summary,
      plot: () => nearCloudChart(r.near, r.methods, { width: this.chartWidth() }),
      rows: () => [
        ...r.near.map((p) => ({
          kind: `near ${p.from}`,
          swaps: p.swaps,
          linear_error: p.linear,
          attention_error: p.attention,
          disagrees: p.disagrees ? 1 : 0,
        })),
        ...r.methods.map((m) => ({ kind: m.method, swaps: 0, linear_error: m.linear, attention_error: m.attention, disagrees: 0 })),
        ...r.random.map((p) => ({ kind: 'random', swaps: '', linear_error: p.linear, attention_error: p.attention, disagrees: '' })),
      ],
      filename: 'linear-vs-attention',
    });
    const legend = document.createElement('p');
    legend.className = 'lva-key';
    legend.textContent =
      "Small dots: masks near a method's mask, in its colour (they keep the original weights). Ringed: better than that method's mask by one error, worse by the other. Large symbols: the methods themselves (SparseGPT and the refits also update the kept weights, so no cloud is drawn around them).";

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

  /** Where the random masks are, in words: the reason they are not drawn. */
  private versusRandom(r: ScatterResult): string {
    if (r.random.length === 0) return '';
    const worstMethod = Math.max(...r.methods.map((m) => m.attention));
    const better = r.random.filter((p) => p.attention < worstMethod).length;
    const bestRandom = Math.min(...r.random.map((p) => p.attention));
    if (better === 0)
      return `None of the ${r.random.length} random masks (not drawn) is as good as the worst method: the best of them has attention error ${num(bestRandom)}, against ${num(worstMethod)} for the worst method.`;
    return `${better} of the ${r.random.length} random masks (not drawn) have a lower attention error than the worst method (${num(worstMethod)}).`;
  }

  protected override doneText(): string {
    const l = this.last;
    if (!l) return 'Done.';
    return `Done: ${l.r.near.length} masks near ${new Set(l.r.near.map((p) => p.from)).size} methods’ masks, and ${l.r.methods.length} methods; rank correlation ${num(l.spearman, 2)}.`;
  }
}

customElements.define(WIDGET.tag, LinearVsAttention);
