/**
 * Vectorising map: a {@link BatchTrace} carries values with an extra leading batch axis, and every
 * primitive's batching rule turns the per-example operation into one batched operation.
 */
import { ShapeError, TransformError } from "../errors.js";
import { typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import type { Shape } from "../shape/types.js";
import { Trace, Tracer, withTrace } from "../core/trace.js";
import type { MultiPrimitive, Primitive } from "../core/primitive.js";
import { flatten } from "../core/pytree.js";
import { toTensor } from "./leaves.js";
import { broadcastTo, reshape, transpose } from "../primitives/structure.js";

/** The batching transformation at one level, for a batch of `size` examples. */
export class BatchTrace extends Trace {
  constructor(
    level: number,
    readonly size: number,
  ) {
    super(level, "vmap");
  }
  owns(x: TensorImpl): x is BatchTracer {
    return x instanceof BatchTracer && x.trace === this;
  }
  process<P>(prim: Primitive<P>, inputs: readonly TensorImpl[], params: P): TensorImpl {
    const vals = inputs.map((x) => (this.owns(x) ? x.val : x));
    const batched = inputs.map((x) => this.owns(x));
    const out = prim.vmap(vals, batched, params, this.size);
    return new BatchTracer(this, out);
  }
  processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly TensorImpl[], params: P): readonly TensorImpl[] {
    const vals = inputs.map((x) => (this.owns(x) ? x.val : x));
    const batched = inputs.map((x) => this.owns(x));
    return prim.vmap(vals, batched, params, this.size).map((o) => new BatchTracer(this, o));
  }
}

/**
 * Batching on flat lists (for the rules of program-holding primitives): `fn` applied to every example of
 * the batched arguments (batch axis 0, `size` examples), each output with its batch axis at 0.
 */
export function vmapFlat(fn: (xs: readonly TensorImpl[]) => readonly TensorImpl[], args: readonly TensorImpl[], batched: readonly boolean[], size: number): TensorImpl[] {
  return withTrace(
    (level) => new BatchTrace(level, size),
    (trace) => {
      const ins = args.map((a, i) => (batched[i] ? new BatchTracer(trace, a) : a));
      return fn(ins).map((o) => (trace.owns(o) ? o.val : broadcastTo(reshape(o, [1, ...o.shape]), [size, ...o.shape])));
    },
  );
}

/** A value of the batch: `val` holds every example, stacked on axis 0. */
export class BatchTracer extends Tracer {
  constructor(
    readonly trace: BatchTrace,
    readonly val: TensorImpl,
  ) {
    super(val.shape.slice(1), val.dtype, val.names.slice(1));
  }
  concrete(): never {
    throw new TransformError("vmap", "a batched value has no single concrete value inside vmap (read values from vmap's result instead)");
  }
  override tryConcrete(): null {
    return null;
  }
  override toString(): string {
    return `Traced<vmap, level ${this.trace.level}>(shape=[${this.shape.join(", ")}], batch of ${this.trace.size})`;
  }
}

/** Moves `axis` of `x` to the front. */
function moveToFront(x: TensorImpl, axis: number): TensorImpl {
  if (axis === 0) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== axis);
  return transpose(x, [axis, ...perm]);
}

/** Moves the front axis of `x` to `axis`. */
function moveFromFront(x: TensorImpl, axis: number): TensorImpl {
  if (axis === 0) return x;
  const rest = x.shape.map((_, i) => i).slice(1);
  rest.splice(axis, 0, 0);
  return transpose(x, rest);
}

/** Options of {@link vmap}: the mapped axis of each argument (null = not mapped) and of the outputs. */
export interface VmapOptions {
  readonly inAxes?: number | null | readonly (number | null)[];
  readonly outAxes?: number;
}

/** The type of a tree batched along `Axis`: a leading `number` dim for axis 0, an unknown shape otherwise. */
export type Batched<T, Axis = 0> = T extends Tensor<infer S extends Shape, infer D extends DType>
  ? Axis extends 0 ? Tensor<[number, ...S], D> : Tensor<Shape, D>
  : T extends number
    ? Tensor<[number]>
    : T extends readonly unknown[]
      ? { [K in keyof T]: Batched<T[K], Axis> }
      : T extends object
        ? { [K in keyof T]: Batched<T[K], Axis> }
        : T;

