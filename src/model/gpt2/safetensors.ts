/**
 * The safetensors format, read and written by us (no dependency):
 *
 *   bytes 0..7        N, the header's length, unsigned 64-bit little-endian
 *   bytes 8..8+N-1    the header: UTF-8 JSON, { name: { dtype, shape, data_offsets: [begin, end] }, …,
 *                     "__metadata__"?: { string: string } }
 *   bytes 8+N..       the data buffer; a tensor's bytes are data[begin, end), row-major, little-endian
 *
 * Everything is checked before a byte of tensor data is used, and every failure is a
 * SafetensorsError naming what is wrong: the header length (not past the end, not absurd:
 * at most HEADER_MAX_BYTES, Hugging Face's own limit), the header (UTF-8 JSON object), each
 * tensor (dtype F32/F16/BF16 only, integer shape, shape × dtype size = its byte length, offsets
 * inside the data and not overlapping). The header is read on its own first (readSafetensorsHeader
 * takes the first 8 bytes, then exactly N more), so a file that claims a huge header is
 * refused before anything large is read.
 */
import { InputError } from '../../core/errors.ts';
import { DTYPE_BYTES, DTYPES, type Dtype, encodeFloats } from './dtypes.ts';

/** Largest header accepted (bytes): the limit of Hugging Face's safetensors library. */
export const HEADER_MAX_BYTES = 100_000_000;

export type SafetensorsProblem = 'truncated' | 'header-length' | 'header-json' | 'tensor-entry' | 'dtype' | 'shape-bytes' | 'offsets' | 'overlap';

/** A malformed safetensors file (exit 1 in the CLI). `problem` says which rule it broke. */
export class SafetensorsError extends InputError {
  override name = 'SafetensorsError';
  constructor(
    readonly problem: SafetensorsProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte range in the data buffer (relative to its start). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Bytes before the data buffer: 8 + the header's length. */
  dataStart: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/**
 * Random access to a file's bytes: a Node file descriptor, a browser File (Blob.slice),
 * or a buffer in memory. `read` returns a fresh, zero-offset array of exactly `length` bytes.
 */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.byteLength, read: async (offset, length) => bytes.slice(offset, offset + length) };
}

function count(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}

/** The header's length from the first 8 bytes, checked against the file's size. */
export function headerLength(first8: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || first8.byteLength < 8)
    throw new SafetensorsError('truncated', `the file is truncated: ${count(fileSize, 'byte')}, but a safetensors file starts with an 8-byte header length`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(HEADER_MAX_BYTES))
    throw new SafetensorsError(
      'header-length',
      `the header length ${n} is absurd (at most ${HEADER_MAX_BYTES.toLocaleString('en-US')} bytes): not a safetensors file, or a corrupt one`,
    );
  const len = Number(n);
  if (len + 8 > fileSize)
    throw new SafetensorsError(
      'header-length',
      `the header length ${len} runs past the end of the file (${count(fileSize, 'byte')}): the file is truncated or not safetensors`,
    );
  if (len < 2) throw new SafetensorsError('header-json', `the header is ${count(len, 'byte')} long: too short to be a JSON object`);
  return len;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function offsetOk(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parse and check a header's bytes; `dataSize` is the file's size minus the header. */
export function parseHeader(headerBytes: Uint8Array, dataSize: number): Omit<SafetensorsHeader, 'dataStart'> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError('header-json', 'the header is not UTF-8 text: not a safetensors file, or a corrupt one');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError('header-json', `the header is not JSON (${(e as Error).message}): not a safetensors file, or a corrupt one`);
  }
  if (!isPlainObject(json)) throw new SafetensorsError('header-json', 'the header is JSON but not an object of tensors');
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(entry) || !Object.values(entry).every((v) => typeof v === 'string'))
        throw new SafetensorsError('tensor-entry', '__metadata__ must be an object of strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    tensors.set(name, checkEntry(name, entry, dataSize));
  }
  checkOverlap([...tensors.values()]);
  return { tensors, metadata };
}

