/**
 * Reverse mode: a {@link VjpTrace} records every primitive application on a tape while the function
 * runs; the pullback walks the tape backwards, applying each primitive's VJP rule and summing
 * cotangents. The rules are written with ops, so the backward pass is itself traced by any outer
 * transformation: that is what makes `grad(grad(f))` and `jvp(grad(f))` work.
 */
import { TransformError } from "../errors.js";
import { isFloat } from "../tensor/dtype.js";
import { impl, typed, type TensorImpl } from "../tensor/tensor.js";
import { bind, bindMulti, Trace, Tracer, withTrace } from "../core/trace.js";
import type { Linear, MultiPrimitive, Primitive } from "../core/primitive.js";
import { flatten, type Leaf } from "../core/pytree.js";
import { toTensor } from "./leaves.js";
import { filled, zerosLike } from "../primitives/util.js";
import { add, cast } from "../primitives/elementwise.js";

/** One recorded application: its inputs as seen by the trace, its outputs, and how to pull cotangents back. */
export interface Node {
  readonly id: number;
  readonly inputs: readonly TensorImpl[];
  /** The tracers of its outputs (null for outputs that carry no cotangent: integer or bool ones). */
  readonly outs: (VjpTracer | null)[];
  readonly pull: (cts: readonly Linear[]) => readonly Linear[];
}

/** The reverse-mode transformation at one level. */
export class VjpTrace extends Trace {
  private nextId = 0;
  constructor(level: number) {
    super(level, "vjp");
  }
  /** The primal of a value as seen by this trace. */
  primal(x: TensorImpl): TensorImpl {
    return x instanceof VjpTracer && x.trace === this ? x.primal : x;
  }
  /** Whether `x` is a tracer of this trace. */
  owns(x: TensorImpl): x is VjpTracer {
    return x instanceof VjpTracer && x.trace === this;
  }
  /** Records an application whose pullback is `pull`, returning the traced output. */
  record(inputs: readonly TensorImpl[], out: TensorImpl, pull: (ct: TensorImpl) => readonly Linear[]): TensorImpl {
    return this.recordMulti(inputs, [out], (cts) => (cts[0] == null ? inputs.map(() => null) : pull(cts[0])))[0]!;
  }
  /** Records an application with several outputs; `pull` gets one cotangent per output (`null`: zero). */
  recordMulti(inputs: readonly TensorImpl[], outs: readonly TensorImpl[], pull: (cts: readonly Linear[]) => readonly Linear[]): readonly TensorImpl[] {
    if (!outs.some((o) => isFloat(o.dtype)) || !inputs.some((x) => this.owns(x))) return outs;
    const node: Node = { id: this.nextId++, inputs, outs: [], pull };
    return outs.map((o) => {
      const t = isFloat(o.dtype) ? new VjpTracer(this, o, node) : null;
      node.outs.push(t);
      return t ?? o;
    });
  }
  process<P>(prim: Primitive<P>, inputs: readonly TensorImpl[], params: P): TensorImpl {
    const primals = inputs.map((x) => this.primal(x));
    const out = bind(prim, primals, params);
    const needs = inputs.map((x) => this.owns(x));
    return this.record(inputs, out, (ct) => prim.vjp(ct, primals, out, params, needs));
  }
  processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly TensorImpl[], params: P): readonly TensorImpl[] {
    const primals = inputs.map((x) => this.primal(x));
    const needs = inputs.map((x) => this.owns(x) && isFloat(x.dtype));
    if (!needs.some((n) => n)) return bindMulti(prim, primals, params);
    const [outs, pull] = prim.vjp(primals, params, needs);
    return this.recordMulti(inputs, outs, pull);
  }
}

/** A value on the tape: its primal and the node that produced it (none for inputs). */
export class VjpTracer extends Tracer {
  constructor(
    readonly trace: VjpTrace,
    readonly primal: TensorImpl,
    readonly node: Node | null,
  ) {
    super(primal.shape, primal.dtype, primal.names);
  }
  concrete() {
    return this.primal.concrete();
  }
}

