/**
 * Convergence lab (chapter 5): Algorithm 1 live on a synthetic head. The loss curve
 * is drawn while gradient descent runs; afterwards the attention error of the mask
 * rounded at each iteration, against the baselines (and the exhaustive optimum for
 * small d), steps that raised L flagged; a slider scrubs the relaxed mask through the
 * iterations, next to the binarised mask and the attention matrices before and after.
 */
import { WidgetBase } from '../../ui/widget-base.ts';
import type { Schema } from '../../ui/state.ts';
import { num, scientific } from '../../ui/format.ts';
import { heatmap } from '../../ui/charts/heatmap.ts';
import { logLines } from '../../ui/charts/lines.ts';
import { matrixRows, numbersList, renderFigure } from '../../ui/figure.ts';
import type { LabProgress, LabResult } from '../../jobs/protocol.ts';
import { PROBLEM_FIELDS, GD_FIELDS, GD_HINTS, specOf } from '../../ui/fields.ts';
import { roundedErrorChart } from '../../ui/charts/rounded.ts';
import { methodLabel } from '../../core/methods.ts';
import { WIDGET } from './widget.ts';

const schema = {
  n: { kind: 'int', label: 'tokens n', default: 64, min: 2, max: 256 },
  d: { kind: 'int', label: 'width d', default: 16, min: 2, max: 64 },
  ...PROBLEM_FIELDS,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 },
  ...GD_FIELDS,
  clip: { kind: 'bool', label: 'clip M to [0, 1]', default: false },
  engine: { kind: 'enum', label: 'arithmetic', default: 'f64', options: ['f64', 'tfjs'] },
} as const satisfies Schema;

