/**
 * Plain TypeScript GEMMs: the float32 reference that every faster backend is tested against (and falls
 * back to), and the float64 kernel. Both run i-k-j so the inner loop streams rows of op(B) and of the
 * output; Bᵀ is transposed once up front for the same reason.
 */
import type { StorageSource } from "../tensor/dtype.js";
import { freshStorage } from "../tensor/dtype.js";

/** Options shared by every GEMM entry point. */
export interface GemmOptions<T> {
  /** Read A as stored k×m and use its transpose. */
  readonly transA?: boolean;
  /** Read B as stored n×k and use its transpose. */
  readonly transB?: boolean;
  /** Added to every row of the product. */
  readonly bias?: T;
  /** Apply `max(x, 0)` (NaN → 0) after the bias. */
  readonly relu?: boolean;
  /** Where the SIMD kernel's result storage comes from (default: a fresh array). */
  readonly mem?: StorageSource;
}

/** Throws unless the buffers match the stated shape. */
export function checkGemmArgs(
  a: { readonly length: number }, b: { readonly length: number }, m: number, k: number, n: number,
  bias: { readonly length: number } | undefined,
): void {
  for (const [label, v] of [["m", m], ["k", k], ["n", n]] as const)
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`gemm: ${label} must be a non-negative integer, got ${v}`);
  if (a.length !== m * k) throw new RangeError(`gemm: A has ${a.length} elements, expected ${m}·${k}`);
  if (b.length !== k * n) throw new RangeError(`gemm: B has ${b.length} elements, expected ${k}·${n}`);
  if (bias !== undefined && bias.length !== n) throw new RangeError(`gemm: bias has ${bias.length} elements, expected ${n}`);
}

/** B (stored n×k) transposed into a fresh k×n row-major array, so the main loop can stream its rows. */
function transposed64(b: Float64Array | Float32Array, n: number, k: number): Float64Array {
  const t = new Float64Array(k * n);
  for (let j = 0; j < n; j++) {
    const row = j * k;
    for (let p = 0; p < k; p++) t[p * n + j] = b[row + p]!;
  }
  return t;
}

/**
 * Reference float32 GEMM: `op(A)·op(B) (+ bias) (relu)` into a new array. Accumulates each output row in
 * float64 and rounds once, so it is at least as accurate as any faster kernel it is compared with.
 */
export function gemmF32Reference(
  a: Float32Array, b: Float32Array, m: number, k: number, n: number, opts: GemmOptions<Float32Array> = {},
): Float32Array {
  checkGemmArgs(a, b, m, k, n, opts.bias);
  const out = freshStorage("float32", m * n) as Float32Array;
  const bt = opts.transB === true ? transposed64(b, n, k) : b;
  const transA = opts.transA === true;
  const bias = opts.bias;
  const relu = opts.relu === true;
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    if (bias === undefined) acc.fill(0);
    else for (let j = 0; j < n; j++) acc[j] = bias[j]!;
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i]! : a[i * k + p]!;
      const bo = p * n;
      for (let j = 0; j < n; j++) acc[j]! += av * bt[bo + j]!;
    }
    const row = i * n;
    if (relu) for (let j = 0; j < n; j++) out[row + j] = acc[j]! > 0 ? acc[j]! : 0;
    else for (let j = 0; j < n; j++) out[row + j] = acc[j]!;
  }
  return out;
}

/** Float64 GEMM in plain TypeScript: `op(A)·op(B) (+ bias) (relu)` into a new array. */
export function gemmF64(
  a: Float64Array, b: Float64Array, m: number, k: number, n: number, opts: GemmOptions<Float64Array> = {},
): Float64Array {
  checkGemmArgs(a, b, m, k, n, opts.bias);
  const out = freshStorage("float64", m * n) as Float64Array;
  const bt = opts.transB === true ? transposed64(b, n, k) : b;
  const transA = opts.transA === true;
  const bias = opts.bias;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    if (bias !== undefined) for (let j = 0; j < n; j++) out[row + j] = bias[j]!;
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i]! : a[i * k + p]!;
      const bo = p * n;
      for (let j = 0; j < n; j++) out[row + j]! += av * bt[bo + j]!;
    }
    if (opts.relu === true) for (let j = 0; j < n; j++) out[row + j] = out[row + j]! > 0 ? out[row + j]! : 0;
  }
  return out;
}
