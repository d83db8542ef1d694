/**
 * Our safetensors reader and writer: a round trip keeps names, shapes, dtypes, values and
 * metadata; the float conversions round to nearest even; and every malformed file is refused
 * with a SafetensorsError naming its problem, before any tensor data is read.
 */
import { describe, expect, it } from 'vitest';
import { decodeFloats, encodeFloats, floatToBf16, floatToHalf } from '../../../src/model/gpt2/dtypes.ts';
import {
  bufferSource,
  type ByteSource,
  HEADER_MAX_BYTES,
  readSafetensorsHeader,
  readTensorBytes,
  SafetensorsError,
  type SafetensorsProblem,
  writeSafetensors,
} from '../../../src/model/gpt2/safetensors.ts';
import { rawSafetensors, splitSafetensors, tinyCheckpoint } from '../../helpers/gpt2Files.ts';

describe('float conversions', () => {
  it('F16: exact values, rounding to nearest even, subnormals, overflow, specials', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds up to inf
    expect(floatToHalf(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // a tie: to even (0)
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie between 1 and 1+2^-10: to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // a tie: to even (up)
    expect(floatToHalf(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(Number.isNaN(decodeFloats(new Uint8Array(new Uint16Array([floatToHalf(Number.NaN)]).buffer), 'F16', 1)[0])).toBe(true);
  });

  it('F16 and BF16 decode every bit pattern to the value it encodes, and re-encode it unchanged', () => {
    for (const dtype of ['F16', 'BF16'] as const) {
      const all = new Uint16Array(65536).map((_, i) => i);
      const values = decodeFloats(new Uint8Array(all.buffer), dtype, 65536);
      const back = new Uint16Array(encodeFloats(values, dtype).buffer);
      const changed = all.filter((i) => !Number.isNaN(values[i]) && back[i] !== i);
      expect(Array.from(changed.slice(0, 5)), dtype).toEqual([]);
      // Spot values: 1.5 and −0.25.
      const one = dtype === 'F16' ? 0x3e00 : 0x3fc0;
      expect(values[one]).toBe(1.5);
    }
  });

  it('BF16 rounds to nearest even', () => {
    expect(floatToBf16(1)).toBe(0x3f80);
    expect(floatToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie: even
    expect(floatToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie: even (up)
    expect(floatToBf16(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
  });
});

describe('writer round trip', () => {
  it('keeps names, shapes, dtypes, values and __metadata__; the data starts 8-aligned', async () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => (i - 2.5) / 3);
    const file = writeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2, 3], data: a },
        { name: 'b.half', dtype: 'F16', shape: [6], data: a },
        { name: 'c.bf', dtype: 'BF16', shape: [3, 2], data: a },
        { name: 'scalar', dtype: 'F32', shape: [], data: Float32Array.of(7) },
      ],
      { format: 'pt', pruned: 'no' },
    );
    const source = bufferSource(file);
    const h = await readSafetensorsHeader(source);
    expect(h.dataStart % 8).toBe(0);
    expect(h.metadata).toEqual({ format: 'pt', pruned: 'no' });
    expect([...h.tensors.keys()]).toEqual(['a', 'b.half', 'c.bf', 'scalar']);
    const values = async (name: string) => {
      const t = h.tensors.get(name)!;
      return decodeFloats(
        await readTensorBytes(source, h, t),
        t.dtype,
        t.shape.reduce((x, y) => x * y, 1),
      );
    };
    expect(Array.from(await values('a'))).toEqual(Array.from(a));
    expect(h.tensors.get('c.bf')!.shape).toEqual([3, 2]);
    for (const [name, rel] of [
      ['b.half', 2 ** -11],
      ['c.bf', 2 ** -8],
    ] as const) {
      const v = await values(name);
      for (let i = 0; i < a.length; i++) expect(Math.abs(v[i] - a[i])).toBeLessThanOrEqual(rel * Math.abs(a[i]));
    }
    expect(Array.from(await values('scalar'))).toEqual([7]);
  });
});

/** Expect the header read to fail with this problem and a message matching `message`. */
async function refused(file: Uint8Array | ByteSource, problem: SafetensorsProblem, message: RegExp): Promise<void> {
  const source = file instanceof Uint8Array ? bufferSource(file) : file;
  const err = await readSafetensorsHeader(source).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a ${problem} error`).toBeInstanceOf(SafetensorsError);
  expect((err as SafetensorsError).problem).toBe(problem);
  expect((err as Error).message).toMatch(message);
}

describe('malformed files are refused, naming what is wrong', () => {
  const good = tinyCheckpoint();
  const { header, data } = splitSafetensors(good);
  const edited = (name: string, change: Record<string, unknown>) => rawSafetensors({ ...header, [name]: { ...(header[name] as object), ...change } }, data);

  it('a valid file passes', async () => {
    const h = await readSafetensorsHeader(bufferSource(good));
    expect(h.tensors.size).toBeGreaterThan(10);
  });

  it('truncated before the header length', () => refused(good.slice(0, 5), 'truncated', /truncated: 5 bytes/));
  it('an empty file', () => refused(new Uint8Array(0), 'truncated', /truncated: 0 bytes/));
  it('header length past the end of the file', () => refused(good.slice(0, 100), 'header-length', /runs past the end of the file \(100 bytes\)/));
  it('header length absurd (2^40), refused before anything is read', async () => {
    let largest = 0;
    const file = rawSafetensors({}, new Uint8Array(0), 2n ** 40n);
    // A source that claims to be huge: the header length is checked before a large read.
    const huge: ByteSource = {
      size: 2 ** 41,
      read: async (offset, length) => {
        largest = Math.max(largest, length);
        return file.slice(offset, offset + length);
      },
    };
    await refused(huge, 'header-length', /header length 1099511627776 is absurd/);
    expect(largest).toBe(8);
    expect(HEADER_MAX_BYTES).toBe(100_000_000);
  });
  it('header not JSON', () => refused(rawSafetensors('{"a": [1, 2', data), 'header-json', /not JSON/));
  it('header not UTF-8', () =>
    refused(
      rawSafetensors('{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)),
      'header-json',
      /not UTF-8/,
    ));
  it('header JSON but not an object', () => refused(rawSafetensors('[1, 2, 3]'), 'header-json', /not an object of tensors/));
  it('a tensor entry without data_offsets', () =>
    refused(rawSafetensors({ x: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)), 'tensor-entry', /"x": data_offsets/));
  it('__metadata__ with a non-string value', () => refused(rawSafetensors({ __metadata__: { a: 1 } }), 'tensor-entry', /__metadata__/));
  it('unsupported dtype', () => refused(edited('wte.weight', { dtype: 'I64' }), 'dtype', /"wte\.weight": dtype I64 is not supported \(only F32, F16, BF16/));
  it('F64 is refused too', () => refused(edited('wpe.weight', { dtype: 'F64' }), 'dtype', /dtype F64/));
  it('shape that does not match its bytes', () =>
    refused(edited('ln_f.bias', { shape: [9] }), 'shape-bytes', /"ln_f\.bias": shape \[9\] of F32 is 36 bytes, but its data_offsets hold 32 bytes/));
  it('offsets past the end of the data (a truncated file)', () => {
    const cut = rawSafetensors(header, data.slice(0, data.byteLength - 100));
    return refused(cut, 'offsets', /run past the end of the data .*truncated/);
  });
  it('offsets that end before they begin', () => refused(edited('ln_f.bias', { data_offsets: [40, 8] }), 'offsets', /end before they begin/));
  it('overlapping tensors', () => {
    const wte = header['wte.weight'] as { data_offsets: number[] };
    const [b] = wte.data_offsets;
    // ln_f.bias (32 bytes) moved into the middle of wte.
    return refused(edited('ln_f.bias', { data_offsets: [b + 16, b + 48] }), 'overlap', /overlap in the data/);
  });
  it('negative or fractional offsets', () => refused(edited('ln_f.bias', { data_offsets: [-8, 24] }), 'tensor-entry', /two integers/));
});
