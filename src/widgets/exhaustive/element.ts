/**
 * How near is near-optimal (chapter 6): at d = 4 the weight has 16 entries, so every
 * binary mask with k of them pruned can be evaluated (C(16, 8) = 12 870 at k = 8, the
 * most). The widget draws the distribution of the attention loss ½‖F(B∘W) − F₀‖² over
 * all of them, marks each method's loss on it, and ranks each method: the share of
 * masks that are strictly better. It opens on the chapter's head (EXHAUSTIVE_PROBLEM, with
 * gradient descent in the paper's form, as the chapter's tables), and reruns when a slider is
 * released: a run enumerates up to 12 870 masks and runs every method (about half a second).
 */
import { WidgetBase } from '../../ui/widget-base.ts';
import { renderFigure } from '../../ui/figure.ts';
import { count, num, percentAdaptive, percentValue } from '../../ui/format.ts';
import { logHistogram, type Marker } from '../../ui/charts/histogram.ts';
import { table } from '../../ui/table.ts';
import { methodColour, methodLabel, updatesWeights } from '../../core/methods.ts';
import type { ExhaustiveJobResult } from '../../jobs/protocol.ts';
import type { MethodId } from '../../core/methods.ts';
import { binomial } from '../../core/exhaustive.ts';
import { D, ENTRIES, PRESETS, SWITCHES, jobOf, schema } from './settings.ts';
import { GD_FORM_HELP } from '../../ui/gdForm.ts';
import { WIDGET } from './widget.ts';

/** How many masks are strictly better, tied and strictly worse (the tolerance of percentileRank in core/exhaustive.ts). */
function standing(losses: Float64Array, loss: number): { better: number; tied: number; worse: number } {
  const tol = 1e-12 * Math.max(1e-300, Math.abs(loss));
  let better = 0;
  let worse = 0;
  for (const l of losses) {
    if (l < loss - tol) better++;
    else if (l > loss + tol) worse++;
  }
  return { better, tied: losses.length - better - worse, worse };
}

interface Row {
  method: MethodId;
  loss: number;
  rank: number;
  better: number;
  tied: number;
  worse: number;
}

