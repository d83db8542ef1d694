/**
 * "Your own model" (chapter 8, issue 18 item 5): the reader drops a GPT-2 `model.safetensors`
 * (and optionally its `config.json`) on the page; it is read on this device only. The header is
 * checked at once on the main thread (bad files are explained in words, the summary and the
 * estimate shown); Run opens the model in the primary worker, calibrates on the shipped
 * training text, scores the dense model on the chosen text, prunes the chosen layers' heads
 * with each method and refit of the registry across the pool of workers, and scores, draws
 * and writes with each pruned model. Every number comes from the functions the CLI runs
 * (src/jobs/ownModel.ts). The pruned checkpoint downloads as safetensors (factored mode).
 */
import { type Preset, WidgetBase } from '../../ui/widget-base.ts';
import { type Schema, pickedOptions } from '../../ui/state.ts';
import { MODEL_METHOD_IDS, REFIT_IDS, type ModelMethodId, type RefitId } from '../../core/methods.ts';
import { MODEL_GD_FIELDS, MODEL_GD_HINTS, gdSwitch } from '../../ui/gdForm.ts';
import { REFITS_FIELD, REFITS_HELP } from '../../ui/recipes.ts';
import { num } from '../../ui/format.ts';
import { JobError } from '../../worker/client.ts';
import { modelClient } from '../model-pruner/modelWidget.ts';
import { granularityOf, recipesOf, recipeText } from '../../jobs/modelSession.ts';
import { OwnModelPool, poolSize } from '../../worker/ownModelPool.ts';
import type { ModelPruneSpec, PrunedHead } from '../../model/prune.ts';
import { withBase } from '../../site/base.ts';
import { ConfigFileError, type HeaderSummary, inPageWords, parseConfigText, readCheckpointHeader } from './checkpointHeader.ts';
import { calibrationPasses, estimateMs, forwardTokens, headUnit, type OwnRunSize, recordRun, SCALE_LIMIT } from './costs.ts';
import { drawOwnResult, type OwnResult, type OwnRun, summaryList } from './view.ts';
import { FileBox } from './fileBox.ts';
import { DEMO_FILE, WIDGET } from './widget.ts';
import { parseLayers } from './layers.ts';

const schema = {
  methods: { kind: 'set', label: 'methods', default: 'magnitude,wanda,sparsegpt', options: MODEL_METHOD_IDS },
  refits: REFITS_FIELD,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 },
  pattern: { kind: 'enum', label: 'pattern', default: 'unstructured', options: ['unstructured', '2:4', '4:8'] },
  mode: { kind: 'enum', label: 'mask on', default: 'factored', options: ['factored', 'merged'] },
  layers: { kind: 'text', label: 'layers to prune', default: '0', maxLength: 200 },
  evaluation: { kind: 'enum', label: 'text scored', default: 'shipped text', options: ['shipped text', 'my text'] },
  myText: { kind: 'text', label: 'your text (scored when “my text” is chosen)', default: '', maxLength: 100_000, multiline: true, linkMaxLength: 2000 },
  layer: { kind: 'int', label: 'layer shown', default: 0, min: 0, max: 99 },
  head: { kind: 'int', label: 'head shown', default: 0, min: 0, max: 99 },
  prompt: { kind: 'text', label: 'prompt to continue', default: 'The jury said', maxLength: 500 },
  tokens: { kind: 'int', label: 'tokens to write (greedy)', default: 20, min: 1, max: 64 },
  nHead: { kind: 'int', label: 'heads (when config.json is not given)', default: 0, min: 0, max: 256 },
  ...MODEL_GD_FIELDS,
} as const satisfies Schema;

async function shippedText(name: 'calibration' | 'evaluation'): Promise<string> {
  const r = await fetch(withBase(`/data/gpt2-${name}.txt`));
  if (!r.ok) throw new Error(`the site's ${name} text could not be read (HTTP ${r.status})`);
  return r.text();
}

