/**
 * Writes the committed GPT-2 test fixtures (test/fixtures/gpt2/): seeded random checkpoints in
 * Hugging Face's layout (src/model/gpt2/randomCheckpoint.ts), 2 layers, 4 heads, n_embd 16,
 * 64 positions and GPT-2's full 50 257-token vocabulary (so the real tokenizer's ids fit):
 *
 *   tiny-f32.safetensors                   plain names, lm_head tied (absent), F32
 *   tiny-f16.safetensors, tiny-bf16...     the same weights rounded to F16 / BF16
 *   tiny-prefixed-lm-head-f16.safetensors  `transformer.` names, a separate lm_head,
 *                                          the attn.bias / attn.masked_bias buffers, F16
 *   config.json                            the config Hugging Face writes for these sizes
 *
 * About 10 MB in all. Run: npx tsx scripts/make-gpt2-fixtures.ts [--check]
 * (--check rebuilds them in memory and fails if a committed file differs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../src/model/gpt2/safetensors.ts';
import { gpt2ConfigJson, type RandomGpt2Options, randomGpt2Tensors } from '../src/model/gpt2/randomCheckpoint.ts';

export const FIXTURE_DIR = new URL('../test/fixtures/gpt2/', import.meta.url).pathname;

export const FIXTURE_SIZES = { nLayer: 2, nHead: 4, nEmbd: 16, nPositions: 64, vocab: 50_257, seed: 18 } as const;

export const FIXTURES: Record<string, Partial<RandomGpt2Options> & Pick<RandomGpt2Options, 'dtype'>> = {
  'tiny-f32.safetensors': { dtype: 'F32' },
  'tiny-f16.safetensors': { dtype: 'F16' },
  'tiny-bf16.safetensors': { dtype: 'BF16' },
  'tiny-prefixed-lm-head-f16.safetensors': { dtype: 'F16', prefixed: true, separateLmHead: true, maskBuffers: true },
};

export function fixtureFiles(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const [name, o] of Object.entries(FIXTURES)) {
    const metadata = { format: 'pt', note: `random GPT-2 test fixture (seed ${FIXTURE_SIZES.seed}), scripts/make-gpt2-fixtures.ts` };
    files.set(name, writeSafetensors(randomGpt2Tensors({ ...FIXTURE_SIZES, ...o }), metadata));
  }
  files.set('config.json', new TextEncoder().encode(`${JSON.stringify(gpt2ConfigJson(FIXTURE_SIZES), null, 2)}\n`));
  return files;
}

const isEntry = process.argv[1] !== undefined && /make-gpt2-fixtures\.ts$/.test(process.argv[1]);
if (isEntry) {
  const check = process.argv.includes('--check');
  let bad = 0;
  for (const [name, bytes] of fixtureFiles()) {
    const path = join(FIXTURE_DIR, name);
    if (check) {
      const same = Buffer.compare(readFileSync(path), Buffer.from(bytes)) === 0;
      if (!same) bad++;
      console.error(`${same ? 'same' : 'DIFFERS'} ${path}`);
    } else {
      writeFileSync(path, bytes);
      console.error(`wrote ${path} (${(bytes.byteLength / 1e6).toFixed(2)} MB)`);
    }
  }
  process.exitCode = bad ? 1 : 0;
}
