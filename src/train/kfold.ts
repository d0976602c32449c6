/**
 * K-fold cross-validation with d2l's `get_k_fold_data` semantics: the data is cut into `k` folds of
 * `⌊n / k⌋` examples (a remainder at the end is left out); fold `i` validates, the others, in order, train.
 */
import { InputError } from "../errors.js";
import { concat, slice } from "../ops/structure.js";
import type { AnyTensor, Tensor } from "../tensor/tensor.js";
import { numExamples, type Batched, type Columns } from "./columns.js";

/** One split: the training part and the validation fold. */
export interface Split<D extends Columns> {
  /** Fold index, from 0. */
  readonly fold: number;
  readonly train: Batched<D>;
  readonly valid: Batched<D>;
}

/**
 * Split `i` of `k` (d2l's `get_k_fold_data(k, i, X, y)`).
 *
 * @example
 * ```ts
 * const ds = { x: arange(10), y: arange(10) };
 * const { train: tr, valid } = train.kFoldSplit(5, 0, ds); // valid: the first 2 examples, train: the other 8
 * ```
 */
export function kFoldSplit<const D extends Columns>(k: number, i: number, data: D): Split<D> {
  if (!Number.isInteger(k) || k < 2) throw new InputError("kFold", `k must be an integer ≥ 2, got ${k}`);
  if (!Number.isInteger(i) || i < 0 || i >= k) throw new InputError("kFold", `fold ${i} is not in 0…${k - 1}`);
  const n = numExamples(data, "kFold");
  const size = Math.floor(n / k);
  if (size === 0) throw new InputError("kFold", `${n} examples cannot make ${k} non-empty folds`);
  const train: Record<string, AnyTensor> = {};
  const valid: Record<string, AnyTensor> = {};
  for (const [name, t0] of Object.entries(data)) {
    const t = t0 as Tensor<any, any>;
    valid[name] = slice(t, 0, i * size, (i + 1) * size);
    const parts = [
      ...(i > 0 ? [slice(t, 0, 0, i * size)] : []),
      ...(i < k - 1 ? [slice(t, 0, (i + 1) * size, k * size)] : []),
    ];
    train[name] = parts.length === 1 ? parts[0]! : concat(parts as never, 0);
  }
  return { fold: i, train: train as Batched<D>, valid: valid as Batched<D> };
}

/**
 * The `k` splits, computed lazily one at a time.
 *
 * @example
 * ```ts
 * const ds = { x: arange(10), y: arange(10) };
 * for (const s of train.kFold(5, ds)) s.valid.x.shape; // [2], five times
 * ```
 */
export function* kFold<const D extends Columns>(k: number, data: D): Generator<Split<D>, void, undefined> {
  for (let i = 0; i < k; i++) yield kFoldSplit(k, i, data);
}

/** Per-fold results and their mean, key by key. */
export interface KFoldResult<R extends Readonly<Record<string, number>>> {
  readonly folds: readonly R[];
  readonly mean: R;
}

/**
 * Trains and validates on each of the `k` splits (d2l's `k_fold`): `trainFn(train, valid, fold)` returns
 * numbers (e.g. `{ trainLoss, validLoss }`); the result has them per fold and averaged over folds.
 *
 * @example
 * ```ts
 * const ds = { x: arange(10), y: arange(10) };
 * const r = train.kFoldValidate(5, ds, (tr, valid) => ({ validSize: valid.x.shape[0] }));
 * r.mean.validSize; // 2
 * ```
 */
export function kFoldValidate<const D extends Columns, R extends Readonly<Record<string, number>>>(
  k: number, data: D, trainFn: (train: Batched<D>, valid: Batched<D>, fold: number) => R,
): KFoldResult<R> {
  const folds: R[] = [];
  for (const s of kFold(k, data)) folds.push(trainFn(s.train, s.valid, s.fold));
  const mean: Record<string, number> = {};
  for (const key of Object.keys(folds[0] ?? {})) mean[key] = folds.reduce((acc, r) => acc + r[key]!, 0) / folds.length;
  return { folds, mean: mean as R };
}
