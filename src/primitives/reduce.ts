/**
 * Reductions over sorted, non-negative axes, with or without kept dims. `sum` and `max`/`min` are
 * differentiable (ties share the gradient evenly, as in PyTorch's amax); `argmax`/`argmin` return int32.
 */
import { DTypeError, ShapeError } from "../errors.js";
import { sizeOf } from "../shape/runtime.js";
import { isFloat, type DType, type Storage, type StorageSource } from "../tensor/dtype.js";
import { sumRowsF32 } from "../backend/reduce.js";
import type { TensorImpl } from "../tensor/tensor.js";
import { bind } from "../core/trace.js";
import { definePrimitive, type Meta, type Primitive } from "../core/primitive.js";
import { permuteCopy, reductionPlan } from "./kernels.js";
import { pickNames } from "./util.js";
import { broadcastTo, reshape } from "./structure.js";
import { cast, div, eq, mul } from "./elementwise.js";

/** Parameters of a reduction: sorted non-negative axes and whether reduced dims stay as 1. */
export interface ReduceParams {
  readonly axes: readonly number[];
  readonly keepdims: boolean;
}

function reducedMeta(op: string, x: Meta, p: ReduceParams, dtype: DType): Meta {
  for (const a of p.axes) if (a < 0 || a >= x.shape.length) throw new ShapeError(op, `axis ${a} is out of range for rank ${x.shape.length}`, [x.shape]);
  if (p.keepdims) {
    return { shape: x.shape.map((d, i) => (p.axes.includes(i) ? 1 : d)), dtype, names: x.names.map((n, i) => (p.axes.includes(i) ? null : n)) };
  }
  const keep = x.shape.map((_, i) => i).filter((i) => !p.axes.includes(i));
  return { shape: keep.map((i) => x.shape[i]!), dtype, names: pickNames(x.names, keep) };
}

/** The shape of a reduction's output with the reduced dims kept as 1 (for broadcasting back). */
export const keptShape = (shape: readonly number[], axes: readonly number[]): number[] => shape.map((d, i) => (axes.includes(i) ? 1 : d));

/** When the reduced axes are exactly the leading ones, the sizes of the reduced and kept blocks. */
function leadingRun(shape: readonly number[], axes: readonly number[]): { reduce: number; keep: number } | null {
  if (axes.length === 0 || axes.length === shape.length || !axes.every((a, i) => a === i)) return null;
  return { reduce: sizeOf(shape.slice(0, axes.length)), keep: sizeOf(shape.slice(axes.length)) };
}

/** Sums rows of a [reduce, keep] buffer into [keep] without transposing (bias gradients). */
function sumLeading(data: Storage, reduce: number, keep: number, dtype: DType, mem: StorageSource): Storage {
  const fast = data instanceof Float32Array ? sumRowsF32(data, reduce, keep) : null;
  if (fast !== null) {
    const res = mem.take(dtype, keep, false);
    res.set(fast);
    return res;
  }
  const acc = new Float64Array(keep);
  for (let r = 0; r < reduce; r++) {
    const base = r * keep;
    for (let j = 0; j < keep; j++) acc[j]! += data[base + j]!;
  }
  const res = mem.take(dtype, keep, false);
  res.set(acc);
  return res;
}

/** Moves reduced axes last (copying if needed): rows of length `inner`, `outer` of them. */
function rows(x: { data: Storage; shape: readonly number[]; dtype: DType }, axes: readonly number[]): { data: Storage; outer: number; inner: number } {
  const plan = reductionPlan(x.shape, axes);
  const data = plan.perm === null ? x.data : permuteCopy(x.data, x.shape, plan.perm, x.dtype);
  return { data, outer: plan.outer, inner: plan.inner };
}


/** Sum over axes. */
export const sumP: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
  name: "sum",
  abstract: ([x], p) => reducedMeta("sum", x!, p, x!.dtype === "bool" ? "int32" : x!.dtype),
  impl: ([x], p, out, mem) => {
    const lead = leadingRun(x!.shape, p.axes);
    if (lead !== null) return sumLeading(x!.data, lead.reduce, lead.keep, out.dtype, mem);
    const { data, outer, inner } = rows(x!, p.axes);
    const res = mem.take(out.dtype, outer, false);
    // Accumulates in JS numbers (float64) even for float32 tensors.
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * inner;
      for (let i = 0; i < inner; i++) s += data[base + i]!;
      res[o] = s;
    }
    return res;
  },
  jvp: (_x, [t], _o, p) => (t == null ? null : sum(t, p.axes, p.keepdims)),
  vjp: (ct, [x], _o, p) => [isFloat(x!.dtype) ? broadcastTo(reshape(ct, keptShape(x!.shape, p.axes)), x!.shape) : null],
  vmap: ([x], _b, p) => bind(sumP, [x!], { ...p, axes: p.axes.map((a) => a + 1) }),
});

