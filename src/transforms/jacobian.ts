/** Jacobians and Hessians of tensor functions, built from vmap over jvp (forward) or vjp (reverse). */
import { ShapeError } from "../errors.js";
import { impl, typed, type Tensor } from "../tensor/tensor.js";
import type { Shape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { Concrete } from "../tensor/tensor.js";
import { alloc } from "../tensor/dtype.js";
import { reshape, transpose } from "../primitives/structure.js";
import { jvp } from "./jvp.js";
import { vjp } from "./vjp.js";
import { vmap } from "./vmap.js";

type TFn = (x: Tensor<any, any>) => Tensor<any, any>;

/** Rows of the identity, shaped as `n` copies of `shape`. */
function basis(shape: readonly number[], dtype: DType): Tensor<any, any> {
  let n = 1;
  for (const d of shape) n *= d;
  const data = alloc(dtype, n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return typed(new Concrete([n, ...shape], dtype, data));
}

/**
 * The Jacobian by forward mode (one JVP per input element, vectorised): shape `[...out, ...in]`.
 *
 * @example
 * ```ts
 * const J: Tensor<[2, 2]> = jacfwd((x: Tensor<[2]>) => mul(x, x))(tensor([1, 2])); // [[2, 0], [0, 4]]
 * ```
 */
export function jacfwd<S extends Shape, D extends DType, O extends Shape>(f: (x: Tensor<S, D>) => Tensor<O, D>): (x: Tensor<S, D>) => Tensor<[...O, ...S], D> {
  return (x) => {
    const xi = impl(x);
    const cols = vmap((t: Tensor<any, any>) => jvp(f as TFn, [x], [t])[1])(basis(xi.shape, xi.dtype)) as Tensor<any, any>;
    const c = impl(cols);
    // cols: [n_in, ...out] → [...out, ...in]
    const outShape = c.shape.slice(1);
    const r = outShape.length;
    const moved = transpose(c, [...Array.from({ length: r }, (_, i) => i + 1), 0]);
    return typed(reshape(moved, [...outShape, ...xi.shape]));
  };
}

/**
 * The Jacobian by reverse mode (one VJP per output element, vectorised): shape `[...out, ...in]`.
 *
 * @example
 * ```ts
 * const J: Tensor<[1, 3]> = jacrev((x: Tensor<[3]>) => reshape(sum(x), "1"))(tensor([1, 2, 3])); // [[1, 1, 1]]
 * ```
 */
export function jacrev<S extends Shape, D extends DType, O extends Shape>(f: (x: Tensor<S, D>) => Tensor<O, D>): (x: Tensor<S, D>) => Tensor<[...O, ...S], D> {
  return (x) => {
    const xi = impl(x);
    const [y, pull] = vjp(f as TFn, x as Tensor<any, any>);
    const yi = impl(y);
    const rows = vmap((ct: Tensor<any, any>) => pull(ct)[0])(basis(yi.shape, yi.dtype)) as Tensor<any, any>;
    return typed(reshape(impl(rows), [...yi.shape, ...xi.shape]));
  };
}

/**
 * The Hessian of a scalar function: `jacfwd(jacrev(f))`, shape `[...in, ...in]`.
 *
 * @example
 * ```ts
 * const H: Tensor<[2, 2]> = hessian((x: Tensor<[2]>) => sum(mul(x, mul(x, x))))(tensor([1, 2])); // diag(6x) = [[6, 0], [0, 12]]
 * ```
 */
export function hessian<S extends Shape, D extends DType>(f: (x: Tensor<S, D>) => Tensor<[], D>): (x: Tensor<S, D>) => Tensor<[...S, ...S], D> {
  return (x) => {
    const yi = impl(f(x));
    if (yi.shape.length !== 0) throw new ShapeError("hessian", "the function must return a scalar", [yi.shape]);
    return jacfwd(jacrev(f as TFn) as TFn)(x) as never;
  };
}
