/**
 * What every widget shares, so each widget file only says what it computes and draws:
 * - controls generated from its state schema (labelled, keyboard-operable inputs);
 * - that state read from and written to the URL, with "Copy link" and "Reset";
 * - a lazy start: nothing runs until the widget scrolls into view;
 * - status for people and tests: `data-status="idle|running|done|error"` and
 *   `aria-busy` on the root, a live status line, errors explained in words;
 * - a solver client (Web Worker) that a newer input cancels.
 */
import { type Schema, type StateOf, type FieldSpec, defaults, readState, writeState } from './state.ts';
import { JobError, SolverClient } from '../worker/client.ts';

export type Status = 'idle' | 'running' | 'done' | 'error';

/** Per-field presentation: the step of a numeric input, and help text. */
export interface ControlHints {
  step?: number | 'any';
  help?: string;
}

export abstract class WidgetBase<S extends Schema> extends HTMLElement {
  abstract readonly schema: S;
  /** Optional hints for the generated controls. */
  readonly hints: Partial<Record<keyof S, ControlHints>> = {};
  state!: StateOf<S>;
  protected client = new SolverClient();
  protected controls!: HTMLFormElement;
  protected output!: HTMLElement;
  private statusLine!: HTMLElement;
  private notesBox!: HTMLElement;
  private errorBox!: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private observer: IntersectionObserver | undefined;
  private runCounter = 0;

  /** URL key prefix: the element's id, e.g. "lab" → lab.n=64. */
  get urlPrefix(): string {
    return this.id || this.localName;
  }

  /** Compute and draw for the current state. Throw to report an error. */
  protected abstract run(signal: { readonly stale: boolean }): Promise<void>;

  /** A title for the controls' group. */
  protected abstract readonly legend: string;

