/** A small, strict argument parser: unknown or malformed flags are errors, not surprises. */
import { InputError } from '../core/errors.ts';
import { FLAG_MAX, NM_SPARSITY_FLAGS } from './limits.ts';

export interface FlagSpec {
  /** Flags that take a value. */
  values: readonly string[];
  /** Flags that are booleans. */
  booleans: readonly string[];
}

export interface ParsedArgs {
  values: Map<string, string>;
  booleans: Set<string>;
}

/** A bad flag or file: the CLI's exit 1 (an input error, named by the flag). */
export class UsageError extends InputError {
  override name = 'UsageError';
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    if (!raw.startsWith('--')) throw new UsageError(`unexpected argument "${raw}"`);
    const eq = raw.indexOf('=');
    const name = eq >= 0 ? raw.slice(2, eq) : raw.slice(2);
    if (values.has(name) || booleans.has(name)) throw new UsageError(`--${name} given twice (give each option once)`);
    if (spec.booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      booleans.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  checkNmSparsity(values);
  return { values, booleans };
}

/**
 * `--nm N:M` fixes the sparsity at N/M, so a `--sparsity` (or `--sparsities` value) given
 * with it must equal N/M; a different one is refused rather than silently ignored.
 * Malformed values are left to the flag's own check (which names the problem).
 */
function checkNmSparsity(values: ReadonlyMap<string, string>): void {
  const nm = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(values.get('nm') ?? '');
  if (!nm || Number(nm[2]) === 0) return;
  const fixed = Number(nm[1]) / Number(nm[2]);
  for (const flag of NM_SPARSITY_FLAGS) {
    const raw = values.get(flag);
    if (raw === undefined) continue;
    for (const part of flag === 'sparsities' ? raw.split(',') : [raw]) {
      const v = Number(part);
      if (part.trim() !== '' && Number.isFinite(v) && Math.abs(v - fixed) > 1e-12) {
        throw new UsageError(
          `--nm ${values.get('nm')} fixes the sparsity at ${fixed}, but --${flag} gives ${part.trim()}: give one of them (or --${flag} ${fixed})`,
        );
      }
    }
  }
}

/**
 * A finite number from a flag, with range checks that name the flag. A flag listed in
 * FLAG_MAX (limits.ts) is also refused above its documented limit.
 */
export function numberFlag(args: ParsedArgs, name: string, fallback: number, check?: (v: number) => string | null): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a finite number (got "${raw}")`);
  const problem = check?.(v);
  if (problem) throw new UsageError(`--${name} ${problem} (got ${raw})`);
  const max = Object.hasOwn(FLAG_MAX, name) ? FLAG_MAX[name] : undefined;
  if (max !== undefined && v > max) throw new UsageError(`--${name} must be <= ${max}, the documented limit (got ${raw})`);
  return v;
}

export function integerFlag(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  return numberFlag(args, name, fallback, (v) => (Number.isInteger(v) && v >= min ? null : `must be an integer >= ${min}`));
}
