/** Folds over (lazy) iterables and monoidal evaluation: metrics are Monoids, evaluation is a foldMap. */
import type { Monoid } from "fp-ts/lib/Monoid.js";

/**
 * Left fold of an iterable, pulling one element at a time (data-last: `foldIterable(f, init)(xs)`).
 *
 * @example
 * ```ts
 * train.foldIterable((acc: number, x: number) => acc + x, 0)([1, 2, 3]); // 6
 * ```
 */
export const foldIterable =
  <A, B>(f: (acc: B, a: A) => B, init: B) =>
  (xs: Iterable<A>): B => {
    let acc = init;
    for (const x of xs) acc = f(acc, x);
    return acc;
  };

/**
 * Maps each element into a monoid and combines the results, lazily: `foldMapIterable(M)(f)(xs)`.
 *
 * @example
 * ```ts
 * const total = { concat: (a: number, b: number) => a + b, empty: 0 };
 * train.foldMapIterable(total)((s: string) => s.length)(["ab", "cde"]); // 5
 * ```
 */
export const foldMapIterable =
  <M>(monoid: Monoid<M>) =>
  <A>(f: (a: A) => M) =>
  (xs: Iterable<A>): M =>
    foldIterable((acc: M, a: A) => monoid.concat(acc, f(a)), monoid.empty)(xs);

/**
 * Evaluation as a fold: measures each batch with `measure(params, batch)` and combines the measurements
 * with the monoid (e.g. accuracy as `{ correct, total }` counts), pulling one batch at a time.
 *
 * @example
 * ```ts
 * const measure = (p: { w: Tensor<[2, 2]> }, b: { x: Tensor<[number, 2]>; y: Tensor<[number], "int32"> }) => nn.accuracyAcc(matmul(b.x, p.w), b.y);
 * const ds = { x: eye(2), y: tensor([0, 1], "int32") };
 * nn.accuracyOf(train.evaluate(nn.accuracyMonoid, measure)({ w: eye(2) }, train.batches(null, ds, 1))); // 1
 * ```
 */
export const evaluate =
  <P, B, M>(monoid: Monoid<M>, measure: (params: P, batch: B) => M) =>
  (params: P, batches: Iterable<B>): M =>
    foldMapIterable(monoid)((b: B) => measure(params, b))(batches);
