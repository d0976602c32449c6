/**
 * Metrics as Monoids: a per-batch measurement, a monoid to combine measurements across batches, and a
 * read-out. Combining per-batch counts (not averaging averages) makes the result independent of batching.
 */
import type { Monoid } from "fp-ts/lib/Monoid.js";
import { argmax } from "../ops/reduce.js";
import { cast, equal } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { isTensor, type AnyTensor, type Tensor } from "../tensor/tensor.js";
import { evaluate } from "./fold.js";
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

/** Counts of correct predictions out of a total (the same shape as nn's `AccuracyAcc`). */
export interface Counts {
  readonly correct: number;
  readonly total: number;
}

/** The sum monoid on {@link Counts}. */
export const countsMonoid: Monoid<Counts> = {
  concat: (a, b) => ({ correct: a.correct + b.correct, total: a.total + b.total }),
  empty: { correct: 0, total: 0 },
};

/** A weighted sum for averages: `sum / count` (the same shape as nn's `MeanAcc`). */
export interface WeightedSum {
  readonly sum: number;
  readonly count: number;
}

/** The sum monoid on {@link WeightedSum}. */
export const weightedSumMonoid: Monoid<WeightedSum> = {
  concat: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  empty: { sum: 0, count: 0 },
};

/** The average of a {@link WeightedSum} (NaN when empty). */
export const weightedMean = (m: WeightedSum): number => (m.count === 0 ? Number.NaN : m.sum / m.count);

/** Classification accuracy: argmax of the outputs along the last axis against int class labels. */
export const accuracyMetric: Metric<AnyTensor, Tensor<any, "int32">, Counts> = {
  monoid: countsMonoid,
  measure: (output, target) => {
    const pred = argmax(output as Tensor<any, "float32">, { axis: -1 });
    const correct = sum(cast(equal(pred as Tensor<any, "int32">, target), "int32")).item() as number;
    return { correct, total: (pred as AnyTensor).size };
  },
  value: (m) => (m.total === 0 ? Number.NaN : m.correct / m.total),
};

/** The number of examples in a batch: the leading dim of `y` when it is a tensor, else 1. */
export const batchSize = (b: Batch<unknown, unknown>): number => (isTensor(b.y) ? (b.y.shape[0] ?? 1) : 1);

/** Evaluates a model's metric over batches (a monoidal fold), returning the metric's value. */
export const evaluateModel =
  <P, X, Y, L, M>(model: Model<P, X, L>, metric: Metric<L, Y, M>) =>
  (params: P, batches: Iterable<Batch<X, Y>>): number =>
    metric.value(evaluate(metric.monoid, (p: P, b: Batch<X, Y>) => metric.measure(model(p, b.x), b.y))(params, batches));
