/** Element types and their typed-array storage. */
import { AllocationError } from "../errors.js";

/** The element types of a tensor. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** Floating-point dtypes: the ones that carry gradients. */
export type FloatDType = "float32" | "float64";

/** Storage for each dtype. */
export interface StorageOf {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Any tensor storage. */
export type Storage = StorageOf[DType];

/** All dtypes, for validation of outside input. */
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/**
 * Where a kernel's storage comes from, passed to it explicitly: {@link FRESH} typed arrays when an op runs
 * eagerly, a compiled program's planned buffers (recycled from one run to the next, see
 * `transforms/buffers.ts`) when it runs inside a staged program.
 */
export interface StorageSource {
  /** Storage for `n` elements of `dtype`, zero-filled when `zeroed` (else the caller overwrites all of it). */
  take(dtype: DType, n: number, zeroed: boolean): Storage;
}

/** Fresh typed arrays (zero-filled, as new typed arrays are). */
export const FRESH: StorageSource = { take: (dtype, n) => freshStorage(dtype, n) };

/** Allocates fresh zeroed storage for `n` elements of `dtype`. */
export function alloc(dtype: DType, n: number): Storage {
  return freshStorage(dtype, n);
}

/** Whether `s` is storage of `dtype`. */
export function isStorageOf(s: Storage, dtype: DType): boolean {
  switch (dtype) {
    case "float32":
      return s instanceof Float32Array;
    case "float64":
      return s instanceof Float64Array;
    case "int32":
      return s instanceof Int32Array;
    case "bool":
      return s instanceof Uint8Array;
  }
}

/** Bytes per element of each dtype's storage. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/**
 * The most storage one tensor may have: 4 GiB (2³² bytes). It is Node's own limit for a Buffer and the whole
 * of a 32-bit WebAssembly memory, which the kernels copy operands into; a tensor beyond it (a product of
 * [60000, 1] by [1, 40000] is 9.6 GB) would exhaust most machines' memory or run for minutes before failing.
 */
export const MAX_TENSOR_BYTES = 2 ** 32;

/**
 * Throws an {@link AllocationError} naming `op`, the shape and the byte size when a tensor of `shape` and
 * `dtype` would need more than {@link MAX_TENSOR_BYTES}; called before anything is allocated.
 * @example checkAllocation("zeros", [100000, 100000], "float32") // throws: 40 GB, more than 4 GiB
 */
export function checkAllocation(op: string, shape: readonly number[], dtype: DType): void {
  let n = 1;
  for (const d of shape) n *= d;
  checkElements(op, n, dtype, shape);
}

function checkElements(op: string, n: number, dtype: DType, shape?: readonly number[]): void {
  const bytes = n * BYTES_PER_ELEMENT[dtype];
  if (!(Number.isSafeInteger(n) && n >= 0 && bytes <= MAX_TENSOR_BYTES)) throw new AllocationError(op, dtype, n, bytes, MAX_TENSOR_BYTES, shape);
}

/** A new zeroed typed array for `n` elements of `dtype` (refused beyond {@link MAX_TENSOR_BYTES}). */
export function freshStorage(dtype: DType, n: number): Storage {
  checkElements("allocate", n, dtype);
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
  }
}

/** Whether a dtype is floating point. */
export const isFloat = (d: DType): d is FloatDType => d === "float32" || d === "float64";

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype two operands are promoted to (bool < int32 < float32 < float64). */
export const promote = (a: DType, b: DType): DType => (RANK[a] >= RANK[b] ? a : b);

/** Converts a JS number to the value stored for a dtype. */
export function coerce(dtype: DType, v: number): number {
  switch (dtype) {
    case "int32":
      return Math.trunc(v) | 0;
    case "bool":
      return v ? 1 : 0;
    case "float32":
      return Math.fround(v);
    default:
      return v;
  }
}
