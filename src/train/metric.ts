/**
 * Metrics as Monoids: a per-batch measurement, a monoid to combine measurements across batches, and a
 * read-out. Combining per-batch counts (not averaging averages) makes the result independent of batching.
 * The accumulators themselves are nn's (`accuracyMonoid`, `meanMonoid`).
 */
import type { Monoid } from "fp-ts/lib/Monoid.js";
import { isTensor, type AnyTensor, type Tensor } from "../tensor/tensor.js";
import { accuracyAcc, accuracyMonoid, accuracyOf, type AccuracyAcc } from "../nn/metrics.js";
import { evaluate } from "./fold.js";
import { InputError } from "../errors.js";
import { jitOrEager } from "../transforms/jit.js";
import type { Batch, Model } from "./step.js";

/** A metric on model outputs `L` and targets `Y`, accumulated in the monoid `M`. */
export interface Metric<L, Y, M> {
  /** How per-batch measurements combine. */
  readonly monoid: Monoid<M>;
  /** The measurement of one batch. */
  readonly measure: (output: L, target: Y) => M;
  /** The number reported for an accumulated measurement. */
  readonly value: (m: M) => number;
}

/**
 * Classification accuracy: argmax of the outputs along the last axis against int class labels.
 *
 * @example
 * ```ts
 * const m = train.accuracyMetric;
 * m.value(m.monoid.concat(m.measure(tensor([[0.9, 0.1]]), tensor([0], "int32")), m.monoid.empty)); // 1
 * ```
 */
export const accuracyMetric: Metric<AnyTensor, Tensor<any, "int32">, AccuracyAcc> = {
  monoid: accuracyMonoid,
  measure: (output, target) => accuracyAcc(output, target),
  value: (m) => (m.total === 0 ? Number.NaN : accuracyOf(m)),
};

/**
 * The number of examples in a batch: the leading dim of `y` when it is a tensor, else 1.
 *
 * @example
 * ```ts
 * train.batchSize({ x: zeros("32 784"), y: zeros("32", "int32") }); // 32
 * ```
 */
export const batchSize = (b: Batch<unknown, unknown>): number => (isTensor(b.y) ? (b.y.shape[0] ?? 1) : 1);

/**
 * Evaluates a model's metric over batches (a monoidal fold), returning the metric's value. The forward
 * pass is staged (`jit`, one program per batch shape, kept across calls of the returned function), or
 * run eagerly if the model cannot be staged. As with `jit`, the model must be pure: tensors it captures
 * from outside (not through `params` or the batch) are read once, when it is staged. No batches at all is
 * an `InputError` (a metric of nothing would be NaN).
 *
 * @example
 * ```ts
 * const model = (p: { w: Tensor<[2, 2]> }, x: Tensor<[number, 2]>) => matmul(x, p.w);
 * const acc = train.evaluateModel(model, train.accuracyMetric)({ w: eye(2) }, [{ x: eye(2), y: tensor([0, 1], "int32") }]); // 1
 * ```
 */
export const evaluateModel = <P, X, Y, L, M>(model: Model<P, X, L>, metric: Metric<L, Y, M>) => {
  const forward = jitOrEager(model);
  return (params: P, batches: Iterable<Batch<X, Y>>): number => {
    let count = 0;
    const m = evaluate(metric.monoid, (p: P, b: Batch<X, Y>) => {
      count++;
      return metric.measure(forward(p, b.x), b.y);
    })(params, batches);
    // A metric of nothing is NaN at best: say so instead.
    if (count === 0) throw new InputError("evaluateModel", "no batches to evaluate (an empty test set?)");
    return metric.value(m);
  };
};
