/** `grad` and `valueAndGrad`: reverse mode for scalar functions, typed so the gradient has the type of the argument. */
import type { FloatDType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Shape } from "../shape/types.js";
import { valueAndGradImpl } from "./vjp.js";

/** Compile-time check that a function's output is a float scalar (shapes of unknown rank are checked at run time). */
export type ScalarOutput<R> = R extends number
  ? never
  : R extends Tensor<infer S extends Shape, infer D>
    ? number extends S["length"]
      ? never
      : S["length"] extends 0
        ? D extends FloatDType
          ? never
          : "grad: the function must return a float scalar"
        : `grad: the function must return a scalar Tensor<[]>, not a tensor of rank ${S["length"]}`
    : "grad: the function must return a scalar tensor";

type Fn<Args extends readonly unknown[], R> = (...args: Args) => R;
/** A function accepted by `grad`: its type is an error message when it does not return a scalar. */
export type ScalarFn<Args extends readonly unknown[], R> = [ScalarOutput<R>] extends [never] ? Fn<Args, R> : ScalarOutput<R>;
type Picked<Args extends readonly unknown[], N> = N extends number ? Args[N] : { [K in keyof N]: N[K] extends number ? Args[N[K]] : never };

/**
 * The gradient of a scalar function with respect to its first argument (or `argnums`): a function
 * returning a tree of the argument's type. `grad(grad(f))`, `jvp(grad(f))` and `vmap(grad(f))` compose.
 *
 * @example
 * ```ts
 * const f = (w: Tensor<[3]>) => sum(square(w));
 * const g: Tensor<[3]> = grad(f)(tensor([1, 2, 3])); // [2, 4, 6]
 * const second = grad((x: Tensor<[]>) => mul(x, grad((y: Tensor<[]>) => mul(y, y))(x)))(scalar(3)); // d/dx (x·2x) = 12
 * const byArg = grad((a: Tensor<[]>, b: Tensor<[]>) => mul(a, b), { argnums: 1 })(scalar(2), scalar(5)); // ∂/∂b = 2
 * ```
 */
export function grad<Args extends readonly unknown[], R, const N extends number | readonly number[] = 0>(
  f: ScalarFn<Args, R>, opts?: { readonly argnums?: N },
): (...args: Args) => Picked<Args, N> {
  return (...args: Args) => valueAndGradImpl("grad", f as Fn<Args, R>, opts ?? {}, args)[1] as Picked<Args, N>;
}

/**
 * Like {@link grad} but returns `[value, gradient]` from one forward pass.
 *
 * @example
 * ```ts
 * const [loss, g] = valueAndGrad((w: Tensor<[2]>) => sum(square(w)))(tensor([3, 4])); // 25, [6, 8]
 * ```
 */
export function valueAndGrad<Args extends readonly unknown[], R, const N extends number | readonly number[] = 0>(
  f: ScalarFn<Args, R>, opts?: { readonly argnums?: N },
): (...args: Args) => [R, Picked<Args, N>] {
  return (...args: Args) => {
    const [v, g] = valueAndGradImpl("valueAndGrad", f as Fn<Args, R>, opts ?? {}, args);
    return [v as R, g as Picked<Args, N>];
  };
}

/**
 * Like {@link valueAndGrad} for a function returning `[loss, aux]`: the auxiliary tree (metrics,
 * predictions) is returned alongside, not differentiated. Returns `[[loss, aux], gradient]`.
 *
 * @example
 * ```ts
 * const [[loss, preds], g] = valueAndGradWithAux((w: Tensor<[2]>) => {
 *   const preds = mul(w, 2);
 *   return [sum(preds), preds] as const;
 * })(tensor([1, 2])); // loss 6, preds [2, 4], gradient [2, 2]
 * ```
 */
export function valueAndGradWithAux<Args extends readonly unknown[], R, Aux, const N extends number | readonly number[] = 0>(
  f: (...args: Args) => readonly [ScalarFn<[], R> extends string ? never : R, Aux], opts?: { readonly argnums?: N },
): (...args: Args) => [[R, Aux], Picked<Args, N>] {
  return (...args: Args) => {
    const [v, g, aux] = valueAndGradImpl("valueAndGrad", f as Fn<Args, unknown>, { ...(opts ?? {}), hasAux: true }, args);
    return [[v as R, aux as Aux], g as Picked<Args, N>];
  };
}
