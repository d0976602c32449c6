/**
 * Reductions over one axis, several axes or all of them, with `keepdims`:
 * `sum(x)`, `sum(x, { axis: 1, keepdims: true })`, or curried `pipe(x, sum({ axis: 1 }))`.
 */
import type { AxesError, ErrorCheck, ErrorIf, ReduceShape, Shape } from "../shape/types.js";
import { normAxes } from "../shape/runtime.js";
import { isFloat, type DType, type FloatDType } from "../tensor/dtype.js";
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

/**
 * The dtype of a reduction's result: a fixed dtype, the input's (`same`), or the input's when it is a
 * float and float32 otherwise (`float`, for means and variances of integers).
 */
export type ReduceDType<Out extends DType | "same" | "float", D extends DType> = Out extends DType
  ? Out
  : Out extends "float"
    ? D extends FloatDType ? D : "float32"
    : D;

/** A typed reduction, callable directly or curried for `pipe`; `Extra` holds options beyond the axes. */
export interface ReduceOp<Name extends string, Out extends DType | "same" | "float" = "same", Extra = unknown> {
  <const Ax extends number | readonly number[] | undefined = undefined, K extends boolean = false>(
    opts: ReduceOptions<Ax, K> & Extra,
  ): <S extends Shape, D extends DType>(x: ErrorIf<AxesError<S, Ax, Name>, Tensor<S, D>>) => Tensor<ReduceShape<S, Ax, K>, ReduceDType<Out, D>>;
  // The direct form comes last: it is the signature TypeScript uses when the op is passed as a value (`pipe(x, mean)`).
  <S extends Shape, D extends DType, const Ax extends number | readonly number[] | undefined = undefined, K extends boolean = false>(
    x: Tensor<S, D>, opts?: ReduceOptions<Ax, K> & Extra & ErrorCheck<AxesError<S, Ax, Name>>,
  ): Tensor<ReduceShape<S, Ax, K>, ReduceDType<Out, D>>;
}

function reduction<Name extends string, Out extends DType | "same" | "float" = "same", Extra = unknown>(
  name: Name, f: (x: TensorImpl, axes: number[], keepdims: boolean, opts: ReduceOptions & Extra) => TensorImpl,
): ReduceOp<Name, Out, Extra> {
  const run = (x: unknown, opts: (ReduceOptions & Extra) | undefined): unknown => {
    const t = operand(x as Tensor<any, any>);
    const axes = normAxes(name, opts?.axis, t.shape.length);
    return typed(f(t, axes, opts?.keepdims ?? false, opts ?? ({} as ReduceOptions & Extra)));
  };
  type O = ReduceOptions & Extra;
  return ((a: unknown, b?: O) => (isTensor(a) ? run(a, b) : (x: unknown) => run(x, a as O))) as ReduceOp<Name, Out, Extra>;
}

/**
 * Sum of elements.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const total: Tensor<[]> = sum(x); // 21
 * const rows: Tensor<[2]> = sum(x, { axis: 1 }); // [6, 15]
 * const kept: Tensor<[2, 1]> = sum(x, { axis: 1, keepdims: true }); // [[6], [15]]
 * const cols: Tensor<[3]> = pipe(x, sum({ axis: 0 })); // [5, 7, 9]
 * ```
 */
export const sum = reduction("sum", R.sum);
/**
 * Arithmetic mean (integers give float32).
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const all: Tensor<[]> = mean(x); // 3.5
 * const rows: Tensor<[2]> = mean(x, { axis: 1 }); // [2, 5]
 * const ints: Tensor<[], "float32"> = mean(tensor([1, 2], "int32")); // 1.5
 * ```
 */
export const mean = reduction<"mean", "float">("mean", (x, axes, keep) => {
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const xf = isFloat(x.dtype) ? x : E.cast(x, "float32");
  return E.div(R.sum(xf, axes, keep), constant(n, xf.dtype));
});

/** Options of {@link variance} and {@link std} beyond the axes and `keepdims`: the degrees-of-freedom correction. */
export interface VarianceOptions {
  /** Subtracted from the count of reduced elements in the divisor, as in `torch.var`: 1 (the default) is unbiased, 0 the population variance. */
  readonly correction?: number;
}

