/**
 * What "Your own model" draws: the model's summary; a table of perplexity dense vs pruned per
 * method and refit, with top-1 agreement and mean attention error; each run's attention error
 * per head (layer by head); the chosen head's attention map dense next to each run; the
 * greedy continuations side by side; a download button per run (factored mode), or words
 * saying why a merged pruning cannot be saved. Numbers go through src/ui/format.ts; the
 * model's text (file names, tokens, generated text) only ever becomes textContent.
 */
import type { ModelMethodId, RefitId } from '../../core/methods.ts';
import { recipeLabel } from '../../core/methods.ts';
import type { OwnAttention, OwnPrepared, OwnScore } from '../../jobs/ownModel.ts';
import type { PrunedHead } from '../../model/prune.ts';
import { colorLegend, heatmap, heatmapPlain } from '../../ui/charts/heatmap.ts';
import { applyGrid, fitColumns } from '../../ui/fitGrid.ts';
import { matrixRows, numbersList, renderFigure } from '../../ui/figure.ts';
import { count, num, percentAdaptive } from '../../ui/format.ts';
import { recipeKey } from '../../ui/recipes.ts';
import { table } from '../../ui/table.ts';
import type { HeaderSummary } from './checkpointHeader.ts';
import { DEMO_FILE } from './widget.ts';

export interface OwnRun {
  method: ModelMethodId;
  refit: RefitId;
  heads: PrunedHead[];
  score: OwnScore;
  attention: OwnAttention;
  text: string;
  /** Wall time of this run's pruning, the pool's workers sharing the heads. */
  wallMs: number;
}

export interface OwnResult {
  fileName: string;
  header: HeaderSummary;
  prepared: OwnPrepared;
  layers: number[];
  mode: 'factored' | 'merged';
  sparsity: number;
  pattern: string;
  shown: { layer: number; head: number };
  denseAttention: OwnAttention;
  denseText: string;
  prompt: string;
  runs: OwnRun[];
  workers: number;
  timeMs: { total: number; prune: number; load?: number };
  estimateMs?: number;
}

const MAP_GAP = 12;

const megabytes = (bytes: number): string => `${num(bytes / 1e6, 3)} MB`;

/** The model's summary, read from the header (before anything loads). */
export function summaryList(h: HeaderSummary, fileName: string, configName: string | undefined): HTMLElement {
  return numbersList([
    [
      'File',
      `${fileName} (${megabytes(h.bytes)})${configName ? ` with ${configName}` : ', no config.json'}${fileName === DEMO_FILE ? ': the demo, a GPT-2 with random weights (the project’s test fixture), not a trained model' : ''}`,
    ],
    ['Layers', count(h.layers)],
    ['Heads per layer', `${count(h.heads)} (from ${h.headsFrom}), d_h = ${count(h.dHead)}`],
    ['Width d, MLP width, context', `${count(h.dModel)}, ${count(h.dMlp)}, ${count(h.positions)} tokens`],
    ['Vocabulary', `${count(h.vocab)} tokens`],
    ['Parameters', `${count(h.parameters)}${h.tied ? ' (lm_head tied to the token embedding)' : ' (a separate lm_head)'}`],
    ['Stored as', h.dtypes.join(', ')],
  ]);
}

const meanError = (run: OwnRun): number => run.heads.reduce((a, h) => a + h.metrics.attentionError, 0) / run.heads.length;

