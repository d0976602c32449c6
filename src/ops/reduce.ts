/**
 * Reductions over one axis, several axes or all of them, with `keepdims`:
 * `sum(x)`, `sum(x, { axis: 1, keepdims: true })`, or curried `pipe(x, sum({ axis: 1 }))`.
 */
import type { AxesError, ErrorCheck, ErrorIf, ReduceShape, Shape } from "../shape/types.js";
import { normAxes } from "../shape/runtime.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { isTensor, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import * as R from "../primitives/reduce.js";
import * as E from "../primitives/elementwise.js";
import { reshape as rawReshape, stopGradient } from "../primitives/structure.js";
import { constant } from "../primitives/util.js";
import { operand } from "./util.js";

/** Axes to reduce (all when omitted) and whether to keep them as size-1 dims. */
export interface ReduceOptions<Ax extends number | readonly number[] | undefined = number | readonly number[] | undefined, K extends boolean = boolean> {
  readonly axis?: Ax;
  readonly keepdims?: K;
}

/** A typed reduction, callable directly or curried for `pipe`. */
export interface ReduceOp<Name extends string, Out extends DType | "same" = "same"> {
  <const Ax extends number | readonly number[] | undefined = undefined, K extends boolean = false>(
    opts: ReduceOptions<Ax, K>,
  ): <S extends Shape, D extends DType>(x: ErrorIf<AxesError<S, Ax, Name>, Tensor<S, D>>) => Tensor<ReduceShape<S, Ax, K>, Out extends DType ? Out : D>;
  // The direct form comes last: it is the signature TypeScript uses when the op is passed as a value (`pipe(x, mean)`).
  <S extends Shape, D extends DType, const Ax extends number | readonly number[] | undefined = undefined, K extends boolean = false>(
    x: Tensor<S, D>, opts?: ReduceOptions<Ax, K> & ErrorCheck<AxesError<S, Ax, Name>>,
  ): Tensor<ReduceShape<S, Ax, K>, Out extends DType ? Out : D>;
}

function reduction<Name extends string, Out extends DType | "same" = "same">(
  name: Name, f: (x: TensorImpl, axes: number[], keepdims: boolean) => TensorImpl,
): ReduceOp<Name, Out> {
  const run = (x: unknown, opts: ReduceOptions | undefined): unknown => {
    const t = operand(x as Tensor<any, any>);
    const axes = normAxes(name, opts?.axis, t.shape.length);
    return typed(f(t, axes, opts?.keepdims ?? false));
  };
  return ((a: unknown, b?: ReduceOptions) => (isTensor(a) ? run(a, b) : (x: unknown) => run(x, a as ReduceOptions))) as ReduceOp<Name, Out>;
}

/** Sum of elements. */
export const sum = reduction("sum", R.sum);
/** Arithmetic mean (integers give float32). */
export const mean = reduction("mean", (x, axes, keep) => {
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const xf = isFloat(x.dtype) ? x : E.cast(x, "float32");
  return E.div(R.sum(xf, axes, keep), constant(n, xf.dtype));
});
/** Maximum; ties share the gradient evenly. */
export const max = reduction("max", R.max);
/** Minimum; ties share the gradient evenly. */
export const min = reduction("min", R.min);

/** Index of the largest value along one axis (of the flattened tensor when no axis is given), int32. */
export const argmax = reduction<"argmax", "int32">("argmax", (x, axes, keep) => argReduce(R.argmax, x, axes, keep));
/** Index of the smallest value along one axis, int32. */
export const argmin = reduction<"argmin", "int32">("argmin", (x, axes, keep) => argReduce(R.argmin, x, axes, keep));

function argReduce(f: (x: TensorImpl, axis: number, keep: boolean) => TensorImpl, x: TensorImpl, axes: number[], keep: boolean): TensorImpl {
  if (axes.length === 1) return f(x, axes[0]!, keep);
  // Over all axes (or several): flatten them first, like NumPy without an axis.
  const flat = rawReshape(x, [x.size]);
  const r = f(flat, 0, false);
  return keep ? rawReshape(r, x.shape.map(() => 1)) : r;
}

/**
 * log Σ exp(x), stable for inputs of any magnitude: the maximum is subtracted first and added back
 * (it is held constant for differentiation, which leaves the gradient — softmax — unchanged).
 */
export const logsumexp = reduction("logsumexp", (x, axes, keep) => logsumexpRaw(x, axes, keep));

/** Run-time logsumexp, shared with the softmax family. */
export function logsumexpRaw(x: TensorImpl, axes: number[], keep: boolean): TensorImpl {
  const xf = isFloat(x.dtype) ? x : E.cast(x, "float32");
  const mRaw = stopGradient(R.max(xf, axes, true));
  // An all −∞ row would give −∞ − (−∞) = NaN: shift by 0 there instead.
  const finite = E.lt(E.abs(mRaw), constant(Infinity, xf.dtype));
  const m = E.where(finite, mRaw, constant(0, xf.dtype));
  const s = R.sum(E.exp(E.sub(xf, m)), axes, true);
  const out = E.add(E.log(s), m);
  return keep ? out : rawReshape(out, xf.shape.filter((_, i) => !axes.includes(i)));
}
