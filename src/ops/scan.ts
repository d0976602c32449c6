/** Scans along one axis: `cumsum(x, 1)`, or curried `pipe(x, cumsum(-1))`. */
import { normAxis } from "../shape/runtime.js";
import type { AxesError, ErrorIf, Shape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { isTensor, typed, type Tensor } from "../tensor/tensor.js";
import * as P from "../primitives/scan.js";
import { operand } from "./util.js";

/** The dtype of a cumulative sum: the input's, with bool counted as int32 (int32 stays int32, where PyTorch gives int64). */
export type CumsumDType<D extends DType> = D extends "bool" ? "int32" : D;

/**
 * Cumulative sum along `axis` (negative counts from the end), as `torch.cumsum`: element i is the sum of
 * elements 0..i. Shape preserving; float32 sums accumulate in float64 and are rounded once, as PyTorch's CPU kernel does.
 *
 * @example
 * ```ts
 * const c: Tensor<[2, 3]> = cumsum(tensor([[1, 2, 3], [4, 5, 6]]), 1); // [[1, 3, 6], [4, 9, 15]]
 * ```
 */
export function cumsum<S extends Shape, D extends DType, const A extends number>(x: Tensor<S, D>, axis: ErrorIf<AxesError<S, A, "cumsum">, A>): Tensor<S, CumsumDType<D>>;
/** Curried cumsum for `pipe`: `pipe(x, cumsum(1))`. */
export function cumsum<const A extends number>(axis: A): <S extends Shape, D extends DType>(x: ErrorIf<AxesError<S, A, "cumsum">, Tensor<S, D>>) => Tensor<S, CumsumDType<D>>;
export function cumsum(a: unknown, b?: unknown): unknown {
  const run = (x: Tensor<any, any>, axis: number): unknown => {
    const t = operand(x);
    return typed(P.cumsum(t, normAxis("cumsum", axis, t.shape.length)));
  };
  return isTensor(a) ? run(a, b as number) : (x: Tensor<any, any>) => run(x, a as number);
}
