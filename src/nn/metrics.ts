/**
 * Classification metrics, and their accumulators as fp-ts `Monoid`s so evaluation is a fold:
 * `foldMap(evalMonoid)(batchToAcc)(batches)` sums per-batch results in any grouping (the laws
 * "identity" and "associativity" are tested), and the totals are turned into numbers at the end.
 */
import type { Monoid } from "fp-ts/lib/Monoid.js";
import { struct } from "fp-ts/lib/Monoid.js";
import { MonoidSum } from "fp-ts/lib/number.js";
import { ShapeError } from "../errors.js";
import type { Dim, Shape } from "../shape/types.js";
import { alloc } from "../tensor/dtype.js";
import { Concrete, impl, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import * as R from "../primitives/reduce.js";

type Any = Tensor<Shape, any>;

/** Predicted classes: int32 predictions of the labels' shape as they are, else the argmax over the last dim of logits. */
function predictions(op: string, predsOrLogits: Any, labels: Any): { pred: ArrayLike<number>; label: ArrayLike<number> } {
  const p = impl(predsOrLogits);
  const l = impl(labels);
  if (l.dtype !== "int32") throw new ShapeError(op, `labels must be int32, got ${l.dtype}`, [p.shape, l.shape]);
  const same = p.shape.length === l.shape.length && p.shape.every((d, i) => d === l.shape[i]);
  let pred: TensorImpl;
  if (p.dtype === "int32" && same) pred = p;
  else {
    const want = p.shape.slice(0, -1);
    if (p.shape.length === 0 || want.length !== l.shape.length || want.some((d, i) => d !== l.shape[i]))
      throw new ShapeError(op, "logits must be the labels' shape plus a class dim (or int32 predictions of the labels' shape)", [p.shape, l.shape]);
    pred = R.argmax(p, p.shape.length - 1, false);
  }
  return { pred: pred.concrete().data, label: l.concrete().data };
}

/**
 * Number of correct predictions (from logits `[N, C]` or int32 predictions `[N]`, against int32 labels `[N]`).
 *
 * @example
 * ```ts
 * nn.correctCount(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 1], "int32")); // 1
 * ```
 */
export function correctCount<N extends Dim>(predsOrLogits: Tensor<[N, Dim], any> | Tensor<[N], "int32">, labels: Tensor<[N], "int32">): number;
/** Number of correct predictions, any leading shape. */
export function correctCount(predsOrLogits: Any, labels: Any): number;
export function correctCount(predsOrLogits: Any, labels: Any): number {
  const { pred, label } = predictions("correctCount", predsOrLogits, labels);
  let n = 0;
  for (let i = 0; i < label.length; i++) if (pred[i] === label[i]) n++;
  return n;
}

/**
 * Fraction of correct predictions (NaN for an empty batch).
 *
 * @example
 * ```ts
 * nn.accuracy(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 1], "int32")); // 0.5
 * nn.accuracy(tensor([1, 0], "int32"), tensor([1, 1], "int32")); // 0.5, from predicted classes
 * ```
 */
export function accuracy<N extends Dim>(predsOrLogits: Tensor<[N, Dim], any> | Tensor<[N], "int32">, labels: Tensor<[N], "int32">): number;
/** Fraction of correct predictions, any leading shape. */
export function accuracy(predsOrLogits: Any, labels: Any): number;
export function accuracy(predsOrLogits: Any, labels: Any): number {
  return accuracyOf(accuracyAcc(predsOrLogits, labels));
}

/**
 * The confusion matrix `[C, C]` (int32): entry `[i, j]` counts examples of true class `i` predicted as `j`
 * (rows are labels, as in scikit-learn and torchmetrics). Labels or predictions outside `[0, C)` throw.
 *
 * @example
 * ```ts
 * const m: Tensor<[2, 2], "int32"> = nn.confusionMatrix(tensor([1, 0, 1], "int32"), tensor([1, 1, 0], "int32"), 2);
 * // rows: true class, columns: prediction → [[0, 1], [1, 1]]
 * ```
 */
export function confusionMatrix<const C extends number>(predsOrLogits: Any, labels: Any, numClasses: C): Tensor<[C, C], "int32"> {
  const op = "confusionMatrix";
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new RangeError(`${op}: numClasses must be a positive integer, got ${numClasses}`);
  const { pred, label } = predictions(op, predsOrLogits, labels);
  const out = alloc("int32", numClasses * numClasses);
  for (let i = 0; i < label.length; i++) {
    const t = label[i]!;
    const p = pred[i]!;
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses)
      throw new RangeError(`${op}: class ${t < 0 || t >= numClasses ? `label ${t}` : `prediction ${p}`} at index ${i} is outside [0, ${numClasses})`);
    out[t * numClasses + p]!++;
  }
  return typed(new Concrete([numClasses, numClasses], "int32", out));
}

// ---------------------------------------------------------------------------------------------
// Accumulators

/** Correct predictions and examples seen. */
export interface AccuracyAcc {
  readonly correct: number;
  readonly total: number;
}

/**
 * Sums of correct and total counts; `{ correct: 0, total: 0 }` is the identity.
 *
 * @example
 * ```ts
 * const a = nn.accuracyAcc(tensor([1, 0], "int32"), tensor([1, 1], "int32")); // { correct: 1, total: 2 }
 * const b = nn.accuracyAcc(tensor([1], "int32"), tensor([1], "int32")); // { correct: 1, total: 1 }
 * nn.accuracyOf(nn.accuracyMonoid.concat(a, b)); // 2 / 3
 * ```
 */
