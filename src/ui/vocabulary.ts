/**
 * A shipped model's tokenizer, read from its manifest (8 kB for brown-char, 90 kB for
 * brown-word), so a widget can check a prompt before it starts any work. Undefined when
 * the manifest cannot be read: the worker's job still refuses what the model does not
 * know, in words.
 */
import { withBase } from '../site/base.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { makeTokenizer } from '../model/weights.ts';
import { unknownWordsMessage } from '../model/wordTokenizer.ts';
import { unknownPromptMessage } from '../widgets/generated-text/compare.ts';

const cache = new Map<string, Promise<Tokenizer | undefined>>();

export function modelTokenizer(model: string): Promise<Tokenizer | undefined> {
  let v = cache.get(model);
  if (!v) {
    v = fetch(withBase(`/models/${encodeURIComponent(model)}/manifest.json`))
      .then((r) => (r.ok ? (r.json() as Promise<{ vocabulary?: unknown; tokenizer?: { kind?: unknown } }>) : {}))
      .then((m: { vocabulary?: unknown; tokenizer?: { kind?: unknown } }) => {
        if (!Array.isArray(m.vocabulary) || !m.vocabulary.every((c) => typeof c === 'string')) return undefined;
        const kind = m.tokenizer?.kind === 'word' ? 'word' : 'char';
        return makeTokenizer(kind, m.vocabulary as string[]);
      })
      .catch(() => undefined);
    cache.set(model, v);
  }
  return v;
}

/** Why a prompt cannot be used, in words (empty when the model knows all of it). */
export function promptProblem(tokenizer: Tokenizer, prompt: string): string {
  return tokenizer.kind === 'word' ? unknownWordsMessage(tokenizer, prompt) : unknownPromptMessage(tokenizer.vocabulary, prompt);
}
