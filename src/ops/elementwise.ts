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

/** −x. */
export const neg = unary(E.neg);
/** eˣ. */
export const exp = unary(E.exp);
/** Natural logarithm. */
export const log = unary(E.log);
/** log(1 + x), accurate for small x. */
export const log1p = unary(E.log1p);
/** eˣ − 1, accurate for small x. */
export const expm1 = unary(E.expm1);
/** Square root. */
export const sqrt = unary(E.sqrt);
/** |x|. */
export const abs = unary(E.abs);
/** −1, 0 or 1 (zero gradient). */
export const sign = unary(E.sign);
/** x². */
export const square = unary((x) => E.mul(x, x));
/** 1 / x. */
export const reciprocal = unary(E.reciprocal);
/** max(x, 0); its derivative at 0 is 0, as in PyTorch. */
export const relu = unary(E.relu);
/** 1 / (1 + e⁻ˣ). */
export const sigmoid = unary(E.sigmoid);
/** Hyperbolic tangent. */
export const tanh = unary(E.tanh);
/** Sine. */
export const sin = unary(E.sin);
/** Cosine. */
export const cos = unary(E.cos);
/** The error function. */
export const erf = unary(E.erf);
/** Round towards −∞ (zero gradient). */
export const floor = unary(E.floor);
/** Elementwise logical not of a bool tensor. */
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

/** a + b. */
export const add = binary(E.add);
/** a − b. */
export const sub = binary(E.sub);
/** a · b (elementwise). */
export const mul = binary(E.mul);
/** a / b (true division: integers give float32). */
export const div = binary(E.div);
/** aᵇ. */
export const pow = binary(E.pow);
/** Elementwise maximum; ties share the gradient. */
export const maximum = binary(E.maximum);
/** Elementwise minimum; ties share the gradient. */
export const minimum = binary(E.minimum);
/** a = b, as bool. */
export const equal = binary<"bool">(E.eq);
/** a ≠ b, as bool. */
export const notEqual = binary<"bool">(E.ne);
/** a < b, as bool. */
export const less = binary<"bool">(E.lt);
/** a ≤ b, as bool. */
export const lessEqual = binary<"bool">(E.le);
/** a > b, as bool. */
export const greater = binary<"bool">(E.gt);
/** a ≥ b, as bool. */
export const greaterEqual = binary<"bool">(E.ge);
/** Logical and of bool tensors. */
export const logicalAnd = binary<"bool">(E.logicalAnd);
/** Logical or of bool tensors. */
export const logicalOr = binary<"bool">(E.logicalOr);

/** Elementwise choice: `a` where `cond` holds, else `b`, all three broadcast together. */
export function where<C extends Shape, A extends Shape, B extends Shape, D extends DType>(
  cond: Tensor<C, "bool">, a: ErrorIf<BroadcastError<C, A>, Tensor<A, D> | number>, b: ErrorIf<BroadcastError<BroadcastShape<C, A>, B>, Tensor<B, D> | number>,
): Tensor<BroadcastShape<BroadcastShape<C, A>, B>, D> {
  const ta = operand(a as Operand, b as Operand);
  const tb = operand(b as Operand, a as Operand);
  return typed(E.where(operand(cond), ta, tb));
}

/** Clamps values into [lo, hi] (either bound may be omitted with `undefined`). */
export function clamp<S extends Shape, D extends DType>(x: Tensor<S, D>, lo: number | undefined, hi: number | undefined): Tensor<S, D> {
  // By selection, not maximum/minimum: the gradient is 1 inside [lo, hi] including its ends (PyTorch).
  const xi = operand(x);
  let t = xi;
  if (lo !== undefined) t = E.where(E.lt(xi, operand(lo, x)), operand(lo, x), t);
  if (hi !== undefined) t = E.where(E.gt(xi, operand(hi, x)), operand(hi, x), t);
  return typed(t);
}

/** Converts to another dtype; gradients flow between float dtypes. Curried: `pipe(x, cast("float64"))`. */
export function cast<S extends Shape, To extends DType>(x: Tensor<S, DType>, dtype: To): Tensor<S, To>;
export function cast<To extends DType>(dtype: To): <S extends Shape>(x: Tensor<S, DType>) => Tensor<S, To>;
export function cast(a: unknown, b?: DType): unknown {
  if (typeof a === "string") return (x: Tensor<any, any>) => typed(E.cast(operand(x), a as DType));
  return typed(E.cast(operand(a as Operand), b!));
}
