/**
 * Scans: the cumulative sum along one axis, forwards or backwards. The two directions are one primitive
 * with a `reverse` flag because each is the other's transpose: the VJP of a running sum from the start
 * is a running sum of the cotangent from the end (as JAX's `cumsum_p`).
 */
import { ShapeError } from "../errors.js";
import { sizeOf } from "../shape/runtime.js";
import { isFloat } from "../tensor/dtype.js";
import type { TensorImpl } from "../tensor/tensor.js";
import { bind } from "../core/trace.js";
import { definePrimitive, type Primitive } from "../core/primitive.js";

/** Parameters of a cumulative sum: a non-negative axis, and whether to run from the end of it. */
export interface CumsumParams {
  readonly axis: number;
  readonly reverse: boolean;
}

/** Running sums along `axis` (bool counts as int32); linear, so its JVP is itself and its VJP the reverse scan. */
export const cumsumP: Primitive<CumsumParams> = definePrimitive<CumsumParams>({
  name: "cumsum",
  abstract: ([x], p) => {
    const r = x!.shape.length;
    if (!Number.isInteger(p.axis) || p.axis < 0 || p.axis >= r) throw new ShapeError("cumsum", `axis ${p.axis} is out of range for rank ${r}`, [x!.shape]);
    return { shape: x!.shape, dtype: x!.dtype === "bool" ? "int32" : x!.dtype, names: x!.names };
  },
  impl: ([x], p, out, mem) => {
    const s = x!.shape;
    const outer = sizeOf(s.slice(0, p.axis));
    const n = s[p.axis]!;
    const inner = sizeOf(s.slice(p.axis + 1));
    const src = x!.data;
    const res = mem.take(out.dtype, src.length, false);
    // Running sums kept in JS numbers (float64) and rounded once per output, like PyTorch's CPU kernel,
    // which accumulates float32 in double: long float32 scans do not drift.
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      for (let j = 0; j < n; j++) {
        const k = p.reverse ? n - 1 - j : j;
        const base = (o * n + k) * inner;
        for (let i = 0; i < inner; i++) {
          acc[i]! += src[base + i]!;
          res[base + i] = acc[i]!;
        }
      }
    }
    return res;
  },
  jvp: (_x, [t], _o, p) => (t == null ? null : cumsum(t, p.axis, p.reverse)),
  vjp: (ct, [x], _o, p) => [isFloat(x!.dtype) ? cumsum(ct, p.axis, !p.reverse) : null],
  vmap: ([x], _b, p) => bind(cumsumP, [x!], { ...p, axis: p.axis + 1 }),
});

/** Raw cumulative sum along a non-negative axis (`reverse`: from the end). */
export const cumsum = (x: TensorImpl, axis: number, reverse = false): TensorImpl => bind(cumsumP, [x], { axis, reverse });
