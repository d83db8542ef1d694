/**
 * Generated text (chapter "Pruning a real transformer"): one prompt and one seed,
 * continued by the dense brown-char model and by the model pruned with each chosen
 * method, side by side, with each pruned model's perplexity on the page's evaluation
 * windows. It is the worker's 'modelGenerate' job, the same computation as
 * `cli -- generate` and `cli -- model-prune … --out R.json; cli -- generate … --prune R.json`.
 */
import { type Preset, WidgetBase } from '../../ui/widget-base.ts';
import { type Schema, pickedOptions } from '../../ui/state.ts';
import { numbersList, toCsv } from '../../ui/figure.ts';
import { num } from '../../ui/format.ts';
import { table } from '../../ui/table.ts';
import { JobError } from '../../worker/client.ts';
import type { ModelGenerateJobResult } from '../../jobs/protocol.ts';
import { MODEL_METHOD_IDS, PAGE_DEFAULT_METHODS, REFIT_IDS, recipeLabel } from '../../core/methods.ts';
import { firstDifference, generatedRows, generatedTxt, prunedWith, settingsLine } from './compare.ts';
import { modelTokenizer, promptProblem } from '../../ui/vocabulary.ts';
import { GD_FORMS, GD_FORM_HELP, gdFormOnlyField } from '../../ui/gdForm.ts';
import { gdFlags } from '../../ui/shell.ts';
import { REFITS_FIELD, REFITS_HELP, methodPresets, recipeKey, upgradeRetiredMethods } from '../../ui/recipes.ts';
import { tryShellCommand } from '../../ui/shell.ts';
import { WIDGET } from './widget.ts';
import { modelClient, recordOnElement, stepLine } from '../model-pruner/modelWidget.ts';
import { COSTS_CHANGED, estimate, estimateText, recordJob } from '../../worker/modelCosts.ts';
import type { Job } from '../../jobs/protocol.ts';

const schema = {
  model: { kind: 'enum', label: 'model', default: 'brown-char', options: ['brown-char', 'brown-word'] },
  prompt: { kind: 'text', label: 'prompt', default: 'The jury said', maxLength: 64 },
  // 80 characters show where the texts part; each one costs a forward pass of every model (the estimate says how long).
  chars: { kind: 'int', label: 'characters (brown-word: words) to generate', default: 80, min: 1, max: 400 },
  seed: { kind: 'int', label: 'seed', default: 1, min: 0, max: 999999 },
  temperature: { kind: 'float', label: 'temperature', default: 0.8, min: 0, max: 5 },
  methods: { kind: 'set', label: 'methods', default: PAGE_DEFAULT_METHODS, options: MODEL_METHOD_IDS },
  refits: REFITS_FIELD,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 },
  pattern: { kind: 'enum', label: 'pattern', default: 'unstructured', options: ['unstructured', '2:4', '4:8'] },
  mode: { kind: 'enum', label: 'mask on', default: 'merged', options: ['merged', 'factored'] },
  gdForm: gdFormOnlyField('ours'),
} as const satisfies Schema;

/** What a model writes, one per generated token. */
function writtenUnit(model: string): string {
  return model === 'brown-word' ? 'words and marks' : 'characters';
}

