/**
 * The model jobs: prune a shipped transformer with one or more methods (and show
 * every head's attention pattern on a prompt), continue a prompt with the dense
 * and the pruned models, and sweep the sparsity. Each is the CLI's computation
 * (`model-prune`, `generate --prune`, `sweep`) on the page's sequences.
 */
import { isBrownModel } from '../model/config.ts';
import { unknownWordsMessage } from '../model/wordTokenizer.ts';
import type { Job, ModelGenerateJobResult, ModelPruneJobResult, ModelSweepJobResult } from './protocol.ts';
import {
  agreementInSession,
  attentionOf,
  checkMethods,
  checkSettings,
  granularityOf,
  header,
  methodRun,
  openSession,
  pruneInSession,
  pruningOf,
  recipesOf,
  recipeText,
  refitsOf,
  scoreInSession,
  type PruneOutcome,
  viewTokens,
  type ModelHost,
} from './modelSession.ts';
import { MODEL_METHOD_IDS } from '../core/methods.ts';
import { sweepModel, validateSweepPlan } from '../model/sweep.ts';

export async function runModelPrune(job: Extract<Job, { kind: 'modelPrune' }>, host: ModelHost): Promise<ModelPruneJobResult> {
  const start = performance.now();
  const s = job.settings;
  checkSettings(s);
  checkMethods(job.methods, MODEL_METHOD_IDS);
  const session = await openSession(host, s.model, s.calibText);
  const { granularity, sparsity } = granularityOf(s.pattern, s.sparsity, session.model.config.dModel);
  const tLoaded = performance.now();
  const recipes = recipesOf(job.methods, refitsOf(s));
  const step = stepper(host, recipes.length * (headsOf(session) + 1));
  const { headLogitsOf } = await import('../model/prune.ts');

  let pruneMs = 0;
  let scoreMs = 0;
  const runs = [];
  const results = [];
  for (const { method, refit } of recipes) {
    const t0 = performance.now();
    const name = recipeText(method, refit);
    const outcome = await pruneInSession(session, { method, sparsity, granularity, mode: s.mode, gd: s.gd, refit }, host, () => step(`pruning with ${name}`));
    const t1 = performance.now();
    const score = await scoreInSession(session, outcome.result);
    step(`scoring the model pruned with ${name}`);
    await host.pause();
    pruneMs += t1 - t0;
    scoreMs += performance.now() - t1;
    results.push(outcome.result);
    runs.push(await methodRun(session, outcome, score));
  }
  let view: ModelPruneJobResult['view'];
  if (job.view) {
    const { ids, tokens } = await viewTokens(session, job.view);
    const c = session.model.config;
    view = {
      tokens,
      ids: Array.from(ids),
      T: ids.length,
      nLayers: c.nLayers,
      nHeads: c.nHeads,
      dense: await attentionOf(session, ids),
      pruned: await Promise.all(results.map((r) => attentionOf(session, ids, headLogitsOf(r)))),
    };
  }
  return {
    ...header(session, s.mode),
    sparsity,
    pattern: s.pattern,
    runs,
    ...(view ? { view } : {}),
    timeMs: { load: tLoaded - start, prune: pruneMs, evaluate: scoreMs, total: performance.now() - start },
  };
}

