/**
 * Lazy minibatches over in-memory tensors: each batch is gathered (`take`) or sliced when it is pulled,
 * so only one batch exists at a time besides the data itself. Shuffling is explicit: a PRNG key gives
 * the order, the same key the same order, and `null` keeps the data's order.
 */
import { InputError } from "../errors.js";
import { slice } from "../ops/structure.js";
import { typed, type AnyTensor, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import { lazyTake } from "../primitives/lazy.js";
import type { Key } from "../random/key.js";
import { numExamples, type Batched, type Columns } from "./columns.js";
import { permutation } from "../random/sample.js";

/** Options of {@link batches}. */
export interface BatchesOptions {
  /** Skip the last batch when it is smaller than `batchSize` (default false). */
  readonly dropLast?: boolean;
}

/** The number of batches {@link batches} yields. */
export const numBatches = (n: number, batchSize: number, dropLast = false): number => (dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize));

/**
 * Minibatches of `batchSize` examples from tensors sharing their leading dim, shuffled by `key` (or in
 * order with `null`). A lazy, re-iterable sequence: each iteration yields the same batches, computed one
 * at a time as they are pulled; the last may be smaller unless `dropLast`.
 */
export function batches<const D extends Columns>(key: Key | null, data: D, batchSize: number, opts: BatchesOptions = {}): Iterable<Batched<D>> {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new InputError("batches", `batchSize must be a positive integer, got ${batchSize}`);
  const n = numExamples(data);
  const count = numBatches(n, batchSize, opts.dropLast ?? false);
  const names = Object.keys(data);
  return {
    *[Symbol.iterator]() {
      const order: Tensor<[number], "int32"> | null = key === null ? null : permutation(key, n);
      for (let b = 0; b < count; b++) {
        const start = b * batchSize;
        const end = Math.min(start + batchSize, n);
        const idx = order === null ? null : slice(order, 0, start, end);
        const out: Record<string, AnyTensor> = {};
        for (const k of names) {
          const t = data[k]! as Tensor<any, any>;
          // A shuffled batch is a deferred gather: staged into a jitted step rather than copied out first.
          out[k] = idx === null ? slice(t, 0, start, end) : typed(lazyTake(t as unknown as TensorImpl, idx as unknown as TensorImpl));
        }
        yield out as Batched<D>;
      }
    },
  };
}
