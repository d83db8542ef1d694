/**
 * A shipped model's characters, read from its manifest (8 kB), so a widget can check a
 * prompt before it starts any work. Undefined when the manifest cannot be read: the
 * worker's job still refuses unknown characters, in words.
 */
import { withBase } from '../site/base.ts';

const cache = new Map<string, Promise<readonly string[] | undefined>>();

export function modelVocabulary(model: string): Promise<readonly string[] | undefined> {
  let v = cache.get(model);
  if (!v) {
    v = fetch(withBase(`/models/${encodeURIComponent(model)}/manifest.json`))
      .then((r) => (r.ok ? (r.json() as Promise<{ vocabulary?: unknown }>) : {}))
      .then((m: { vocabulary?: unknown }) =>
        Array.isArray(m.vocabulary) && m.vocabulary.every((c) => typeof c === 'string') ? (m.vocabulary as string[]) : undefined,
      )
      .catch(() => undefined);
    cache.set(model, v);
  }
  return v;
}