function extremeImpl(kind: "max" | "min") {
  return ([x]: readonly { data: Storage; shape: readonly number[]; dtype: DType }[], p: ReduceParams, out: Meta, mem: StorageSource): Storage => {
    if (p.axes.some((a) => x!.shape[a] === 0)) throw new ShapeError(kind, `cannot reduce an empty axis`, [x!.shape]);
    const { data, outer, inner } = rows(x!, p.axes);
    const res = mem.take(out.dtype, outer, false);
    for (let o = 0; o < outer; o++) {
      const base = o * inner;
      let m = data[base]!;
      for (let i = 1; i < inner; i++) {
        const v = data[base + i]!;
        if (v !== v) {
          m = v;
          break;
        }
        if (kind === "max" ? v > m : v < m) m = v;
      }
      res[o] = m;
    }
    return res;
  };
}

function extremePrimitive(kind: "max" | "min"): Primitive<ReduceParams> {
  // The derivative picks the arg-extreme elements, sharing evenly between ties.
  const weights = (x: TensorImpl, out: TensorImpl, p: ReduceParams): TensorImpl => {
    const kept = reshape(out, keptShape(x.shape, p.axes));
    const mask = cast(eq(x, kept), x.dtype);
    return div(mask, sum(mask, p.axes, true));
  };
  const prim: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
    name: kind,
    abstract: ([x], p) => {
      if (x!.dtype === "bool") throw new DTypeError(kind, "does not accept bool tensors");
      return reducedMeta(kind, x!, p, x!.dtype);
    },
    impl: ([x], p, out, mem) => extremeImpl(kind)([x!], p, out, mem),
    jvp: ([x], [t], out, p) => (t == null || !isFloat(x!.dtype) ? null : sum(mul(t, weights(x!, out, p)), p.axes, p.keepdims)),
    vjp: (ct, [x], out, p) =>
      isFloat(x!.dtype) ? [mul(broadcastTo(reshape(ct, keptShape(x!.shape, p.axes)), x!.shape), weights(x!, out, p))] : [null],
    vmap: ([x], _b, p) => bind(prim, [x!], { ...p, axes: p.axes.map((a) => a + 1) }),
  });
  return prim;
}

/** Maximum over axes. */
export const maxP = extremePrimitive("max");
/** Minimum over axes. */
export const minP = extremePrimitive("min");

function argPrimitive(kind: "argmax" | "argmin"): Primitive<ReduceParams> {
  const prim: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
    name: kind,
    abstract: ([x], p) => {
      if (p.axes.length !== 1) throw new ShapeError(kind, `takes exactly one axis`, [x!.shape]);
      return reducedMeta(kind, x!, p, "int32");
    },
    impl: ([x], p, out, mem) => {
      if (x!.shape[p.axes[0]!] === 0) throw new ShapeError(kind, `cannot reduce an empty axis`, [x!.shape]);
      const { data, outer, inner } = rows(x!, p.axes);
      const res = mem.take(out.dtype, outer, false);
      // First index of the extreme value, as in PyTorch and NumPy; NaN counts as the extreme.
      for (let o = 0; o < outer; o++) {
        const base = o * inner;
        let best = 0;
        let m = data[base]!;
        for (let i = 1; i < inner && m === m; i++) {
          const v = data[base + i]!;
          if (v !== v || (kind === "argmax" ? v > m : v < m)) {
            m = v;
            best = i;
          }
        }
        res[o] = best;
      }
      return res;
    },
    jvp: () => null,
    vjp: () => [null],
    vmap: ([x], _b, p) => bind(prim, [x!], { ...p, axes: p.axes.map((a) => a + 1) }),
  });
  return prim;
}

/** Index of the maximum along one axis. */
export const argmaxP = argPrimitive("argmax");
/** Index of the minimum along one axis. */
export const argminP = argPrimitive("argmin");

/** Raw sum over sorted non-negative axes. */
export const sum = (x: TensorImpl, axes: readonly number[], keepdims: boolean): TensorImpl =>
  axes.length === 0 && x.dtype !== "bool" ? x : bind(sumP, [x], { axes, keepdims });
/** Raw max. */
export const max = (x: TensorImpl, axes: readonly number[], keepdims: boolean): TensorImpl => bind(maxP, [x], { axes, keepdims });
/** Raw min. */
export const min = (x: TensorImpl, axes: readonly number[], keepdims: boolean): TensorImpl => bind(minP, [x], { axes, keepdims });
/** Raw argmax. */
export const argmax = (x: TensorImpl, axis: number, keepdims: boolean): TensorImpl => bind(argmaxP, [x], { axes: [axis], keepdims });
/** Raw argmin. */
export const argmin = (x: TensorImpl, axis: number, keepdims: boolean): TensorImpl => bind(argminP, [x], { axes: [axis], keepdims });
