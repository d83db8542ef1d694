/** Read and validate a problem file `{ "X": number[n][d], "W": number[d][d], "causal"?: boolean }`. */
import { readFileSync } from 'node:fs';
import { fromNested } from '../core/matrix.ts';
import type { Problem } from '../core/problem.ts';
import { checkShapes } from '../core/attention.ts';
import { UsageError } from './args.ts';

export function parseProblem(text: string, source: string): Problem {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`${source} must be a JSON object with "X" and "W"`);
  const obj = json as Record<string, unknown>;
  if (!('X' in obj)) throw new UsageError(`${source} has no "X"`);
  if (!('W' in obj)) throw new UsageError(`${source} has no "W"`);
  if (obj.causal !== undefined && typeof obj.causal !== 'boolean') throw new UsageError(`${source}: "causal" must be true or false`);
  try {
    const X = fromNested(obj.X as number[][], 'X');
    const W = fromNested(obj.W as number[][], 'W');
    checkShapes(X, W);
    return { X, W, causal: obj.causal === true };
  } catch (e) {
    throw new UsageError(`${source}: ${(e as Error).message}`);
  }
}

export function readProblem(path: string): Problem {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `problem file not found: ${path}` : `cannot read ${path} (${code ?? (e as Error).message})`);
  }
  return parseProblem(text, path);
}
