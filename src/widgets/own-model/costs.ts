/**
 * The estimate before Run of "Your own model", from costs MEASURED ON THIS DEVICE by earlier
 * runs (kept in localStorage), scaled to the reader's model: loading in ms per byte of the
 * file, forward passes in ms per token × parameter, pruning in ms per head per unit of size
 * (`headUnit`: wall time × workers), per method, refit and mode, divided among the pool's workers.
 * What has not been timed here yet, or only on a model of a very different size (SCALE_LIMIT),
 * is named instead of guessed. `npm run bench:gpt2` and `npm run bench:gpt2:page` check the
 * estimate against GPT-2 small's measured times.
 */
import type { ModelMethodId, RefitId } from '../../core/methods.ts';
import { recipeText } from '../../jobs/modelSession.ts';
import { readStoredJson, writeStoredJson } from '../../ui/storedJson.ts';

// v3: each cost keeps the size it was measured at (v2's did not), so v2's are not reused.
const STORAGE_KEY = 'attention-pruning-own-model-costs-v3';

/**
 * A cost measured on a model more than this many times smaller or larger than the one to
 * estimate is not scaled to it: a tiny model's times are mostly fixed costs (messages, tfjs's
 * per-operation overhead, the solver's bookkeeping), not work that grows with the size.
 * Measured in headless Chromium (`npm run bench:gpt2:page`): the demo checkpoint's costs scaled
 * to GPT-2 small estimated its linear run at 4,370 s (216 s measured) and Algorithm 1's at
 * 18,900 s (404 s): the demo's file is 340 times smaller, its parameters 146 times fewer, its
 * head's unit 5,700 times smaller.
 */
export const SCALE_LIMIT = 16;

/** Milliseconds per unit of size (a byte, a token × parameter, a head's unit), and the size it was measured at. */
interface Rate {
  perUnit: number;
  at: number;
}

interface OwnCosts {
  load?: Rate;
  forward?: Rate;
  heads: Record<string, Rate>;
}

let costs: OwnCosts | undefined;

function read(): OwnCosts {
  if (!costs) {
    const saved = readStoredJson<OwnCosts>(STORAGE_KEY);
    costs = { ...saved, heads: { ...saved?.heads } };
  }
  return costs;
}

function save(): void {
  writeStoredJson(STORAGE_KEY, read());
}

/** The rate, if it was measured at a size within SCALE_LIMIT of `size`. */
function near(rate: Rate | undefined, size: number): number | undefined {
  if (!rate || !(size > 0 && rate.at > 0)) return undefined;
  return Math.max(size / rate.at, rate.at / size) <= SCALE_LIMIT ? rate.perUnit : undefined;
}

const headKey = (method: ModelMethodId, refit: RefitId, mode: string): string => `${method}|${refit}|${mode}`;

export interface OwnRunSize {
  bytes: number;
  parameters: number;
  /** Tokens through the model: calibration (as full passes: calibrationPasses), then the evaluation text once per model scored, then generation. */
  calibrationTokens: number;
  evaluationTokens: number;
  /** Tokens through the model for one greedy continuation: each new token is a pass over the prompt and what came before it. */
  generationTokens: number;
  heads: number;
  /** One head's size (`headUnit`). */
  headUnit: number;
  /** Workers pruning a layer's heads at once (the pool, at most the heads of a layer). */
  workers: number;
  mode: string;
  recipes: { method: ModelMethodId; refit: RefitId }[];
  /** The model is already open and calibrated in the worker: no loading. */
  loaded: boolean;
}

/**
 * One head's size, in multiply-adds of what dominates its cost: the attention metrics (and
 * gradient descent's every evaluation) form X·W_Q^h and X·W_K^h over the calibration rows,
 * rows·d·k, then each window's T×T logits, rows·T·k, where k is the head's inner width: d_h
 * for a factored head (two d×d_h factors, src/core/factored.ts), D = d (+1 with Q/K biases
 * folded in) for a merged W̃_h, which is D×D. So rows·k·(D + T). (The unit was rows·(d+1)²
 * until factored heads' metrics took the factored form: measured here, one factored head
 * with magnitude at d = 768, T = 1 024 (GPT-2 small, 8 windows) cost 13 to 14 times one at
 * d = 256, T = 256 (d_h 64 both); this unit says 14.0, the old one 35.8.)
 */
export function headUnit(h: { rows: number; window: number; dModel: number; nHeads: number; qkBias: boolean }, mode: string): number {
  const D = mode === 'merged' && h.qkBias ? h.dModel + 1 : h.dModel;
  const k = mode === 'merged' ? D : h.dModel / h.nHeads;
  return h.rows * k * (D + h.window);
}

/** Forward tokens of a run: calibration once, the evaluation text dense and per recipe, greedy generation (each token a pass over up to its context). */
function forwardTokens(s: OwnRunSize): number {
  const models = s.recipes.length + 1;
  return (s.loaded ? 0 : s.calibrationTokens + s.evaluationTokens) + s.recipes.length * s.evaluationTokens + models * s.generationTokens;
}

export function estimateMs(s: OwnRunSize): { ms?: number; unmeasured: string[] } {
  const c = read();
  const unmeasured: string[] = [];
  const load = s.loaded ? 0 : near(c.load, s.bytes);
  if (load === undefined) unmeasured.push('loading a file');
  const forward = near(c.forward, s.parameters);
  if (forward === undefined) unmeasured.push('the forward pass');
  let ms = (load ?? 0) * s.bytes + (forward ?? 0) * forwardTokens(s) * s.parameters;
  for (const { method, refit } of s.recipes) {
    const unit = near(c.heads[headKey(method, refit, s.mode)], s.headUnit);
    if (unit === undefined) unmeasured.push(recipeText(method, refit));
    else ms += (unit * s.headUnit * s.heads) / s.workers;
  }
  return unmeasured.length ? { unmeasured } : { ms, unmeasured };
}

/** Keep what a finished run measured. `headMs` is each recipe's wall time pruning its heads with `s.workers` workers. */
export function recordRun(
  s: OwnRunSize,
  measured: { loadMs?: number; forwardMs: number; forwardTokens: number; headMs: { method: ModelMethodId; refit: RefitId; ms: number }[] },
): void {
  const c = read();
  if (measured.loadMs !== undefined && s.bytes > 0) c.load = { perUnit: measured.loadMs / s.bytes, at: s.bytes };
  if (measured.forwardTokens > 0) c.forward = { perUnit: measured.forwardMs / (measured.forwardTokens * s.parameters), at: s.parameters };
  for (const h of measured.headMs) c.heads[headKey(h.method, h.refit, s.mode)] = { perUnit: (h.ms * s.workers) / (s.heads * s.headUnit), at: s.headUnit };
  save();
}

/**
 * Calibration's tokens as full forward passes: it runs the blocks up to the last layer pruned,
 * and neither the others nor the LM head, so its tokens count for that share of the blocks.
 * (Measured on GPT-2 small in Chromium, layer 0: 3.0 ms a calibration token, 26 ms a scored one.)
 */
export function calibrationPasses(tokens: number, layers: readonly number[], nLayers: number): number {
  return layers.length ? (tokens * (Math.max(...layers) + 1)) / nLayers : 0;
}

export { forwardTokens };
