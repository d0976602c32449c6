/**
 * Forward mode by dual numbers: a {@link JvpTracer} carries a primal and a tangent, and every
 * primitive's JVP rule maps input tangents to the output tangent.
 */
import { TransformError } from "../errors.js";
import { isFloat } from "../tensor/dtype.js";
import { impl, typed, type TensorImpl } from "../tensor/tensor.js";
import { bind, bindMulti, Trace, Tracer, withTrace } from "../core/trace.js";
import type { Linear, MultiPrimitive, Primitive } from "../core/primitive.js";
import { flatten } from "../core/pytree.js";
import { toTensor } from "./leaves.js";
import { zerosLike } from "../primitives/util.js";
import { cast } from "../primitives/elementwise.js";

/** The forward-mode transformation at one level. */
export class JvpTrace extends Trace {
  constructor(level: number) {
    super(level, "jvp");
  }
  /** Primal and tangent of a value as seen by this trace. */
  split(x: TensorImpl): [TensorImpl, Linear] {
    return x instanceof JvpTracer && x.trace === this ? [x.primal, x.tangent] : [x, null];
  }
  process<P>(prim: Primitive<P>, inputs: readonly TensorImpl[], params: P): TensorImpl {
    const primals: TensorImpl[] = [];
    const tangents: Linear[] = [];
    for (const x of inputs) {
      const [p, t] = this.split(x);
      primals.push(p);
      tangents.push(t);
    }
    const out = bind(prim, primals, params);
    if (tangents.every((t) => t == null) || !isFloat(out.dtype)) return out;
    const t = prim.jvp(primals, tangents, out, params);
    return t == null ? out : new JvpTracer(this, out, t);
  }
  processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly TensorImpl[], params: P): readonly TensorImpl[] {
    const split = inputs.map((x) => this.split(x));
    const primals = split.map(([p]) => p);
    const tangents = split.map(([p, t]) => (t != null && isFloat(p.dtype) ? t : null));
    if (tangents.every((t) => t == null)) return bindMulti(prim, primals, params);
    const [outs, touts] = prim.jvp(primals, tangents, params);
    return outs.map((o, i) => {
      const t = touts[i];
      return t == null || !isFloat(o.dtype) ? o : new JvpTracer(this, o, t);
    });
  }
}

/**
 * Forward mode on flat lists (for the rules of program-holding primitives): `fn`'s outputs at `primals`
 * and their tangents along `tangents` (`null`: zero), `null` for outputs with a zero tangent.
 */
export function jvpFlat(fn: (xs: readonly TensorImpl[]) => readonly TensorImpl[], primals: readonly TensorImpl[], tangents: readonly Linear[]): [TensorImpl[], Linear[]] {
  return withTrace(
    (level) => new JvpTrace(level),
    (trace) => {
      const ins = primals.map((p, i) => {
        const t = tangents[i];
        return t != null && isFloat(p.dtype) ? new JvpTracer(trace, p, t) : p;
      });
      const outs = fn(ins).map((o) => trace.split(o));
      return [outs.map(([p]) => p), outs.map(([p, t]) => (isFloat(p.dtype) ? t : null))];
    },
  );
}

/** A dual number: a primal value with its tangent. */
export class JvpTracer extends Tracer {
  constructor(
    readonly trace: JvpTrace,
    readonly primal: TensorImpl,
    readonly tangent: TensorImpl,
  ) {
    super(primal.shape, primal.dtype, primal.names);
  }
  concrete() {
    return this.primal.concrete();
  }
}

/**
 * Jacobian-vector product: evaluates `f` at `primals` and its directional derivative along `tangents`
 * (trees of the same structure as the arguments). Returns `[f(primals), ∂f(primals)·tangents]`.
 *
 * @example
 * ```ts
 * const f = (x: Tensor<[3]>) => sum(square(x));
 * const [y, dy] = jvp(f, [tensor([1, 2, 3])], [tensor([1, 0, 0])]); // 14, 2 (∂f/∂x₀ = 2x₀)
 * ```
 */
export function jvp<Args extends readonly unknown[], R>(f: (...args: Args) => R, primals: Args, tangents: Args): [R, R] {
  const p = flatten(primals);
  const t = flatten(tangents);
  if (p.leaves.length !== t.leaves.length) throw new TransformError("jvp", `primals have ${p.leaves.length} leaves but tangents have ${t.leaves.length}`);
  return withTrace(
    (level) => new JvpTrace(level),
    (trace) => {
      const ins = p.leaves.map((leaf, i) => {
        const x = toTensor(leaf);
        const tx = toTensor(t.leaves[i]!);
        if (tx.shape.length !== x.shape.length || tx.shape.some((d, j) => d !== x.shape[j]))
          throw new TransformError("jvp", `tangent ${i} has shape [${tx.shape.join(", ")}] but its primal has [${x.shape.join(", ")}]`);
        // Numbers become float64 scalars carrying their tangent (as in vjp), and numbers again on output.
        return typed(new JvpTracer(trace, x, cast(tx, x.dtype)));
      });
      const out = f(...(p.unflatten(ins) as Args));
      const o = flatten(out);
      const outP = o.leaves.map((l) => (typeof l === "number" ? l : typed(trace.split(impl(l))[0])));
      const outT = o.leaves.map((l) => {
        if (typeof l === "number") return 0;
        const [pr, tg] = trace.split(impl(l));
        return typed(tg ?? zerosLike(pr));
      });
      return [o.unflatten(outP) as R, o.unflatten(outT) as R];
    },
  );
}
