/** Folds over (lazy) iterables and monoidal evaluation: metrics are Monoids, evaluation is a foldMap. */
import type { Monoid } from "fp-ts/lib/Monoid.js";

/** Left fold of an iterable, pulling one element at a time (data-last: `foldIterable(f, init)(xs)`). */
export const foldIterable =
  <A, B>(f: (acc: B, a: A) => B, init: B) =>
  (xs: Iterable<A>): B => {
    let acc = init;
    for (const x of xs) acc = f(acc, x);
    return acc;
  };

/** Maps each element into a monoid and combines the results, lazily: `foldMapIterable(M)(f)(xs)`. */
export const foldMapIterable =
  <M>(monoid: Monoid<M>) =>
  <A>(f: (a: A) => M) =>
  (xs: Iterable<A>): M =>
    foldIterable((acc: M, a: A) => monoid.concat(acc, f(a)), monoid.empty)(xs);

/**
 * Evaluation as a fold: measures each batch with `measure(params, batch)` and combines the measurements
 * with the monoid (e.g. accuracy as `{ correct, total }` counts), pulling one batch at a time.
 */
export const evaluate =
  <P, B, M>(monoid: Monoid<M>, measure: (params: P, batch: B) => M) =>
  (params: P, batches: Iterable<B>): M =>
    foldMapIterable(monoid)((b: B) => measure(params, b))(batches);