/**
 * Σ(x − m)² − (Σ(x − m))²/N over the reduced axes, divided by max(0, N − correction), with m the computed
 * mean: the corrected two-pass formula, exact for any m, so the mean's own rounding (an ulp of 1e6 is
 * 1/16 in float32) does not enter the variance, and with no E[x²] − E[x]² to cancel. Float32 (and integer)
 * inputs are computed in float64 and rounded once at the end, so spreads of an ulp around 1e6 and squares
 * beyond float32's range (|x − m| > 1.8e19) still give the float32 answer. Composed from primitives, so
 * every transformation differentiates and batches it with no rule of its own; its gradient is
 * 2(x − m) − 2Σ(x − m)/N, likewise free of m's rounding.
 */
function varianceRaw(op: string, x: TensorImpl, axes: number[], keep: boolean, correction: number | undefined): TensorImpl {
  const c = correction ?? 1;
  if (!Number.isFinite(c)) throw new RangeError(`${op}: correction must be a finite number, got ${c}`);
  const xw = x.dtype === "float64" ? x : E.cast(x, "float64");
  const n = axes.reduce((p, a) => p * xw.shape[a]!, 1);
  const m = E.div(R.sum(xw, axes, true), constant(n, "float64"));
  const d = E.sub(xw, m);
  const sd = R.sum(d, axes, keep);
  const ss = E.sub(R.sum(E.mul(d, d), axes, keep), E.div(E.mul(sd, sd), constant(n, "float64")));
  return E.div(ss, constant(Math.max(0, n - c), "float64"));
}

/** The result dtype of a variance: the input's when it is a float, float32 otherwise. */
const varianceDType = (x: TensorImpl): FloatDType => (x.dtype === "float64" ? "float64" : "float32");

/**
 * Variance, as `torch.var`: `correction` 1 (the default, unbiased) divides by N − 1, 0 by N; N − correction ≤ 0
 * gives ∞ or NaN like PyTorch. Integers give float32. Named `variance` because `var` is a keyword.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const v: Tensor<[2]> = variance(x, { axis: 1 }); // [1, 1] (unbiased, correction 1)
 * const pop: Tensor<[2]> = variance(x, { axis: 1, correction: 0 }); // [0.6667, 0.6667]
 * ```
 */
export const variance = reduction<"variance", "float", VarianceOptions>("variance", (x, axes, keep, o) =>
  E.cast(varianceRaw("variance", x, axes, keep, o.correction), varianceDType(x)),
);

/**
 * Standard deviation √variance, as `torch.std` (same `correction`). Where it is 0 its gradient is 0, as in
 * PyTorch, rather than the 0·∞ = NaN of differentiating √ at 0.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const s: Tensor<[2]> = std(x, { axis: 1 }); // [1, 1]
 * ```
 */
export const std = reduction<"std", "float", VarianceOptions>("std", (x, axes, keep, o) => {
  const v = varianceRaw("std", x, axes, keep, o.correction);
  const zero = constant(0, v.dtype);
  const isZero = E.eq(v, zero);
  // The inner `where` keeps √ away from 0, so its infinite derivative never meets the zero cotangent.
  return E.cast(E.where(isZero, zero, E.sqrt(E.where(isZero, constant(1, v.dtype), v))), varianceDType(x));
});

/**
 * Maximum; ties share the gradient evenly.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const m: Tensor<[]> = max(x); // 6
 * const rows: Tensor<[2]> = max(x, { axis: 1 }); // [3, 6]
 * ```
 */
export const max = reduction("max", R.max);
/**
 * Minimum; ties share the gradient evenly.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const m: Tensor<[3]> = min(x, { axis: 0 }); // [1, 2, 3]
 * ```
 */
export const min = reduction("min", R.min);

/**
 * Index of the largest value along one axis (of the flattened tensor when no axis is given), int32.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const i: Tensor<[2], "int32"> = argmax(x, { axis: 1 }); // [2, 2]
 * ```
 */
export const argmax = reduction<"argmax", "int32">("argmax", (x, axes, keep) => argReduce(R.argmax, x, axes, keep));
/**
 * Index of the smallest value along one axis, int32.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const i: Tensor<[3], "int32"> = argmin(x, { axis: 0 }); // [0, 0, 0]
 * ```
 */
