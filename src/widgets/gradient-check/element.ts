/**
 * Gradient check (chapter 4): the closed-form gradient of SPEC §2,
 *   ∇L(M) = W ∘ (Xᵀ P X) + λM,
 * next to central finite differences (L(M + h eᵢⱼ) − L(M − h eᵢⱼ)) / 2h on a tiny
 * problem, at the point M = 1 + spread·noise. At spread 0 and λ = 0 the closed form
 * is exactly zero (M = 1 is stationary for the attention term). A sweep over h shows
 * the trade-off between truncation error (large h) and round-off (small h).
 * It opens on the chapter's example (GRADIENT_CHECK_EXAMPLE, whose numbers the prose quotes)
 * and reruns while a slider is dragged: a run is a few thousand evaluations of a tiny loss.
 */
import { WidgetBase } from '../../ui/widget-base.ts';
import { cell, num, numOr, power10 } from '../../ui/format.ts';
import { logLogLines } from '../../ui/charts/lines.ts';
import { matrixCells } from '../../ui/charts/heatmap.ts';
import { parityScatter } from '../../ui/charts/scatter.ts';
import { matrixRows, numbersList, renderFigure } from '../../ui/figure.ts';
import type { GradcheckResult } from '../../jobs/protocol.ts';
import { PRESETS, jobOf, schema } from './settings.ts';
import { WIDGET } from './widget.ts';

/** h as text: 10⁻⁵, or 3.2×10⁻⁷ between whole powers. */
function hText(h: number): string {
  const k = Math.log10(h);
  return Math.abs(k - Math.round(k)) < 1e-9 ? power10(Math.round(k)) : num(h, 2);
}

