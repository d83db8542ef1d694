/**
 * The three float types a checkpoint may store, converted to and from float32 by bit
 * arithmetic (no Float16Array in Node 20). Decoding is exact (every F16 and BF16 value
 * is a float32); encoding rounds to nearest, ties to even, as PyTorch's `.half()` and
 * `.bfloat16()` do.
 */

export type Dtype = 'F32' | 'F16' | 'BF16';

export const DTYPES: readonly Dtype[] = ['F32', 'F16', 'BF16'];

export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = { F32: 4, F16: 2, BF16: 2 };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 bits of an IEEE half (1 sign, 5 exponent, 10 mantissa bits). */
function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return sign | 0x7f800000 | (mant << 13); // inf, NaN
  if (exp !== 0) return sign | ((exp + 112) << 23) | (mant << 13);
  if (mant === 0) return sign; // ±0
  // Subnormal half: normalise into a float32.
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return sign | (e << 23) | ((mant & 0x3ff) << 13);
}

/** The nearest IEEE half to a float32 (ties to even; overflow to ±inf; NaN stays NaN). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++; // may carry into the exponent: still correct (up to inf)
  return sign | r;
}

/** The nearest bfloat16 (the upper 16 bits of a float32, rounded to nearest even). */
export function floatToBf16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return ((bits >>> 16) | 0x40) & 0xffff; // keep NaN a NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Decode `n` little-endian values of `dtype` from `bytes` into float32. */
export function decodeFloats(bytes: Uint8Array, dtype: Dtype, n: number): Float32Array {
  if (bytes.byteLength !== n * DTYPE_BYTES[dtype]) throw new Error(`decodeFloats: ${bytes.byteLength} bytes for ${n} ${dtype} values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    // A fresh, aligned buffer on a little-endian machine is used as it is (no copy): the loader reads each tensor into its own.
    if (bytes.byteOffset % 4 === 0 && LITTLE_ENDIAN) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  const out = new Float32Array(n);
  const outBits = new Uint32Array(out.buffer);
  if (dtype === 'BF16') for (let i = 0; i < n; i++) outBits[i] = view.getUint16(2 * i, true) << 16;
  else for (let i = 0; i < n; i++) outBits[i] = halfToFloatBits(view.getUint16(2 * i, true));
  return out;
}

/** Encode float32 values as little-endian `dtype` bytes (rounding to nearest even for F16 and BF16). */
export function encodeFloats(data: Float32Array, dtype: Dtype): Uint8Array {
  const out = new Uint8Array(data.length * DTYPE_BYTES[dtype]);
  const view = new DataView(out.buffer);
  if (dtype === 'F32') for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
  else if (dtype === 'F16') for (let i = 0; i < data.length; i++) view.setUint16(2 * i, floatToHalf(data[i]), true);
  else for (let i = 0; i < data.length; i++) view.setUint16(2 * i, floatToBf16(data[i]), true);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
