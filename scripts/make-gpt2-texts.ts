/**
 * Writes the two texts "Your own model" (chapter 8) offers a reader's GPT-2, cut from the
 * cleaned Brown corpus (src/model/data/brown.ts): public/data/gpt2-calibration.txt, the
 * first whole lines of the training split up to CALIBRATION_CHARS (enough for 8 windows of
 * GPT-2's 1,024 tokens, like the paper's 8 C4 sentences), and public/data/gpt2-evaluation.txt,
 * the first whole lines of the validation split up to EVALUATION_CHARS (about 1,100 GPT-2
 * tokens: the 1,024-token dense perplexity of issue 18's targets). The CLI reads the same
 * files (`model-prune --checkpoint … --calib-text public/data/gpt2-calibration.txt`).
 *
 * Run: npx tsx scripts/make-gpt2-texts.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { brownText } from '../src/model/data/brown.ts';

export const CALIBRATION_CHARS = 44_000;
export const EVALUATION_CHARS = 5_300;

/** Whole lines (one Brown file each) of `text`, cut at a sentence end so that at most `chars` characters remain. */
export function excerpt(text: string, chars: number): string {
  const cut = text.slice(0, chars);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('.\n'));
  return `${cut.slice(0, end + 1)}\n`;
}

export function gpt2Texts(): Map<string, string> {
  return new Map([
    ['public/data/gpt2-calibration.txt', excerpt(brownText('train'), CALIBRATION_CHARS)],
    ['public/data/gpt2-evaluation.txt', excerpt(brownText('val'), EVALUATION_CHARS)],
  ]);
}

const isEntry = process.argv[1] !== undefined && /make-gpt2-texts\.ts$/.test(process.argv[1]);
if (isEntry) {
  const check = process.argv.includes('--check');
  let bad = 0;
  for (const [path, text] of gpt2Texts()) {
    if (check) {
      const same = readFileSync(path, 'utf8') === text;
      if (!same) bad++;
      console.error(`${same ? 'same' : 'DIFFERS'} ${path}`);
    } else {
      writeFileSync(path, text);
      console.error(`wrote ${path} (${text.length} characters)`);
    }
  }
  process.exitCode = bad ? 1 : 0;
}
