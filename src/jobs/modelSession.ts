/**
 * A shipped model opened in the worker for the model jobs: weights, the page's
 * calibration and evaluation sequences (the CLI's, seed 1, exported by
 * `npm run export:page-data`), the captured calibration X, and caches, so that
 * changing the sparsity or the method does not reload or recalibrate, and gradient
 * descent runs once per head and setting (its relaxed mask does not depend on p).
 */
import { GD_DEFAULTS, type GdOptions } from '../core/gd.ts';
import { parseNM, type Granularity } from '../core/mask.ts';
import { isBrownModel, MODEL_NAMES, type ModelName } from '../model/config.ts';
import type { Model } from '../model/weights.ts';
import type { Calibration, ModelPruneResult, PrunedHead, PruneMode, RelaxedCache } from '../model/prune.ts';
import { isRefitId, type ModelMethodId, type RefitId } from '../core/methods.ts';
import type { EvalSet, Score } from '../model/evaluate.ts';
import type { HeadLogitsFn } from '../model/transformer.ts';
import type { Top1Agreement } from '../model/textAgreement.ts';
import type { AttentionView, ModelJobHeader, ModelMethodRun, ModelScore, ModelSettings, PruningReport, StepProgress } from './protocol.ts';
import { withBase } from '../site/base.ts';

/** What a model job needs from its host (the worker, or a test in Node). */
export interface ModelHost {
  progress(p: StepProgress): void;
  pause(): Promise<void>;
  tfBackend?: () => Promise<string>;
  loadModel?: (name: ModelName) => Promise<Model>;
  loadData?: (file: string) => Promise<unknown>;
}

export const MODEL_PAGE_DATA: Record<ModelName, string> = {
  'brown-char': 'brown-char-calibration.json',
  'brown-word': 'brown-word-calibration.json',
  induction: 'induction-eval.json',
};

interface BrownPageData {
  calibration: string[];
  evaluation: string[];
  calibrationSource: string;
  evaluationSource: string;
}
interface InductionPageData {
  calibration: number[][];
  sequences: number[][];
  scored: number[][];
  calibrationSource: string;
  evaluationSource: string;
}

export interface ModelSession {
  name: ModelName;
  model: Model;
  calibrationSource: string;
  evalSet: EvalSet;
  calib: Calibration;
  backend: string;
  dense: ModelScore;
  /** The dense model's arg-max next tokens on the evaluation sequences (from its scoring pass), for top-1 agreement. */
  denseArgmax: Int32Array[];
  loadMs: number;
  /** Relaxed gradient-descent masks, by mode and GD options. */
  relaxed: Map<string, RelaxedCache>;
  /** Pruning results and their scores (with the arg-max tokens of the scoring pass), by method and settings. */
  runs: Map<string, { result: ModelPruneResult; score?: ModelScore; argmax?: Int32Array[] }>;
  /** How many times each setting (a `runKey`) was pruned in this session: 1 unless the results cache dropped it. */
  prunings: Map<string, number>;
}

async function fetchJson(url: string): Promise<unknown> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`could not load ${url}: HTTP ${r.status}`);
  return r.json();
}

export function asScore(s: Score): ModelScore {
  return { crossEntropy: s.cross_entropy, perplexity: s.perplexity, ...(s.accuracy !== undefined ? { accuracy: s.accuracy } : {}), tokens: s.tokens };
}

/** Checks shared by every model job; throws in words. */
export function checkSettings(s: Partial<ModelSettings>): void {
  if (!MODEL_NAMES.includes(s.model as ModelName)) throw new Error(`unknown model "${String(s.model)}": it must be one of ${MODEL_NAMES.join(', ')}`);
  if (s.mode !== 'merged' && s.mode !== 'factored') throw new Error(`the mode must be merged or factored (got "${String(s.mode)}")`);
  if (s.sparsity !== undefined && !(Number.isFinite(s.sparsity) && s.sparsity >= 0 && s.sparsity < 1))
    throw new Error(`the sparsity must be a number in [0, 1) (got ${s.sparsity})`);
  if (s.refits !== undefined) {
    if (!Array.isArray(s.refits) || s.refits.length === 0) throw new Error('choose at least one refit (none, linear or attention)');
    for (const r of s.refits) if (!isRefitId(String(r))) throw new Error(`unknown refit "${String(r)}": it must be none, linear or attention`);
  }
  if (s.calibText !== undefined && !isBrownModel(String(s.model)))
    throw new Error('pasted calibration text applies to the Brown models only: the induction model reads synthetic token sequences, not text');
}

