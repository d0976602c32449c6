/**
 * Random bits as a primitive: one record, `randomP`, turns keys into new keys or samples with the
 * threefry2x32 cipher of `threefry.ts`. A key is an int32 tensor holding the bit patterns of its two
 * uint32 words (JAX's raw keys); the primitive takes keys of shape `[...batch, 2]` and gives one result
 * per key, `[...batch, ...result]`, so staging (`jit`) records it like any other primitive and its
 * batching rule over keys is the primitive itself with the batch axis in front. Samples are constants
 * with respect to every input (keys are integers): no tangent, no cotangent.
 */
import { DTypeError, ShapeError } from "../errors.js";
import { sizeOf } from "../shape/runtime.js";
import type { FloatDType, Storage } from "../tensor/dtype.js";
import { noNames, type TensorImpl } from "../tensor/tensor.js";
import { bind } from "../core/trace.js";
import { definePrimitive, type Meta, type Primitive } from "../core/primitive.js";
import {
  checkCount,
  checkRange,
  normalF32,
  randomBits32,
  splitWords,
  splitWordsPartitionable,
  threefry2x32Block,
  uniformF32,
  uniformUnitInto,
  type KeyWords,
} from "./threefry.js";

/** What `randomP` makes from each key. */
export type RandomParams =
  /** `n` new keys, `[n, 2]` (`partitionable`: JAX ≥ 0.5's layout, key `i` = `foldIn(k, i)`). */
  | { readonly kind: "split"; readonly n: number; readonly partitionable: boolean }
  /** One key derived from the key and `data` (taken mod 2³²), `[2]`. */
  | { readonly kind: "foldIn"; readonly data: number }
  /** Raw random uint32 words as int32 bit patterns (`jax.random.bits`). */
  | { readonly kind: "bits"; readonly shape: readonly number[]; readonly names: readonly (string | null)[] }
  /** Uniform samples in `[lo, hi)` (JAX's float32 recipe; a float64 result holds the float32 values). */
  | { readonly kind: "uniform"; readonly shape: readonly number[]; readonly names: readonly (string | null)[]; readonly dtype: FloatDType; readonly lo: number; readonly hi: number }
  /** Normal samples `mean + std · z` (`z` by JAX's float32 recipe, the affine map in float64, then rounded to `dtype`). */
  | { readonly kind: "normal"; readonly shape: readonly number[]; readonly names: readonly (string | null)[]; readonly dtype: FloatDType; readonly mean: number; readonly std: number }
  /** A random permutation of `0 … n−1` (int32), by Fisher–Yates on `n − 1` random words. */
  | { readonly kind: "permutation"; readonly n: number };

const TWO_32 = 0x100000000;

function checkShape(op: string, shape: readonly number[]): void {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ShapeError(op, "dims must be non-negative integers", [shape]);
  checkCount(op, sizeOf(shape), "the number of samples");
}

/** The shape of one result, its dtype and its names. */
function resultOf(p: RandomParams, op: string): Meta {
  switch (p.kind) {
    case "split":
      checkCount(op, p.n);
      if (!p.partitionable) checkCount(op, 2 * p.n, "2n");
      return { shape: [p.n, 2], dtype: "int32", names: noNames(2) };
    case "foldIn":
      if (!Number.isInteger(p.data)) throw new RangeError(`${op}: data must be an integer, got ${p.data}`);
      return { shape: [2], dtype: "int32", names: noNames(1) };
    case "bits":
      checkShape(op, p.shape);
      return { shape: p.shape, dtype: "int32", names: p.names };
    case "uniform":
    case "normal":
      checkShape(op, p.shape);
      if (p.dtype !== "float32" && p.dtype !== "float64") throw new DTypeError(op, `samples must be float32 or float64, got ${p.dtype}`);
      if (p.kind === "uniform") checkRange(op, p.lo, p.hi);
      return { shape: p.shape, dtype: p.dtype, names: p.names };
    case "permutation":
      checkCount(op, p.n);
      return { shape: [p.n], dtype: "int32", names: noNames(1) };
  }
}

/** Writes the result of one key into `out` at `at` (`m` elements). */
function draw(k: KeyWords, p: RandomParams, out: Storage, at: number, m: number): void {
  switch (p.kind) {
    case "split":
      out.set(p.partitionable ? splitWordsPartitionable(k, p.n) : splitWords(k, p.n), at);
      return;
    case "foldIn":
      out.set(threefry2x32Block(k[0], k[1], 0, p.data % TWO_32), at);
      return;
    case "bits":
      out.set(randomBits32(k, m), at);
      return;
    case "uniform":
      if (p.dtype === "float32" && p.lo === 0 && p.hi === 1) uniformUnitInto(k, m, out as Float32Array, at);
      else out.set(uniformF32(k, m, p.lo, p.hi), at);
      return;
    case "normal": {
      const z = normalF32(k, m);
      if (p.mean === 0 && p.std === 1) out.set(z, at);
      else if (p.dtype === "float32") for (let i = 0; i < m; i++) out[at + i] = Math.fround(p.mean + p.std * z[i]!);
      else for (let i = 0; i < m; i++) out[at + i] = p.mean + p.std * z[i]!;
      return;
    }
    case "permutation": {
      const n = p.n;
      for (let i = 0; i < n; i++) out[at + i] = i;
      const bits = randomBits32(k, Math.max(n - 1, 0));
      for (let i = n - 1; i > 0; i--) {
        // Multiply-shift maps 32 random bits onto [0, i] (bias below 2⁻²⁰ for any n that fits in memory).
        const j = Math.floor((bits[n - 1 - i]! / 4294967296) * (i + 1));
        const t = out[at + i]!;
        out[at + i] = out[at + j]!;
        out[at + j] = t;
      }
      return;
    }
  }
}

/** New keys or samples from keys of shape `[...batch, 2]`: one result per key, `[...batch, ...result]`. */
export const randomP: Primitive<RandomParams> = definePrimitive<RandomParams>({
  name: "random",
  abstract: ([k], p) => {
    const op = `random.${p.kind}`;
    if (k!.dtype !== "int32") throw new DTypeError(op, `a key is an int32 tensor (two uint32 words), got ${k!.dtype}`);
    if (k!.shape.length === 0 || k!.shape[k!.shape.length - 1] !== 2)
      throw new ShapeError(op, "keys must have shape [..., 2] (two uint32 words each)", [k!.shape]);
    const batch = k!.shape.slice(0, -1);
    const r = resultOf(p, op);
    return { shape: [...batch, ...r.shape], dtype: r.dtype, names: batch.length === 0 ? r.names : [...noNames(batch.length), ...r.names] };
  },
  impl: ([k], p, out, mem) => {
    const keys = k!.data;
    const n = keys.length >> 1;
    const m = n === 0 ? 0 : sizeOf(out.shape) / n;
    const data = mem.take(out.dtype, sizeOf(out.shape), false);
    for (let b = 0; b < n; b++) draw([keys[2 * b]! >>> 0, keys[2 * b + 1]! >>> 0], p, data, b * m, m);
    return data;
  },
  jvp: () => null,
  vjp: () => [null],
  // Keys batched on axis 0 are one more leading key dim (the key is the only input, so it is the batched one).
  vmap: ([k], _b, p) => bind(randomP, [k!], p),
});

/** Raw application of the random primitive to a key tensor. */
export const random = (k: TensorImpl, p: RandomParams): TensorImpl => bind(randomP, [k], p);
