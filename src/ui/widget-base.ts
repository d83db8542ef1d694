/**
 * What every widget shares, so each widget file only says what it computes and draws:
 * - controls generated from its state schema (labelled, keyboard-operable inputs), with a
 *   slider beside each continuous number (slider.ts decides which, and on what scale);
 * - that state read from and written to the URL, with "Copy link" and "Reset";
 * - a lazy start: nothing runs until the widget scrolls into view;
 * - status for people and tests: `data-status="idle|running|done|error"` and
 *   `aria-busy` on the root, a live status line, errors explained in words;
 * - a solver client (Web Worker) that a newer input cancels.
 */
import { type FieldSpec, type FieldSwitch, type Schema, type StateOf, defaults, readState, setItems, setValue, settleSwitches, writeState } from './state.ts';
import { JobError, SolverClient } from '../worker/client.ts';
import { num } from './format.ts';
import { type SliderSpec, sliderFor } from './slider.ts';

export type Status = 'idle' | 'running' | 'done' | 'error';

/** Per-field presentation: the step of a numeric input, its slider (or `false` for none), and help text. */
export interface ControlHints {
  step?: number | 'any';
  help?: string;
  slider?: SliderSpec | false;
}

/** While a slider is dragged: the shortest pause between two live runs, and between two URL updates. */
const LIVE_DELAY_MS = 30;
const URL_EVERY_MS = 250;