export class OwnModel extends WidgetBase<typeof schema> {
  readonly schema = schema;
  // The base class's client is not used (the model lives in this widget's own pool); the page's shared one costs nothing more.
  protected override client = modelClient();
  protected override readonly startOn = 'click';
  protected override readonly stoppable = true;
  protected readonly legend = 'Methods, sparsity, layers and text';
  protected override readonly switches = [gdSwitch()];
  protected override readonly presets: readonly Preset<typeof schema>[] = [
    { label: 'linear baselines', state: { methods: 'magnitude,wanda,sparsegpt', refits: 'none' } },
    {
      label: 'with Algorithm 1',
      state: { methods: 'gd,magnitude,wanda,sparsegpt', refits: 'none' },
      note: 'Algorithm 1 runs gradient descent on every head: the longest run.',
    },
  ];
  override readonly hints = {
    methods: { help: 'Each method prunes its own copy of the model: the project’s registry of methods, as in the model pruner above.' },
    refits: { help: REFITS_HELP },
    ...MODEL_GD_HINTS,
    sparsity: { help: 'The fraction of each head’s W_Q and W_K entries set to zero (ignored for 2:4 and 4:8).' },
    mode: {
      help: 'factored: masks on the head’s columns of W_Q and W_K in c_attn, biases kept (a checkpoint can hold it). merged: one mask on W̃_h over [X, 1], the biases folded in ((d+1)×(d+1)); it cannot be saved as GPT-2 weights.',
    },
    layers: { help: 'Which layers’ heads are pruned: e.g. 0, or 0,3, or 0-2, or all. Every head of each.' },
    evaluation: { help: 'shipped text: 5,300 characters of the Brown corpus’s validation files (about 1,075 GPT-2 tokens). my text: the text below.' },
    layer: { help: 'Which head’s attention map to draw (this does not rerun the pruning).' },
    head: { help: 'Heads count from 0.' },
    prompt: { help: 'Continued greedily (the most likely token each time) by the dense model and by each pruned one.' },
    nHead: { help: '0: from config.json, or GPT-2’s standard widths (768: 12 heads, 1024: 16, 1280: 20, 1600: 25).' },
  };

  private readonly pool = new OwnModelPool();
  private fileBox!: FileBox;
  private picked: { file: File; configJson?: unknown; configName?: string } | undefined;
  /** Counts file checks started, so that only the newest one shows its result. */
  private pickGeneration = 0;
  private header: HeaderSummary | undefined;
  /** What the primary worker has open and prepared (file, config and texts), to skip reloading. */
  private openKey = '';
  private preparedKey = '';
  private prepared: OwnResult['prepared'] | undefined;
  private last: OwnResult | undefined;

