/**
 * `npm run words -- --model brown-word [--seeds 1,2,3] [--prompt ""] [--chars 1000] [--temperature 0.8]`
 *
 * Issue 19's readability measure: each seed's model writes `--chars` characters (cut at
 * the last space before them, so no word is cut in half) after the prompt at the given
 * temperature, and the share of its words that Debian's wamerican list has is printed
 * as JSON, with brown-char's on the same seeds for comparison. An empty prompt starts
 * from the corpus's file separator. Needs /usr/share/dict/american-english.
 */
import { MODEL_NAMES, type ModelName } from '../src/model/config.ts';
import { dictionaryShare, readDictionary } from '../src/model/dictionaryWords.ts';
import { generate } from '../src/model/transformer.ts';
import { loadShippedModel } from '../src/cli/modelCommands.ts';

interface Options {
  model: ModelName;
  seeds: number[];
  prompt: string;
  chars: number;
  temperature: number;
}

function parse(argv: string[]): Options {
  const o: Options = { model: 'brown-word', seeds: [1, 2, 3], prompt: '', chars: 1000, temperature: 0.8 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--model') {
      if (!MODEL_NAMES.includes(value as ModelName) || value === 'induction') throw new Error(`--model must be brown-char or brown-word (got "${value}")`);
      o.model = value as ModelName;
    } else if (flag === '--seeds') {
      o.seeds = value.split(',').map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--seeds must be integers >= 0 (got "${s}")`);
        return n;
      });
    } else if (flag === '--prompt') o.prompt = value;
    else if (flag === '--chars') o.chars = Math.max(1, Math.min(10_000, Number(value) | 0));
    else if (flag === '--temperature') o.temperature = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(o.temperature >= 0)) throw new Error('--temperature must be >= 0');
  return o;
}

/** The first `chars` characters of `text`, cut back to the last whitespace so no word is cut. */
export function firstCharacters(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(0, chars + 1);
  const space = cut.search(/\s\S*$/);
  return space > 0 ? cut.slice(0, space) : text.slice(0, chars);
}

async function measure(name: ModelName, o: Options, dictionary: Set<string>) {
  const model = await loadShippedModel(name);
  // Characters: one token each. Words: about 4.5 characters a token, so this is ample.
  const tokens = model.tokenizer.kind === 'word' ? Math.ceil(o.chars / 2.5) : o.chars;
  const perSeed = o.seeds.map((seed) => {
    const start = performance.now();
    const text = firstCharacters(generate(model, o.prompt, tokens, seed, o.temperature).continuation.trimStart(), o.chars);
    const d = dictionaryShare(text, dictionary);
    return {
      seed,
      characters: text.length,
      words: d.words,
      english: d.english,
      share: Math.round(d.share * 10000) / 10000,
      not_found: d.notFound.slice(0, 20),
      text,
      seconds: Math.round((performance.now() - start) / 100) / 10,
    };
  });
  const words = perSeed.reduce((s, r) => s + r.words, 0);
  const english = perSeed.reduce((s, r) => s + r.english, 0);
  return { model: name, share_all_seeds: words ? Math.round((english / words) * 10000) / 10000 : 0, words, english, seeds: perSeed };
}

const o = parse(process.argv.slice(2));
const dictionary = readDictionary();
const models: ModelName[] = o.model === 'brown-char' ? ['brown-char'] : [o.model, 'brown-char'];
const results = [];
for (const m of models) results.push(await measure(m, o, dictionary));
process.stdout.write(
  `${JSON.stringify(
    {
      measure: `share of the words (letters with inner apostrophes) in ${o.chars} characters written at temperature ${o.temperature} after the prompt ${JSON.stringify(o.prompt)} that Debian's wamerican list has (as written or lower-cased)`,
      target: 0.9,
      results,
    },
    null,
    2,
  )}\n`,
);
