/**
 * XᵀX in WebAssembly SIMD (float64): the Gram matrix of a calibration X, ~9× the plain
 * JS loop (`gram` in linalg.ts, the reference it is tested against): GPT-2's 8 192 × 768
 * X went from 4.4 s to 0.47 s. The kernel is src/core/wasm/gram.as.ts.
 */
import type { Matrix } from './matrix.ts';
import { GRAM_WASM_BASE64 } from './wasm/gram.wasm.generated.ts';
import { decodeBase64, wasmSimdSupported } from './wasmObjective.ts';

interface GramExports {
  memory: WebAssembly.Memory;
  setup(n: number, d: number): number;
  xpOffset(): number;
  gOffset(): number;
  gramBlock(bi: number): void;
  mirror(): void;
}

let compiled: WebAssembly.Module | undefined;

/** Whether wasmGram can run here (WebAssembly SIMD). */
export const wasmGramSupported = wasmSimdSupported;

/** G = XᵀX (d×d, exactly symmetric); throws where WebAssembly SIMD does not run or memory cannot grow. */
export function wasmGram(x: Matrix): Matrix {
  compiled ??= new WebAssembly.Module(decodeBase64(GRAM_WASM_BASE64));
  const ex = new WebAssembly.Instance(compiled, {}).exports as unknown as GramExports;
  const { rows: n, cols: d } = x;
  const dp = Math.ceil(d / 4) * 4;
  if (ex.setup(n, d) !== 1)
    throw new Error(`wasmGram: cannot lay out ${n}×${d} (the wasm memory cannot grow to ~${Math.ceil((8 * (n + dp) * dp) / 2 ** 20)} MiB)`);
  // X packed: panel p holds columns 4p..4p+3 of every row, row after row.
  const xp = new Float64Array(ex.memory.buffer, ex.xpOffset(), n * dp);
  const X = x.data;
  for (let r = 0; r < n; r++) {
    const src = r * d;
    for (let j = 0; j < d; j++) xp[(j >> 2) * n * 4 + r * 4 + (j & 3)] = X[src + j];
  }
  for (let bi = 0; bi < dp / 4; bi++) ex.gramBlock(bi);
  ex.mirror();
  const g = new Float64Array(ex.memory.buffer, ex.gOffset(), dp * dp);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) out.set(g.subarray(i * dp, i * dp + d), i * d);
  return { rows: d, cols: d, data: out };
}
