/**
 * Small GPT-2 files for the tests, made on the fly: a valid tiny checkpoint (random weights,
 * a cut vocabulary: the parser and mapping need no tokenizer) and raw safetensors bytes with
 * any header, to build every malformed case.
 */
import { type RandomGpt2Options, randomGpt2Tensors } from '../../src/model/gpt2/randomCheckpoint.ts';
import { writeSafetensors } from '../../src/model/gpt2/safetensors.ts';

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
