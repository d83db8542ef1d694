/**
 * Generated text (chapter "Pruning a real transformer"): one prompt continued by the
 * dense model (brown-word by default, brown-char one field away) and by the model pruned
 * with each chosen method, side by side,
 * greedy by default (sampling, seeded, one switch away). For each pruned model: where its
 * text first departs from the dense text, its top-1 agreement with the dense model and
 * its perplexity on the page's evaluation windows. It is the worker's 'modelGenerate'
 * job, the same computation as `cli -- model-prune … --out R.json` then
 * `cli -- generate … --prune R.json --compare` (src/model/textAgreement.ts for both).
 */
import { type Preset, WidgetBase } from '../../ui/widget-base.ts';
import { type Schema, pickedOptions } from '../../ui/state.ts';
import { numbersList, toCsv } from '../../ui/figure.ts';
import { count, num, percent } from '../../ui/format.ts';
import { table } from '../../ui/table.ts';
import { JobError } from '../../worker/client.ts';
import type { ModelGenerateJobResult } from '../../jobs/protocol.ts';
import { MODEL_METHOD_IDS, PAGE_DEFAULT_METHODS, REFIT_IDS, recipeLabel } from '../../core/methods.ts';
import { decodingText, generatedRows, generatedTxt, prunedWith, settingsLine } from './compare.ts';
import { departureText } from '../../model/textAgreement.ts';
import { modelTokenizer, promptProblem } from '../../ui/vocabulary.ts';
import { GD_FORMS, GD_FORM_HELP, gdFormOnlyField } from '../../ui/gdForm.ts';
import { gdFlags } from '../../ui/shell.ts';
import { REFITS_FIELD, REFITS_HELP, methodPresets, recipeKey, upgradeRetiredMethods } from '../../ui/recipes.ts';
import { tryShellCommand } from '../../ui/shell.ts';
import { WIDGET } from './widget.ts';
import { modelClient, recordOnElement, stepLine } from '../model-pruner/modelWidget.ts';
import { COSTS_CHANGED, estimate, estimateText, recordJob } from '../../worker/modelCosts.ts';
import type { Job } from '../../jobs/protocol.ts';

/** The preset where brown-char's methods visibly part (measured: greedy, "The jury said"): the four methods and our swap search at sparsity 0.7. */
const WHERE_METHODS_PART = { model: 'brown-char', methods: `${PAGE_DEFAULT_METHODS},swap`, sparsity: 0.7, chars: 80 } as const;