export class ExhaustiveSearch extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Problem (d = 4 fixed), sparsity and gradient descent';
  protected override readonly presets = PRESETS;
  protected override readonly switches = SWITCHES;
  override readonly hints = {
    gdForm: { help: GD_FORM_HELP },
    k: { help: 'd = 4 is fixed: W has 16 entries, and all C(16, k) masks with k pruned are evaluated (12 870 at k = 8).' },
    scale: { help: 'Larger weights make attention rows more peaked.' },
    eta: { help: 'Too large a step diverges; the message then quotes the step the smoothness bound allows.' },
  };
  private last: { r: ExhaustiveJobResult; rows: Row[] } | undefined;

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const total = binomial(ENTRIES, s.k);
    this.progress(`Evaluating all C(16, ${s.k}) = ${count(total)} masks and running the four methods…`);
    const r = await this.client.run(jobOf(s));
    if (signal.stale) return;
    if (r.losses.length === 0 || !Number.isFinite(r.optimum)) {
      throw new Error(`the search returned no usable loss (optimum ${num(r.optimum)}); try another seed or a smaller weight scale`);
    }
    const rows: Row[] = r.methods.map((m) => ({ method: m.method, loss: m.attentionLoss, rank: m.rank, ...standing(r.losses, m.attentionLoss) }));
    this.last = { r, rows };
    this.draw(r, rows);
  }

  private chartWidth(): number {
    return Math.max(280, Math.min(960, this.clientWidth - 26));
  }

  private draw(r: ExhaustiveJobResult, rows: Row[]): void {
    const k = this.state.k;
    const total = r.masks;
    const label = (m: MethodId): string => methodLabel(m);
    let worst = -Infinity;
    let median = Number.NaN;
    {
      const sorted = Float64Array.from(r.losses).sort();
      worst = sorted[sorted.length - 1];
      median = sorted[Math.floor(sorted.length / 2)];
    }

    // Methods whose loss cannot be placed on the log axis (pruned nothing, or not a number).
    const offAxis = rows.filter((x) => !(x.loss > 0 && Number.isFinite(x.loss)));
    const markers: Marker[] = [
      { label: 'optimum', value: r.optimum, color: 'currentColor', dashed: true },
      ...rows.map((x) => ({ label: label(x.method), value: x.loss, color: methodColour(x.method) })),
    ];

    const gd = rows.find((x) => x.method === 'gd');
    // SparseGPT and our reconstructions change the kept weights: their W is not one of the masks.
    const rewriters = rows.filter((x) => updatesWeights(x.method) && Number.isFinite(x.loss));
    const wanda = rows.find((x) => x.method === 'wanda');
    // Wanda is comparable only when it prunes k entries (k a multiple of 4; see the note below).
    const comparable = rows.filter((x) => !updatesWeights(x.method) && x.method !== 'gd' && Number.isFinite(x.loss) && (x.method !== 'wanda' || k % D === 0));
    const bestOther = comparable.reduce<Row | undefined>((a, b) => (a === undefined || b.loss < a.loss ? b : a), undefined);

    const sentences: string[] = [];
    if (gd) sentences.push(this.describe(gd, total, r.optimum));
    if (gd && bestOther && Number.isFinite(gd.loss)) {
      if (bestOther.better === 0) sentences.push(`${label(bestOther.method)} finds an optimal mask${gd.better === 0 ? ' too' : ''}.`);
      else if (bestOther.loss < gd.loss)
        sentences.push(
          `${label(bestOther.method)} does better here: ${count(bestOther.better)} ${bestOther.better === 1 ? 'mask is' : 'masks are'} better than its mask.`,
        );
    }
    sentences.push(`The best of the ${count(total)} masks has loss ${num(r.optimum, 4)}, the median ${num(median, 4)}, the worst ${num(worst, 4)}.`);

    const summary = document.createElement('p');
    summary.className = 'widget-lede';
    summary.textContent = sentences.join(' ');

    const notes: string[] = [];
    for (const x of rewriters) {
      notes.push(
        x.loss < r.optimum * (1 - 1e-12)
          ? `${label(x.method)}'s loss (${num(x.loss, 4)}) is below the optimum over all masks (${num(r.optimum, 4)}): it also updates the weights it keeps, so its pruned W is not one of the ${count(total)} masked copies of W, and it can beat every one of them.`
          : `${label(x.method)} also updates the weights it keeps, so its pruned W is not one of the ${count(total)} masks of W; its rank says where its loss would fall among them (here it does not beat the optimum).`,
      );
    }
    if (wanda && k % D !== 0) {
      const pruned = D * Math.floor(k / D);
      notes.push(
        `Wanda compares weights within each output column and prunes ⌊k/4⌋ of the 4 in every column: at k = ${k} that is ${pruned} entries, not ${k}, so its loss is not comparable with the masks here${pruned === 0 ? ' (it prunes nothing and its loss is 0)' : ''}. Use k = 4, 8 or 12 for a fair comparison.`,
      );
    }
    for (const x of offAxis) {
      if (!(x.loss > 0)) continue;
      notes.push(`${label(x.method)}'s loss is ${num(x.loss)} and cannot be drawn on the chart.`);
    }
    const zero = offAxis.filter((x) => x.loss === 0).map((x) => label(x.method));
    if (zero.length) notes.push(`${zero.join(' and ')} ${zero.length > 1 ? 'have' : 'has'} loss 0 and cannot be drawn on the log axis.`);

    const figure = document.createElement('div');
    renderFigure(figure, {
      title: `Attention loss of all ${count(total)} masks with ${k} of 16 entries pruned`,
      summary: `Histogram on a log axis of ½‖F(B∘W) − F₀‖² over every mask B; the loss ranges from ${num(r.optimum, 3)} to ${num(worst, 3)}. ${rows
        .map((x) => `${label(x.method)}: ${num(x.loss, 3)} (${percentAdaptive(x.rank)} % of masks better)`)
        .join('; ')}.`,
      plot: () => logHistogram(r.losses, markers, { xLabel: 'attention loss ½‖F′ − F₀‖² (log scale)', width: this.chartWidth() }),
      rows: () => Array.from(r.losses, (loss, index) => ({ mask_index: index, attention_loss: loss })),
      filename: `exhaustive-d4-k${k}-losses`,
    });

    const tableRows = [
      ['Optimum', num(r.optimum, 4), '1', '0', percentValue(0, 3)],
      ...rows.map((x) => [
        label(x.method) + (updatesWeights(x.method) ? ' *' : ''),
        num(x.loss, 4),
        Number.isFinite(x.loss) && r.optimum > 0 ? num(x.loss / r.optimum, 3) : '—',
        count(x.better),
        // Three decimals, as the chapter's table of the same head.
        percentValue(x.rank, 3),
      ]),
    ];
    const ranks = table({
      caption: `Each method's attention loss ½‖F′ − F₀‖², as a multiple of the optimum, and how many of all ${count(total)} masks (k = ${k} of 16 pruned) are strictly better.`,
      head: ['Method', 'Loss', '× opt.', 'Masks better', 'Share better'],
      rows: tableRows,
    });
    const foot = document.createElement('p');
    foot.className = 'widget-footnote';
    foot.textContent = `* These methods update the weights they keep, so their loss is not that of a mask of W. d = 4 is fixed so that every mask can be enumerated: C(16, ${k}) = ${count(total)} masks here${k === 8 ? ', the most for any k' : ', and at most C(16, 8) = 12 870 for any k'}; at d = 5 there would be up to C(25, 12) = 5 200 300. Search and methods took ${num(r.timeMs, 3)} ms in the worker.`;

    const noteBox = document.createElement('div');
    noteBox.className = 'widget-remarks';
    noteBox.replaceChildren(
      ...notes.map((n) => {
        const p = document.createElement('p');
        p.textContent = n;
        return p;
      }),
    );
    this.output.replaceChildren(summary, figure, noteBox, ranks, foot);
  }

  /** "Gradient descent's mask is better than 99.75 % of all 12 870 masks", from the counts. */
  private describe(x: Row, total: number, optimum: number): string {
    const name = methodLabel(x.method);
    if (!Number.isFinite(x.loss)) return `${name} produced no finite loss (${num(x.loss)}).`;
    if (x.better === 0 && x.tied > 0) return `${name} found an optimal mask: none of the ${count(total)} masks is better (loss ${num(x.loss, 4)}).`;
    if (x.better === 0) return `${name}'s loss (${num(x.loss, 4)}) is below every one of the ${count(total)} masks.`;
    return `${name}'s mask is better than ${percentAdaptive((100 * x.worse) / total)} % of all ${count(total)} masks: ${x.better < 0.05 * total ? 'only ' : ''}${count(x.better)} ${x.better === 1 ? 'is' : 'are'} better, and its loss is ${num(x.loss, 4)} against the optimum ${num(optimum, 4)}.`;
  }

  protected override doneText(): string {
    const last = this.last;
    if (!last) return 'Done.';
    const gd = last.rows.find((x) => x.method === 'gd');
    return `Done: ${count(last.r.masks)} masks in ${num(last.r.timeMs, 3)} ms${gd ? `; gradient descent: ${count(gd.better)} better` : ''}.`;
  }
}

customElements.define(WIDGET.tag, ExhaustiveSearch);