/** A named setting a reader can jump to ("the example above", "divergence", "λ = 0"). */
export interface Preset<S extends Schema> {
  /** The button's text. */
  label: string;
  /** The fields it sets (the others keep their values). */
  state: Partial<StateOf<S>>;
  /** What the reader should look for, shown once the preset is applied. */
  note?: string;
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
  /** Watches the widget's width: figures drawn for another width are redrawn (a phone turned, a window narrowed). */
  private sizeObserver: ResizeObserver | undefined;
  private drawnWidth = 0;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private runCounter = 0;
  private stopButton: HTMLButtonElement | undefined;
  /** Show a Stop/Run button (for runs long enough that a reader may want to stop them). */
  protected readonly stoppable: boolean = false;
  /** Named settings, shown as buttons above the controls. */
  protected readonly presets: readonly Preset<S>[] = [];
  /** Fields that set several others at once (state.ts: FieldSwitch), e.g. "paper’s form / our defaults". */
  protected readonly switches: readonly FieldSwitch[] = [];
  /**
   * Rewrite an old link's parameters before they are read (retired ids); returns notes for
   * the reader saying what was changed.
   */
  protected upgradeLink(_params: URLSearchParams): string[] {
    return [];
  }
  /**
   * 'view': run when the widget scrolls into view (cheap widgets).
   * 'click': heavy widgets wait for the reader's Run; `idleText()` says what a run costs.
   */
  protected readonly startOn: 'view' | 'click' = 'view';
  /**
   * true: cheap widgets rerun while a slider is dragged (the newest value wins; a run
   * still going finishes first, then the latest value runs). false: expensive widgets
   * rerun only when the slider is released (its `change`).
   */
  protected readonly live: boolean = false;
  /**
   * For `startOn = 'click'`: window events after which the idle line is rewritten before the
   * first run (the model widgets' estimate changes when another widget measures or prunes).
   */
  protected readonly idleFollows: readonly string[] = [];
  /** For `startOn = 'click'`: the line shown before the first run (what it does, how long it takes). */
  protected idleText(): string {
    return 'Press Run to start.';
  }

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
    const params = new URLSearchParams(location.search);
    const upgraded = this.upgradeLink(params);
    const { state, notes } = readState(this.schema, params, this.urlPrefix, this.switches);
    this.state = state;
    this.build();
    this.showNotes([...upgraded, ...notes]);
    // An old link's retired ids: the address bar shows the new ones at once.
    if (upgraded.length) this.persist();
    // Start loading the solver worker now, in parallel with the rest of the page:
    // the first run then does not wait for its module and WASM compile.
    this.client.warm();
    // Tests and benches read how the widget starts (a click-started one waits for its Run).
    this.dataset.start = this.startOn;
    this.sizeObserver = new ResizeObserver(() => this.resized());
    this.sizeObserver.observe(this);
    if (this.startOn === 'click') {
      this.setStatus('idle', this.idleText());
      for (const event of this.idleFollows) addEventListener(event, this.idleFollowsSettings);
      return;
    }
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !this.started) {
          this.started = true;
          this.observer?.disconnect();
          void this.execute();
        }
      },
      { rootMargin: '100% 0px' }, // start one screen ahead, so a widget scrolled to has (nearly) drawn
    );
    this.observer.observe(this);
  }

  disconnectedCallback(): void {
    for (const event of this.idleFollows) removeEventListener(event, this.idleFollowsSettings);
    // A removed widget runs nothing more: no debounced run, no URL write, no new worker.
    this.runCounter++;
    this.pendingLive = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.urlTimer);
    this.urlTimer = undefined;
    this.observer?.disconnect();
    this.sizeObserver?.disconnect();
    clearTimeout(this.resizeTimer);
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
    if (this.stoppable || this.startOn === 'click') {
      // Long runs (a whole model) can be stopped, and started again, by the reader.
      this.stopButton = document.createElement('button');
      this.stopButton.type = 'button';
      this.stopButton.className = 'widget-stop';
      this.stopButton.textContent = 'Run';
      this.stopButton.addEventListener('click', () => (this.dataset.status === 'running' ? this.stop() : this.schedule(0, true)));
      actions.prepend(this.stopButton);
    }
    if (this.presets.length) {
      // Named settings: one click reproduces an example the prose discusses.
      const group = document.createElement('div');
      group.className = 'widget-presets';
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', 'Presets');
      for (const preset of this.presets) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = preset.label;
        this.presetButtons.push({ button: b, preset });
        b.addEventListener('click', () => {
          this.update(preset.state);
          this.showNotes(preset.note ? [preset.note] : []);
          // A heavy widget shows its new estimate and waits for Run; a cheap one runs at once.
          if (this.startOn === 'click' && !this.started) this.idleFollowsSettings();
          else this.schedule(0, true);
        });
        group.append(b);
      }
      this.controls.append(group);
      this.markPresets();
    }
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

  /** Each field's control: how to show a value, and how to read one (or explain why not). */
  private readonly fields = new Map<
    string,
    { show(value: unknown): void; read(): { ok: true; value: unknown } | { ok: false; why: string }; mark(bad: boolean): void }
  >();

  private control(key: string, spec: FieldSpec): HTMLElement {
    const id = `${this.urlPrefix}-${key}`;
    const help = this.hints[key as keyof S]?.help;
    const helpEl = (): HTMLElement | undefined => {
      if (!help) return undefined;
      const p = document.createElement('small');
      p.id = `${id}-help`;
      p.textContent = help;
      return p;
    };
    if (spec.kind === 'set') {
      // A group of checkboxes: one per option, at least one ticked.
      const group = document.createElement('fieldset');
      group.className = 'widget-field widget-set';
      group.id = id;
      const legend = document.createElement('legend');
      legend.textContent = spec.label;
      group.append(legend);
      const boxes = spec.options.map((option) => {
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.name = key;
        box.value = option;
        box.addEventListener('change', () => this.onInput(key, spec));
        label.append(box, ` ${option}`);
        group.append(label);
        return box;
      });
      const h = helpEl();
      if (h) {
        group.setAttribute('aria-describedby', h.id);
        group.append(h);
      }
      this.fields.set(key, {
        show: (v) => {
          const items = setItems(String(v));
          for (const b of boxes) b.checked = items.includes(b.value);
        },
        read: () => {
          const picked = boxes.filter((b) => b.checked).map((b) => b.value);
          return picked.length
            ? { ok: true, value: setValue(spec.options, picked) }
            : { ok: false, why: `choose at least one ${spec.label.replace(/s$/, '')}` };
        },
        mark: (bad) => (bad ? group.setAttribute('aria-invalid', 'true') : group.removeAttribute('aria-invalid')),
      });
      this.fields.get(key)!.show((this.state as Record<string, unknown>)[key]);
      return group;
    }
    const wrap = document.createElement('div');
    wrap.className = spec.kind === 'text' && spec.multiline ? 'widget-field widget-field-wide' : 'widget-field';
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = spec.label;
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (spec.kind === 'enum') {
      const select = document.createElement('select');
      for (const option of spec.options) {
        const o = document.createElement('option');
        o.value = option;
        o.textContent = spec.labels?.[option] ?? option;
        select.append(o);
      }
      input = select;
    } else if (spec.kind === 'text') {
      if (spec.multiline) {
        const area = document.createElement('textarea');
        area.rows = 4;
        input = area;
      } else {
        const el = document.createElement('input');
        el.type = 'text';
        input = el;
      }
      input.spellcheck = false;
      // No maxLength attribute: a paste that is too long is explained, not silently cut.
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
    const h = helpEl();
    if (h) input.setAttribute('aria-describedby', h.id);
    const range = this.slider(key, spec, id, input, h);
    wrap.append(label, range?.row ?? input);
    if (h) wrap.append(h);
    this.fields.set(key, {
      show: (v) => {
        if (spec.kind === 'bool') (input as HTMLInputElement).checked = v as boolean;
        else input.value = String(v);
        range?.show(v as number);
      },
      read: () => {
        if (spec.kind === 'bool') return { ok: true, value: (input as HTMLInputElement).checked };
        if (spec.kind === 'enum') return { ok: true, value: input.value };
        if (spec.kind === 'text')
          return input.value.length <= spec.maxLength
            ? { ok: true, value: input.value }
            : {
                ok: false,
                why: `${spec.label} is too long: ${input.value.length.toLocaleString('en-US')} characters, and this page keeps at most ${spec.maxLength.toLocaleString('en-US')}${spec.linkMaxLength === undefined ? ' (they go into the shareable link)' : ''}; keeping the previous text`,
              };
        const v = Number(input.value);
        const bad = input.value.trim() === '' || !Number.isFinite(v) || v < spec.min || v > spec.max || (spec.kind === 'int' && !Number.isInteger(v));
        if (bad)
          return {
            ok: false,
            why: `${spec.label} must be ${spec.kind === 'int' ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}; keeping ${String((this.state as Record<string, unknown>)[key])}`,
          };
        return { ok: true, value: v };
      },
      mark: (bad) => (bad ? input.setAttribute('aria-invalid', 'true') : input.removeAttribute('aria-invalid')),
    });
    this.fields.get(key)!.show((this.state as Record<string, unknown>)[key]);
    input.addEventListener('change', () => this.onInput(key, spec));
    return wrap;
  }

  /**
   * The slider beside a number box, if the field has one (slider.ts): both show the same
   * value; dragging reruns a `live` widget as it goes, any other on release.
   */
  private slider(
    key: string,
    spec: FieldSpec,
    id: string,
    box: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
    help: HTMLElement | undefined,
  ): { row: HTMLElement; show(v: number): void } | undefined {
    const slider = sliderFor(key, spec, this.hints[key as keyof S]?.slider);
    if (!slider) return undefined;
    const range = document.createElement('input');
    range.type = 'range';
    range.id = `${id}-slider`;
    range.min = String(slider.min);
    range.max = String(slider.max);
    range.step = String(slider.step);
    // Named by the field's label text through `title` (which also shows on hover), not by
    // aria-labelledby: the <label> stays the number box's own, so "the field labelled n" is one control.
    range.title = spec.label;
    if (help) range.setAttribute('aria-describedby', help.id);
    range.dataset.scale = slider.scale;
    const show = (v: number): void => {
      range.value = String(slider.positionOf(v));
      // A log slider's position is not the value: say the value itself.
      range.setAttribute('aria-valuetext', num(v, 4));
    };
    const take = (): void => {
      const v = slider.valueAt(range.valueAsNumber);
      box.value = String(v);
      range.setAttribute('aria-valuetext', num(v, 4));
      box.removeAttribute('aria-invalid');
      // A new object, never an edit in place: a run keeps the settings it started with.
      this.state = this.settled({ ...this.state, [key]: v }, [key]);
      this.markPresets();
      this.idleFollowsSettings();
    };
    range.addEventListener('input', () => {
      take();
      this.persistSoon();
      if (this.live) this.runLive();
      else this.holdWhileDragging();
    });
    range.addEventListener('change', () => {
      take();
      this.showNotes([]);
      this.persist();
      if (this.live) this.runReleased();
      else this.schedule();
    });
    const row = document.createElement('div');
    row.className = 'widget-slider-row';
    row.append(range, box);
    return { row, show };
  }

  private onInput(key: string, _spec: FieldSpec): void {
    const field = this.fields.get(key)!;
    const r = field.read();
    if (!r.ok) {
      field.mark(true);
      this.showNotes([`${r.why[0].toUpperCase()}${r.why.slice(1)}.`]);
      return;
    }
    field.mark(false);
    this.state = this.settled({ ...this.state, [key]: r.value }, [key]);
    this.markPresets();
    this.idleFollowsSettings();
    this.showNotes([]);
    this.persist();
    // The run under way is for the old value: its result is not drawn.
    if (this.started) this.runCounter++;
    this.schedule();
  }

  /** Before a click-started widget's first run, its idle line (the estimate) follows the settings. */
  private readonly idleFollowsSettings = (): void => {
    if (this.startOn === 'click' && !this.started && this.dataset.status === 'idle') this.setStatus('idle', this.idleText());
  };

  /**
   * A widget that reruns on release: a drag makes the run under way stale (its result
   * would be drawn beside settings it did not use), so it is stopped until the release.
   */
  private holdWhileDragging(): void {
    if (!this.started || this.dataset.status !== 'running') return;
    this.runCounter++;
    this.inFlight = false;
    this.pendingLive = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client.cancel();
    this.setStatus('idle', 'Release the slider to run with the new value.');
  }

  /**
   * The state after `changed` fields took new values: switches set their forms' fields, and
   * show "custom" when a field left its form (the controls of those fields follow).
   */
  private settled(state: StateOf<S>, changed: readonly string[]): StateOf<S> {
    if (this.switches.length === 0) return state;
    const out = settleSwitches(this.switches, state, changed);
    for (const sw of this.switches) {
      const keys = [sw.key, ...new Set(Object.values(sw.forms).flatMap((f) => Object.keys(f)))];
      for (const k of keys) {
        // Only the controls whose value the switch changed: the one being edited keeps what the reader typed.
        const a = (out as Record<string, unknown>)[k];
        if (a !== (state as Record<string, unknown>)[k]) this.fields.get(k)?.show(a);
      }
    }
    return out;
  }

  /** Change state from code (presets, buttons) and rerun. */
  protected update(patch: Partial<StateOf<S>>): void {
    this.state = this.settled({ ...this.state, ...patch }, Object.keys(patch));
    this.syncControls();
    this.persist();
    this.schedule();
  }

  private syncControls(): void {
    for (const [key, field] of this.fields) {
      field.show((this.state as Record<string, unknown>)[key]);
      field.mark(false);
    }
    this.markPresets();
  }

  private readonly presetButtons: { button: HTMLButtonElement; preset: Preset<S> }[] = [];

  /**
   * Mark the preset buttons whose settings the controls show now, so the reader sees where
   * they are: aria-current (a preset is not a toggle, and several can match at once).
   */
  private markPresets(): void {
    const state = this.state as Record<string, unknown>;
    for (const { button, preset } of this.presetButtons) {
      const on = Object.entries(preset.state).every(([k, v]) => state[k] === v);
      if (on) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
  }

  private persist(): void {
    clearTimeout(this.urlTimer);
    this.urlTimer = undefined;
    this.urlWrittenAt = performance.now();
    const url = new URL(location.href);
    writeState(this.schema, this.state, url.searchParams, this.urlPrefix);
    history.replaceState(history.state, '', url);
  }

  private urlTimer: ReturnType<typeof setTimeout> | undefined;
  private urlWrittenAt = -Infinity;

  /** persist(), at most every URL_EVERY_MS while a slider moves (browsers throttle history.replaceState). */
  private persistSoon(): void {
    const wait = this.urlWrittenAt + URL_EVERY_MS - performance.now();
    if (wait <= 0) this.persist();
    else this.urlTimer ??= setTimeout(() => this.persist(), wait);
  }

  /** The state a run started from, to skip a rerun of the very same state on release. */
  private ranState = '';
  /** A run is under way (its promise has not settled). */
  private inFlight = false;
  /** A slider moved while a live run was under way: run the newest state when it ends. */
  private pendingLive = false;

  private stateKey(): string {
    return JSON.stringify(this.state);
  }

  /** While dragging: run soon, but let a run under way finish rather than cancel it at every pixel. */
  private runLive(): void {
    if (!this.started) return;
    if (this.inFlight) {
      this.pendingLive = true;
      return;
    }
    this.timer ??= setTimeout(() => void this.execute(), LIVE_DELAY_MS);
  }

  /** On release: the final value runs at once (cancelling an older run), unless it is already running. */
  private runReleased(): void {
    if (!this.started) return;
    this.pendingLive = false;
    if (this.inFlight && this.ranState === this.stateKey()) return;
    if (!this.inFlight && this.dataset.status === 'done' && this.ranState === this.stateKey()) return;
    this.schedule(0);
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

  /** Stop the running job: the worker abandons it at its next pause. */
  stop(): void {
    this.runCounter++;
    this.pendingLive = false;
    this.inFlight = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client.cancel();
    this.setStatus('idle', 'Stopped. Press Run, or change a setting, to start again.');
  }

  /**
   * The widget's width changed: once it settles, a finished widget draws its figures
   * again for the new width (they are sized from it). Small changes (a scroll bar
   * appearing) are ignored.
   */
  private resized(): void {
    const width = this.clientWidth;
    if (this.drawnWidth === 0) this.drawnWidth = width;
    if (Math.abs(width - this.drawnWidth) < 8) return;
    clearTimeout(this.resizeTimer);
    // Tests wait for this to go before they measure the figures.
    this.dataset.redraw = 'pending';
    this.resizeTimer = setTimeout(() => {
      this.resizeTimer = undefined;
      if (this.dataset.status === 'done' && this.isConnected) {
        this.drawnWidth = this.clientWidth;
        this.redraw();
      }
      // A rerun clears the mark when it starts (status "running" then says it is not done).
      if (this.timer === undefined) delete this.dataset.redraw;
    }, 150);
  }

  /**
   * Draw the last result again at the widget's current width. Widgets that keep their
   * result redraw it without a job; by default a cheap (view-started) widget reruns, and
   * a click-started one, whose figures must then say how, keeps what it drew.
   */
  protected redraw(): void {
    if (this.startOn === 'view') this.schedule(0);
  }

  private schedule(delay = 150, force = false): void {
    if (force) this.started = true;
    if (!this.started) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.execute(), delay);
    this.pendingLive = false;
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
    if (this.stopButton) this.stopButton.textContent = status === 'running' ? 'Stop' : 'Run';
    this.setAttribute('aria-busy', status === 'running' ? 'true' : 'false');
    if (text !== undefined && this.statusLine) this.statusLine.textContent = text;
  }

  /** Progress text while running. */
  protected progress(text: string): void {
    if (this.dataset.status === 'running') this.statusLine.textContent = text;
  }

  /** When the current run started (performance.now()), for the estimates below. */
  private runStartedAt = 0;

  /**
   * ", 3.2 s so far, about 12 s left" for a run `done` of `total` steps in: the estimate
   * appears once the run has lasted a second and a step is done (a linear extrapolation).
   */
  protected remaining(done: number, total: number): string {
    const elapsed = (performance.now() - this.runStartedAt) / 1000;
    if (elapsed < 1 || done <= 0 || total <= done) return elapsed >= 1 ? `, ${num(elapsed, 2)} s so far` : '';
    const left = (elapsed * (total - done)) / done;
    return `, ${num(elapsed, 2)} s so far, about ${num(Math.max(1, left), 2)} s left`;
  }

  private async execute(): Promise<void> {
    if (!this.isConnected) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const mine = ++this.runCounter;
    this.ranState = this.stateKey();
    this.inFlight = true;
    const signal = {
      get stale() {
        return false;
      },
    };
    Object.defineProperty(signal, 'stale', { get: () => mine !== this.runCounter });
    this.errorBox.replaceChildren();
    this.runStartedAt = performance.now();
    this.drawnWidth = this.clientWidth;
    this.setStatus('running', 'Running…');
    delete this.dataset.redraw;
    try {
      await this.run(signal);
      if (mine === this.runCounter) {
        this.setStatus('done', this.doneText());
        // The width changed while it ran: draw again for the width it has now.
        this.resized();
      }
    } catch (e) {
      if (e instanceof JobError && e.kind === 'cancelled') return;
      if (mine !== this.runCounter) return;
      this.setStatus('error', 'Stopped: see the message below.');
      const p = document.createElement('p');
      p.textContent = explain(e);
      this.errorBox.replaceChildren(p);
    } finally {
      if (mine === this.runCounter) {
        this.inFlight = false;
        // The slider moved on while this run went: run the newest value now.
        if (this.pendingLive) {
          this.pendingLive = false;
          if (this.ranState !== this.stateKey()) this.timer ??= setTimeout(() => void this.execute(), 0);
        }
      }
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
        // The solver's message ends with the remedy (Armijo steps).
        return `Gradient descent diverged: ${message.replace(/^gradient descent diverged /, '')}.`;
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
