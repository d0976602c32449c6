/**
 * The interpreter stack (Autodidax): `bind` sends each primitive application to the innermost
 * active transformation among its arguments, or evaluates it when there is none. Transformations
 * (jvp, vjp, vmap) are {@link Trace}s with a level; their values are {@link Tracer}s. Levels are
 * what keep nested transformations from mixing their tangents (no perturbation confusion).
 */
import { ShapeError, TransformError } from "../errors.js";
import { Concrete, TensorImpl } from "../tensor/tensor.js";
import { checkAllocation, FRESH } from "../tensor/dtype.js";
import type { Meta, MultiPrimitive, Primitive } from "./primitive.js";

/** A transformation in progress. */
export abstract class Trace {
  /** False once the transformation has returned: its tracers must not be used any more. */
  active = true;
  constructor(
    readonly level: number,
    readonly kind: string,
  ) {}
  /** Applies a primitive to arguments, at least one of which is a tracer of this trace. */
  abstract process<P>(prim: Primitive<P>, inputs: readonly TensorImpl[], params: P): TensorImpl;
  /** Applies a multi-output primitive (a staged call, a custom rule, control flow). */
  abstract processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly TensorImpl[], params: P): readonly TensorImpl[];
}

/** A value seen through a transformation. */
export abstract class Tracer extends TensorImpl {
  abstract readonly trace: Trace;
  override toString(): string {
    return `Traced<${this.trace.kind}, level ${this.trace.level}>(${super.toString()})`;
  }
}

let depth = 0;

/** Runs `body` with a new trace on top of the stack (the trace's level is the stack depth). */
export function withTrace<T extends Trace, R>(make: (level: number) => T, body: (trace: T) => R): R {
  const trace = make(++depth);
  try {
    return body(trace);
  } finally {
    trace.active = false;
    depth--;
  }
}

/** The shape, dtype and names of a value. */
export const metaOf = (x: TensorImpl): Meta => x;

function checkNames(op: string, inputs: readonly TensorImpl[]): void {
  if (inputs.length < 2) return;
  let seen: Map<string, number> | undefined;
  for (const x of inputs) {
    const names = x.names;
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      if (n == null) continue;
      seen ??= new Map();
      const size = x.shape[i]!;
      const prev = seen.get(n);
      if (prev === undefined) seen.set(n, size);
      else if (prev !== size)
        throw new ShapeError(op, `dim '${n}' is ${prev} in one operand but ${size} in another`, inputs.map((t) => t.shape));
    }
  }
}

/** Deferred values (neither concrete nor traced, e.g. a lazy minibatch gather) are computed now. */
function settle(inputs: readonly TensorImpl[]): readonly TensorImpl[] {
  return inputs.some((x) => !(x instanceof Concrete) && !(x instanceof Tracer)) ? inputs.map((x) => (x instanceof Tracer ? x : x.concrete())) : inputs;
}

/** A result's meta, refused (naming the op and the shape) when it is too large to allocate. */
function checked(op: string, meta: Meta): Meta {
  checkAllocation(op, meta.shape, meta.dtype);
  return meta;
}

/** The single dispatch point of every primitive application. */
export function bind<P>(prim: Primitive<P>, inputs: readonly TensorImpl[], params: P): TensorImpl {
  inputs = settle(inputs);
  checkNames(prim.name, inputs);
  let top: Trace | null = null;
  for (const x of inputs) {
    if (x instanceof Tracer && (top === null || x.trace.level > top.level)) top = x.trace;
  }
  if (top !== null && !top.active) throw new TransformError(prim.name, `a tracer of a finished ${top.kind} transformation was used (a leaked tracer)`);
  const meta = checked(prim.name, prim.abstract(inputs, params));
  if (top === null) return new Concrete(meta.shape, meta.dtype, prim.impl(inputs as readonly Concrete[], params, meta, FRESH), meta.names);
  return top.process(prim, inputs, params);
}

/** The dispatch point of multi-output primitives: evaluates them, or hands them to the innermost transformation. */
export function bindMulti<P>(prim: MultiPrimitive<P>, inputs: readonly TensorImpl[], params: P): readonly TensorImpl[] {
  inputs = settle(inputs);
  const top = topTrace(inputs, prim.name);
  for (const m of prim.abstract(inputs, params)) checked(prim.name, m);
  return top === null ? prim.impl(inputs as readonly Concrete[], params) : top.processMulti(prim, inputs, params);
}

/** The innermost active transformation among some values, or null when they are all concrete. */
export function topTrace(inputs: readonly TensorImpl[], op = "custom rule"): Trace | null {
  let top: Trace | null = null;
  for (const x of inputs) if (x instanceof Tracer && (top === null || x.trace.level > top.level)) top = x.trace;
  if (top !== null && !top.active) throw new TransformError(op, `a tracer of a finished ${top.kind} transformation was used (a leaked tracer)`);
  return top;
}
