/** Datasets as named tensors sharing a leading example dim (`{ x, y }`), and the types of their slices. */
import { InputError } from "../errors.js";
import type { Shape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import type { AnyTensor, Tensor } from "../tensor/tensor.js";

/** A shape with its leading (example) dim replaced by a run-time size. */
export type BatchShape<S extends Shape> = S extends readonly [unknown, ...infer R extends Shape] ? [number, ...R] : S;

/** Named tensors that share their leading dim, like `{ x, y }`. */
export type Columns = { readonly [k: string]: AnyTensor };

/** A minibatch of `D`: every tensor with its leading dim cut to the batch. */
export type Batched<D extends Columns> = { readonly [K in keyof D]: D[K] extends Tensor<infer S, infer Dt extends DType> ? Tensor<BatchShape<S>, Dt> : D[K] };

/**
 * The number of examples (leading dim) shared by every tensor of `data`.
 *
 * @example
 * ```ts
 * train.numExamples({ x: zeros("10 3"), y: zeros("10") }); // 10
 * ```
 */
export function numExamples(data: Columns, op = "batches"): number {
  let n: number | undefined;
  for (const [k, t] of Object.entries(data)) {
    const m = t.shape[0];
    if (m === undefined) throw new InputError(op, `'${k}' is a scalar; every tensor needs a leading example dim`);
    if (n !== undefined && m !== n) throw new InputError(op, `'${k}' has ${m} examples, expected ${n} like the others`);
    n = m;
  }
  if (n === undefined) throw new InputError(op, "no tensors given");
  return n;
}

