/**
 * Exercise "Find a diverging step": the reader proposes a step size η for Algorithm 1 on
 * the convergence lab's problem; Check runs gradient descent (the core's
 * GradientDescent, T steps, on the main thread) and says whether it diverged, with the
 * iteration and the solver's reason. A diverging η is the right answer. The check also
 * locates the smallest diverging step (divergence-threshold.ts), once, so the reader and
 * the teacher see how far the true threshold lies above the smoothness bound 1/β.
 */
import { ExerciseBase, InputProblem, paragraph, type CheckOutcome } from '../../ui/exercise-base.ts';
import { parseReaderNumber } from '../../teaching/answers.ts';
import { DIVERGENCE_PRESET, ETA_EXAMPLES, MAX_READER_ETA, divergenceSpec, labLink } from '../../teaching/presets.ts';
import { bisectBoundary, convergingAbove, smallestDivergingStep, type Threshold } from '../../teaching/divergenceThreshold.ts';
import { blewUp, createGdRunner, type GdOutcome, type GdRunner } from '../../teaching/gdRunner.ts';
import { num, numOr } from '../../ui/format.ts';
import { syntheticProblem } from '../../core/synthetic.ts';
import { WIDGET } from './widget.ts';

interface ThresholdReport {
  threshold: Threshold | undefined;
  above: { converging: number[]; tried: number } | undefined;
  /** The step from which on every run blows up, bracketed (when some step up to the limit does). */
  blowUp: { lo: number; hi: number } | undefined;
  runs: number;
  ms: number;
}

/** Let the page draw and take input between two runs. */
const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class ExerciseDivergence extends ExerciseBase<Record<string, never>> {
  protected readonly schema = {};
  protected readonly legend = 'Your step size';
  protected override readonly readyText = 'Enter a step size η, then press Check.';
  private input!: HTMLInputElement;
  private data!: HTMLElement;
  private runner: GdRunner | undefined;
  private threshold: Promise<ThresholdReport> | undefined;

  protected buildInputs(fieldset: HTMLFieldSetElement): void {
    this.data = document.createElement('p');
    this.data.className = 'exercise-data';
    this.input = document.createElement('input');
    this.input.type = 'text';
    this.input.inputMode = 'decimal';
    this.input.autocomplete = 'off';
    this.input.id = `${this.id}-eta`;
    this.input.name = 'eta';
    this.input.addEventListener('input', () => this.input.removeAttribute('aria-invalid'));
    fieldset.append(
      this.data,
      this.field('step η', this.input, `A positive number up to ${MAX_READER_ETA}, e.g. ${ETA_EXAMPLES.join(' or ')}, with a point as the decimal mark.`),
    );
  }

  protected override async prepare(): Promise<void> {
    const p = DIVERGENCE_PRESET;
    this.runner = await createGdRunner(syntheticProblem(divergenceSpec()), { lambda: p.lambda, iters: p.iters });
    this.data.textContent =
      `The convergence lab's head: n = ${p.n} tokens, d = ${p.d}, seed ${p.seed}, weight scale ${p.scale}; ` +
      `λ = ${p.lambda}, T = ${p.iters} iterations from M₀ = 1. The smoothness bound guarantees descent for η ≤ 1/β = ${num(this.runner.safeEta, 3)}. ` +
      `The check runs gradient descent in this page (float64, ${this.runner.kernel === 'wasm-simd-f64' ? 'WebAssembly' : 'JavaScript'}).`;
  }

  private eta(): number {
    const r = parseReaderNumber(this.input.value, ETA_EXAMPLES);
    let why: string | undefined;
    if (!r.ok) why = `The step η ${r.why}.`;
    else if (!(r.value > 0)) why = `The step η must be positive (a step of ${r.value} does not move downhill).`;
    else if (r.value > MAX_READER_ETA) why = `The step η must be at most ${num(MAX_READER_ETA)}: the convergence lab accepts no larger step.`;
    if (why) {
      this.input.setAttribute('aria-invalid', 'true');
      throw new InputProblem(why);
    }
    this.input.removeAttribute('aria-invalid');
    return (r as { value: number }).value;
  }

  /** The smallest diverging step and the converging steps above it, searched once. */
  private locate(runner: GdRunner): Promise<ThresholdReport> {
    this.threshold ??= (async () => {
      const start = performance.now();
      let runs = 0;
      const outcome = async (eta: number, what: string): Promise<GdOutcome> => {
        await breathe();
        runs++;
        this.progress(`Locating ${what}: run ${runs}, η = ${num(eta, 4)}…`);
        return runner.run(eta);
      };
      const diverges = async (eta: number) => (await outcome(eta, 'the smallest diverging step')).diverged;
      const blows = async (eta: number) => blewUp(await outcome(eta, 'the steps that blow up'));
      const threshold = await smallestDivergingStep(diverges, { safe: runner.safeEta, limit: MAX_READER_ETA });
      const above = threshold ? await convergingAbove(diverges, threshold.eta) : undefined;
      const lo = threshold?.below || runner.safeEta;
      const blowUp = (await blows(MAX_READER_ETA)) && !(await blows(lo)) ? await bisectBoundary(blows, lo, MAX_READER_ETA) : undefined;
      return { threshold, above, blowUp, runs, ms: performance.now() - start };
    })();
    return this.threshold;
  }

  protected async check(isStale: () => boolean): Promise<CheckOutcome> {
    const eta = this.eta();
    const runner = this.runner;
    if (!runner) throw new Error('the problem is not ready yet');
    await breathe();
    const outcome = runner.run(eta);
    if (isStale()) return { verdict: 'wrong', headline: '', body: [] };
    this.progress(headline(outcome, runner.iters));
    const report = await this.locate(runner);
    return { verdict: outcome.diverged ? 'right' : 'wrong', headline: headline(outcome, runner.iters), body: explain(outcome, runner, report) };
  }
}