export async function runModelGenerate(job: Extract<Job, { kind: 'modelGenerate' }>, host: ModelHost): Promise<ModelGenerateJobResult> {
  const start = performance.now();
  const s = job.settings;
  checkSettings(s);
  checkMethods(job.methods, MODEL_METHOD_IDS);
  if (!(Number.isInteger(job.tokens) && job.tokens >= 1 && job.tokens <= 1000))
    throw new Error(`the number of characters to generate must be an integer from 1 to 1000 (got ${job.tokens})`);
  if (!(Number.isFinite(job.temperature) && job.temperature >= 0 && job.temperature <= 10))
    throw new Error(`the temperature must be a number in [0, 10] (got ${job.temperature})`);
  if (!(Number.isInteger(job.seed) && job.seed >= 0)) throw new Error(`the seed must be an integer ≥ 0 (got ${job.seed})`);
  // Refused before anything loads: the induction model's tokens are not text.
  if (!isBrownModel(s.model)) throw new Error('text generation applies to the Brown models (the induction model has no text)');
  const session = await openSession(host, s.model, s.calibText);
  const unknown = session.model.tokenizer.findUnknown(job.prompt);
  if (unknown.length) {
    const tok = session.model.tokenizer;
    if (tok.kind === 'word') throw new Error(unknownWordsMessage(tok, job.prompt));
    throw new Error(`the prompt has ${unknown.length} character(s) the model does not know: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`);
  }
  const { granularity, sparsity } = granularityOf(s.pattern, s.sparsity, session.model.config.dModel);
  const tLoaded = performance.now();
  const [{ generate }, { headLogitsOf }, { textDeparture, tokenUnit }] = await Promise.all([
    import('../model/transformer.ts'),
    import('../model/prune.ts'),
    import('../model/textAgreement.ts'),
  ]);
  const recipes = recipesOf(job.methods, refitsOf(s));
  const step = stepper(host, recipes.length * (headsOf(session) + 2) + 1);
  let pruneMs = 0;
  let genMs = 0;
  let t = performance.now();
  const dense = generate(session.model, job.prompt, job.tokens, job.seed, job.temperature);
  genMs += performance.now() - t;
  step('writing with the dense model');
  await host.pause();
  const runs = [];
  for (const { method, refit } of recipes) {
    t = performance.now();
    const name = recipeText(method, refit);
    const outcome = await pruneInSession(session, { method, sparsity, granularity, mode: s.mode, gd: s.gd, refit }, host, () => step(`pruning with ${name}`));
    const result = outcome.result;
    pruneMs += performance.now() - t;
    const score = await scoreInSession(session, result);
    step(`scoring the model pruned with ${name}`);
    t = performance.now();
    const written = generate(session.model, job.prompt, job.tokens, job.seed, job.temperature, { headLogits: headLogitsOf(result) });
    genMs += performance.now() - t;
    step(`writing with the model pruned by ${name}`);
    await host.pause();
    runs.push({
      method,
      refit,
      text: written.continuation,
      pruned: score,
      // Decoded after the prompt, as the shown continuation is (a word model spaces and capitalises from it).
      departure: textDeparture((ids) => session.model.tokenizer.decodeAfter(written.context, ids), dense.ids, written.ids),
      // From the scoring pass just run (or cached with it): no forward pass of its own.
      agreement: await agreementInSession(session, result),
      pruning: pruningOf(outcome),
    });
  }
  return {
    ...header(session, s.mode),
    sparsity,
    pattern: s.pattern,
    prompt: job.prompt,
    seed: job.seed,
    temperature: job.temperature,
    tokens: job.tokens,
    denseText: dense.continuation,
    unit: tokenUnit(session.model.tokenizer.vocabulary),
    runs,
    timeMs: { load: tLoaded - start, prune: pruneMs, generate: genMs, total: performance.now() - start },
  };
}

export async function runModelSweep(job: Extract<Job, { kind: 'modelSweep' }>, host: ModelHost): Promise<ModelSweepJobResult> {
  const start = performance.now();
  const s = job.settings;
  checkSettings(s);
  checkMethods(job.methods, MODEL_METHOD_IDS);
  const plan = {
    methods: job.methods,
    refits: refitsOf(s),
    sparsities: job.sparsities,
    mode: s.mode,
    granularity: { kind: 'unstructured' } as const,
    gd: s.gd,
  };
  validateSweepPlan(plan);
  const session = await openSession(host, s.model, s.calibText);
  const tLoaded = performance.now();
  const step = stepper(host, job.methods.length * plan.refits.length * job.sparsities.length * (headsOf(session) + 1));
  const outcomes: PruneOutcome[] = [];
  const cells = await sweepModel(plan, {
    prune: async (spec) => {
      const o = await pruneInSession(session, spec, host, () => step(`pruning with ${recipeText(spec.method, spec.refit)} at sparsity ${spec.sparsity}`));
      outcomes.push(o);
      return o.result;
    },
    score: (result) => scoreInSession(session, result),
    afterCell: async (c) => {
      step(`scoring ${recipeText(c.method, c.refit)} at sparsity ${c.sparsity}`);
      await host.pause();
    },
  });
  // sweepModel prunes once per cell, in the cells' order.
  const rows = cells.map((c, i) => ({
    method: c.method,
    refit: c.refit,
    sparsity: c.sparsity,
    evaluations: c.evaluations,
    score: c.score,
    meanAttentionError: c.meanAttentionError,
    pruning: pruningOf(outcomes[i]),
  }));
  return { ...header(session, s.mode), rows, timeMs: { load: tLoaded - start, total: performance.now() - start } };
}

/** The number of attention heads a session's model prunes. */
function headsOf(session: { model: { config: { nLayers: number; nHeads: number } } }): number {
  return session.model.config.nLayers * session.model.config.nHeads;
}

/** A progress counter: each call reports one more of `total` steps, with what is being done. */
function stepper(host: ModelHost, total: number): (stage: string) => void {
  let done = 0;
  return (stage) => host.progress({ done: ++done, total, stage });
}