  override connectedCallback(): void {
    const first = !this.fileBox;
    super.connectedCallback();
    if (!first) return;
    this.fileBox = new FileBox((file, config) => void this.pick(file, config));
    this.prepend(this.fileBox.element);
    // The number of heads decides how the file reads: check it again.
    this.controls.addEventListener('change', (e) => {
      if ((e.target as HTMLInputElement).name === 'nHead' && this.picked) void this.pick(this.picked.file, this.fileBox.config);
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.pool.stop();
  }

  override stop(): void {
    super.stop();
    // A head's solver cannot be interrupted: the workers end now; the next Run opens the model again.
    this.pool.stop();
    this.openKey = '';
    this.preparedKey = '';
  }

  private nHead(): number | undefined {
    return this.state.nHead > 0 ? this.state.nHead : undefined;
  }

  /** A file (and maybe config.json) was chosen or dropped: check the header now and show the summary or the words. */
  private async pick(file: File | undefined, config: File | undefined, during?: 'run'): Promise<void> {
    // Files chosen one after the other (model, then config.json) start overlapping checks:
    // only the newest may show its result, or a slower stale check would overwrite it.
    const generation = ++this.pickGeneration;
    const stale = (): boolean => generation !== this.pickGeneration;
    this.header = undefined;
    this.last = undefined;
    this.output.replaceChildren();
    this.picked = undefined;
    if (!file) {
      this.fileBox.showError(config ? 'Choose the model.safetensors file too (config.json alone holds no weights).' : '');
      this.setStatus('idle', this.idleText());
      return;
    }
    try {
      const configJson = config ? parseConfigText(await config.text()) : undefined;
      if (stale()) return;
      this.picked = { file, configJson, configName: config?.name };
      const header = await readCheckpointHeader(file, configJson, this.nHead());
      if (stale()) return;
      this.header = header;
      this.fileBox.showError('');
      this.fileBox.showSummary(summaryList(this.header, file.name, config?.name));
      if (during !== 'run') this.setStatus('idle', this.idleText());
    } catch (e) {
      if (stale()) return;
      const words = inPageWords(e instanceof Error ? e.message : String(e));
      const what = e instanceof ConfigFileError ? 'config.json' : `“${file.name}”`;
      this.fileBox.showSummary(undefined);
      this.fileBox.showError(`${what} cannot be used: ${words}.`);
      this.setStatus('error', `The file cannot be used: ${words}.`);
    }
  }

  /** The demo checkpoint: the project's tiny random GPT-2 test fixture, shipped with the site. */
  private async useDemo(): Promise<void> {
    this.progress('No file chosen: fetching the demo checkpoint (a tiny random GPT-2, 1.6 MB)…');
    const get = async (name: string, type: string): Promise<File> => {
      const r = await fetch(withBase(`/data/${name}`));
      if (!r.ok) throw new Error(`the demo checkpoint could not be read (HTTP ${r.status})`);
      return new File([await r.blob()], name, { type });
    };
    const [file, config] = await Promise.all([get(DEMO_FILE, 'application/octet-stream'), get('gpt2-demo-config.json', 'application/json')]);
    await this.pick(file, config, 'run');
  }

  private size(): OwnRunSize | undefined {
    const h = this.header;
    if (!h || !this.picked) return undefined;
    let layers: number[];
    try {
      layers = parseLayers(this.state.layers, h.layers);
    } catch {
      return undefined;
    }
    const window = h.positions;
    return {
      bytes: h.bytes,
      parameters: h.parameters,
      calibrationTokens: calibrationPasses(8 * window, layers, h.layers),
      evaluationTokens: this.state.evaluation === 'my text' ? Math.ceil(this.state.myText.length / 4) : 1075,
      // About 4 characters per GPT-2 token; each step's pass covers the prompt and the tokens so far (at most the context).
      generationTokens: this.state.tokens * Math.min(window, Math.ceil(this.state.prompt.length / 4) + 1 + this.state.tokens / 2),
      heads: layers.length * h.heads,
      // GPT-2's c_attn always has Q/K biases (folded in merged mode).
      headUnit: headUnit({ rows: 8 * window, window, dModel: h.dModel, nHeads: h.heads, qkBias: true }, this.state.mode),
      workers: Math.min(poolSize(), h.heads),
      mode: this.state.mode,
      recipes: this.recipes(),
      loaded: this.openKey !== '' && this.openKey === this.fileKey(),
    };
  }

  private recipes(): { method: ModelMethodId; refit: RefitId }[] {
    return recipesOf(pickedOptions(MODEL_METHOD_IDS, this.state.methods), pickedOptions(REFIT_IDS, this.state.refits));
  }

  protected override idleText(): string {
    if (!this.picked || !this.header)
      return 'Press Run to try the demo checkpoint (a tiny GPT-2 with random weights, 2 layers of 4 heads: the project’s test fixture, not a trained model), or first choose your own model.safetensors above (and its config.json if you have it): the file is read on this device only. No time measured on this device yet for your model: the estimate appears once its header is read.';
    const s = this.size();
    if (!s)
      return 'Press Run once the layers to prune name layers of this model (see the field’s help). No time measured on this device yet for these settings.';
    const e = estimateMs(s);
    const what = `Press Run to prune ${s.heads} heads with ${s.recipes.length} run${s.recipes.length === 1 ? '' : 's'} (${s.recipes.map((r) => recipeText(r.method, r.refit)).join(', ')}) on ${s.workers} worker${s.workers === 1 ? '' : 's'}, and score each pruned model.`;
    return e.ms !== undefined
      ? `${what} Estimated time on this device: about ${num(Math.max(0.1, e.ms / 1000), 2)} s (from costs measured by earlier runs here, scaled to this model).`
      : `${what} No time measured on this device yet for a model of this size (${e.unmeasured.join(', ')} not timed here on one within ${SCALE_LIMIT} times its size): once the first heads are done, the progress line estimates the time left.`;
  }

  private fileKey(): string {
    const p = this.picked;
    return p
      ? JSON.stringify([p.file.name, p.file.size, p.file.lastModified, p.configName ?? null, JSON.stringify(p.configJson ?? null), this.nHead() ?? 0])
      : '';
  }

  /** Runs under way: a newer one (a setting changed mid-run) ends the older one's pruning at once. */
  private runsInFlight = 0;

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    if (this.runsInFlight > 0) this.pool.stopPruning();
    this.runsInFlight++;
    try {
      await this.runOnce(signal);
    } finally {
      this.runsInFlight--;
    }
  }

  private async runOnce(signal: { readonly stale: boolean }): Promise<void> {
    // No file chosen: the demo checkpoint, so that Run always shows what the widget does.
    if (!this.picked) await this.useDemo();
    const picked = this.picked;
    const header = this.header;
    if (!picked || !header) {
      this.output.replaceChildren();
      throw new JobError('the file chosen cannot be used (the message above says why): choose another, or reload the page to try the demo checkpoint', 'input');
    }
    const s = this.state;
    const layers = parseLayers(s.layers, header.layers);
    const recipes = this.recipes();
    const size = this.size()!;
    const estimate = estimateMs(size).ms;
    if (s.evaluation === 'my text' && s.myText.trim() === '') throw new JobError('paste a text to score in “your text”, or choose the shipped text', 'input');
    const rows = s.mode === 'merged' ? header.dModel + 1 : header.dModel;
    let nm: ReturnType<typeof granularityOf>;
    try {
      nm = granularityOf(s.pattern, s.sparsity, rows);
    } catch (e) {
      throw new JobError(`${(e as Error).message} (the ${s.mode} matrices have ${rows} rows)`, 'input');
    }
    const stale = (): void => {
      if (signal.stale) throw new JobError('cancelled', 'cancelled');
    };
    const t0 = performance.now();
    let loadMs: number | undefined;
    const key = this.fileKey();
    if (this.openKey !== key) {
      this.progress('Opening the model in a worker (the file is read on this device)…');
      this.openKey = '';
      this.preparedKey = '';
      await this.pool.primary.call('open', { file: picked.file, configJson: picked.configJson, nHead: this.nHead(), name: picked.file.name });
      this.openKey = key;
      loadMs = performance.now() - t0;
    }
    stale();
    const [calibText, evalText] = await Promise.all([
      shippedText('calibration'),
      s.evaluation === 'my text' ? Promise.resolve(s.myText) : shippedText('evaluation'),
    ]);
    const preparedKey = JSON.stringify([key, evalText, layers]);
    let forwardMs = 0;
    let forwardCount = 0;
    if (this.preparedKey !== preparedKey || !this.prepared) {
      this.progress('Calibrating on the shipped training text and scoring the dense model…');
      const t = performance.now();
      this.prepared = await this.pool.primary.call('prepare', { calibText, evalText, layers });
      forwardMs += performance.now() - t;
      forwardCount += calibrationPasses(this.prepared.calibration.tokens, layers, header.layers) + this.prepared.dense.text_tokens;
      this.preparedKey = preparedKey;
    }
    const prepared = this.prepared;
    stale();

    const total = layers.length * header.heads * recipes.length;
    let done = 0;
    const runs: { method: ModelMethodId; refit: RefitId; heads: PrunedHead[]; wallMs: number }[] = recipes.map((r) => ({ ...r, heads: [], wallMs: 0 }));
    const tPrune = performance.now();
    for (const layer of layers) {
      const inputs = await this.pool.primary.call('layer', { layer });
      for (const run of runs) {
        stale();
        const spec: ModelPruneSpec = {
          method: run.method,
          refit: run.refit,
          sparsity: nm.sparsity,
          granularity: nm.granularity,
          mode: s.mode,
          gd: { lambda: s.lambda, eta: s.eta, iters: s.iters, step: s.step, score: s.score },
          seed: 1,
          layers,
        };
        const tLayer = performance.now();
        const heads = await this.pool.pruneLayer(inputs, spec, (h) => {
          this.progress(
            `Pruning layer ${layer} with ${recipeText(run.method, run.refit)}: head ${h.head} done (step ${++done} of ${total}${this.remaining(done, total)})`,
          );
        });
        run.heads.push(...heads);
        // Wall time with the pool's workers: besides the mask and refit, each head's attention metrics and the messages.
        run.wallMs += performance.now() - tLayer;
      }
    }
    const pruneMs = performance.now() - tPrune;
    stale();

    const shown = { layer: Math.min(s.layer, header.layers - 1), head: Math.min(s.head, header.heads - 1) };
    const tScore = performance.now();
    this.progress('Scoring and writing with the dense model…');
    const denseAttention = await this.pool.primary.call('attention', { layer: shown.layer });
    const denseText = await this.pool.primary.call('generate', { prompt: s.prompt, tokens: s.tokens });
    const out: OwnRun[] = [];
    for (const run of runs) {
      stale();
      this.progress(`Scoring and writing with the model pruned by ${recipeText(run.method, run.refit)}…`);
      const heads = run.heads.map(({ layer, head, override }) => ({ layer, head, override }));
      const score = await this.pool.primary.call('score', { heads });
      const attention = await this.pool.primary.call('attention', { layer: shown.layer, heads });
      const text = await this.pool.primary.call('generate', { prompt: s.prompt, tokens: s.tokens, heads });
      out.push({ method: run.method, refit: run.refit, heads: run.heads, score, attention, text, wallMs: run.wallMs });
    }
    forwardMs += performance.now() - tScore;
    forwardCount += forwardTokens({ ...size, loaded: true });
    stale();
    const totalMs = performance.now() - t0;
    recordRun(size, { loadMs, forwardMs, forwardTokens: forwardCount, headMs: runs.map((r) => ({ method: r.method, refit: r.refit, ms: r.wallMs })) });
    this.last = {
      fileName: picked.file.name,
      header,
      prepared,
      layers,
      mode: s.mode,
      sparsity: nm.sparsity,
      pattern: s.pattern,
      shown,
      denseAttention,
      denseText,
      prompt: s.prompt,
      runs: out,
      workers: poolSize(),
      timeMs: { total: totalMs, prune: pruneMs, ...(loadMs !== undefined ? { load: loadMs } : {}) },
      ...(estimate !== undefined ? { estimateMs: estimate } : {}),
    };
    this.draw();
  }

  private draw(): void {
    const r = this.last;
    if (!r) return;
    drawOwnResult(this.output, r, {
      width: this.output.clientWidth || this.clientWidth - 26,
      save: (run, button) => void this.save(r, run, button),
    });
    // For tests and scripts: the numbers behind the table at full precision.
    this.dataset.result = JSON.stringify({
      dense: r.prepared.dense,
      calibration: r.prepared.calibration,
      prepareMs: r.prepared.timeMs,
      runs: r.runs.map((run) => ({
        method: run.method,
        refit: run.refit,
        pruneMs: run.wallMs,
        crossEntropy: run.score.cross_entropy,
        perplexity: run.score.perplexity,
        agreement: run.score.agreement,
        headErrors: run.heads.map((h) => h.metrics.attentionError),
      })),
      layers: r.layers,
      workers: r.workers,
      timeMs: r.timeMs,
      estimateMs: r.estimateMs ?? null,
    });
  }

  protected override redraw(): void {
    this.draw();
  }

  private async save(r: OwnResult, run: OwnRun, button: HTMLButtonElement): Promise<void> {
    const { download } = await import('../../ui/figure.ts');
    button.disabled = true;
    const was = button.textContent;
    button.textContent = 'Writing the file…';
    try {
      const bytes = await this.pool.primary.call('save', {
        heads: run.heads.map(({ layer, head, override }) => ({ layer, head, override })),
        how: {
          method: run.method,
          refit: run.refit,
          sparsity: r.sparsity,
          ...(r.pattern !== 'unstructured' ? { nm: r.pattern } : {}),
          layers: r.layers,
          calibration: `the first ${r.prepared.calibration.sequences} windows of ${r.prepared.calibration.window} tokens of the site's gpt2-calibration.txt (${r.prepared.calibration.textTokens} tokens; the paper: 8 C4 sentences)`,
        },
      });
      const base = r.fileName.replace(/\.safetensors$/i, '');
      download(
        `${base}-pruned-${run.method}${run.refit === 'none' ? '' : `-${run.refit}`}.safetensors`,
        new Blob([bytes as BlobPart], { type: 'application/octet-stream' }),
      );
      button.textContent = was;
    } catch (e) {
      button.textContent = `Could not write the file: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      button.disabled = false;
    }
  }

  protected override doneText(): string {
    const r = this.last;
    if (!r) return 'Done.';
    return `Done: ${r.runs.length * r.layers.length * r.header.heads} heads pruned in ${num(r.timeMs.prune / 1000)} s; perplexity ${num(r.prepared.dense.perplexity, 4)} dense, ${r.runs.map((x) => `${recipeText(x.method, x.refit)} ${num(x.score.perplexity, 4)}`).join(', ')}.`;
  }
}

customElements.define(WIDGET.tag, OwnModel);