export function checkMethods(methods: readonly string[], known: readonly string[]): void {
  if (methods.length === 0) throw new Error('choose at least one method');
  for (const m of methods) if (!known.includes(m)) throw new Error(`unknown method "${m}": it must be one of ${known.join(', ')}`);
}

/** A job's refits: the settings' list, or no refit. */
export function refitsOf(s: Pick<ModelSettings, 'refits'>): RefitId[] {
  return s.refits?.length ? [...s.refits] : ['none'];
}

/** Each method with each refit, method by method (the order of a job's runs and of its table rows). */
export function recipesOf(methods: readonly ModelMethodId[], refits: readonly RefitId[]): { method: ModelMethodId; refit: RefitId }[] {
  return methods.flatMap((method) => refits.map((refit) => ({ method, refit })));
}

/** A recipe in the progress line's words: "swap", "swap + attention refit". */
export function recipeText(method: ModelMethodId, refit: RefitId | undefined): string {
  return refit === undefined || refit === 'none' ? method : `${method} + ${refit} refit`;
}

/** The granularity of a pattern ('unstructured' or 'N:M') for a model of width d, and the sparsity it implies. */
export function granularityOf(pattern: string, sparsity: number, d: number): { granularity: Granularity; sparsity: number } {
  if (pattern === 'unstructured') return { granularity: { kind: 'unstructured' }, sparsity };
  const g = parseNM(pattern, d);
  return { granularity: g, sparsity: g.n / g.m };
}

const sessions = new Map<string, Promise<ModelSession>>();

/** Open (or reuse) a model with the page's sequences, or with the reader's calibration text. */
export function openSession(host: ModelHost, name: ModelName, calibText?: string): Promise<ModelSession> {
  const key = JSON.stringify([name, calibText ?? null]);
  let s = sessions.get(key);
  if (!s) {
    s = createSession(host, name, calibText);
    s.catch(() => sessions.delete(key));
    // Keep a few sessions: each holds a model's calibration activations (under 1 MB).
    if (sessions.size >= 4) sessions.delete(sessions.keys().next().value as string);
    sessions.set(key, s);
  }
  return s;
}

async function createSession(host: ModelHost, name: ModelName, calibText?: string): Promise<ModelSession> {
  const start = performance.now();
  const backend = host.tfBackend ? await host.tfBackend() : 'the default TensorFlow.js backend';
  const [{ captureCalibration }, { score }, { loadModelUrl }, { calibrationFromText, PAGE_MAX_CALIBRATION_CHARS }] = await Promise.all([
    import('../model/prune.ts'),
    import('../model/evaluate.ts'),
    import('../model/weights.ts'),
    import('../model/calibrationText.ts'),
  ]);
  const loadModel = host.loadModel ?? ((n: ModelName) => loadModelUrl(withBase(`/models/${n}/`)));
  const loadData = host.loadData ?? ((file: string) => fetchJson(withBase(`/data/${file}`)));
  const [model, data] = await Promise.all([loadModel(name), loadData(MODEL_PAGE_DATA[name])]);
  await host.pause();
  let calibration: Int32Array[];
  let calibrationSource: string;
  let evalSet: EvalSet;
  if (isBrownModel(name)) {
    const d = data as BrownPageData;
    if (calibText !== undefined) {
      const c = calibrationFromText(model.tokenizer, calibText, model.config.contextLength, d.calibration.length, PAGE_MAX_CALIBRATION_CHARS);
      calibration = c.windows;
      calibrationSource = c.description;
    } else {
      calibration = d.calibration.map((s) => model.tokenizer.encode(s));
      calibrationSource = d.calibrationSource;
    }
    evalSet = { sequences: d.evaluation.map((s) => model.tokenizer.encode(s)), description: d.evaluationSource };
  } else {
    const d = data as InductionPageData;
    calibration = d.calibration.map((s) => Int32Array.from(s));
    calibrationSource = d.calibrationSource;
    evalSet = { sequences: d.sequences.map((s) => Int32Array.from(s)), scored: d.scored.map((s) => Uint8Array.from(s)), description: d.evaluationSource };
  }
  const calib = captureCalibration(model, calibration);
  const denseArgmax: Int32Array[] = [];
  const dense = asScore(score(model, evalSet, undefined, denseArgmax));
  return {
    name,
    model,
    calibrationSource,
    evalSet,
    calib,
    backend,
    dense,
    denseArgmax,
    loadMs: performance.now() - start,
    relaxed: new Map(),
    runs: new Map(),
    prunings: new Map(),
  };
}