/** Walks the tape backwards from seeded outputs; returns the cotangent of each input tracer. */
function backward(trace: VjpTrace, seeds: ReadonlyMap<VjpTracer, TensorImpl>, inputs: readonly (VjpTracer | null)[]): Linear[] {
  const cts = new Map<VjpTracer, TensorImpl>(seeds);
  // Collect the nodes reachable from the outputs, then visit them in reverse creation order.
  const nodes = new Set<Node>();
  const stack = [...seeds.keys()];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.node === null || nodes.has(t.node)) continue;
    nodes.add(t.node);
    for (const x of t.node.inputs) if (trace.owns(x)) stack.push(x);
  }
  const order = [...nodes].sort((a, b) => b.id - a.id);
  for (const node of order) {
    const outCts = node.outs.map((o) => (o === null ? null : (cts.get(o) ?? null)));
    if (outCts.every((c) => c === null)) continue;
    for (const o of node.outs) if (o !== null) cts.delete(o);
    const grads = node.pull(outCts);
    node.inputs.forEach((x, i) => {
      const g = grads[i];
      if (g == null || !trace.owns(x)) return;
      const prev = cts.get(x);
      cts.set(x, prev === undefined ? g : add(prev, g));
    });
  }
  return inputs.map((x) => (x === null ? null : (cts.get(x) ?? null)));
}

/**
 * Reverse mode on flat lists (for the rules of program-holding primitives): `fn`'s outputs at `primals`,
 * and a pullback from output cotangents (`null`: zero) to the cotangents of the inputs with `needs[i]`.
 */
export function vjpFlat(
  fn: (xs: readonly TensorImpl[]) => readonly TensorImpl[], primals: readonly TensorImpl[], needs: readonly boolean[],
): [TensorImpl[], (cts: readonly Linear[]) => Linear[]] {
  return withTrace(
    (level) => new VjpTrace(level),
    (tr) => {
      const ins = primals.map((p, i) => (needs[i] && isFloat(p.dtype) ? new VjpTracer(tr, p, null) : null));
      const outs = fn(primals.map((p, i) => ins[i] ?? p));
      const pull = (cts: readonly Linear[]): Linear[] => {
        const seeds = new Map<VjpTracer, TensorImpl>();
        outs.forEach((o, i) => {
          const c = cts[i];
          if (c == null || !tr.owns(o)) return;
          const prev = seeds.get(o);
          seeds.set(o, prev === undefined ? c : add(prev, c));
        });
        return backward(tr, seeds, ins);
      };
      return [outs.map((o) => tr.primal(o)), pull];
    },
  );
}

/**
 * Vector-Jacobian product: evaluates `f(...primals)` and returns it with a pullback mapping an output
 * cotangent (a tree shaped like the output) to the cotangents of all the arguments.
 *
 * @example
 * ```ts
 * const f = (x: Tensor<[3]>) => mul(x, 2);
 * const [y, back] = vjp(f, tensor([1, 2, 3]));
 * const [dx] = back(ones("3")); // [2, 2, 2]
 * ```
 */
export function vjp<Args extends readonly unknown[], R>(f: (...args: Args) => R, ...primals: Args): [R, (ct: R) => Args] {
  const [out, pull] = vjpImpl(f, primals, false);
  return [out as R, pull as (ct: R) => Args];
}

function vjpImpl<Args extends readonly unknown[]>(f: (...args: any[]) => unknown, primals: Args, hasAux: boolean): [unknown, (ct: unknown) => Args, unknown] {
  const p = flatten(primals);
  return withTrace(
    (level) => new VjpTrace(level),
    (tr) => {
      const ins = p.leaves.map((leaf) => new VjpTracer(tr, toTensor(leaf), null));
      const raw = f(...(p.unflatten(ins.map((x, i) => (typeof p.leaves[i] === "number" ? x : typed(x)))) as Args));
      let out: unknown = raw;
      let aux: unknown = undefined;
      if (hasAux) {
        if (!Array.isArray(raw) || raw.length !== 2) throw new TransformError("grad", "with hasAux the function must return [output, aux]");
        out = raw[0];
        aux = stripTree(tr, raw[1]);
      }
      const o = flatten(out);
      const outLeaves = o.leaves.map((l) => toTensor(l));
      const primalOut = o.unflatten(o.leaves.map((l, i) => (typeof l === "number" ? l : typed(tr.primal(outLeaves[i]!)))));
      const pullback = (ct: unknown): Args => {
        const c = flatten(ct);
        if (c.leaves.length !== outLeaves.length) throw new TransformError("vjp", `cotangent has ${c.leaves.length} leaves but the output has ${outLeaves.length}`);
        const seeds = new Map<VjpTracer, TensorImpl>();
        outLeaves.forEach((x, i) => {
          if (!tr.owns(x)) return;
          const ctx = toTensor(c.leaves[i]!);
          if (ctx.shape.length !== x.shape.length || ctx.shape.some((d, j) => d !== x.shape[j]))
            throw new TransformError("vjp", `cotangent ${i} has shape [${ctx.shape.join(", ")}] but the output has [${x.shape.join(", ")}]`);
          const cc = cast(ctx, x.dtype);
          const prev = seeds.get(x);
          seeds.set(x, prev === undefined ? cc : add(prev, cc));
        });
        const gs = backward(tr, seeds, ins);
        const vals = gs.map((g, i) => {
          const leaf = p.leaves[i]!;
          const x = ins[i]!;
          const v = g ?? zerosLike(x.primal);
          return typeof leaf === "number" ? v.concrete().data[0]! : typed(isFloat(x.primal.dtype) ? v : zerosLike(x.primal));
        });
        return p.unflatten(vals) as Args;
      };
      return [primalOut, pullback, aux];
    },
  );
}

