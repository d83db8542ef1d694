/**
 * What the exercise widgets share. Unlike the explorable widgets (widget-base.ts), an
 * exercise waits for the reader: it prepares its problem, reports `done`, and then
 * checks an answer each time the reader presses Check (or Enter in a field). For
 * people and tests it keeps the widget conventions:
 * - `data-status="idle|running|done|error"` and `aria-busy` on the root;
 * - `data-verdict="right|wrong"` once an answer has been checked (removed while a new
 *   check runs, or when the input cannot be checked);
 * - a polite live region that speaks the verdict, an alert that explains bad input;
 * - every checked answer is logged in the browser (exercise, answer, result, time) for
 *   the teachers' export (src/ui/answer-export.ts; no server).
 * The statement rendered by the site (matrices, links) stays in place: the form and the
 * verdict are added after it.
 */
import { JobError } from '../worker/client.ts';
import type { Status } from './widget-base.ts';
import { readState, writeState, type Schema, type StateOf } from './state.ts';
import { logAnswer } from './answer-export.ts';

export type Verdict = 'right' | 'wrong';

export interface CheckOutcome {
  verdict: Verdict;
  /** One sentence, spoken by the live region: it starts with "Right" or "Not quite". */
  headline: string;
  /** The explanation under it. */
  body: Node[];
}

/** Input that cannot be checked: the message says what to change. */
export class InputProblem extends Error {
  override name = 'InputProblem';
}

export abstract class ExerciseBase<S extends Schema = Schema> extends HTMLElement {
  /** Choices kept in the URL (which problem), under the element's id. */
  protected abstract readonly schema: S;
  protected abstract readonly legend: string;
  state!: StateOf<S>;
  protected form!: HTMLFormElement;
  protected fieldset!: HTMLFieldSetElement;
  protected verdictLine!: HTMLElement;
  protected explanation!: HTMLElement;
  private errorBox!: HTMLElement;
  private notesBox!: HTMLElement;
  private checks = 0;

  /** Add the answer inputs to the form's fieldset. */
  protected abstract buildInputs(fieldset: HTMLFieldSetElement): void;
  /** Judge the current answer. Throw InputProblem for input that cannot be judged. */
  protected abstract check(isStale: () => boolean): Promise<CheckOutcome>;
  /** Anything to compute before the first check (runs once, status "running"). */
  protected async prepare(): Promise<void> {}
  /** The status line once ready. */
  protected readonly readyText: string = 'Enter your answer, then press Check.';

  connectedCallback(): void {
    if (this.form) return;
    this.classList.add('widget', 'exercise');
    const { state, notes } = readState(this.schema, new URLSearchParams(location.search), this.id || this.localName);
    this.state = state;
    for (const el of this.querySelectorAll('.exercise-fallback')) el.remove();
    this.build();
    // A link's value that was ignored (an unknown problem, say) is explained, not dropped silently.
    this.notesBox.replaceChildren(...notes.map((n) => Object.assign(document.createElement('p'), { textContent: n })));
    void this.start();
  }