export function header(session: ModelSession, mode: PruneMode): ModelJobHeader {
  const c = session.model.config;
  return {
    model: session.name,
    mode,
    nLayers: c.nLayers,
    nHeads: c.nHeads,
    metric: session.name === 'induction' ? 'accuracy' : 'perplexity',
    calibration: session.calibrationSource,
    evaluation: session.evalSet.description,
    backend: session.backend,
    dense: session.dense,
  };
}

export interface PruneRequest {
  method: ModelMethodId;
  sparsity: number;
  granularity: Granularity;
  mode: PruneMode;
  gd: Partial<GdOptions>;
  refit?: RefitId;
}

/** How many gradient-descent settings (mode, λ, η, T, …) keep their relaxed masks per session. */
export const RELAXED_CACHE_SETTINGS = 8;

/** The methods whose result depends on the gradient-descent options. */
const USES_GD: readonly ModelMethodId[] = ['gd', 'gradual'];

/** GD options with every default filled in, so {} and the defaults spelled out are one setting. */
export function fullGd(gd: Partial<GdOptions>): GdOptions {
  const set = Object.fromEntries(Object.entries(gd).filter(([, v]) => v !== undefined));
  const full = { ...GD_DEFAULTS, ...set } as GdOptions;
  return Object.fromEntries(
    Object.keys(full)
      .sort()
      .map((k) => [k, full[k as keyof GdOptions]]),
  ) as unknown as GdOptions;
}

/** A pruning setting in words-and-numbers, the key of the session's caches and of its pruning counts. */
export function runKey(r: PruneRequest): string {
  return JSON.stringify([r.method, r.refit ?? 'none', r.sparsity, r.granularity, r.mode, USES_GD.includes(r.method) ? fullGd(r.gd) : null]);
}

/** How a job got one method's pruning: pruned now, or reused from an earlier job of this page. */
export interface PruneOutcome {
  result: ModelPruneResult;
  /** The setting (runKey) and how many times this session has pruned it (1: never twice). */
  setting: string;
  count: number;
  reused: boolean;
}

/**
 * Prune every head with one method, pausing between heads (a cancel gets through
 * mid-model); `onHead` reports each head done. Cached by method and settings, so the
 * page's model widgets (one shared worker) prune each setting once between them.
 */
export async function pruneInSession(session: ModelSession, req: PruneRequest, host: ModelHost, onHead?: () => void): Promise<PruneOutcome> {
  const key = runKey(req);
  const hit = session.runs.get(key);
  if (hit) {
    for (let i = 0; i < hit.result.heads.length; i++) onHead?.();
    return { result: hit.result, setting: key, count: session.prunings.get(key) ?? 0, reused: true };
  }
  const { pruneModelSteps } = await import('../model/prune.ts');
  const gdKey = `${req.mode}\u0000${JSON.stringify(fullGd(req.gd))}`;
  let cache = session.relaxed.get(gdKey);
  // Least recently used first: a hit moves to the end; beyond the cap the oldest setting is
  // dropped (each holds every head's relaxed mask, ~0.25 MB for brown-char), as the results cache does.
  if (cache) session.relaxed.delete(gdKey);
  else cache = new Map();
  session.relaxed.set(gdKey, cache);
  while (session.relaxed.size > RELAXED_CACHE_SETTINGS) session.relaxed.delete(session.relaxed.keys().next().value as string);
  const start = performance.now();
  const heads: PrunedHead[] = [];
  // Seed 1: the CLI's default (it seeds the random baseline's masks as it seeds the calibration).
  const spec = { method: req.method, refit: req.refit ?? 'none', sparsity: req.sparsity, mode: req.mode, granularity: req.granularity, gd: req.gd, seed: 1 };
  for (const h of pruneModelSteps(session.model, session.calib, spec, cache)) {
    heads.push(h);
    onHead?.();
    await host.pause();
  }
  const result: ModelPruneResult = { spec, heads, timeMs: performance.now() - start };
  if (session.runs.size >= 48) session.runs.delete(session.runs.keys().next().value as string);
  session.runs.set(key, { result });
  const count = (session.prunings.get(key) ?? 0) + 1;
  session.prunings.set(key, count);
  return { result, setting: key, count, reused: false };
}

