/**
 * Elementwise ops, typed and pipe-friendly: `exp(x)`, `add(a, b)` or `pipe(a, add(b))`.
 * Binary ops broadcast like NumPy; a provable shape mismatch does not compile.
 */
import type { BroadcastError, BroadcastShape, ErrorIf, Shape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import * as E from "../primitives/elementwise.js";
import { isData, operand, type Operand } from "./util.js";

/** A typed elementwise unary op. */
export type UnaryOp<Out extends DType | "same" = "same"> = <S extends Shape, D extends DType>(x: Tensor<S, D>) => Tensor<S, Out extends DType ? Out : D>;

const unary = <Out extends DType | "same" = "same">(f: (x: TensorImpl) => TensorImpl): UnaryOp<Out> =>
  ((x: Tensor<any, any>) => typed(f(operand(x)))) as UnaryOp<Out>;

/**
 * −x.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([1, -2]);
 * const y: Tensor<[2]> = neg(x); // [-1, 2]
 * ```
 */
export const neg = unary(E.neg);
/**
 * eˣ.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, 1]);
 * const y: Tensor<[2]> = exp(x); // [1, 2.7183]
 * ```
 */
export const exp = unary(E.exp);
/**
 * Natural logarithm.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([1, Math.E]);
 * const y: Tensor<[2]> = log(x); // [0, 1]
 * ```
 */
export const log = unary(E.log);
/**
 * log(1 + x), accurate for small x.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, 1e-8]);
 * const y: Tensor<[2]> = log1p(x); // [0, 1e-8]
 * ```
 */
export const log1p = unary(E.log1p);
/**
 * eˣ − 1, accurate for small x.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, 1e-8]);
 * const y: Tensor<[2]> = expm1(x); // [0, 1e-8]
 * ```
 */
export const expm1 = unary(E.expm1);
/**
 * Square root.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([4, 9]);
 * const y: Tensor<[2]> = sqrt(x); // [2, 3]
 * ```
 */
export const sqrt = unary(E.sqrt);
/**
 * |x|.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([-3, 2]);
 * const y: Tensor<[2]> = abs(x); // [3, 2]
 * ```
 */
export const abs = unary(E.abs);
/**
 * −1, 0 or 1 (zero gradient).
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([-3, 0, 2]);
 * const y: Tensor<[3]> = sign(x); // [-1, 0, 1]
 * ```
 */
export const sign = unary(E.sign);
/**
 * x².
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([-3, 2]);
 * const y: Tensor<[2]> = square(x); // [9, 4]
 * ```
 */
export const square = unary((x) => E.mul(x, x));
/**
 * 1 / x.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([2, 4]);
 * const y: Tensor<[2]> = reciprocal(x); // [0.5, 0.25]
 * ```
 */
export const reciprocal = unary(E.reciprocal);
/**
 * max(x, 0); its derivative at 0 is 0, as in PyTorch.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([-1, 2]);
 * const y: Tensor<[2]> = relu(x); // [0, 2]
 * ```
 */
export const relu = unary(E.relu);
/**
 * 1 / (1 + e⁻ˣ).
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, 100]);
 * const y: Tensor<[2]> = sigmoid(x); // [0.5, 1]
 * ```
 */
export const sigmoid = unary(E.sigmoid);
/**
 * Hyperbolic tangent.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, 100]);
 * const y: Tensor<[2]> = tanh(x); // [0, 1]
 * ```
 */
export const tanh = unary(E.tanh);
/**
 * Sine.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, Math.PI / 2]);
 * const y: Tensor<[2]> = sin(x); // [0, 1]
 * ```
 */
export const sin = unary(E.sin);
/**
 * Cosine.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, Math.PI]);
 * const y: Tensor<[2]> = cos(x); // [1, -1]
 * ```
 */
export const cos = unary(E.cos);
/**
 * The error function.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([0, 10]);
 * const y: Tensor<[2]> = erf(x); // [0, 1]
 * ```
 */
export const erf = unary(E.erf);
/**
 * Round towards −∞ (zero gradient).
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([1.5, -1.5]);
 * const y: Tensor<[2]> = floor(x); // [1, -2]
 * ```
 */
export const floor = unary(E.floor);
/**
 * Elementwise logical not of a bool tensor.
 *
 * @function
 * @example
 * ```ts
 * const y: Tensor<[2], "bool"> = logicalNot(tensor([true, false])); // [false, true]
 * ```
 */
export const logicalNot = unary<"bool">(E.logicalNot);

/**
 * A typed broadcasting binary op, callable directly or curried for `pipe` (`pipe(a, op(b))` is `op(a, b)`).
 * A number operand is a scalar (shape `[]`) of the tensor's dtype. The direct form is one signature, so every
 * compiler prints its shape message (an overload set shows only its last overload's error on TypeScript 7).
 */
export interface BinaryOp<Out extends DType | "same" = "same"> {
  <A extends Shape = [], B extends Shape = [], D extends DType = DType>(
    a: Tensor<A, D> | number, b: ErrorIf<BroadcastError<A, B>, Tensor<B, D> | number>,
  ): Tensor<BroadcastShape<A, B>, Out extends DType ? Out : D>;
  <B extends Shape, D extends DType>(b: Tensor<B, D>): <A extends Shape>(a: ErrorIf<BroadcastError<A, B>, Tensor<A, D>>) => Tensor<BroadcastShape<A, B>, Out extends DType ? Out : D>;
  (b: number): <A extends Shape, D extends DType>(a: Tensor<A, D>) => Tensor<A, Out extends DType ? Out : D>;
}

function binary<Out extends DType | "same" = "same">(f: (a: TensorImpl, b: TensorImpl) => TensorImpl): BinaryOp<Out> {
  return ((...args: Operand[]) => {
    if (args.length >= 2) {
      const [a, b] = args as [Operand, Operand];
      return typed(f(operand(a, b), operand(b, a)));
    }
    const b = args[0]!;
    return (a: Operand) => {
      if (!isData(a)) throw new TypeError("expected a tensor or a number");
      return typed(f(operand(a, b), operand(b, a)));
    };
  }) as BinaryOp<Out>;
}

/**
 * a + b.
 *
 * @function
 * @example
 * ```ts
 * const a = tensor([1, 2]);
 * const b = tensor([10, 20]);
 * const c: Tensor<[2]> = add(a, b); // [11, 22]
 * // Broadcasting, a scalar operand, and the curried form for pipe:
 * const m: Tensor<[3, 2]> = add(zeros("3 2"), a);
 * const s: Tensor<[2]> = add(a, 2);
 * const p: Tensor<[2]> = pipe(a, add(b));
 * ```
 */
export const add = binary(E.add);
/**
 * a − b.
 *
 * @function
 * @example
 * ```ts
 * const a = tensor([1, 2]);
 * const b = tensor([10, 20]);
 * const c: Tensor<[2]> = sub(a, b); // [-9, -18]
 * // Broadcasting, a scalar operand, and the curried form for pipe:
 * const m: Tensor<[3, 2]> = sub(zeros("3 2"), a);
 * const s: Tensor<[2]> = sub(a, 2);
 * const p: Tensor<[2]> = pipe(a, sub(b));
 * ```
 */
export const sub = binary(E.sub);
/**
 * a · b (elementwise).
 *
 * @function
 * @example
 * ```ts
 * const a = tensor([1, 2]);
 * const b = tensor([10, 20]);
 * const c: Tensor<[2]> = mul(a, b); // [10, 40]
 * // Broadcasting, a scalar operand, and the curried form for pipe:
 * const m: Tensor<[3, 2]> = mul(zeros("3 2"), a);
 * const s: Tensor<[2]> = mul(a, 2);
 * const p: Tensor<[2]> = pipe(a, mul(b));
 * ```
 */
export const mul = binary(E.mul);
/**
 * a / b (true division: integers give float32).
 *
 * @function
 * @example
 * ```ts
 * const a = tensor([1, 2]);
 * const b = tensor([10, 20]);
 * const c: Tensor<[2]> = div(a, b); // [0.1, 0.1]
 * // Broadcasting, a scalar operand, and the curried form for pipe:
 * const m: Tensor<[3, 2]> = div(zeros("3 2"), a);
 * const s: Tensor<[2]> = div(a, 2);
 * const p: Tensor<[2]> = pipe(a, div(b));
 * ```
 */
export const div = binary(E.div);
/**
 * aᵇ.
 *
 * @function
 * @example
 * ```ts
 * const a = tensor([1, 2]);
 * const b = tensor([10, 20]);
 * const c: Tensor<[2]> = pow(a, b); // [1, 1048576]
 * // Broadcasting, a scalar operand, and the curried form for pipe:
 * const m: Tensor<[3, 2]> = pow(zeros("3 2"), a);
 * const s: Tensor<[2]> = pow(a, 2);
 * const p: Tensor<[2]> = pipe(a, pow(b));
 * ```
 */
export const pow = binary(E.pow);
/**
 * Elementwise maximum; ties share the gradient.
 *
 * @function
 * @example
 * ```ts
 * const a = tensor([1, 2]);
 * const b = tensor([10, 20]);
 * const c: Tensor<[2]> = maximum(a, b); // [10, 20]
 * // Broadcasting, a scalar operand, and the curried form for pipe:
 * const m: Tensor<[3, 2]> = maximum(zeros("3 2"), a);
 * const s: Tensor<[2]> = maximum(a, 2);
 * const p: Tensor<[2]> = pipe(a, maximum(b));
 * ```
 */
export const maximum = binary(E.maximum);
/**
 * Elementwise minimum; ties share the gradient.
 *
 * @function
 * @example
 * ```ts
 * const a = tensor([1, 2]);
 * const b = tensor([10, 20]);
 * const c: Tensor<[2]> = minimum(a, b); // [1, 2]
 * // Broadcasting, a scalar operand, and the curried form for pipe:
 * const m: Tensor<[3, 2]> = minimum(zeros("3 2"), a);
 * const s: Tensor<[2]> = minimum(a, 2);
 * const p: Tensor<[2]> = pipe(a, minimum(b));
 * ```
 */
export const minimum = binary(E.minimum);
/**
 * a = b, as bool.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = equal(tensor([1, 2]), tensor([2, 2])); // [false, true]
 * ```
 */
export const equal = binary<"bool">(E.eq);
/**
 * a ≠ b, as bool.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = notEqual(tensor([1, 2]), tensor([2, 2])); // [true, false]
 * ```
 */
export const notEqual = binary<"bool">(E.ne);
/**
 * a < b, as bool.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = less(tensor([1, 2]), tensor([2, 2])); // [true, false]
 * ```
 */
export const less = binary<"bool">(E.lt);
/**
 * a ≤ b, as bool.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = lessEqual(tensor([1, 2]), tensor([2, 2])); // [true, true]
 * ```
 */
export const lessEqual = binary<"bool">(E.le);
/**
 * a > b, as bool.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = greater(tensor([1, 2]), tensor([2, 2])); // [false, false]
 * ```
 */
export const greater = binary<"bool">(E.gt);
/**
 * a ≥ b, as bool.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = greaterEqual(tensor([1, 2]), tensor([2, 2])); // [false, true]
 * ```
 */
export const greaterEqual = binary<"bool">(E.ge);
/**
 * Logical and of bool tensors.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = logicalAnd(tensor([true, true]), tensor([true, false])); // [true, false]
 * ```
 */
export const logicalAnd = binary<"bool">(E.logicalAnd);
/**
 * Logical or of bool tensors.
 *
 * @function
 * @example
 * ```ts
 * const m: Tensor<[2], "bool"> = logicalOr(tensor([false, false]), tensor([true, false])); // [true, false]
 * ```
 */
export const logicalOr = binary<"bool">(E.logicalOr);

/**
 * Elementwise choice: `a` where `cond` holds, else `b`, all three broadcast together.
 *
 * @example
 * ```ts
 * const x = tensor([-2, 3]);
 * const y: Tensor<[2]> = where(greater(x, 0), x, zerosLike(x)); // [0, 3]
 * ```
 */
export function where<C extends Shape, A extends Shape, B extends Shape, D extends DType>(
  cond: Tensor<C, "bool">, a: ErrorIf<BroadcastError<C, A>, Tensor<A, D> | number>, b: ErrorIf<BroadcastError<BroadcastShape<C, A>, B>, Tensor<B, D> | number>,
): Tensor<BroadcastShape<BroadcastShape<C, A>, B>, D> {
  const ta = operand(a as Operand, b as Operand);
  const tb = operand(b as Operand, a as Operand);
  return typed(E.where(operand(cond), ta, tb));
}

/**
 * Clamps values into [lo, hi] (either bound may be omitted with `undefined`).
 *
 * @example
 * ```ts
 * const y: Tensor<[3]> = clamp(tensor([-5, 0.5, 5]), 0, 1); // [0, 0.5, 1]
 * const below: Tensor<[3]> = clamp(tensor([-5, 0.5, 5]), undefined, 1); // [-5, 0.5, 1]
 * ```
 */
export function clamp<S extends Shape, D extends DType>(x: Tensor<S, D>, lo: number | undefined, hi: number | undefined): Tensor<S, D> {
  // By selection, not maximum/minimum: the gradient is 1 inside [lo, hi] including its ends (PyTorch).
  const xi = operand(x);
  let t = xi;
  if (lo !== undefined) t = E.where(E.lt(xi, operand(lo, x)), operand(lo, x), t);
  if (hi !== undefined) t = E.where(E.gt(xi, operand(hi, x)), operand(hi, x), t);
  return typed(t);
}

/**
 * Converts to another dtype; gradients flow between float dtypes. Curried: `pipe(x, cast("float64"))`.
 *
 * @example
 * ```ts
 * const f: Tensor<[2], "float32"> = cast(tensor([1, 2], "int32"), "float32");
 * const d: Tensor<[2], "float64"> = pipe(tensor([1, 2]), cast("float64"));
 * ```
 */
export function cast<S extends Shape, To extends DType>(x: Tensor<S, DType>, dtype: To): Tensor<S, To>;
export function cast<To extends DType>(dtype: To): <S extends Shape>(x: Tensor<S, DType>) => Tensor<S, To>;
export function cast(a: unknown, b?: DType): unknown {
  if (typeof a === "string") return (x: Tensor<any, any>) => typed(E.cast(operand(x), a as DType));
  return typed(E.cast(operand(a as Operand), b!));
}