export const accuracyMonoid: Monoid<AccuracyAcc> = struct({ correct: MonoidSum, total: MonoidSum });

/**
 * One batch's accuracy accumulator.
 *
 * @example
 * ```ts
 * nn.accuracyAcc(tensor([[0.1, 0.9]]), tensor([1], "int32")); // { correct: 1, total: 1 }
 * ```
 */
export function accuracyAcc(predsOrLogits: Any, labels: Any): AccuracyAcc {
  return { correct: correctCount(predsOrLogits, labels), total: impl(labels).size };
}

/**
 * The fraction an accumulator stands for (NaN when empty).
 *
 * @example
 * ```ts
 * nn.accuracyOf({ correct: 3, total: 4 }); // 0.75
 * ```
 */
export const accuracyOf = (a: AccuracyAcc): number => a.correct / a.total;

/** A running sum and count, for averages over batches of different sizes. */
export interface MeanAcc {
  readonly sum: number;
  readonly count: number;
}

/**
 * Sums of sums and counts; `{ sum: 0, count: 0 }` is the identity.
 *
 * @example
 * ```ts
 * const m = nn.meanMonoid.concat(nn.meanAcc(2, 10), nn.meanAcc(4, 30)); // batch means 2 and 4, of 10 and 30 examples
 * nn.meanOf(m); // 3.5, the mean over all 40
 * ```
 */
export const meanMonoid: Monoid<MeanAcc> = struct({ sum: MonoidSum, count: MonoidSum });

/**
 * The accumulator of a batch whose mean value (e.g. a `reduction: "mean"` loss, as a number or a scalar
 * tensor) was taken over `count` examples: `{ sum: mean · count, count }`.
 *
 * @example
 * ```ts
 * nn.meanAcc(scalar(0.25), 64); // { sum: 16, count: 64 }
 * ```
 */
export function meanAcc(batchMean: number | Tensor<[], any>, count = 1): MeanAcc {
  const v = typeof batchMean === "number" ? batchMean : (batchMean.item() as number);
  return { sum: v * count, count };
}

/**
 * The average an accumulator stands for (NaN when empty).
 *
 * @example
 * ```ts
 * nn.meanOf({ sum: 16, count: 64 }); // 0.25
 * ```
 */
export const meanOf = (a: MeanAcc): number => a.sum / a.count;

/**
 * Elementwise sums of `[C, C]` confusion matrices; the zero matrix is the identity.
 *
 * @example
 * ```ts
 * const M = nn.confusionMonoid(3);
 * const total = M.concat(nn.confusionMatrix(tensor([0, 1], "int32"), tensor([0, 2], "int32"), 3), M.empty);
 * ```
 */
export function confusionMonoid<const C extends number>(numClasses: C): Monoid<Tensor<[C, C], "int32">> {
  const n = numClasses * numClasses;
  const empty = typed<[C, C], "int32">(new Concrete([numClasses, numClasses], "int32", alloc("int32", n)));
  return {
    empty,
    concat: (a, b) => {
      const x = impl(a).concrete();
      const y = impl(b).concrete();
      if (x.size !== n || y.size !== n)
        throw new ShapeError("confusionMonoid", `matrices must be [${numClasses}, ${numClasses}]`, [x.shape, y.shape]);
      const out = alloc("int32", n);
      for (let i = 0; i < n; i++) out[i] = x.data[i]! + y.data[i]!;
      return typed(new Concrete([numClasses, numClasses], "int32", out));
    },
  };
}

/** A typical evaluation accumulator: mean loss and accuracy. */
export interface EvalAcc {
  readonly loss: MeanAcc;
  readonly accuracy: AccuracyAcc;
}

/**
 * `struct` of {@link meanMonoid} and {@link accuracyMonoid}: evaluation over batches as one `foldMap`.
 *
 * @example
 * ```ts
 * const logits = tensor([[2, 0], [0, 2]]);
 * const labels = tensor([0, 0], "int32");
 * const batch = nn.evalAcc(nn.crossEntropy(logits, labels), logits, labels);
 * nn.evalSummary(nn.evalMonoid.concat(batch, nn.evalMonoid.empty)); // { loss: 1.1269, accuracy: 0.5 }
 * ```
 */
export const evalMonoid: Monoid<EvalAcc> = struct({ loss: meanMonoid, accuracy: accuracyMonoid });

/**
 * One batch's {@link EvalAcc}, from its mean loss, logits and labels.
 *
 * @example
 * ```ts
 * const logits = tensor([[2, 0]]);
 * const labels = tensor([0], "int32");
 * nn.evalAcc(nn.crossEntropy(logits, labels), logits, labels); // mean loss of 1 example, 1 of 1 correct
 * ```
 */
export function evalAcc(batchMeanLoss: number | Tensor<[], any>, logits: Any, labels: Any): EvalAcc {
  return { loss: meanAcc(batchMeanLoss, impl(labels).size), accuracy: accuracyAcc(logits, labels) };
}

/**
 * The numbers an {@link EvalAcc} stands for.
 *
 * @example
 * ```ts
 * const logits = tensor([[2, 0]]);
 * const labels = tensor([0], "int32");
 * nn.evalSummary(nn.evalAcc(nn.crossEntropy(logits, labels), logits, labels)); // { loss: 0.1269, accuracy: 1 }
 * ```
 */
export const evalSummary = (a: EvalAcc): { loss: number; accuracy: number } => ({ loss: meanOf(a.loss), accuracy: accuracyOf(a.accuracy) });
