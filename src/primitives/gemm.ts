/**
 * The dense matrix-multiply kernel behind the `matmul` primitive: `op(A)·op(B)` for row-major buffers.
 * float32 goes to the fastest available backend (WebAssembly SIMD on both cores, falling back to one
 * thread, then to plain TypeScript, with the same results); float64 runs in plain TypeScript.
 */
import { gemmF32, gemmF64 } from "../backend/gemm.js";
import { FRESH, type StorageSource } from "../tensor/dtype.js";

/** `op(a)·op(b)` into a new buffer of `m·n` elements. */
export function gemm(
  a: Float32Array | Float64Array, b: Float32Array | Float64Array, m: number, k: number, n: number,
  transA: boolean, transB: boolean, dtype: string, mem: StorageSource = FRESH,
): Float32Array | Float64Array {
  if (dtype === "float32") return gemmF32(a as Float32Array, b as Float32Array, m, k, n, { transA, transB, mem });
  return gemmF64(a as Float64Array, b as Float64Array, m, k, n, { transA, transB });
}
