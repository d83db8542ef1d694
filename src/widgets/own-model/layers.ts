/** The "layers to prune" field of "Your own model", read in one place (the widget and its unit test). */
import { JobError } from '../../worker/client.ts';

/** "0,3", "all", "0-2" → layer numbers, or words saying what is wrong. */
export function parseLayers(text: string, nLayers: number): number[] {
  const t = text.trim().toLowerCase();
  if (t === 'all') return Array.from({ length: nLayers }, (_, l) => l);
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new JobError(`“${part.trim()}” is not a layer number: write e.g. 0,3 or 0-2 or all`, 'input');
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let l = Math.min(a, b); l <= Math.max(a, b); l++) {
      if (l >= nLayers) throw new JobError(`layer ${l} is out of range: the model has ${nLayers} layers (0 to ${nLayers - 1})`, 'input');
      out.add(l);
    }
  }
  return [...out].sort((x, y) => x - y);
}