function headline(o: GdOutcome, iters: number): string {
  if (o.diverged) return `Right: with η = ${num(o.eta, 4)} gradient descent diverged at iteration ${o.iteration} (${o.reason ?? 'see the solver'}).`;
  return `Not yet: with η = ${num(o.eta, 4)} all ${iters} iterations ran and the loss fell from ${num(o.startLoss, 4)} to ${num(o.loss, 4)}; this step does not diverge. Try a larger one.`;
}

function explain(o: GdOutcome, runner: GdRunner, r: ThresholdReport): Node[] {
  const out: Node[] = [];
  const times = o.eta / runner.safeEta;
  out.push(
    paragraph(
      `The smoothness bound of chapter 5 guarantees that every step decreases L only for η ≤ 1/β = ${num(runner.safeEta, 3)}; ` +
        (times > 1 ? `your step is ${num(times, 3)} times that. The bound is safe, not tight.` : 'your step is within it, so it cannot diverge.'),
    ),
  );
  const t = r.threshold;
  if (!t) {
    out.push(paragraph(`No step up to ${num(MAX_READER_ETA)} diverged on this problem (${r.runs} runs).`));
  } else {
    out.push(
      paragraph(
        `Searching upward from 1/β (doubling η until a run diverged, scanning that last doubling in 32 steps, then bisecting), ` +
          `the first diverging step found is η* ≈ ${num(t.eta, 4)}: η = ${num(t.below, 4)} ran all ${runner.iters} iterations without diverging. ` +
          `That is ${num(t.eta / runner.safeEta, 3)} times the bound.`,
      ),
    );
    const above = r.above;
    if (above && above.converging.length > 0) {
      out.push(
        paragraph(
          `It is not a clean threshold: of ${above.tried} steps between η* and 3η*, ${above.converging.length} did not diverge (the largest ${numOr(above.converging.at(-1), 'none', 4)}). ` +
            `With steps this large the iterates oscillate, and a run counts as diverged when its last loss happens to land above the start: a slightly different η, or the same η computed with different rounding (another kernel, another machine), can land lower.`,
        ),
      );
    } else if (above) {
      out.push(paragraph(`Every one of ${above.tried} steps tried between η* and 3η* diverged too.`));
    }
    if (!o.diverged && o.eta > t.eta)
      out.push(paragraph('Your η is above η* and still did not diverge: it is one of the steps whose oscillating run happens to end below its start.'));
    if (o.diverged && o.eta < t.below)
      out.push(
        paragraph(
          'Your η diverged below the first diverging step the search found: the search tests a grid of steps, and divergence here is not monotone in η.',
        ),
      );
  }
  if (r.blowUp) {
    const twoOverLambda = 2 / runner.lambda;
    const near = Math.abs(r.blowUp.hi / twoOverLambda - 1) < 0.02;
    out.push(
      paragraph(
        `Runs start to blow up (the loss overflows or passes 1000·(L₀ + 1)) at η ≈ ${num(r.blowUp.hi, 4)}, by bisection between η* and ${num(MAX_READER_ETA)}. ` +
          (near
            ? `That is 2/λ = ${num(twoOverLambda, 3)}: beyond it the regulariser alone multiplies M by 1 − ηλ < −1 at every step, whatever the attention term does.`
            : `Compare with 2/λ = ${num(twoOverLambda, 3)}, where the regulariser alone starts multiplying M by 1 − ηλ < −1 at every step.`),
      ),
    );
  }
  out.push(paragraph(`The whole search took ${r.runs} runs of gradient descent (${num(r.ms / 1000, 2)} s in this browser).`));
  out.push(paragraph('Watch this run in the convergence lab:', { href: labLink(o.eta), text: `the lab with η = ${num(o.eta, 4)} (chapter 5)` }));
  return out;
}

customElements.define(WIDGET.tag, ExerciseDivergence);
