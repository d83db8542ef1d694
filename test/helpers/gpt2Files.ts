/**
 * Small GPT-2 files for the tests, made on the fly: a valid tiny checkpoint (random weights,
 * a cut vocabulary: the parser and mapping need no tokenizer) and raw safetensors bytes with
 * any header, to build every malformed case.
 */
import { readFileSync } from 'node:fs';
import type { Gpt2Model } from '../../src/model/gpt2/checkpoint.ts';
import { type RandomGpt2Options, randomGpt2Tensors } from '../../src/model/gpt2/randomCheckpoint.ts';
import { bufferSource, writeSafetensors } from '../../src/model/gpt2/safetensors.ts';

export const TINY = { nLayer: 2, nHead: 2, nEmbd: 8, nPositions: 16, vocab: 40, seed: 5 } as const;

export function tinyCheckpoint(o: Partial<RandomGpt2Options> = {}): Uint8Array {
  return writeSafetensors(randomGpt2Tensors({ ...TINY, dtype: 'F32', ...o }));
}

/** A safetensors file with exactly this header (any JSON text) and data bytes. */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

/** The header of a safetensors file as an object, and its data bytes (to edit and rebuild with rawSafetensors). */
export function splitSafetensors(file: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))), data: file.slice(8 + n) };
}

/** The committed fixture tiny-f32 (with its config.json) and 8 calibration windows of 16 tokens of its sample text. */
export async function fixtureModelAndWindows(): Promise<{ model: Gpt2Model; windows: Int32Array[] }> {
  // Loaded here, not above: the other helpers of this file need neither TensorFlow.js nor the tokenizer.
  const { initBackend } = await import('../../src/core/tf/backend.ts');
  const { loadGpt2 } = await import('../../src/model/gpt2/checkpoint.ts');
  const { Gpt2Tokenizer } = await import('../../src/model/gpt2/tokenizer.ts');
  const fix = new URL('../fixtures/gpt2/', import.meta.url).pathname;
  await initBackend(['wasm', 'cpu']);
  const model = await loadGpt2(bufferSource(new Uint8Array(readFileSync(`${fix}tiny-f32.safetensors`))), {
    configJson: JSON.parse(readFileSync(`${fix}config.json`, 'utf8')),
  });
  const ids = new Gpt2Tokenizer().encode(readFileSync(`${fix}sample.txt`, 'utf8'));
  return { model, windows: Array.from({ length: 8 }, (_, i) => ids.slice(i * 16, (i + 1) * 16)) };
}