/** Replaces tracers of `tr` in an auxiliary output tree by their primals. */
function stripTree(tr: VjpTrace, tree: unknown): unknown {
  const f = flatten(tree);
  return f.unflatten(f.leaves.map((l) => (typeof l === "number" ? l : typed(tr.primal(impl(l))))));
}

/** Options of {@link grad} and {@link valueAndGrad}. */
export interface GradOptions {
  /** Which positional arguments to differentiate: one index (default 0) or several (a tuple of gradients). */
  readonly argnums?: number | readonly number[];
}

function scalarSeed(op: string, out: unknown): Leaf {
  if (typeof out === "number") return 1;
  const t = impl(out as Leaf as never);
  if (!(t && "shape" in t)) throw new TransformError(op, "the function must return a scalar tensor");
  if (t.shape.length !== 0) throw new TransformError(op, `the function must return a scalar (shape []), got shape [${t.shape.join(", ")}]`);
  if (!isFloat(t.dtype)) throw new TransformError(op, `the function must return a float scalar, got ${t.dtype}`);
  return typed(filled([], t.dtype, 1));
}

function selectArgs(op: string, argnums: number | readonly number[], nargs: number): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of list) if (!Number.isInteger(a) || a < 0 || a >= nargs) throw new TransformError(op, `argnums ${a} is out of range for ${nargs} arguments`);
  return list;
}

/**
 * Refuses an argument with nothing to differentiate: no leaves (a string, null), or only integer or bool
 * tensors (JAX raises a TypeError there). In a tree that also holds float leaves, integer leaves (indices
 * next to parameters) get zero gradients.
 */
function checkDifferentiable(op: string, index: number, arg: unknown): void {
  const { leaves } = flatten(arg);
  if (leaves.length === 0)
    throw new TransformError(op, `argument ${index} has no tensor or number to differentiate (got ${arg === null ? "null" : typeof arg}); leave it out of argnums`);
  if (leaves.every((l) => typeof l !== "number" && !isFloat(impl(l).dtype))) {
    const t = impl(leaves[0] as Exclude<Leaf, number>);
    throw new TransformError(op, `argument ${index} holds a ${t.dtype} tensor of shape [${t.shape.join(", ")}]; only float inputs can be differentiated (cast it, or leave it out of argnums)`);
  }
}

/** Core of grad / valueAndGrad: differentiates only the chosen arguments, the rest are constants. */
export function valueAndGradImpl(
  op: string, f: (...args: any[]) => unknown, opts: GradOptions & { hasAux?: boolean }, args: readonly unknown[],
): [unknown, unknown, unknown] {
  const argnums = opts.argnums ?? 0;
  const which = selectArgs(op, argnums, args.length);
  const g = (...diff: unknown[]): unknown => {
    const full = [...args];
    which.forEach((a, i) => (full[a] = diff[i]));
    return f(...full);
  };
  for (const a of which) checkDifferentiable(op, a, args[a]);
  const [out, pull, aux] = vjpImpl(g, which.map((a) => args[a]), opts.hasAux ?? false);
  const grads = pull(scalarSeed(op, out));
  return [out, typeof argnums === "number" ? grads[0] : grads, aux];
}