export const argmin = reduction<"argmin", "int32">("argmin", (x, axes, keep) => argReduce(R.argmin, x, axes, keep));

function argReduce(f: (x: TensorImpl, axis: number, keep: boolean) => TensorImpl, x: TensorImpl, axes: number[], keep: boolean): TensorImpl {
  if (axes.length === 1) return f(x, axes[0]!, keep);
  // Over all axes (or several): flatten them first, like NumPy without an axis.
  const flat = rawReshape(x, [x.size]);
  const r = f(flat, 0, false);
  return keep ? rawReshape(r, x.shape.map(() => 1)) : r;
}

/**
 * log Σ exp(x), stable for inputs of any magnitude: m + log Σ exp(x − m) with m the row maximum, held
 * constant for differentiation (which leaves the gradient, softmax, unchanged). As `torch.logsumexp`, a row
 * of −∞ gives −∞ and one holding +∞ gives +∞.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const l: Tensor<[2]> = logsumexp(x, { axis: 1 }); // [3.4076, 6.4076], log Σ eˣ without overflow
 * const big: Tensor<[]> = logsumexp(tensor([1000, 1000])); // 1000.6931
 * ```
 */
export const logsumexp = reduction("logsumexp", (x, axes, keep) => logsumexpRaw(x, axes, keep));

/** Run-time logsumexp. */
export function logsumexpRaw(x: TensorImpl, axes: number[], keep: boolean): TensorImpl {
  const { shift, logSum } = shiftedLogSumExp(x, axes, true);
  const out = E.add(logSum, shift);
  return keep ? out : rawReshape(out, out.shape.filter((_, i) => !axes.includes(i)));
}

/** The parts of a stable log-sum-exp, with the reduced axes kept as size-1 dims. */
export interface ShiftedLogSumExp {
  /** m: the stop-gradient maximum (0 where it is ±∞ and `guard` was asked for). */
  readonly shift: TensorImpl;
  /** x − m, exact when x is near m (Sterbenz), whatever their magnitude. */
  readonly shifted: TensorImpl;
  /** log Σ exp(x − m). */
  readonly logSum: TensorImpl;
}

/**
 * log Σ exp(x − m) without the cancellations of the textbook forms. Subtracting m before anything else
 * keeps x − m exact: adding m back (log-softmax as x − logsumexp(x)) rounds at m's ulp, 2⁻¹⁰ near 1e4 and
 * 1/16 near 1e6. The sum is at least 1 (the maximum's own term) and often barely more, where rounding the
 * sum to float32 leaves its log only a few digits: so the log is taken as log1p of the sum less 1, the
 * maxima's terms exp(0) = 1 being counted apart instead of added to the small ones (for a top class of
 * p = 1 − 8e−5, log p comes out to 1e−7 relative, where PyTorch's float32 log_softmax is off by 6e−4).
 * With `guard`, an infinite maximum is replaced by 0 (torch.logsumexp: a row of −∞ gives −∞, one with
 * +∞ gives +∞); without it such rows give NaN everywhere, as torch.log_softmax does.
 */
export function shiftedLogSumExp(x: TensorImpl, axes: number[], guard: boolean): ShiftedLogSumExp {
  const xf = isFloat(x.dtype) ? x : E.cast(x, "float32");
  const dt = xf.dtype;
  const mRaw = stopGradient(R.max(xf, axes, true));
  const shift = guard ? E.where(E.lt(E.abs(mRaw), constant(Infinity, dt)), mRaw, constant(0, dt)) : mRaw;
  const shifted = E.sub(xf, shift);
  const e = E.exp(shifted);
  // Σ e = Σ (e − top) + Σ top for any 0/1 mask `top`; with the mask on the maxima (x − m = 0, e = 1)
  // the ones are counted exactly and Σ (e − top) adds only the small terms. `top` carries no gradient,
  // so every e, the maxima's included, still gets its derivative.
  const top = E.cast(E.eq(shifted, constant(0, dt)), dt);
  const rest = R.sum(E.sub(e, top), axes, true);
  const ties = E.sub(R.sum(top, axes, true), constant(1, dt));
  return { shift, shifted, logSum: E.log1p(E.add(rest, ties)) };
}