const schema = {
  // brown-word by default: its text reads as English, and at the defaults (0.5, greedy) its pruned texts
  // already depart at different words (measured with the CLI: magnitude never in 40, Wanda at 12, SparseGPT at 21, gd at 29).
  model: { kind: 'enum', label: 'model', default: 'brown-word', options: ['brown-word', 'brown-char'] },
  prompt: { kind: 'text', label: 'prompt', default: 'It was', maxLength: 64 },
  // 80 characters show where the texts part; each one costs a forward pass of every model (the estimate says how long).
  chars: { kind: 'int', label: 'tokens to generate (words and marks; brown-char: characters)', default: 40, min: 1, max: 400 },
  // Greedy by default: every text then parts from the dense one only where pruning changed the most likely token.
  decoding: { kind: 'enum', label: 'decoding', default: 'greedy', options: ['greedy', 'sample'], labels: { greedy: 'greedy', sample: 'sample (seeded)' } },
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
  protected readonly legend = 'Prompt, decoding and pruning (calibration seed fixed at 1)';
  protected override readonly presets: readonly Preset<typeof schema>[] = [
    ...methodPresets('If the model pruner above ran them at these settings, they are reused.'),
    {
      label: 'the character model, where its methods part',
      state: { ...WHERE_METHODS_PART, refits: 'none', decoding: 'greedy', pattern: 'unstructured', mode: 'merged', prompt: 'The jury said' },
      note: 'brown-char at sparsity 0.7, greedy, with our swap search beside the four methods: measured, the texts depart from the dense one at different characters, in the order of their top-1 agreement. At 0.5 they all depart at the same character, at 0.9 at the first.',
    },
  ];
  protected override upgradeLink(params: URLSearchParams): string[] {
    return upgradeRetiredMethods(params, this.urlPrefix);
  }
  protected override readonly stoppable = true;
  // The model pruner's worker: the models it pruned at these settings are reused, not pruned again.
  protected override client = modelClient();
  protected override readonly startOn = 'click';
  override readonly hints = {
    prompt: {
      help: 'Up to 64 characters. brown-word knows the 4,000 most frequent words and marks of the Brown corpus (a word outside them is named); brown-char knows the corpus’s alphabet (no accents or symbols such as € or @). Empty starts from a new line.',
    },
    chars: { help: 'How many tokens each model writes after the prompt (1 to 400): words and marks for brown-word, characters for brown-char.' },
    decoding: {
      help: 'greedy: every model takes its most likely next token. sample: each draws it at the temperature below, with the seed below (the same draws for every model).',
    },
    seed: { help: 'Used when sampling: seeds the random draws that pick each token; every model gets the same draws.' },
    temperature: { help: 'Used when sampling: 0 is greedy, higher is more random.', step: 0.1 },
    methods: { help: 'Each chosen method prunes every head of the model; changing only the prompt, decoding, seed or temperature reuses the pruned models.' },
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
      temperature: s.decoding === 'greedy' ? 0 : s.temperature,
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
        ? `Greedy: every model takes its most likely next ${r.unit}, so a text departs from the dense one where pruning first changed which ${r.unit} is most likely (marked). `
        : `Every model draws its ${r.unit}s with the same seed, so the random numbers are the same: a text departs from the dense one where pruning first shifted the probabilities enough to change a draw (marked). `) +
      `Top-1 agreement is how often, over the page’s evaluation windows, the pruned model’s most likely next ${r.unit} is the dense model’s; perplexity (lower is better) is on the same windows.`;

    const summary = table({
      caption: `Where each text departs from the dense text, top-1 agreement with the dense model and perplexity (${settingsLine(r)}).`,
      head: ['Model', `First departure (${r.unit})`, 'Top-1 agreement', 'Perplexity', 'Change from dense'],
      textColumns: [0, 1],
      rows: [
        ['dense', '—', '—', num(r.dense.perplexity, 5), '—'],
        ...r.runs.map((run) => [
          `pruned with ${prunedWith(run)}`,
          // The position alone keeps the column narrow at 390 px; the cards say it in a sentence.
          run.departure.kind === 'at' ? count(run.departure.token) : 'never',
          percent(run.agreement.agreement, 1),
          num(run.pruned.perplexity, 5),
          `${run.pruned.perplexity >= r.dense.perplexity ? '+' : '−'}${num((Math.abs(run.pruned.perplexity - r.dense.perplexity) / r.dense.perplexity) * 100, 3)} %`,
        ]),
      ],
    });
    // The numbers at full precision, for the browser test against `cli -- generate --compare`.
    summary.dataset.agreement = JSON.stringify(r.runs.map((run) => ({ method: recipeKey(run.method, run.refit), ...run.agreement, departure: run.departure })));

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
      ['Decoding', decodingText(r)],
      ['Evaluation (top-1 agreement, perplexity)', `${r.evaluation}, ${r.dense.tokens.toLocaleString('en-US')} predictions`],
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
      ...(r.temperature === 0 ? ['--temperature', 0] : ['--seed', r.seed, '--temperature', r.temperature]),
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
        code('--prune R.json --compare --eval-seqs 32'),
        ' to the first command (JSON with both texts, first_departure and top1_agreement).',
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
    const departure = dense ? undefined : run.departure;
    const detail = dense
      ? ` · perplexity ${num(perplexity, 5)}`
      : ` · departs ${departureText(run.departure, r.unit)} · top-1 agreement ${percent(run.agreement.agreement, 1)} · perplexity ${num(perplexity, 5)}`;
    caption.append(title, detail);
    if (departure) figure.dataset.firstDeparture = String(departure.kind === 'at' ? departure.token : 'never');
    const pre = document.createElement('pre');
    pre.className = 'gen-text';
    const prompt = document.createElement('span');
    prompt.className = 'gen-prompt';
    prompt.textContent = r.prompt;
    // Text nodes only (the prompt comes from the link): the departing token is a <mark> around its characters.
    if (departure?.kind !== 'at') pre.append(prompt, text);
    else {
      const mark = document.createElement('mark');
      mark.title = `From here on (${r.unit} ${departure.token}) this text departs from the dense model’s`;
      mark.textContent = text.slice(departure.start, departure.end);
      pre.append(prompt, text.slice(0, departure.start), mark, text.slice(departure.end));
    }
    figure.append(caption, pre);
    return figure;
  }

  /** The texts as .txt and .csv files (model, method, perplexity, first difference, text), made when asked for. */
  private downloads(r: ModelGenerateJobResult): HTMLElement {
    const stem = `generated-text-${r.pattern === 'unstructured' ? `p${r.sparsity}` : r.pattern.replace(':', 'of')}-${r.mode}-${r.temperature === 0 ? 'greedy' : `seed${r.seed}-t${r.temperature}`}`;
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
    const pruned = r.runs.map((x) => `${prunedWith(x)} ${departureText(x.departure, r.unit)}, agreement ${percent(x.agreement.agreement, 1)}`).join('; ');
    return `Done in ${num(last.elapsedMs / 1000)} s (${decodingText(r)}). First departure from the dense text: ${pruned}.`;
  }
}

customElements.define(WIDGET.tag, GeneratedText);