export class ConvergenceLab extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Problem and gradient descent';
  override readonly hints = {
    scale: { help: 'Larger weights make attention rows more peaked.' },
    engine: { help: 'f64: float64 WebAssembly (the reference). tfjs: TensorFlow.js float32 (WebGL, else WASM, else CPU).' },
    eta: {
      help: 'With the fixed rule, too large a step diverges (the message quotes the step the smoothness bound allows); with Armijo it is only the first trial step.',
    },
    ...GD_HINTS,
  };
  private last: LabResult | undefined;
  /** Long runs (n = 256, T = 5000) take minutes: a Stop button, with the progress line's estimate. */
  protected override readonly stoppable = true;

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const curve = document.createElement('div');
    const live = document.createElement('div');
    this.output.replaceChildren(curve, live);
    const history: { x: number; y: number }[] = [];
    let frame = 0;
    const draw = (p: LabProgress): void => {
      history.push({ x: p.iteration, y: p.loss });
      this.progress(`Iteration ${p.iteration} of ${s.iters}: L = ${num(p.loss, 4)}${this.remaining(p.iteration, s.iters)}`);
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (signal.stale) return;
        curve.replaceChildren(logLines([{ name: 'L(M_t)', points: history }], { xLabel: 'iteration t', yLabel: 'loss', width: this.chartWidth() }));
      });
    };
    const result = await this.client.run(
      {
        kind: 'lab',
        spec: specOf(s),
        sparsity: s.sparsity,
        gd: { lambda: s.lambda, eta: s.eta, iters: s.iters, clip: s.clip, step: s.step, score: s.score },
        engine: s.engine === 'tfjs' ? 'tfjs' : 'f64',
        snapshots: 30,
      },
      (p) => draw(p),
    );
    cancelAnimationFrame(frame);
    if (signal.stale) return;
    this.last = result;
    this.drawResult(result);
  }

  private chartWidth(): number {
    return Math.max(280, Math.min(680, this.clientWidth - 8));
  }

  private drawResult(r: LabResult): void {
    const s = this.state;
    const curve = document.createElement('div');
    const points = (h: number[]) => h.map((y, x) => ({ x, y }));
    const lossLast = r.lossHistory.at(-1) ?? Number.NaN;
    renderFigure(curve, {
      title: 'Loss during gradient descent',
      summary: `L(M_t) went from ${num(r.lossHistory[0], 4)} at t = 0 to ${num(lossLast, 4)} at t = ${r.lossHistory.length - 1}; the attention term ½‖F(M_t) − F₀‖² ended at ${num(r.attentionLossHistory[r.attentionLossHistory.length - 1], 4)}.`,
      plot: () =>
        logLines(
          [
            { name: 'L(M_t)', points: points(r.lossHistory) },
            { name: '½‖F(M_t) − F₀‖²', points: points(r.attentionLossHistory) },
          ],
          { xLabel: 'iteration t', yLabel: 'loss (log scale)', width: this.chartWidth() },
        ),
      rows: () => r.lossHistory.map((l, t) => ({ iteration: t, loss: l, attention_loss: r.attentionLossHistory[t] })),
      filename: 'convergence-loss',
    });

    const rounded = document.createElement('div');
    const best = [...r.references].sort((a, b) => a.error - b.error)[0];
    const end = r.roundedError[r.roundedError.length - 1];
    const lowest = r.roundedError.reduce((a, b) => (b.error < a.error ? b : a), r.roundedError[0]);
    const c = r.convergence;
    renderFigure(rounded, {
      title: 'Attention error of the mask rounded at each iteration',
      summary:
        `Rounding M_t at iteration t and pruning with that mask gives a relative attention error of ${num(r.roundedError[0].error, 3)} at t = 0 and ${num(end.error, 3)} at t = ${end.iteration} (lowest ${num(lowest.error, 3)} at t = ${lowest.iteration}). ` +
        (best ? `Reference lines: ${r.references.map((x) => `${methodLabel(x.method)} ${num(x.error, 3)}`).join(', ')}. ` : '') +
        (r.raisedAt.length
          ? `${r.raisedAt.length} of ${c.iterations} steps raised L (red ticks): those steps are outside the convergence guarantee, which assumes every step lowers L.`
          : `No step raised L: every one of the ${c.iterations} steps was a descent step, inside the convergence guarantee${c.step === 'armijo' ? ' (Armijo steps)' : ''}.`),
      plot: () => roundedErrorChart({ curve: r.roundedError, references: r.references, raisedAt: r.raisedAt, method: 'gd', width: this.chartWidth() }),
      rows: () => r.roundedError.map((p) => ({ iteration: p.iteration, rounded_attention_error: p.error })),
      filename: 'convergence-rounded-error',
    });

    const numbers = numbersList([
      ['Relative attention error of the pruned head', num(r.metrics.attentionError, 4)],
      ['Mean row KL(F₀ ‖ F′)', num(r.metrics.meanRowKL, 4)],
      ['Step the smoothness bound guarantees (η ≤ 1/β)', num(r.safeEta, 3)],
      ['Steps that raised L (outside the guarantee)', `${r.raisedAt.length} of ${c.iterations}`],
      [
        'Observed linear rate of L(M_t) − L*',
        Number.isFinite(c.observedRate) ? `${num(c.observedRate, 3)} per step (over the first ${c.rateWindow} steps)` : 'not measurable (L did not move)',
      ],
      // 1 − λ/β is within 10⁻⁶ of 1 here: print the gap, not a rounded "1".
      ['Rate the PL bound guarantees, 1 − λ/β', Number.isFinite(c.plRate) && s.lambda > 0 ? `1 − ${scientific(1 - c.plRate, 2)} per step` : 'no bound (λ = 0)'],
      ['Arithmetic', r.engine],
      ['Time in the worker', `${num(r.timeMs, 3)} ms`],
    ]);

    const scrub = document.createElement('div');
    scrub.className = 'widget-scrub';
    const label = document.createElement('label');
    label.htmlFor = `${this.urlPrefix}-scrub`;
    label.textContent = 'Show the relaxed mask at iteration';
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.id = `${this.urlPrefix}-scrub`;
    slider.min = '0';
    slider.max = String(r.snapshots.length - 1);
    slider.value = slider.max;
    const out = document.createElement('output');
    out.htmlFor.add(slider.id);
    scrub.append(label, slider, out);
    const relaxed = document.createElement('div');
    const drawRelaxed = (): void => {
      const snap = r.snapshots[Number(slider.value)];
      out.textContent = `t = ${snap.iteration}`;
      slider.setAttribute('aria-valuetext', `iteration ${snap.iteration}`);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of snap.m) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      renderFigure(relaxed, {
        title: `Relaxed mask M at t = ${snap.iteration}`,
        summary: `Entries range from ${num(lo, 3)} to ${num(hi, 3)}; brighter entries are kept when the mask is binarised.`,
        plot: () => heatmap(snap.m, { rows: r.d, cols: r.d, label: 'M_ij' }),
        rows: () => matrixRows(snap.m, r.d, r.d),
        filename: `relaxed-mask-t${snap.iteration}`,
      });
    };
    slider.addEventListener('input', drawRelaxed);
    drawRelaxed();

    const kept = r.mask.reduce((a, b) => a + b, 0);
    const binary = document.createElement('div');
    renderFigure(binary, {
      title: 'Binarised mask B',
      summary: `${r.d * r.d - kept} of ${r.d * r.d} entries pruned (sparsity ${num(s.sparsity, 3)}): the entries with the largest ${s.score === 'relaxed' ? 'M_T' : s.score === 'magnitude-weighted' ? '|M_T ∘ W|' : '|M_T ∘ W|·‖X_i‖'} are kept.`,
      plot: () => heatmap(r.mask, { rows: r.d, cols: r.d, domain: [0, 1], scheme: 'greys', label: 'kept' }),
      rows: () => matrixRows(r.mask, r.d, r.d),
      filename: 'binary-mask',
    });
    const before = document.createElement('div');
    const after = document.createElement('div');
    const attn = (el: HTMLElement, data: Float64Array, title: string, summary: string, file: string): void =>
      renderFigure(el, {
        title,
        summary,
        plot: () => heatmap(data, { rows: r.n, cols: r.n, domain: [0, 1], scheme: 'blues', label: 'attention' }),
        rows: () => matrixRows(data, r.n, r.n),
        filename: file,
      });
    attn(before, r.f0, 'Dense attention F₀', `Row-stochastic ${r.n}×${r.n} attention of the unpruned head.`, 'attention-dense');
    attn(after, r.fPruned, 'Pruned attention F′', `Attention with the binarised mask: relative error ${num(r.metrics.attentionError, 3)}.`, 'attention-pruned');

    const grid = document.createElement('div');
    grid.className = 'widget-grid';
    const col1 = document.createElement('div');
    col1.append(scrub, relaxed);
    grid.append(col1, binary, before, after);
    this.output.replaceChildren(curve, rounded, numbers, grid);
  }

  protected override doneText(): string {
    const r = this.last;
    if (!r) return 'Done.';
    return `Done: ${r.lossHistory.length - 1} iterations, relative attention error ${num(r.metrics.attentionError, 3)}.`;
  }
}

customElements.define(WIDGET.tag, ConvergenceLab);
