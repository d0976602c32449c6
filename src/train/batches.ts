/**
 * Lazy minibatches over in-memory tensors: each batch is gathered (`take`) or viewed (rows in order) when it is pulled,
 * so only one batch exists at a time besides the data itself. Shuffling is explicit: a PRNG key gives
 * the order, the same key the same order, and `null` keeps the data's order.
 */
import { InputError } from "../errors.js";
import { slice } from "../ops/structure.js";
import { Concrete, typed, type AnyTensor, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import { lazyTake } from "./gather.js";
import type { Key } from "../random/key.js";
import { numExamples, type Batched, type Columns } from "./columns.js";
import { permutation } from "../random/sample.js";

/** Options of {@link batches}. */
export interface BatchesOptions {
  /** Skip the last batch when it is smaller than `batchSize` (default false). */
  readonly dropLast?: boolean;
}

/**
 * The number of batches {@link batches} yields.
 *
 * @example
 * ```ts
 * train.numBatches(10, 4); // 3
 * train.numBatches(10, 4, true); // 2
 * ```
 */
export const numBatches = (n: number, batchSize: number, dropLast = false): number => (dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize));

/**
 * Minibatches of `batchSize` examples from tensors sharing their leading dim, shuffled by `key` (or in
 * order with `null`). A lazy, re-iterable sequence: each iteration yields the same batches, computed one
 * at a time as they are pulled; the last may be smaller unless `dropLast`.
 *
 * @example
 * ```ts
 * const ds = { x: arange(10), y: arange(10) };
 * for (const b of train.batches(random.key(0), ds, 4)) b.x.shape; // [4], [4], [2]: shuffled by the key
 * const inOrder = [...train.batches(null, ds, 4, { dropLast: true })].length; // 2
 * ```
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
          // An ordered batch of in-memory data is a view of its rows, not a copy.
          out[k] = idx === null ? leadingRows(t, start, end) : typed(lazyTake(t as unknown as TensorImpl, idx as unknown as TensorImpl));
        }
        yield out as Batched<D>;
      }
    },
  };
}

/**
 * Rows `start..end` of `t`: for a concrete tensor, a view of its storage (rows are contiguous, and tensors
 * are never written after they are made, so sharing is safe); otherwise the `slice` op.
 */
function leadingRows(t: Tensor<any, any>, start: number, end: number): AnyTensor {
  const x = t as unknown as TensorImpl;
  if (!(x instanceof Concrete)) return slice(t, 0, start, end);
  let row = 1;
  for (let i = 1; i < x.shape.length; i++) row *= x.shape[i]!;
  const n = x.shape[0]!;
  const names = end - start === n ? x.names : [null, ...x.names.slice(1)];
  return typed(new Concrete([end - start, ...x.shape.slice(1)], x.dtype, x.data.subarray(start * row, end * row), names));
}