export function drawOwnResult(output: HTMLElement, r: OwnResult, o: { width: number; save: (run: OwnRun, button: HTMLButtonElement) => void }): void {
  const d = r.prepared.dense;
  const numbers = numbersList([
    ['Perplexity of the dense model', `${num(d.perplexity, 4)} (cross-entropy ${num(d.cross_entropy, 4)} nats per token)`],
    [
      'Text scored',
      `${count(d.text_tokens)} tokens in ${count(d.windows)} window${d.windows === 1 ? '' : 's'} of up to ${count(d.window)}: ${count(d.tokens)} predictions`,
    ],
    [
      'Calibration',
      `the first ${count(r.prepared.calibration.sequences)} windows of ${count(r.prepared.calibration.window)} tokens of the shipped training text (the paper: 8 C4 sentences)`,
    ],
    [
      'Pruned',
      `every head of layer${r.layers.length === 1 ? '' : 's'} ${r.layers.join(', ')}, ${r.mode} masks, ${r.pattern === 'unstructured' ? `sparsity ${num(r.sparsity)}` : r.pattern}`,
    ],
    [
      'Time',
      `${num(r.timeMs.total / 1000)} s in all (${r.timeMs.load !== undefined ? `opening the file ${num(r.timeMs.load / 1000)} s, ` : ''}pruning ${num(r.timeMs.prune / 1000)} s on ${count(r.workers)} worker${r.workers === 1 ? '' : 's'})${r.estimateMs !== undefined ? `; estimated before Run: ${num(r.estimateMs / 1000)} s` : ''}`,
    ],
  ]);
  const results = table({
    caption: `The text scored by the dense model and by each pruned copy (${r.mode} masks). Top-1 agreement: how often the pruned model’s most likely next token is the dense model’s.`,
    head: ['method', 'perplexity', 'change', 'cross-entropy (nats)', 'top-1 agreement', 'mean attention error', 'pruning time (s)'],
    rows: [
      ['dense', num(d.perplexity, 4), '', num(d.cross_entropy, 4), '100 %', '', ''],
      ...r.runs.map((run) => [
        recipeLabel(run.method, run.refit),
        num(run.score.perplexity, 4),
        `${run.score.perplexity >= d.perplexity ? '+' : ''}${num(run.score.perplexity - d.perplexity, 3)}`,
        num(run.score.cross_entropy, 4),
        `${percentAdaptive(100 * run.score.agreement)} %`,
        num(meanError(run)),
        num(run.wallMs / 1000, 2),
      ]),
    ],
  });
  results.classList.add('own-results');
  output.replaceChildren(numbers, results, errorMaps(r, o.width), attentionMaps(r, o.width), texts(r), downloads(r, o.save));
}

/** Each run's relative attention error per head, layers pruned (rows) by head (columns), on one scale. */
function errorMaps(r: OwnResult, width: number): HTMLElement {
  const box = document.createElement('div');
  const heading = document.createElement('h4');
  heading.textContent = 'Attention error of each pruned head';
  const maps = document.createElement('div');
  maps.className = 'own-maps';
  const fit = fitColumns(width, { min: 220, max: 300, gap: MAP_GAP, most: r.runs.length });
  applyGrid(maps, fit, MAP_GAP);
  const all = r.runs.flatMap((run) => run.heads.map((h) => h.metrics.attentionError));
  const domain: [number, number] = [0, Math.max(...all, 1e-12)];
  const H = r.header.heads;
  for (const run of r.runs) {
    const el = document.createElement('div');
    const worst = run.heads.reduce((a, h) => (h.metrics.attentionError > a.metrics.attentionError ? h : a), run.heads[0]);
    renderFigure(el, {
      title: `${recipeLabel(run.method, run.refit)}: attention error by layer (row) and head (column)`,
      summary: `Relative attention error ‖F′ − F₀‖/‖F₀‖ of each head on the calibration windows; largest ${num(worst.metrics.attentionError)} (layer ${worst.layer}, head ${worst.head}), mean ${num(meanError(run))}.`,
      plot: () =>
        heatmap(
          run.heads.map((h) => h.metrics.attentionError),
          {
            rows: r.layers.length,
            cols: H,
            scheme: 'oranges',
            domain,
            label: 'attention error',
            width: fit.cell,
            xLabel: 'head',
            yLabel: 'layer (pruned ones)',
          },
        ),
      rows: () =>
        run.heads.map((h) => ({
          layer: h.layer,
          head: h.head,
          attention_error: h.metrics.attentionError,
          mean_row_kl: h.metrics.meanRowKL,
          pruned: h.pruned,
          total: h.total,
        })),
      filename: `own-model-errors-${recipeKey(run.method, run.refit)}-${r.mode}`,
    });
    maps.append(el);
  }
  box.append(heading, maps);
  return box;
}

