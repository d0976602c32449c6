/** Small helpers shared by the primitive families: constants, broadcasting glue, batching glue. */
import { alloc, coerce, type DType } from "../tensor/dtype.js";
import { Concrete, noNames, type TensorImpl } from "../tensor/tensor.js";
import type { Meta } from "../core/primitive.js";

/** A concrete scalar of a dtype. */
export function constant(value: number, dtype: DType): Concrete {
  const d = alloc(dtype, 1);
  d[0] = coerce(dtype, value);
  return new Concrete([], dtype, d, noNames(0));
}

/** A concrete tensor filled with one value. */
export function filled(shape: readonly number[], dtype: DType, value: number): Concrete {
  let n = 1;
  for (const s of shape) n *= s;
  const d = alloc(dtype, n);
  if (value !== 0) d.fill(coerce(dtype, value));
  return new Concrete(shape, dtype, d, noNames(shape.length));
}

/** Zeros shaped like `x` (logical shape, concrete). */
export const zerosLike = (x: Meta): Concrete => filled(x.shape, x.dtype, 0);

/** Merges the dim names of broadcast operands into the output's (right-aligned, first non-null wins). */
export function mergeNames(rank: number, inputs: readonly Meta[]): readonly (string | null)[] {
  let out: (string | null)[] | null = null;
  for (const x of inputs) {
    const off = rank - x.names.length;
    for (let i = 0; i < x.names.length; i++) {
      const n = x.names[i];
      if (n != null && x.shape[i] !== 1) {
        out ??= new Array<string | null>(rank).fill(null);
        out[off + i] ??= n;
      }
    }
  }
  return out ?? noNames(rank);
}

/** Keeps the names of the axes that survive (by index). */
export function pickNames(names: readonly (string | null)[], axes: readonly number[]): readonly (string | null)[] {
  const out = axes.map((a) => names[a] ?? null);
  return out.every((n) => n === null) ? noNames(out.length) : out;
}

/** The logical rank a batched value had before its batch axis was added. */
export const logicalRank = (x: TensorImpl, batched: boolean): number => x.shape.length - (batched ? 1 : 0);

/** Inverse of a permutation. */
export function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}
