/**
 * Update counters as tensors: the count an optimizer state carries is a 0-d int32 tensor, and every
 * quantity derived from it (a scheduled learning rate, Adam's bias corrections, momentum's first step) is
 * computed with tensor ops, so `jit` of an update sees the count as data and stages one program for all
 * steps. Scalar arithmetic on the count is done in float64, as PyTorch does it on the host in doubles.
 */
import { add, cast, less, where } from "../ops/elementwise.js";
import { scalar } from "../ops/create.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Count } from "./types.js";

const INT32_MAX = 2 ** 31 - 1;

/**
 * A count of `n` updates (0 by default), as an optimizer state holds it.
 *
 * @example
 * ```ts
 * optim.countOf(3).item(); // 3
 * ```
 */
export const countOf = (n = 0): Count => {
  if (!Number.isInteger(n) || n < 0 || n > INT32_MAX) throw new RangeError(`countOf: a count is an integer in [0, ${INT32_MAX}], got ${n}`);
  return scalar(n, "int32");
};

/**
 * `count + 1`, staying at the int32 maximum instead of wrapping round (optax's `safe_increment`).
 *
 * @example
 * ```ts
 * optim.increment(optim.countOf(1)).item(); // 2
 * ```
 */
export const increment = (count: Count): Count => where(less(count, INT32_MAX), add(count, 1), count);

/**
 * The count as a float64 scalar, for the host-precision arithmetic of schedules and bias corrections.
 *
 * @example
 * ```ts
 * optim.asFloat64(optim.countOf(2)).item(); // 2 (a float64 scalar)
 * ```
 */
export const asFloat64 = (count: Count): Tensor<[], "float64"> => cast(count, "float64");

/** A count given as a tensor or a plain number (a plain number is checked and converted). */
export const toCount = (count: Count | number): Count => (typeof count === "number" ? countOf(count) : count);