/** The chosen head's attention on the text's first tokens: dense next to each run. */
function attentionMaps(r: OwnResult, width: number): HTMLElement {
  const box = document.createElement('div');
  const { layer, head } = r.shown;
  const v = r.denseAttention;
  const T = v.T;
  const slice = (a: OwnAttention): Float32Array => a.maps.subarray(head * T * T, (head + 1) * T * T);
  const dense = slice(v);
  const heading = document.createElement('h4');
  heading.textContent = `Attention of layer ${layer}, head ${head}${r.layers.includes(layer) ? '' : ' (a layer not pruned: it changes only through the pruned layers before it)'}`;
  const tokens = document.createElement('p');
  tokens.className = 'own-tokens';
  tokens.textContent = `On the first ${T} tokens of the text scored: ${v.tokens.map((t) => `[${t}]`).join(' ')}. Row i is the query at token i, column j the token it attends to.`;
  let hi = 0;
  for (const x of dense) hi = Math.max(hi, x);
  for (const run of r.runs) for (const x of slice(run.attention)) hi = Math.max(hi, x);
  const domain: [number, number] = [0, Math.max(hi, 1e-12)];
  const legend = colorLegend({ domain, label: 'attention weight (same scale in every map)', width: Math.min(320, width) });
  legend.setAttribute('role', 'img');
  legend.setAttribute('aria-label', `Colour scale of the attention maps below: from 0 (light) to ${num(hi, 3)} (dark).`);
  const maps = document.createElement('div');
  maps.className = 'own-maps';
  const fit = fitColumns(width, { min: 200, max: 300, gap: MAP_GAP, most: r.runs.length + 1 });
  applyGrid(maps, fit, MAP_GAP);
  const frob = (a: Float32Array, b?: Float32Array): number => Math.sqrt(a.reduce((s, x, i) => s + (x - (b ? b[i] : 0)) ** 2, 0));
  const map = (data: Float32Array, title: string, summary: string, file: string): void => {
    const el = document.createElement('div');
    renderFigure(el, {
      title,
      summary,
      plot: () => heatmapPlain(data, { rows: T, cols: T, domain, width: fit.cell }),
      rows: () => matrixRows(data, T, T),
      filename: file,
      sharedLegend: legend,
    });
    maps.append(el);
  };
  map(dense, 'Dense', `Layer ${layer}, head ${head} of the unpruned model; each row sums to 1.`, `own-attention-L${layer}H${head}-dense`);
  for (const run of r.runs) {
    const p = slice(run.attention);
    map(
      p,
      recipeLabel(run.method, run.refit),
      `The same head after ${recipeLabel(run.method, run.refit)}: relative difference from the dense map ${num(frob(p, dense) / frob(dense))}.`,
      `own-attention-L${layer}H${head}-${recipeKey(run.method, run.refit)}`,
    );
  }
  box.append(heading, tokens, legend, maps);
  return box;
}

/** The greedy continuations, dense first, as text. */
function texts(r: OwnResult): HTMLElement {
  const box = document.createElement('div');
  box.className = 'own-texts';
  const heading = document.createElement('h4');
  heading.textContent = `“${r.prompt}” continued greedily`;
  const list = document.createElement('dl');
  const add = (who: string, text: string): void => {
    const dt = document.createElement('dt');
    dt.textContent = who;
    const dd = document.createElement('dd');
    dd.textContent = text;
    list.append(dt, dd);
  };
  add('dense', r.denseText);
  for (const run of r.runs) add(recipeLabel(run.method, run.refit), run.text);
  box.append(heading, list);
  return box;
}

function downloads(r: OwnResult, save: (run: OwnRun, button: HTMLButtonElement) => void): HTMLElement {
  const box = document.createElement('div');
  box.className = 'own-downloads';
  const heading = document.createElement('h4');
  heading.textContent = 'The pruned checkpoint';
  box.append(heading);
  if (r.mode === 'merged') {
    const p = document.createElement('p');
    p.textContent =
      'A merged pruning cannot be saved: its W̃_h = [W_Q; b_Qᵀ][W_K; b_Kᵀ]ᵀ/√d_h, pruned, is not a product of GPT-2 weights. Choose factored masks to download a checkpoint.';
    box.append(p);
    return box;
  }
  const p = document.createElement('p');
  p.textContent = `The same file with the pruned heads’ W_Q and W_K columns of c_attn replaced (names, shapes and ${r.header.dtypes.join(', ')} kept; __metadata__ says how it was pruned). It is written here, on this device.`;
  box.append(p);
  for (const run of r.runs) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'own-download';
    b.dataset.method = run.method;
    b.dataset.refit = run.refit;
    b.textContent = `Download the model pruned by ${recipeLabel(run.method, run.refit)}`;
    b.addEventListener('click', () => save(run, b));
    box.append(b);
  }
  return box;
}
