/**
 * `generate --prune R.json`: read and fully validate the overrides that `model-prune --out`
 * writes, against the model they are applied to. The schema:
 *
 *   { "model": "<the --model name>",
 *     "overrides": [ { "layer": 0 ≤ int < nLayers, "head": 0 ≤ int < nHeads, "kind": "merged", "W": number[d·d] }
 *                  | { "layer": …, "head": …, "kind": "factored", "Wq": number[d·d_h], "Wk": number[d·d_h] } ] }
 *
 * at most one override per (layer, head); every entry a finite number with |v| ≤
 * PRUNE_ENTRY_MAX. Other top-level fields (model-prune's report) are ignored. Every
 * violation is a UsageError (exit 1) that names the file and the entry.
 */
import { architectureOf, headDim, type ModelConfig } from '../model/config.ts';
import type { HeadOverride } from '../model/transformer.ts';
import { UsageError } from './args.ts';
import { readInputFile } from './io.ts';
import { FILE_MAX_BYTES, PRUNE_ENTRY_MAX } from './limits.ts';

export interface PruneFileHead {
  layer: number;
  head: number;
  override: HeadOverride;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : String(v);
}

function entries(label: string, where: string, v: unknown, length: number, shape: string): Float32Array {
  if (!Array.isArray(v)) throw new UsageError(`${label}: ${where} must be an array of ${length} numbers (${shape}), got ${describe(v)}`);
  if (v.length !== length) throw new UsageError(`${label}: ${where} has ${v.length} entries; the model needs ${length} (${shape})`);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const x = v[i];
    if (typeof x !== 'number') throw new UsageError(`${label}: ${where}[${i}] is ${describe(x)}, not a number`);
    if (!Number.isFinite(x) || Math.abs(x) > PRUNE_ENTRY_MAX)
      throw new UsageError(`${label}: ${where}[${i}] = ${x} is out of range (|v| <= ${PRUNE_ENTRY_MAX})`);
    out[i] = x;
  }
  return out;
}

function index(label: string, where: string, v: unknown, count: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= count) {
    throw new UsageError(`${label}: ${where} must be an integer in [0, ${count - 1}] (the model has ${count} ${what}), got ${describe(v)}`);
  }
  return v;
}

/**
 * Validate the parsed JSON of a prune file for `model` with `config`. A checkpoint's file
 * (`model` undefined) is matched by its shapes only: the same GPT-2 may sit at another path.
 */
export function parsePruneFile(json: unknown, label: string, model: string | undefined, config: ModelConfig): PruneFileHead[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new UsageError(`${label}: must be a JSON object with "model" and "overrides" (write it with model-prune --out), got ${describe(json)}`);
  const obj = json as Record<string, unknown>;
  if (!Array.isArray(obj.overrides)) throw new UsageError(`${label}: no "overrides" array (write it with model-prune --out)`);
  if (model !== undefined && obj.model !== model)
    throw new UsageError(`${label}: was made for model ${typeof obj.model === 'string' ? `"${obj.model}"` : describe(obj.model)}, not "${model}"`);
  const d = config.dModel;
  const dh = headDim(config);
  // With Q/K biases a merged head is W̃_h over [X, 1], (d+1)×(d+1) (SPEC §7b).
  const D = architectureOf(config).qkBias ? d + 1 : d;
  const seen = new Set<string>();
  return obj.overrides.map((o: unknown, i: number) => {
    const where = `overrides[${i}]`;
    if (o === null || typeof o !== 'object' || Array.isArray(o))
      throw new UsageError(`${label}: ${where} must be an object {layer, head, kind, ...}, got ${describe(o)}`);
    const e = o as Record<string, unknown>;
    const layer = index(label, `${where}.layer`, e.layer, config.nLayers, 'layers');
    const head = index(label, `${where}.head`, e.head, config.nHeads, 'heads per layer');
    const key = `${layer}.${head}`;
    if (seen.has(key)) throw new UsageError(`${label}: ${where} repeats layer ${layer} head ${head}`);
    seen.add(key);
    if (e.kind === 'merged') {
      if (e.Wq !== undefined || e.Wk !== undefined) throw new UsageError(`${label}: ${where} is merged but has "Wq"/"Wk" (a merged override has only "W")`);
      return { layer, head, override: { kind: 'merged', W: entries(label, `${where}.W`, e.W, D * D, `${D === d ? 'd×d' : '(d+1)×(d+1)'} = ${D}×${D}`) } };
    }
    if (e.kind === 'factored') {
      if (e.W !== undefined) throw new UsageError(`${label}: ${where} is factored but has "W" (a factored override has "Wq" and "Wk")`);
      const shape = `d×d_h = ${d}×${dh}`;
      return {
        layer,
        head,
        override: { kind: 'factored', Wq: entries(label, `${where}.Wq`, e.Wq, d * dh, shape), Wk: entries(label, `${where}.Wk`, e.Wk, d * dh, shape) },
      };
    }
    throw new UsageError(`${label}: ${where}.kind must be "merged" or "factored", got ${describe(e.kind)}`);
  });
}

/** Read `--prune FILE` (a regular file, at most FILE_MAX_BYTES.prune) and validate it. */
export function readPruneFile(path: string, model: string | undefined, config: ModelConfig): PruneFileHead[] {
  const label = `--prune ${path}`;
  const text = readInputFile(path, label, FILE_MAX_BYTES.prune);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${label}: not valid JSON (${(e as Error).message})`);
  }
  return parsePruneFile(json, label, model, config);
}