  connectedCallback(): void {
    if (this.controls) return;
    this.classList.add('widget');
    this.setStatus('idle', 'Waiting to come into view…');
    const { state, notes } = readState(this.schema, new URLSearchParams(location.search), this.urlPrefix);
    this.state = state;
    this.build();
    this.showNotes(notes);
    // Start loading the solver worker now, in parallel with the rest of the page:
    // the first run then does not wait for its module and WASM compile.
    this.client.warm();
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !this.started) {
          this.started = true;
          this.observer?.disconnect();
          void this.execute();
        }
      },
      { rootMargin: '200px' },
    );
    this.observer.observe(this);
  }

  disconnectedCallback(): void {
    this.observer?.disconnect();
    this.client.dispose();
  }

  private build(): void {
    this.controls = document.createElement('form');
    this.controls.className = 'widget-controls';
    this.controls.addEventListener('submit', (e) => e.preventDefault());
    const fieldset = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = this.legend;
    fieldset.append(legend);
    for (const [key, spec] of Object.entries(this.schema)) fieldset.append(this.control(key, spec));
    const actions = document.createElement('div');
    actions.className = 'widget-actions';
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.textContent = 'Copy link';
    copy.addEventListener('click', () => void this.copyLink(copy));
    const reset = document.createElement('button');
    reset.type = 'button';
    reset.textContent = 'Reset';
    reset.addEventListener('click', () => this.reset());
    actions.append(copy, reset);
    this.controls.append(fieldset, actions);
    this.statusLine = document.createElement('p');
    this.statusLine.className = 'widget-status';
    this.statusLine.setAttribute('role', 'status');
    this.notesBox = document.createElement('div');
    this.notesBox.className = 'widget-notes';
    this.errorBox = document.createElement('div');
    this.errorBox.className = 'widget-error';
    this.errorBox.setAttribute('role', 'alert');
    this.output = document.createElement('div');
    this.output.className = 'widget-output';
    this.replaceChildren(this.controls, this.notesBox, this.statusLine, this.errorBox, this.output);
    this.statusLine.textContent = 'Waiting to come into view…';
  }

  private control(key: string, spec: FieldSpec): HTMLElement {
    const id = `${this.urlPrefix}-${key}`;
    const wrap = document.createElement('div');
    wrap.className = 'widget-field';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = spec.label;
    let input: HTMLInputElement | HTMLSelectElement;
    if (spec.kind === 'enum') {
      const select = document.createElement('select');
      for (const option of spec.options) {
        const o = document.createElement('option');
        o.value = option;
        o.textContent = option;
        select.append(o);
      }
      input = select;
    } else {
      const el = document.createElement('input');
      if (spec.kind === 'bool') el.type = 'checkbox';
      else {
        el.type = 'number';
        el.min = String(spec.min);
        el.max = String(spec.max);
        el.step = String(this.hints[key as keyof S]?.step ?? (spec.kind === 'int' ? 1 : 'any'));
        el.inputMode = spec.kind === 'int' ? 'numeric' : 'decimal';
      }
      input = el;
    }
    input.id = id;
    input.name = key;
    const help = this.hints[key as keyof S]?.help;
    if (help) {
      const p = document.createElement('small');
      p.id = `${id}-help`;
      p.textContent = help;
      input.setAttribute('aria-describedby', p.id);
      wrap.append(label, input, p);
    } else {
      wrap.append(label, input);
    }
    this.setControl(input, spec, (this.state as Record<string, unknown>)[key]);
    input.addEventListener('change', () => this.onInput(key, spec, input));
    return wrap;
  }

  private setControl(input: HTMLInputElement | HTMLSelectElement, spec: FieldSpec, value: unknown): void {
    if (spec.kind === 'bool') (input as HTMLInputElement).checked = value as boolean;
    else input.value = String(value);
  }

  private onInput(key: string, spec: FieldSpec, input: HTMLInputElement | HTMLSelectElement): void {
    let value: unknown;
    if (spec.kind === 'bool') value = (input as HTMLInputElement).checked;
    else if (spec.kind === 'enum') value = input.value;
    else {
      const v = Number(input.value);
      const bad = input.value.trim() === '' || !Number.isFinite(v) || v < spec.min || v > spec.max || (spec.kind === 'int' && !Number.isInteger(v));
      if (bad) {
        input.setAttribute('aria-invalid', 'true');
        this.showNotes([`${spec.label} must be ${spec.kind === 'int' ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}; keeping ${String((this.state as Record<string, unknown>)[key])}.`]);
        return;
      }
      input.removeAttribute('aria-invalid');
      value = v;
    }
    (this.state as Record<string, unknown>)[key] = value;
    this.showNotes([]);
    this.persist();
    this.schedule();
  }

  /** Change state from code (presets, buttons) and rerun. */
  protected update(patch: Partial<StateOf<S>>): void {
    Object.assign(this.state as object, patch);
    this.syncControls();
    this.persist();
    this.schedule();
  }

  private syncControls(): void {
    for (const [key, spec] of Object.entries(this.schema)) {
      const input = this.controls.elements.namedItem(key) as HTMLInputElement | HTMLSelectElement | null;
      if (input) this.setControl(input, spec, (this.state as Record<string, unknown>)[key]);
    }
  }

  private persist(): void {
    const url = new URL(location.href);
    writeState(this.schema, this.state, url.searchParams, this.urlPrefix);
    history.replaceState(history.state, '', url);
  }

  /** A link to this page with this widget's state (and the others'), scrolled to it. */
  shareLink(): string {
    const url = new URL(location.href);
    writeState(this.schema, this.state, url.searchParams, this.urlPrefix);
    url.hash = this.id ? `#${this.id}` : '';
    return url.toString();
  }

  private async copyLink(button: HTMLButtonElement): Promise<void> {
    const link = this.shareLink();
    try {
      await navigator.clipboard.writeText(link);
      button.textContent = 'Link copied';
    } catch {
      window.prompt('Copy this link:', link);
    }
    setTimeout(() => (button.textContent = 'Copy link'), 2000);
  }

  reset(): void {
    this.state = defaults(this.schema);
    this.syncControls();
    this.persist();
    this.showNotes([]);
    this.schedule(0);
  }

  private schedule(delay = 150): void {
    if (!this.started) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.execute(), delay);
  }

  private showNotes(notes: string[]): void {
    this.notesBox.replaceChildren(
      ...notes.map((n) => {
        const p = document.createElement('p');
        p.textContent = n;
        return p;
      }),
    );
  }

  protected setStatus(status: Status, text?: string): void {
    this.dataset.status = status;
    this.setAttribute('aria-busy', status === 'running' ? 'true' : 'false');
    if (text !== undefined && this.statusLine) this.statusLine.textContent = text;
  }

  /** Progress text while running. */
  protected progress(text: string): void {
    if (this.dataset.status === 'running') this.statusLine.textContent = text;
  }

  private async execute(): Promise<void> {
    const mine = ++this.runCounter;
    const signal = {
      get stale() {
        return false;
      },
    };
    Object.defineProperty(signal, 'stale', { get: () => mine !== this.runCounter });
    this.errorBox.replaceChildren();
    this.setStatus('running', 'Running…');
    try {
      await this.run(signal);
      if (mine === this.runCounter) this.setStatus('done', this.doneText());
    } catch (e) {
      if (e instanceof JobError && e.kind === 'cancelled') return;
      if (mine !== this.runCounter) return;
      this.setStatus('error', 'Stopped: see the message below.');
      const p = document.createElement('p');
      p.textContent = explain(e);
      this.errorBox.replaceChildren(p);
    }
  }

  /** The status line once a run is done. */
  protected doneText(): string {
    return 'Done.';
  }
}

/** Errors in words: what happened and what to change. */
export function explain(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof JobError) {
    switch (e.kind) {
      case 'divergence':
        return `Gradient descent diverged: ${message.replace(/^gradient descent diverged /, '')}. Lower the step size η.`;
      case 'numerical':
        return `The numbers failed: ${message}.`;
      case 'input':
        return `These settings cannot run: ${message}.`;
      default:
        return `Something went wrong in the solver: ${message}. Reset the widget or reload the page.`;
    }
  }
  return `Something went wrong: ${message}.`;
}
