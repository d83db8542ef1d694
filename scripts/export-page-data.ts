/**
 * Writes the small data files the model-pruner widget loads instead of the 5 MB
 * corpus, with the very functions the CLI's `model-prune` uses (seed 1, its defaults):
 *   public/data/brown-char-calibration.json  8 calibration windows (strings) and the
 *                                            first 32 validation windows (strings)
 *   public/data/brown-word-calibration.json  the same for brown-word (64 words and marks a
 *                                            window; words outside its vocabulary as <unk>)
 *   public/data/induction-eval.json          the first 32 validation sequences and their
 *                                            scored masks, and 8 calibration sequences
 * Run: npm run export:page-data
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { mulberry32, subSeed } from '../src/core/random.ts';
import { loadModelNode } from '../src/model/weights.ts';
import { randomWindows } from '../src/model/evaluate.ts';
import { brownText, evalWindows } from '../src/model/data/brown.ts';
import { inductionBatch, inductionValidation } from '../src/model/induction.ts';
import { tokenNoun } from '../src/model/tokenizer.ts';
import { MODEL_PAGE_DATA } from '../src/jobs/modelSession.ts';

export const PAGE_SEED = 1;
export const PAGE_CALIB_SEQS = 8;
export const PAGE_EVAL_SEQS = 32;

const outDir = decodeURIComponent(new URL('../public/data/', import.meta.url).pathname);
mkdirSync(outDir, { recursive: true });

// The Brown models: as in src/cli/pruneCommands.ts setup() without --calib-text.
for (const name of ['brown-char', 'brown-word'] as const) {
  const model = await loadModelNode(name);
  const T = model.config.contextLength;
  const unit = tokenNoun(model.tokenizer.kind, 2);
  const rng = mulberry32(subSeed(PAGE_SEED, 'calibration'));
  const calib = randomWindows(model.tokenizer.encode(brownText('train')), T, PAGE_CALIB_SEQS, rng);
  const evals = evalWindows(model.tokenizer.encode(brownText('val')), T).slice(0, PAGE_EVAL_SEQS);
  const calibration = calib.map((w) => model.tokenizer.decode(w));
  const evaluation = evals.map((w) => model.tokenizer.decode(w));
  // The strings must encode back to exactly the same tokens.
  calibration.forEach((s, i) => {
    if (model.tokenizer.encode(s).join() !== calib[i].join()) throw new Error(`${name}: calibration window ${i} does not round-trip`);
  });
  evaluation.forEach((s, i) => {
    if (model.tokenizer.encode(s).join() !== evals[i].join()) throw new Error(`${name}: evaluation window ${i} does not round-trip`);
  });
  const json = {
    model: name,
    seed: PAGE_SEED,
    contextLength: T,
    calibrationSource: `${PAGE_CALIB_SEQS} windows of ${T} ${unit} at seeded random offsets of the training split (seed ${PAGE_SEED})`,
    evaluationSource: `the first ${evaluation.length} validation windows of ${T + 1} ${unit}`,
    calibration,
    evaluation,
  };
  writeFileSync(outDir + MODEL_PAGE_DATA[name], JSON.stringify(json) + '\n');
}

// induction: as in src/cli/pruneCommands.ts setup().
{
  const model = await loadModelNode('induction');
  const T = model.config.contextLength;
  const rng = mulberry32(subSeed(PAGE_SEED, 'calibration'));
  const calibration = inductionBatch(rng, PAGE_CALIB_SEQS).sequences.map((s) => Array.from(s.slice(0, T)));
  const val = inductionValidation();
  const json = {
    model: 'induction',
    seed: PAGE_SEED,
    contextLength: T,
    calibrationSource: `${PAGE_CALIB_SEQS} induction training sequences (seed ${PAGE_SEED})`,
    evaluationSource: `the first ${PAGE_EVAL_SEQS} validation sequences, scored on the repeated half`,
    calibration,
    sequences: val.sequences.slice(0, PAGE_EVAL_SEQS).map((s) => Array.from(s)),
    scored: val.scored.slice(0, PAGE_EVAL_SEQS).map((s) => Array.from(s)),
  };
  writeFileSync(outDir + 'induction-eval.json', JSON.stringify(json) + '\n');
}
process.stdout.write(
  `wrote ${Object.values(MODEL_PAGE_DATA)
    .map((f) => outDir + f)
    .join(', ')}\n`,
);