export class GeneratedText extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Prompt, sampling and pruning (calibration seed fixed at 1)';
  protected override readonly presets: readonly Preset<typeof schema>[] = methodPresets(
    'If the model pruner above ran them at these settings, they are reused.',
  );
  protected override upgradeLink(params: URLSearchParams): string[] {
    return upgradeRetiredMethods(params, this.urlPrefix);
  }
  protected override readonly stoppable = true;
  // The model pruner's worker: the models it pruned at these settings are reused, not pruned again.
  protected override client = modelClient();
  protected override readonly startOn = 'click';
  override readonly hints = {
    prompt: { help: 'Up to 64 characters of the Brown corpus’s alphabet (no accents or symbols such as € or @). Empty starts from a new line.' },
    chars: { help: 'How many characters (brown-word: words and marks) each model writes after the prompt (1 to 400).' },
    seed: { help: 'Seeds the random draws that pick each character; every model gets the same draws.' },
    temperature: { help: '0 always takes the most likely character (greedy; the seed then plays no part). Higher is more random.', step: 0.1 },
    methods: { help: 'Each chosen method prunes every head of the model; changing only the prompt, seed or temperature reuses the pruned models.' },
    refits: { help: REFITS_HELP },
    gdForm: { help: `Used by gd and gradual only. ${GD_FORM_HELP.replace(' Editing a field below makes it custom.', '')}` },
    sparsity: { help: 'The fraction of each head’s entries set to zero. Ignored for 2:4 and 4:8, which prune N of every M (sparsity 0.5).', step: 0.05 },
    pattern: { help: 'unstructured: any entries may be pruned. N:M: in each column, N of every M consecutive entries are pruned.' },
    mode: { help: 'merged: one mask on W_h = W_Q W_Kᵀ/√d_h. factored: masks on W_Q and W_K.' },
  };
  private last: { result: ModelGenerateJobResult; elapsedMs: number } | undefined;

  /** Before the first run, the idle line follows what the page's other model widgets measured and pruned. */
  protected override readonly idleFollows = [COSTS_CHANGED];

  override connectedCallback(): void {
    super.connectedCallback();
    // Fetch the model's vocabulary early, so the first check does not wait for it.
    void modelTokenizer(this.state.model);
  }

  protected override idleText(): string {
    const job = this.job();
    const e = estimate(job.settings, job.methods, job.tokens);
    const runs = job.methods.length * (job.settings.refits?.length ?? 1);
    return `Press Run to prune the ${e.heads} heads of ${job.settings.model} with ${runs === 1 ? 'one method' : `${runs} method and refit pairs`} and write ${job.tokens} ${writtenUnit(job.settings.model)} with the dense and each pruned model. ${estimateText(e, (x) => num(x, 2))}`;
  }

  /** The worker job for the current settings. */
  private job(): Extract<Job, { kind: 'modelGenerate' }> {
    const s = this.state;
    return {
      kind: 'modelGenerate',
      settings: {
        model: s.model,
        sparsity: s.sparsity,
        pattern: s.pattern,
        mode: s.mode,
        gd: { ...GD_FORMS[s.gdForm] },
        refits: pickedOptions(REFIT_IDS, s.refits),
      },
      methods: pickedOptions(MODEL_METHOD_IDS, s.methods),
      prompt: s.prompt,
      tokens: s.chars,
      seed: s.seed,
      temperature: s.temperature,
    };
  }

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const runs = pickedOptions(MODEL_METHOD_IDS, s.methods).length * pickedOptions(REFIT_IDS, s.refits).length;
    const tokenizer = await modelTokenizer(s.model);
    if (signal.stale) return;
    // Without the manifest the worker's job still refuses what the model does not know, in the same words.
    const why = tokenizer ? promptProblem(tokenizer, s.prompt) : '';
    if (why) {
      this.output.replaceChildren();
      throw new JobError(why, 'input');
    }
    const note = document.createElement('p');
    note.textContent = `Loading ${s.model}, pruning its 8 heads with ${runs === 1 ? 'one method' : `${runs} method and refit pairs`} and writing ${s.chars} ${writtenUnit(s.model)} with each model, in your browser. Calibration: the 8 windows the command line uses with seed 1.`;
    const bar = document.createElement('progress');
    bar.setAttribute('aria-label', 'Progress of the generated-text run');
    this.output.replaceChildren(note, bar);
    const start = performance.now();
    const job = this.job();
    const result = await this.client.run(job, (p) => {
      if (!('done' in p)) return;
      if (p.total > 0) {
        bar.max = p.total;
        bar.value = p.done;
      }
      this.progress(stepLine(p, (d, t) => this.remaining(d, t)));
    });
    recordJob(job.settings, result);
    recordOnElement(this, { kind: job.kind, timeMs: result.timeMs.total, prunings: result.runs.map((r) => r.pruning) });
    if (signal.stale) return;
    this.last = { result, elapsedMs: performance.now() - start };
    this.draw(result, this.last.elapsedMs);
  }

  private draw(r: ModelGenerateJobResult, elapsedMs: number): void {
    const intro = document.createElement('p');
    intro.textContent =
      (r.temperature === 0
        ? 'At temperature 0 every model takes its most likely next character, so the texts part only where pruning changed which character is most likely. '
        : 'Every model draws its characters with the same seed, so the random numbers are the same: the texts part only where pruning shifted the model’s probabilities enough to change a draw. ') +
      'Perplexity (lower is better) is each model’s on the page’s evaluation windows.';

    const rows = generatedRows(r);
    const summary = table({
      caption: `Perplexity and where each text departs from the dense model’s (${settingsLine(r)}).`,
      head: ['Model', 'Perplexity', 'Change from dense', 'First differs from the dense text'],
      textColumns: [0, 3],
      rows: rows.map((row) => [
        row.model === 'dense' ? 'dense' : `pruned with ${prunedWith(row)}`,
        num(row.perplexity, 5),
        row.model === 'dense'
          ? '—'
          : `${row.perplexity >= r.dense.perplexity ? '+' : '−'}${num((Math.abs(row.perplexity - r.dense.perplexity) / r.dense.perplexity) * 100, 3)} %`,
        row.model === 'dense' ? '—' : row.first_difference === 0 ? 'never: the same text' : `at character ${row.first_difference}`,
      ]),
    });

    const cards = document.createElement('div');
    cards.className = 'gen-cards';
    cards.append(this.card(r, 'dense', r.denseText, r.dense.perplexity));
    for (const run of r.runs) cards.append(this.card(r, run, run.text, run.pruned.perplexity));

    const w = r.timeMs;
    const numbers = numbersList([
      [
        'Pruning',
        r.pattern === 'unstructured'
          ? `sparsity ${num(r.sparsity)}, unstructured, ${r.mode} masks`
          : `${r.pattern} pattern (sparsity ${num(r.sparsity)}), ${r.mode} masks`,
      ],
      ['Calibration', r.calibration],
      ['Evaluation (perplexity)', `${r.evaluation}, ${r.dense.tokens.toLocaleString('en-US')} predictions`],
      ['TensorFlow.js backend (forward passes)', r.backend],
      [
        'Time in the worker',
        `${num(w.total / 1000)} s (loading ${num(w.load / 1000)} s, pruning ${num(w.prune / 1000)} s, writing ${num(w.generate / 1000)} s)`,
      ],
      ['Time seen by the page', `${num(elapsedMs / 1000)} s`],
    ]);

    // Every value is quoted for a POSIX shell (src/ui/shell.ts): the prompt comes from the link.
    const command = document.createElement('p');
    command.className = 'gen-command';
    const cli = ['npm', 'run', '--silent', 'cli', '--'];
    const generate = tryShellCommand([
      ...cli,
      'generate',
      '--model',
      this.state.model,
      '--prompt',
      r.prompt,
      '--tokens',
      r.tokens,
      '--seed',
      r.seed,
      '--temperature',
      r.temperature,
    ]);
    const prune = tryShellCommand([
      ...cli,
      'model-prune',
      '--model',
      this.state.model,
      '--method',
      'M',
      ...(r.runs.some((x) => x.refit !== 'none') ? ['--refit', 'R'] : []),
      ...(r.pattern === 'unstructured' ? ['--sparsity', r.sparsity] : ['--nm', r.pattern]),
      '--mode',
      r.mode,
      ...gdFlags(GD_FORMS[this.state.gdForm]),
      '--out',
      'R.json',
    ]);
    const code = (text: string): HTMLElement => Object.assign(document.createElement('code'), { textContent: text });
    if (generate.ok && prune.ok)
      command.append(
        'The same texts on the command line: ',
        code(generate.command),
        `. For a pruned model (M: one of the methods${r.runs.some((x) => x.refit !== 'none') ? ', R: its refit' : ''}), first `,
        code(prune.command),
        ', then add ',
        code('--prune R.json'),
        ' to the first command.',
      );
    else command.textContent = `No command line is shown for this prompt: ${generate.ok ? '' : generate.why}${prune.ok ? '' : prune.why}.`;

    const result = document.createElement('div');
    result.className = 'gen-result';
    result.dataset.elapsedMs = String(Math.round(elapsedMs));
    result.append(intro, cards, summary, this.downloads(r), numbers, command);
    this.output.replaceChildren(result);
  }

  /** One model's text in monospace; a pruned text marks the first character where it departs from the dense one. */
  private card(r: ModelGenerateJobResult, run: 'dense' | ModelGenerateJobResult['runs'][number], text: string, perplexity: number): HTMLElement {
    const dense = run === 'dense';
    const figure = document.createElement('figure');
    figure.className = dense ? 'gen-card gen-dense' : 'gen-card';
    figure.dataset.method = dense ? 'dense' : recipeKey(run.method, run.refit);
    figure.dataset.perplexity = String(perplexity);
    const caption = document.createElement('figcaption');
    const title = document.createElement('strong');
    title.textContent = dense ? 'Dense model' : `Pruned with ${recipeLabel(run.method, run.refit)}`;
    const k = dense ? -1 : firstDifference(r.denseText, text);
    const detail = dense
      ? ` · perplexity ${num(perplexity, 5)}`
      : ` · perplexity ${num(perplexity, 5)} (dense ${num(r.dense.perplexity, 5)}) · ${k < 0 ? 'the same text as the dense model' : `first differs at character ${k + 1}`}`;
    caption.append(title, detail);
    figure.dataset.firstDifference = String(k + 1);
    const pre = document.createElement('pre');
    pre.className = 'gen-text';
    const prompt = document.createElement('span');
    prompt.className = 'gen-prompt';
    prompt.textContent = r.prompt;
    if (k < 0) pre.append(prompt, text);
    else {
      const mark = document.createElement('mark');
      mark.title = `From here on (character ${k + 1}) this text departs from the dense model’s`;
      mark.textContent = text[k];
      pre.append(prompt, text.slice(0, k), mark, text.slice(k + 1));
    }
    figure.append(caption, pre);
    return figure;
  }

  /** The texts as .txt and .csv files (model, method, perplexity, first difference, text), made when asked for. */
  private downloads(r: ModelGenerateJobResult): HTMLElement {
    const stem = `generated-text-${r.pattern === 'unstructured' ? `p${r.sparsity}` : r.pattern.replace(':', 'of')}-${r.mode}-seed${r.seed}-t${r.temperature}`;
    const button = (label: string, name: string, body: () => string, type: string): HTMLButtonElement => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.addEventListener('click', () => {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(new Blob([body()], { type }));
        a.download = name;
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      });
      return b;
    };
    const box = document.createElement('p');
    box.className = 'gen-downloads';
    box.append(
      'Download the texts: ',
      button('plain text (.txt)', `${stem}.txt`, () => generatedTxt(r), 'text/plain'),
      ' ',
      button('table (.csv)', `${stem}.csv`, () => toCsv(generatedRows(r)), 'text/csv'),
    );
    return box;
  }

  protected override doneText(): string {
    const last = this.last;
    if (!last) return 'Done.';
    const r = last.result;
    const pruned = r.runs.map((x) => `${prunedWith(x)} ${num(x.pruned.perplexity, 4)}`).join(', ');
    return `Done in ${num(last.elapsedMs / 1000)} s: perplexity ${num(r.dense.perplexity, 4)} dense; ${pruned}.`;
  }
}

customElements.define(WIDGET.tag, GeneratedText);