export class GradientCheck extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Tiny problem, the point M and the step h';
  protected override readonly presets = PRESETS;
  protected override readonly live = true;
  override readonly hints = {
    d: { help: 'At most 6: every one of the d² entries is probed twice per step h.' },
    spread: { help: 'M = 1 + spread·noise (seeded). Spread 0 with λ = 0 is the stationary point M = 1.' },
    logh: { step: 0.5, help: 'Finite-difference step h = 10^k: −1 shows truncation, −13 round-off.' },
  };
  private last: GradcheckResult | undefined;
  private ranWith = this.state;

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const result = await this.client.run(jobOf(s), (p) => {
      if ('done' in p) this.progress(`Finite differences over the range of h: ${p.done} of ${p.total} steps…`);
    });
    if (signal.stale) return;
    this.last = result;
    // The settings this result was computed with (a live slider may have moved on since).
    this.ranWith = s;
    this.draw(result);
  }

  private chartWidth(max = 960): number {
    return Math.max(260, Math.min(max, this.output.clientWidth || this.clientWidth - 24));
  }

  /** The check's verdict in one or two sentences. */
  private verdict(r: GradcheckResult): string {
    const h = hText(r.h);
    if (r.exactlyZero) {
      return (
        `At M = 1 with λ = 0 the closed-form gradient is exactly zero in all ${r.d * r.d} entries: F(M) equals F₀ bit for bit, so C = F − F₀ = 0 and P = 0. ` +
        `The finite differences are not zero but tiny, at most ${num(r.maxAbsFinite)} at h = ${h}: that is their own truncation error (it shrinks like h²), not a gradient. ` +
        'M = 1 is a stationary point of the attention term; raise λ or the spread to leave it.'
      );
    }
    const rel = r.relativeError ?? Number.NaN;
    const digits = rel > 0 ? Math.max(0, Math.floor(-Math.log10(rel))) : 16;
    const agree = rel < 1e-6 ? 'agree' : rel < 0.1 ? 'agree only roughly' : 'disagree';
    let text =
      `Closed form and finite differences ${agree}: relative error ${num(rel)} (‖closed − finite‖ / ‖closed‖), ` +
      `largest entry difference ${num(r.maxAbsDiff)} at h = ${h}` +
      (digits >= 2 ? `, about ${digits} matching significant digits.` : '.');
    if (rel >= 1e-6) {
      text +=
        r.h > r.bestH
          ? ' The step h is too large: truncation error dominates; try a smaller h.'
          : ' The step h is too small: round-off dominates; try a larger h.';
    }
    if (this.ranWith.spread === 0 && this.ranWith.lambda > 0) {
      text += ` At M = 1 only the pull toward 0 is left: every entry of the closed form is exactly λ = ${num(this.ranWith.lambda)}.`;
    }
    return text;
  }

  private draw(r: GradcheckResult): void {
    const d = r.d;
    const verdict = document.createElement('p');
    verdict.className = 'gc-verdict';
    verdict.dataset.zero = String(r.exactlyZero);
    verdict.textContent = this.verdict(r);

    const numbers = numbersList([
      ['L(M) = ½‖F(M) − F₀‖² + ½λ‖M‖²', num(r.loss, 6)],
      ['Attention term ½‖F(M) − F₀‖²', num(r.attentionLoss, 6)],
      ['Largest |closed-form entry|', num(r.maxAbsClosed, 6)],
      ['Largest |finite-difference entry|', num(r.maxAbsFinite, 6)],
      ['Largest |difference|', num(r.maxAbsDiff)],
      ['Relative error', r.relativeError === null ? 'undefined: the closed form is exactly 0' : num(r.relativeError)],
      ['Step h with the smallest difference (sweep)', hText(r.bestH)],
      ['Loss evaluations in the worker', `${r.evaluations} in ${num(r.timeMs, 3)} ms`],
    ]);

    const extent = Math.max(r.maxAbsClosed, r.maxAbsFinite) || 1;
    const domain: [number, number] = [-extent, extent];
    const cellWidth = Math.min(300, Math.max(220, 46 * d + 50));
    const grad = (el: HTMLElement, data: Float64Array, title: string, summary: string, file: string): void =>
      renderFigure(el, {
        title,
        summary,
        plot: () => matrixCells(data, { rows: d, cols: d, domain, width: cellWidth, label: '∂L/∂Mᵢⱼ', format: cell }),
        rows: () => matrixRows(data, d, d),
        filename: file,
      });
    const closedEl = document.createElement('div');
    const finiteEl = document.createElement('div');
    grad(
      closedEl,
      r.closedForm,
      'Closed form ∇L = W ∘ (Xᵀ P X) + λM',
      r.exactlyZero
        ? `Every one of the ${d * d} entries is exactly 0.`
        : r.closedForm.every((g) => g === r.closedForm[0])
          ? `Every one of the ${d * d} entries is exactly ${num(r.closedForm[0], 6)}.`
          : `${d}×${d} entries from ${num(Math.min(...r.closedForm))} to ${num(Math.max(...r.closedForm))}; red is negative, blue positive.`,
      'gradient-closed-form',
    );
    grad(
      finiteEl,
      r.finiteDiff,
      `Central finite differences, h = ${hText(r.h)}`,
      `${d}×${d} entries from ${num(Math.min(...r.finiteDiff))} to ${num(Math.max(...r.finiteDiff))}, each from two evaluations of L.`,
      'gradient-finite-differences',
    );

    const parityEl = document.createElement('div');
    const pts = Array.from(r.closedForm, (x, i) => ({ x, y: r.finiteDiff[i] }));
    renderFigure(parityEl, {
      title: 'Closed form against finite differences',
      summary: r.exactlyZero
        ? `All ${d * d} points sit on the vertical line x = 0: the closed form is exactly 0, the finite differences are at most ${num(r.maxAbsFinite)}.`
        : `The ${d * d} entries lie on the diagonal y = x to within ${num(r.maxAbsDiff)} (relative error ${numOr(r.relativeError, 'undefined')}).`,
      plot: () => parityScatter(pts, { xLabel: 'closed form ∂L/∂Mᵢⱼ', yLabel: 'finite difference', width: Math.min(320, this.chartWidth()) }),
      rows: () => pts.map((p, k) => ({ i: Math.floor(k / d), j: k % d, closed_form: p.x, finite_difference: p.y, difference: p.x - p.y })),
      filename: 'gradient-parity',
    });

    const sweepEl = document.createElement('div');
    const drawable = r.sweep.filter((p) => p.maxAbsDiff > 0 && Number.isFinite(p.maxAbsDiff));
    const exact = r.sweep.length - drawable.length;
    const first = r.sweep[0];
    const lastPoint = r.sweep.at(-1)!;
    const best = r.sweep.find((p) => p.h === r.bestH);
    const sweepSummary = r.exactlyZero
      ? `With the gradient exactly 0 and L itself near 0, round-off hardly shows: the difference falls from ${num(lastPoint.maxAbsDiff)} at h = ${hText(lastPoint.h)} like h² down to ${num(first.maxAbsDiff)} at h = ${hText(first.h)}.`
      : `The largest difference is ${num(lastPoint.maxAbsDiff)} at h = ${hText(lastPoint.h)} (truncation, shrinking like h²), ` +
        `smallest, ${best?.maxAbsDiff === 0 ? 'exactly 0 (rounding errors that happen to cancel)' : numOr(best?.maxAbsDiff, 'not measured')}, at h = ${hText(r.bestH)}, and grows again to ${num(first.maxAbsDiff)} at h = ${hText(first.h)} (round-off, growing like ε·|L|/h).` +
        (exact > 0 ? ` At ${exact} of the ${r.sweep.length} steps the difference was exactly 0 by luck of rounding; a log scale cannot show those.` : '');
    renderFigure(sweepEl, {
      title: 'Error of the finite differences against the step h',
      summary: sweepSummary,
      plot: () =>
        logLogLines([{ name: 'max |closed − finite|', points: r.sweep.map((p) => ({ x: p.h, y: p.maxAbsDiff })) }], {
          xLabel: 'step h (log scale)',
          yLabel: 'max |closed − finite| (log)',
          width: this.chartWidth(),
          markers: [{ x: r.h, label: `your h = ${hText(r.h)}` }],
        }),
      rows: () => r.sweep.map((p) => ({ h: p.h, max_abs_difference: p.maxAbsDiff, relative_error: p.relativeError ?? '' })),
      filename: 'gradient-check-error-vs-h',
    });

    const grid = document.createElement('div');
    grid.className = 'widget-grid';
    grid.append(closedEl, finiteEl, parityEl);
    this.output.replaceChildren(verdict, grid, sweepEl, numbers);
  }

  protected override doneText(): string {
    const r = this.last;
    if (!r) return 'Done.';
    if (r.exactlyZero) return `Done: the closed-form gradient is exactly 0; finite differences at most ${num(r.maxAbsFinite)}.`;
    return `Done: relative error ${numOr(r.relativeError, 'undefined')} at h = ${hText(r.h)}.`;
  }
}

customElements.define(WIDGET.tag, GradientCheck);
