/**
 * The attention objective of SPEC §2 in WebAssembly SIMD (f64x2): the same numbers as
 * `AttentionObjective` (src/core/objective.ts) to ~1e−13 relative, several times faster.
 * The kernels are AssemblyScript (src/core/wasm/objective.as.ts), compiled by
 * `npm run build:wasm` into a base64 constant, so nothing is fetched at run time.
 *
 * Loading: the module is small, so the constructor compiles it synchronously on first
 * use, which Node and workers allow. Browsers forbid synchronous compilation of modules
 * over 4 KB on the main thread: there, `await initWasmObjective()` once first (or use
 * `WasmAttentionObjective.create`). Every instance owns its memory, so several coexist.
 */
import type { Matrix } from './matrix.ts';
import { checkShapes } from './attention.ts';
import { objectiveSetup, type ObjectiveValue } from './objective.ts';
import { OBJECTIVE_WASM_BASE64 } from './wasm/objective.wasm.generated.ts';

interface ObjectiveExports {
  memory: WebAssembly.Memory;
  setup(n: number, d: number, causal: number, lambda: number): number;
  xOffset(): number;
  wOffset(): number;
  mOffset(): number;
  gradOffset(): number;
  f0Offset(): number;
  fOffset(): number;
  memoryEnd(): number;
  attentionLoss(): number;
  loss(): number;
  init(): void;
  evaluate(withGrad: number): number;
}

/** A minimal module using one SIMD instruction (i8x16.popcnt of a splat), as wasm-feature-detect does. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

let simdSupported: boolean | undefined;

/** Whether this engine runs WebAssembly SIMD (fixed-width, 128-bit). */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    simdSupported = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(SIMD_PROBE);
  }
  return simdSupported;
}

export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<WebAssembly.Module> | undefined;

function requireSimd(): void {
  if (!wasmSimdSupported()) {
    throw new Error('WasmAttentionObjective needs WebAssembly SIMD, which this JavaScript engine does not support: use AttentionObjective instead');
  }
}

/**
 * Compile the module asynchronously (allowed everywhere, including a browser's main
 * thread). Resolves once; later constructors reuse the compiled module.
 */
export function initWasmObjective(): Promise<WebAssembly.Module> {
  if (compiled) return Promise.resolve(compiled);
  if (!compiling) {
    compiling = (async () => {
      requireSimd();
      const m = await WebAssembly.compile(decodeBase64(OBJECTIVE_WASM_BASE64));
      compiled = m;
      return m;
    })();
    compiling.catch(() => {
      compiling = undefined;
    });
  }
  return compiling;
}

function moduleSync(): WebAssembly.Module {
  if (!compiled) {
    requireSimd();
    compiled = new WebAssembly.Module(decodeBase64(OBJECTIVE_WASM_BASE64));
  }
  return compiled;
}

export class WasmAttentionObjective {
  readonly n: number;
  readonly d: number;
  readonly causal: boolean;
  readonly lambda: number;
  /** Dense attention F₀ (n×n row-major), a view into this instance's wasm memory. */
  readonly f0: Float64Array;
  /** Attention F(M) of the last evaluation (n×n), a view into wasm memory: copy it to keep it. */
  readonly f: Float64Array;
  private readonly ex: ObjectiveExports;
  private readonly mView: Float64Array;
  private readonly gradView: Float64Array;

  /**
   * Compiles the module synchronously if `initWasmObjective()` has not run yet (fine in
   * Node and workers, not on a browser's main thread). Throws if SIMD is unsupported.
   */
  constructor(X: Matrix, W: Matrix, opts: { causal?: boolean; lambda?: number } = {}, instance?: WebAssembly.Instance) {
    ({ n: this.n, d: this.d, causal: this.causal, lambda: this.lambda } = objectiveSetup(X, W, opts));
    const { n, d } = this;
    if (X.data.length !== n * d || W.data.length !== d * d) throw new Error('X or W: data length does not match its shape');
    const inst = instance ?? new WebAssembly.Instance(moduleSync(), {});
    const ex = inst.exports as unknown as ObjectiveExports;
    this.ex = ex;
    if (ex.setup(n, d, this.causal ? 1 : 0, this.lambda) !== 1) {
      throw new Error(
        `WasmAttentionObjective: cannot set up n = ${n}, d = ${d} (empty, or the wasm memory, 4 GiB at most, cannot grow to ~${Math.ceil((24 * n * n + 32 * n * d + 40 * d * d) / 2 ** 20)} MiB)`,
      );
    }
    // The memory never grows after setup, so these views stay valid.
    const buf = ex.memory.buffer;
    new Float64Array(buf, ex.xOffset(), n * d).set(X.data);
    new Float64Array(buf, ex.wOffset(), d * d).set(W.data);
    this.mView = new Float64Array(buf, ex.mOffset(), d * d);
    this.gradView = new Float64Array(buf, ex.gradOffset(), d * d);
    this.f0 = new Float64Array(buf, ex.f0Offset(), n * n);
    this.f = new Float64Array(buf, ex.fOffset(), n * n);
    ex.init();
  }

  /** Like the constructor, but compiles and instantiates asynchronously (browser main thread). */
  static async create(X: Matrix, W: Matrix, opts: { causal?: boolean; lambda?: number } = {}): Promise<WasmAttentionObjective> {
    checkShapes(X, W);
    const module = await initWasmObjective();
    const instance = await WebAssembly.instantiate(module, {});
    return new WasmAttentionObjective(X, W, opts, instance);
  }

  /**
   * Evaluate L(M); if `grad` is given, also write ∇L(M) into it (length d²).
   * M is row-major d×d. Non-finite results are returned as they are.
   */
  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue {
    const dd = this.d * this.d;
    if (m.length !== dd) throw new Error(`mask has ${m.length} entries, expected d² = ${dd}`);
    if (grad && grad.length !== dd) throw new Error(`grad has ${grad.length} entries, expected d² = ${dd}`);
    this.mView.set(m);
    const loss = this.ex.evaluate(grad ? 1 : 0);
    if (grad) grad.set(this.gradView);
    return { loss, attentionLoss: this.ex.attentionLoss() };
  }
}