function checkEntry(name: string, entry: unknown, dataSize: number): TensorInfo {
  const what = `tensor "${name}"`;
  if (!isPlainObject(entry)) throw new SafetensorsError('tensor-entry', `${what}: its header entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string') throw new SafetensorsError('tensor-entry', `${what}: no dtype`);
  if (!DTYPES.includes(dtype as Dtype))
    throw new SafetensorsError('dtype', `${what}: dtype ${dtype} is not supported (only ${DTYPES.join(', ')}: float checkpoints)`);
  if (!Array.isArray(shape) || !shape.every(offsetOk)) throw new SafetensorsError('tensor-entry', `${what}: shape must be a list of integers >= 0`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(offsetOk))
    throw new SafetensorsError('tensor-entry', `${what}: data_offsets must be two integers [begin, end]`);
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new SafetensorsError('offsets', `${what}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataSize)
    throw new SafetensorsError(
      'offsets',
      `${what}: data_offsets [${begin}, ${end}] run past the end of the data (${count(dataSize, 'byte')}): the file is truncated or corrupt`,
    );
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const bytes = elements * DTYPE_BYTES[dtype as Dtype];
  if (bytes !== end - begin)
    throw new SafetensorsError(
      'shape-bytes',
      `${what}: shape [${shape.join(', ')}] of ${dtype} is ${count(bytes, 'byte')}, but its data_offsets hold ${count(end - begin, 'byte')}`,
    );
  return { name, dtype: dtype as Dtype, shape: [...(shape as number[])], begin, end };
}

function checkOverlap(tensors: TensorInfo[]): void {
  const sorted = tensors.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (b.begin < a.end)
      throw new SafetensorsError('overlap', `tensors "${a.name}" [${a.begin}, ${a.end}) and "${b.name}" [${b.begin}, ${b.end}) overlap in the data`);
  }
}

/** Read and check the header of a safetensors source (8 bytes, then exactly the header). */
export async function readSafetensorsHeader(source: ByteSource): Promise<SafetensorsHeader> {
  const first = source.size >= 8 ? await source.read(0, 8) : new Uint8Array(0);
  const len = headerLength(first, source.size);
  const header = parseHeader(await source.read(8, len), source.size - 8 - len);
  return { dataStart: 8 + len, ...header };
}

/** The raw bytes of one tensor (a fresh array). */
export function readTensorBytes(source: ByteSource, header: SafetensorsHeader, t: TensorInfo): Promise<Uint8Array> {
  return source.read(header.dataStart + t.begin, t.end - t.begin);
}

export interface TensorToWrite {
  name: string;
  dtype: Dtype;
  shape: readonly number[];
  data: Float32Array;
}

/**
 * The first bytes of a safetensors file (length + header) for tensors laid out contiguously in
 * the given order. The header is padded with spaces to a multiple of 8 bytes, as Hugging Face's
 * writer does, so the data (and every F32 tensor in it) stays aligned. The tensors' encoded
 * bytes follow in the same order (writeSafetensors, or a stream for files too large to build in memory).
 */
export function safetensorsPrefix(tensors: readonly Omit<TensorToWrite, 'data'>[], metadata: Record<string, string> = {}): Uint8Array {
  // No prototype: a tensor named "__proto__" is an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (Object.hasOwn(header, t.name)) throw new Error(`writeSafetensors: "${t.name}" given twice`);
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** A safetensors file of the given tensors (in this order, contiguous) and metadata. */
export function writeSafetensors(tensors: readonly TensorToWrite[], metadata: Record<string, string> = {}): Uint8Array {
  const prefix = safetensorsPrefix(tensors, metadata);
  const parts = tensors.map((t) => {
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length)
      throw new Error(`writeSafetensors: "${t.name}" has ${t.data.length} values for shape [${t.shape}]`);
    return encodeFloats(t.data, t.dtype);
  });
  return concatBytes([prefix, ...parts]);
}

/** The pieces of a file (a prefix, then each tensor's encoded bytes) as one array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