/** The pruned model's score on the evaluation sequences (cached with its pruning, and so are the arg-max tokens of that pass). */
export async function scoreInSession(session: ModelSession, result: ModelPruneResult): Promise<ModelScore> {
  return (await scoredInSession(session, result)).score;
}

async function scoredInSession(session: ModelSession, result: ModelPruneResult): Promise<{ score: ModelScore; argmax: Int32Array[] }> {
  const entry = [...session.runs.values()].find((e) => e.result === result);
  if (entry?.score && entry.argmax) return { score: entry.score, argmax: entry.argmax };
  const [{ score }, { headLogitsOf }] = await Promise.all([import('../model/evaluate.ts'), import('../model/prune.ts')]);
  const argmax: Int32Array[] = [];
  const s = asScore(score(session.model, session.evalSet, headLogitsOf(result), argmax));
  if (entry) Object.assign(entry, { score: s, argmax });
  return { score: s, argmax };
}

/** The pruned model's top-1 agreement with the dense one on the evaluation sequences: no forward pass beyond the scoring. */
export async function agreementInSession(session: ModelSession, result: ModelPruneResult): Promise<Top1Agreement> {
  const { top1Agreement } = await import('../model/textAgreement.ts');
  return top1Agreement(session.denseArgmax, (await scoredInSession(session, result)).argmax, session.evalSet.scored);
}

/** One method run as the protocol reports it. */
export async function methodRun(session: ModelSession, outcome: PruneOutcome, score: ModelScore): Promise<ModelMethodRun> {
  const { weightAccounting, totalCompute } = await import('../model/prune.ts');
  const result = outcome.result;
  return {
    method: result.spec.method,
    refit: result.spec.refit ?? 'none',
    compute: totalCompute(result),
    heads: result.heads.map((h) => ({
      layer: h.layer,
      head: h.head,
      attentionError: h.metrics.attentionError,
      attentionLoss: h.metrics.attentionLoss,
      meanRowKL: h.metrics.meanRowKL,
      pruned: h.pruned,
      total: h.total,
      notes: h.notes,
    })),
    pruned: score,
    weights: weightAccounting(session.model, result),
    pruneMs: result.timeMs,
    pruning: pruningOf(outcome),
  };
}

/** What the protocol reports about how a method's pruning was obtained. */
export function pruningOf(o: PruneOutcome): PruningReport {
  return { setting: o.setting, count: o.count, reused: o.reused };
}

/** The view's prompt as token ids, checked in words. */
export async function viewTokens(session: ModelSession, view: AttentionView): Promise<{ ids: Int32Array; tokens: string[] }> {
  const T = session.model.config.contextLength;
  let ids: Int32Array;
  const tok = session.model.tokenizer;
  if (isBrownModel(session.name)) {
    const text = view.text ?? '';
    const what = tok.kind === 'word' ? 'word' : 'character';
    const unknown = tok.findUnknown(text);
    if (unknown.length) throw new Error(`the prompt has ${what}(s) the model does not know: ${unknown.map((c) => JSON.stringify(c)).join(' ')}`);
    ids = tok.encode(text);
    if (ids.length < 2)
      throw new Error(`the prompt for the attention pattern must have at least 2 ${tok.kind === 'word' ? 'tokens (words or marks)' : 'characters'}`);
    ids = ids.slice(-T);
  } else {
    const t = view.tokens ?? [];
    const V = session.model.config.vocabSize;
    if (t.length < 2) throw new Error('the sequence for the attention pattern must have at least 2 tokens');
    if (t.some((x) => !Number.isInteger(x) || x < 0 || x >= V)) throw new Error(`the sequence's tokens must be integers in [0, ${V - 1}]`);
    ids = Int32Array.from(t.slice(-T));
  }
  const tokens = isBrownModel(session.name) ? Array.from(ids, (i) => tok.vocabulary[i]) : Array.from(ids, String);
  return { ids, tokens };
}

/** Every head's attention probabilities on one sequence, dense or with pruned heads. */
export async function attentionOf(session: ModelSession, ids: Int32Array, headLogits?: HeadLogitsFn): Promise<Float32Array> {
  const { forward } = await import('../model/transformer.ts');
  const r = forward(session.model, [ids], { captureAttention: true, headLogits });
  const layers = r.layers ?? [];
  const per = layers[0]?.attention?.length ?? 0;
  const out = new Float32Array(per * layers.length);
  layers.forEach((l, i) => out.set(l.attention!, i * per));
  return out;
}