/** The argument types of a vmapped function, given `inAxes` (null leaves an argument unmapped). */
export type BatchedArgs<Args extends readonly unknown[], I> = I extends readonly unknown[]
  ? { [K in keyof Args]: K extends keyof I ? (I[K] extends null ? Args[K] : Batched<Args[K], I[K]>) : Batched<Args[K]> }
  : I extends null
    ? Args
    : { [K in keyof Args]: Batched<Args[K], I> };

/**
 * Vectorises `f` over an axis of its arguments (default: axis 0 of every argument): the result is
 * what stacking `f` applied to each example would give, computed in one batched pass.
 *
 * @example
 * ```ts
 * const dot = (a: Tensor<[3]>, b: Tensor<[3]>) => sum(mul(a, b));
 * const rows = vmap(dot)(ones("5 3"), ones("5 3")); // 5 dot products: [3, 3, 3, 3, 3]
 * const perExample = vmap(grad((w: Tensor<[3]>, x: Tensor<[3]>) => sum(mul(w, x))), { inAxes: [null, 0] })(ones("3"), ones("4 3"));
 * ```
 */
export function vmap<Args extends readonly unknown[], R, const I extends number | null | readonly (number | null)[] = 0, const O extends number = 0>(
  f: (...args: Args) => R, opts: { readonly inAxes?: I; readonly outAxes?: O } = {},
): (...args: BatchedArgs<Args, I>) => Batched<R, O> {
  return ((...args: unknown[]) => {
    // null is a real choice (nothing mapped), not a missing option.
    const inAxes: number | null | readonly (number | null)[] = opts.inAxes === undefined ? 0 : opts.inAxes;
    const axes = Array.isArray(inAxes) ? inAxes : args.map(() => inAxes as number | null);
    if (axes.length !== args.length) throw new TransformError("vmap", `inAxes has ${axes.length} entries for ${args.length} arguments`);
    // Batch size: from every mapped leaf, which must agree.
    let size = -1;
    const perArg = args.map((a, i) => {
      const fl = flatten(a);
      const ax = axes[i] ?? null;
      if (ax !== null)
        for (const l of fl.leaves) {
          const t = toTensor(l);
          const axis = ax < 0 ? ax + t.shape.length : ax;
          if (axis < 0 || axis >= t.shape.length) throw new ShapeError("vmap", `in axis ${ax} is out of range for an argument of rank ${t.shape.length}`, [t.shape]);
          const n = t.shape[axis]!;
          if (size === -1) size = n;
          else if (size !== n) throw new ShapeError("vmap", `mapped axes have different sizes ${size} and ${n}`, [t.shape]);
        }
      return { fl, ax };
    });
    if (size === -1) throw new TransformError("vmap", "no argument is mapped (all inAxes are null)");
    return withTrace(
      (level) => new BatchTrace(level, size),
      (trace) => {
        const ins = perArg.map(({ fl, ax }) =>
          fl.unflatten(
            fl.leaves.map((l) => {
              if (ax === null) return l;
              const t = toTensor(l);
              return typed(new BatchTracer(trace, moveToFront(t, ax < 0 ? ax + t.shape.length : ax)));
            }),
          ),
        );
        const out = f(...(ins as unknown as Args));
        const o = flatten(out);
        const outAxis = opts.outAxes ?? 0;
        return o.unflatten(
          o.leaves.map((l) => {
            const t = toTensor(l);
            const full = trace.owns(t) ? t.val : broadcastTo(reshape(t, [1, ...t.shape]), [size, ...t.shape]);
            const r = full.shape.length;
            if (!Number.isInteger(outAxis) || outAxis < -r || outAxis >= r)
              throw new ShapeError("vmap", `out axis ${outAxis} is out of range for an output of rank ${r - 1} (batched: rank ${r})`, [t.shape]);
            return typed(moveFromFront(full, outAxis < 0 ? outAxis + r : outAxis));
          }),
        );
      },
    );
  }) as never;
}