  private build(): void {
    this.form = document.createElement('form');
    this.form.className = 'exercise-form';
    this.form.noValidate = true;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.runCheck();
    });
    this.fieldset = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = this.legend;
    this.fieldset.append(legend);
    this.buildInputs(this.fieldset);
    const actions = document.createElement('div');
    actions.className = 'widget-actions';
    const button = document.createElement('button');
    button.type = 'submit';
    button.className = 'exercise-check';
    button.textContent = 'Check';
    actions.append(button);
    this.form.append(this.fieldset, actions);

    this.verdictLine = document.createElement('p');
    this.verdictLine.className = 'exercise-verdict';
    this.verdictLine.setAttribute('role', 'status');
    this.verdictLine.setAttribute('aria-live', 'polite');
    this.errorBox = document.createElement('div');
    this.errorBox.className = 'widget-error';
    this.errorBox.setAttribute('role', 'alert');
    this.explanation = document.createElement('div');
    this.explanation.className = 'exercise-explanation';
    this.notesBox = document.createElement('div');
    this.notesBox.className = 'widget-notes';
    const anchor = this.querySelector('.exercise-after-form');
    const parts = [this.form, this.notesBox, this.verdictLine, this.errorBox, this.explanation];
    if (anchor) anchor.before(...parts);
    else this.append(...parts);
  }

  private async start(): Promise<void> {
    this.setStatus('running', 'Preparing the exercise…');
    try {
      await this.prepare();
      this.setStatus('done', this.readyText);
    } catch (e) {
      this.fail(e);
    }
  }

  protected setStatus(status: Status, text?: string): void {
    this.dataset.status = status;
    this.setAttribute('aria-busy', status === 'running' ? 'true' : 'false');
    if (text !== undefined) this.verdictLine.textContent = text;
  }

  /** Progress while a check runs (the verdict line doubles as the status line). */
  protected progress(text: string): void {
    if (this.dataset.status === 'running') this.verdictLine.textContent = text;
  }

  /** Keep a choice in the URL, so a shared link opens the same problem. */
  protected persist(): void {
    const url = new URL(location.href);
    writeState(this.schema, this.state, url.searchParams, this.id || this.localName);
    history.replaceState(history.state, '', url);
  }

  /** Forget the last verdict (the reader changed the problem). */
  protected clearVerdict(text = this.readyText): void {
    this.checks++;
    delete this.dataset.verdict;
    this.errorBox.replaceChildren();
    this.explanation.replaceChildren();
    this.setStatus('done', text);
  }

  private async runCheck(): Promise<void> {
    const mine = ++this.checks;
    const isStale = (): boolean => mine !== this.checks;
    delete this.dataset.verdict;
    this.errorBox.replaceChildren();
    this.explanation.replaceChildren();
    this.setStatus('running', 'Checking…');
    try {
      const outcome = await this.check(isStale);
      if (isStale()) return;
      this.dataset.verdict = outcome.verdict;
      this.verdictLine.textContent = outcome.headline;
      this.explanation.replaceChildren(...outcome.body);
      this.setStatus('done');
      logAnswer({
        exercise: this.exerciseName(),
        answer: this.answerText(),
        result: `${outcome.verdict}: ${outcome.headline}`,
        time: new Date().toISOString(),
      });
    } catch (e) {
      if (isStale() || (e instanceof JobError && e.kind === 'cancelled')) return;
      this.fail(e);
    }
  }

  /** The exercise (and its problem, if it has a choice of them), as the answer log names it. */
  protected exerciseName(): string {
    const problem = (this.state as Record<string, unknown>).problem;
    return `${this.getAttribute('aria-label') ?? this.legend}${problem === undefined ? '' : `, problem ${String(problem)}`}`;
  }

  /** What the reader entered, as text for the answer log: every named field of the form ("eta=0.2"). */
  protected answerText(): string {
    const parts: string[] = [];
    for (const el of this.form.elements) {
      if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement) || !el.name || el.name === 'problem') continue;
      if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox') && !el.checked) continue;
      parts.push(`${el.name}=${el.value}`);
    }
    return parts.join('; ');
  }

  private fail(e: unknown): void {
    const p = document.createElement('p');
    p.textContent =
      e instanceof InputProblem ? e.message : `The check could not run: ${e instanceof Error ? e.message : String(e)}. Reload the page and try again.`;
    this.errorBox.replaceChildren(p);
    this.setStatus('error', e instanceof InputProblem ? 'Not checked: see the message below.' : 'Stopped: see the message below.');
  }

  /**
   * The "which problem" menu: kept in the URL (`<id>.problem`); a change forgets the
   * last verdict and calls `onChange` to show the new problem.
   */
  protected problemMenu(options: readonly { value: string; text: string }[], onChange: () => void): HTMLElement {
    const select = document.createElement('select');
    select.id = `${this.id}-problem`;
    select.name = 'problem';
    for (const { value, text } of options) {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      select.append(o);
    }
    const state = this.state as Record<string, unknown>;
    select.value = String(state.problem);
    select.addEventListener('change', () => {
      state.problem = select.value;
      this.notesBox.replaceChildren();
      this.persist();
      onChange();
      this.clearVerdict();
    });
    return this.field('Problem', select);
  }

  /** A labelled control in a `.widget-field` wrapper. */
  protected field(label: string, control: HTMLInputElement | HTMLSelectElement, help?: string): HTMLElement {
    const wrap = document.createElement('div');
    wrap.className = 'widget-field';
    const l = document.createElement('label');
    l.htmlFor = control.id;
    l.textContent = label;
    wrap.append(l, control);
    if (help) {
      const small = document.createElement('small');
      small.id = `${control.id}-help`;
      small.textContent = help;
      control.setAttribute('aria-describedby', small.id);
      wrap.append(small);
    }
    return wrap;
  }
}

/** A paragraph of text (optionally with a link at the end). */
export function paragraph(text: string, link?: { href: string; text: string }): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  if (link) {
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.text;
    p.append(' ', a);
  }
  return p;
}
