/** Activation functions and the softmax family, composed from primitives. */
import { normAxis } from "../shape/runtime.js";
import type { Shape } from "../shape/types.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import * as E from "../primitives/elementwise.js";
import { constant } from "../primitives/util.js";
import * as R from "../primitives/reduce.js";
import { stopGradient } from "../primitives/structure.js";
import { shiftedLogSumExp } from "./reduce.js";
import { operand } from "./util.js";

const f = (x: TensorImpl): TensorImpl => (isFloat(x.dtype) ? x : E.cast(x, "float32"));

/** Run-time log-softmax: (x − m) − log Σ exp(x − m), stable for logits of any magnitude (see `shiftedLogSumExp`). */
export function logSoftmaxRaw(x: TensorImpl, axis: number): TensorImpl {
  const xf = f(x);
  const { shifted, logSum } = shiftedLogSumExp(xf, [normAxis("logSoftmax", axis, xf.shape.length)], false);
  return E.sub(shifted, logSum);
}

/**
 * Run-time softmax: exp(x − m) / Σ exp(x − m), m the stop-gradient row maximum (as torch.softmax), so
 * huge logits neither overflow nor lose digits and every term of the sum is at most 1.
 */
export function softmaxRaw(x: TensorImpl, axis: number): TensorImpl {
  const xf = f(x);
  const ax = [normAxis("softmax", axis, xf.shape.length)];
  const e = E.exp(E.sub(xf, stopGradient(R.max(xf, ax, true))));
  return E.div(e, R.sum(e, ax, true));
}

/**
 * Softmax along `axis` (default −1): rows sum to 1, unchanged by adding a constant to a row.
 *
 * @example
 * ```ts
 * const p: Tensor<[2, 3]> = softmax(tensor([[1, 2, 3], [1, 1, 1]])); // rows sum to 1
 * ```
 */
export function softmax<S extends Shape, D extends DType>(x: Tensor<S, D>, axis = -1): Tensor<S, D> {
  return typed(softmaxRaw(operand(x), axis));
}

/**
 * log(softmax(x)) along `axis` (default −1), computed stably with the log-sum-exp trick.
 *
 * @example
 * ```ts
 * const lp: Tensor<[3]> = logSoftmax(tensor([1000, 0, -1000])); // [0, -1000, -2000], no overflow
 * ```
 */
export function logSoftmax<S extends Shape, D extends DType>(x: Tensor<S, D>, axis = -1): Tensor<S, D> {
  return typed(logSoftmaxRaw(operand(x), axis));
}

/**
 * max(x, 0) + slope·min(x, 0) (PyTorch's default slope 0.01).
 *
 * @example
 * ```ts
 * const y: Tensor<[2]> = leakyRelu(tensor([-10, 10]), 0.1); // [-1, 10]
 * ```
 */
export function leakyRelu<S extends Shape, D extends DType>(x: Tensor<S, D>, slope = 0.01): Tensor<S, D> {
  const t = operand(x);
  // where, not max + slope·min: the derivative at 0 is the slope, as in PyTorch.
  return typed(E.where(E.gt(t, constant(0, t.dtype)), t, E.mul(constant(slope, t.dtype), t)));
}

/**
 * GELU, exact (erf) by default as in PyTorch, or the tanh approximation.
 *
 * @example
 * ```ts
 * const y: Tensor<[3]> = gelu(tensor([-1, 0, 1])); // [-0.1587, 0, 0.8413]
 * const fast: Tensor<[3]> = gelu(tensor([-1, 0, 1]), "tanh");
 * ```
 */
export function gelu<S extends Shape, D extends DType>(x: Tensor<S, D>, approximate: "none" | "tanh" = "none"): Tensor<S, D> {
  const t = f(operand(x));
  const c = (v: number): TensorImpl => constant(v, t.dtype);
  if (approximate === "tanh") {
    const inner = E.mul(c(Math.sqrt(2 / Math.PI)), E.add(t, E.mul(c(0.044715), E.mul(t, E.mul(t, t)))));
    return typed(E.mul(E.mul(c(0.5), t), E.add(c(1), E.tanh(inner))));
  }
  return typed(E.mul(E.mul(c(0.5), t), E.add(c(1), E.erf(E.mul(t, c(Math.SQRT1_2))))));
}

/**
 * log(1 + eˣ), stable: max(x, 0) + log1p(e^−|x|).
 *
 * @example
 * ```ts
 * const y: Tensor<[2]> = softplus(tensor([0, 100])); // [0.6931, 100]
 * ```
 */
export function softplus<S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> {
  return typed(softplusRaw(operand(x)));
}

/** Run-time softplus. */
export function softplusRaw(x: TensorImpl): TensorImpl {
  const t = f(x);
  return E.add(E.maximum(t, constant(0, t.dtype)), E.log1p(E.exp(E.neg(E.abs(t)))));
}

/**
 * log σ(x) = −softplus(−x), stable for large |x|.
 *
 * @example
 * ```ts
 * const y: Tensor<[2]> = logSigmoid(tensor([0, -100])); // [-0.6931, -100]
 * ```
 */
export function logSigmoid<S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> {
  return typed(E.neg(softplusRaw(E.neg(operand(x)))));
}
