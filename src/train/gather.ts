/**
 * Deferred minibatch gathers: `rows idx of source` as a tensor whose data is computed only when first
 * needed. A shuffled minibatch is such a gather. The training step hands the source and the indices to
 * its staged program, where the gather is an ordinary staged `take` of two inputs whose output is a
 * planned buffer like any intermediate, instead of a fresh array per step. Anywhere else it behaves as
 * the gathered tensor, computed once on first use (an immutable value, so when it is computed cannot show).
 */
import { Concrete, TensorImpl, typed } from "../tensor/tensor.js";
import { take, takeP } from "../primitives/structure.js";
import { mapTree } from "../core/pytree.js";

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

/** A deferred gather as the two tensors it reads (a tree node a staged program takes as two inputs). */
interface Wired {
  readonly gatherSource: unknown;
  readonly gatherRows: unknown;
}

/** Replaces the deferred gathers of a tree by their operands. */
export const wireGathers = (tree: unknown): unknown =>
  mapTree((l: unknown) => (l instanceof LazyTake ? ({ gatherSource: typed(l.source), gatherRows: typed(l.idx) } satisfies Wired) : l), tree);

/** Inverse of {@link wireGathers}, inside the staged program: each pair of operands becomes a `take`. */
export function unwireGathers(tree: unknown): unknown {
  if (Array.isArray(tree)) return tree.map(unwireGathers);
  if (tree !== null && typeof tree === "object" && !(tree instanceof TensorImpl)) {
    const keys = Object.keys(tree);
    if (keys.length === 2 && "gatherSource" in tree && "gatherRows" in tree) {
      const w = tree as Wired;
      return typed(take(w.gatherSource as TensorImpl, w.gatherRows as TensorImpl, 0));
    }
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, unwireGathers(v)]));
  }
  return tree;
}
