/**
 * Deferred gathers: `rows idx of source` as a tensor whose data is computed only when first needed.
 *
 * A shuffled minibatch is such a gather. Passed to a jitted function (the training step), it is not
 * gathered in front of the call: the gather is staged into the program, where its output is a planned
 * buffer like any intermediate, instead of a fresh array per step. Anywhere else it behaves as the
 * gathered tensor, computed once on first use (an immutable value, so when it is computed cannot show).
 */
import { Concrete, TensorImpl } from "../tensor/tensor.js";
import { take, takeP } from "./structure.js";

/** `take(source, idx, 0)`, deferred. */
export class LazyTake extends TensorImpl {
  private value: Concrete | null = null;
  constructor(
    readonly source: Concrete,
    readonly idx: Concrete,
  ) {
    const meta = takeP.abstract([source, idx], { axis: 0 });
    super(meta.shape, meta.dtype, meta.names);
  }
  concrete(): Concrete {
    this.value ??= take(this.source, this.idx, 0).concrete();
    return this.value;
  }
}

/** Rows `idx` of `x` along axis 0: deferred when both are concrete, else an ordinary gather. */
export function lazyTake(x: TensorImpl, idx: TensorImpl): TensorImpl {
  return x instanceof Concrete && idx instanceof Concrete ? new LazyTake(x, idx) : take(x, idx, 0);
}
