/**
 * The numbers of the chapter "Pruning a real transformer", read from the shipped
 * models' manifests (written by `npm run train`) and the page's calibration data
 * (written by `npm run export:page-data`), so the prose cannot drift from them.
 *
 *   npx tsx src/site/numbers/realModel.ts      # the numbers, as JSON
 */
import type { SavedSweep } from '../../model/sweep.ts';
import brown from '../../../public/models/brown-char/manifest.json';
import word from '../../../public/models/brown-word/manifest.json';
import induction from '../../../public/models/induction/manifest.json';
import pageData from '../../../public/data/brown-char-calibration.json';
import wordPageData from '../../../public/data/brown-word-calibration.json';
import pageSweeps from '../../../public/data/page-sweeps.json';
import { claimsFor } from './claims.ts';
import { BASELINE_METHOD_IDS } from '../../core/methods.ts';

/**
 * What the dense brown-word writes greedily after "It was" (the text figure's default prompt), quoted
 * by the chapter as its example of a greedy loop; test/parity/brown-word.test.ts checks that the
 * model still writes it.
 */
export const GREEDY_LOOP_EXAMPLE = { prompt: 'It was', text: 'He was a man, and he was a man.' } as const;

const claim = claimsFor('chapter "Pruning a real transformer" (src/site/numbers/realModel.ts)');

export function realModel() {
  const c = brown.config;
  const dh = c.dModel / c.nHeads;
  const heads = c.nLayers * c.nHeads;
  const merged = c.dModel ** 2;
  const factored = 2 * c.dModel * dh;
  const m = brown.metrics;
  const page = m.val_subset;
  claim(m.val_perplexity < m.bigram_val_perplexity, 'the model beats the character bigram');
  claim(/first 32 validation windows/.test(page.description) && pageData.evaluation.length === 32, 'the manifest’s subset is the page’s 32 evaluation windows');
  claim(induction.metrics.val_accuracy > 0.99, 'the induction model copies (almost) perfectly');
  return {
    layers: c.nLayers,
    headsPerLayer: c.nHeads,
    heads,
    d: c.dModel,
    dh,
    context: c.contextLength,
    mlp: c.dMlp,
    vocab: c.vocabSize,
    steps: brown.training.steps,
    trainMinutes: brown.training.training_seconds / 60,
    trainChars: brown.data.train_chars,
    valPerplexity: m.val_perplexity,
    bigramPerplexity: m.bigram_val_perplexity,
    pagePerplexity: Math.exp(page.cross_entropy),
    pageTokens: page.tokens,
    weightsKB: brown.weights.bytes / 1000,
    inductionWeightsKB: induction.weights.bytes / 1000,
    induction: {
      vocab: induction.config.vocabSize,
      context: induction.config.contextLength,
      accuracy: induction.metrics.val_accuracy,
      chance: induction.metrics.chance_accuracy,
      allPositionsCE: induction.metrics.val_all_positions_cross_entropy,
    },
    word: wordModel(),
    merged,
    factored,
    mergedModel: heads * merged,
    factoredModel: heads * factored,
    breakEven: 1 - (2 * dh) / c.dModel,
    calibWindows: pageData.calibration.length,
  };
}

/** brown-word, the model the chapter's widgets open on (same shape as brown-char but for its vocabulary). */
function wordModel() {
  const c = word.config;
  const m = word.metrics;
  claim(c.dModel === brown.config.dModel && c.nHeads === brown.config.nHeads && c.nLayers === brown.config.nLayers, 'brown-word has brown-char’s shape');
  claim(m.val_perplexity < m.unigram_val_perplexity, 'the word model beats the word-count (unigram) model');
  claim(
    /first 32 validation windows/.test(m.val_subset.description) && wordPageData.evaluation.length === 32,
    'the word manifest’s subset is the page’s 32 evaluation windows',
  );
  return {
    vocab: c.vocabSize,
    words: c.vocabSize - 2,
    context: c.contextLength,
    steps: word.training.steps,
    batch: word.training.batch_size,
    tokensSeen: word.training.tokens_seen,
    trainTokens: word.data.train_tokens,
    trainMinutes: word.training.training_seconds / 60,
    valPerplexity: m.val_perplexity,
    unigramPerplexity: m.unigram_val_perplexity,
    unknownShare: m.val_unknown_share,
    pagePerplexity: Math.exp(m.val_subset.cross_entropy),
    pageTokens: m.val_subset.tokens,
    weightsKB: word.weights.bytes / 1000,
    calibWindows: wordPageData.calibration.length,
  };
}

/**
 * What the page's precomputed sweep (brown-word by default, merged, masks with no refit; `npm run
 * precompute:page`) says about gradient descent against the baselines (every published
 * baseline of the registry), and about our attention swap search, for the sentence under
 * the sweep widget.
 */
export function pageSweepFinding(model: 'brown-word' | 'brown-char' = 'brown-word') {
  const sweep = (pageSweeps.sweeps as SavedSweep[]).find((s) => s.model === model && s.mode === 'merged');
  claim(sweep !== undefined, `the page sweep has ${model}, merged`);
  const rows = sweep!.rows.filter((r) => r.method === 'dense' || (r.refit ?? 'none') === 'none');
  const ppl = (m: string, p: number): number => {
    const r = rows.find((x) => x.method === m && x.sparsity === p);
    if (r?.perplexity === undefined) throw new Error(`public/data/page-sweeps.json: no ${m} row at ${p} (run npm run precompute:page)`);
    return r.perplexity;
  };
  const dense = rows.find((r) => r.method === 'dense')!.perplexity!;
  const sparsities = [...new Set(rows.filter((r) => r.method !== 'dense').map((r) => r.sparsity))].sort((a, b) => a - b);
  const baselines: readonly string[] = BASELINE_METHOD_IDS;
  const gdBest = sparsities.filter((p) => baselines.every((m) => ppl('gd', p) < ppl(m, p)));
  const lowest = sparsities[0];
  const top = sparsities.at(-1)!;
  const bestBaselineAt = (p: number): { method: string; perplexity: number } =>
    baselines.map((m) => ({ method: m, perplexity: ppl(m, p) })).reduce((a, b) => (b.perplexity < a.perplexity ? b : a));
  // Our attention swap search (no refit) against the baselines and Algorithm 1, and beside its linear twin.
  const oursBest = sparsities.filter((p) => [...baselines, 'gd'].every((m) => ppl('swap', p) < ppl(m, p)));
  // How much pruning costs at all: every method but the random mask, at 50 % and at the top sparsity.
  const methods = [...new Set(rows.filter((r) => r.method !== 'dense' && r.method !== 'random').map((r) => r.method))];
  const at = (p: number) => methods.map((m) => ppl(m, p));
  return {
    model,
    dense,
    worstHalf: Math.max(...at(0.5)),
    topRange: [Math.min(...at(top)), Math.max(...at(top))] as const,
    lowest,
    top,
    gdBest,
    oursBest,
    gdLowest: ppl('gd', lowest),
    bestLowest: bestBaselineAt(lowest),
    gdTop: ppl('gd', top),
    bestTop: bestBaselineAt(top),
    oursTop: ppl('swap', top),
    twinTop: ppl('swap-linear', top),
    randomTop: ppl('random', top),
    oursHalf: ppl('swap', 0.5),
    twinHalf: ppl('swap-linear', 0.5),
    bestHalf: bestBaselineAt(0.5),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ ...realModel(), pageSweep: pageSweepFinding() }, null, 2));
