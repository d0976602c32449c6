/**
 * Programs: the staged form of a function (JAX's jaxpr). Tracing a function with a {@link StagingTrace}
 * records every primitive application as an {@link Eqn} on typed variables instead of running it; the
 * result is plain data that can be printed, counted, interpreted ({@link evalProgram}), compiled (`jit`),
 * differentiated or batched (by interpreting it under another transformation), or exported.
 *
 * A program is first-order: its inputs are variables, each equation binds fresh variables, constants are
 * concrete tensors, and nested programs (a staged call, a scan body, a custom rule) live in the parameters
 * of the equation that runs them.
 */
import { TransformError } from "../errors.js";
import type { DType } from "../tensor/dtype.js";
import { Concrete, TensorImpl } from "../tensor/tensor.js";
import { bind, bindMulti, Trace, Tracer, withTrace } from "./trace.js";
import { isMulti, type AnyPrimitive, type Meta, type MultiPrimitive, type Primitive } from "./primitive.js";

/** A variable of a program: a value known by its shape and dtype only. */
export class Var implements Meta {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly names: readonly (string | null)[],
  ) {}
}

/** An operand of an equation: a variable, or a constant tensor. */
export type Atom = Var | Concrete;

/** One primitive application: `outs = prim[params](ins)`. */
export interface Eqn {
  readonly prim: AnyPrimitive;
  readonly params: unknown;
  readonly ins: readonly Atom[];
  readonly outs: readonly Var[];
}

/**
 * A staged function: inputs, equations in order, outputs. Immutable once built.
 *
 * @example
 * ```ts
 * const p = makeProgram((x: Tensor<[3]>) => mul(sin(x), 2))(zeros("3"));
 * p.eqns.length; // 2
 * p.primitives(); // ["sin", "mul"]
 * console.log(String(p)); // { lambda ; a:f32[3]. let b:f32[3] = sin a … in (c) }
 * ```
 */
export class Program {
  constructor(
    readonly inputs: readonly Var[],
    readonly eqns: readonly Eqn[],
    readonly outputs: readonly Atom[],
  ) {}
  /** The names of the primitives applied, in order (nested programs not included). */
  primitives(): string[] {
    return this.eqns.map((e) => e.prim.name);
  }
  /** One equation per line with shapes and dtypes, nested programs indented under their equation. */
  toString(): string {
    return printProgram(this, "");
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

// ---------------------------------------------------------------- printing

const SHORT: Readonly<Record<DType, string>> = { float32: "f32", float64: "f64", int32: "i32", bool: "bool" };

/** `f32[200,784]`. */
export const typeText = (m: Meta): string => `${SHORT[m.dtype]}[${m.shape.join(",")}]`;

/** Variable names in order of definition: a … z, ba … bz, … (as jaxprs print them). */
function varName(i: number): string {
  let s = "";
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

function scalarText(c: Concrete): string {
  const v = c.data[0]!;
  if (c.dtype === "bool") return v ? "True" : "False";
  if (c.dtype === "int32") return String(v);
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

function paramText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.every((x) => x === null) ? null : `(${v.map((x) => paramText(x) ?? "None").join(",")})`;
  return null;
}

/** `[axis=1 keepdims=false]` for plain-data parameters (functions and programs are not shown here). */
function paramsText(params: unknown): string {
  if (params === null || typeof params !== "object") return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    const t = paramText(v);
    if (t !== null) parts.push(`${k}=${t}`);
  }
  return parts.length === 0 ? "" : `[${parts.join(" ")}]`;
}

function printProgram(p: Program, indent: string): string {
  const names = new Map<Atom, string>();
  const consts: Concrete[] = [];
  let next = 0;
  const define = (v: Var): string => {
    const n = varName(next++);
    names.set(v, n);
    return n;
  };
  const use = (a: Atom): string => {
    const n = names.get(a);
    if (n !== undefined) return n;
    if (a instanceof Concrete) {
      if (a.size === 1 && a.shape.length === 0) return `${scalarText(a)}:${typeText(a)}`;
      const k = `k${consts.length}`;
      consts.push(a);
      names.set(a, k);
      return k;
    }
    return "?";
  };
  const ins = p.inputs.map((v) => `${define(v)}:${typeText(v)}`);
  const lines: string[] = [];
  for (const e of p.eqns) {
    const args = e.ins.map(use).join(" ");
    const outs = e.outs.map((v) => `${define(v)}:${typeText(v)}`).join(" ");
    if (isMulti(e.prim)) {
      const shown = e.prim.show(e.params);
      lines.push(`${indent}    ${outs} = ${e.prim.name}${shown.text} ${args}`.trimEnd());
      for (const [label, sub] of shown.programs) {
        lines.push(`${indent}      ${label}=`);
        lines.push(printProgram(sub as Program, `${indent}        `));
      }
    } else lines.push(`${indent}    ${outs} = ${e.prim.name}${paramsText(e.params)} ${args}`.trimEnd());
  }
  const outs = p.outputs.map(use).join(" ");
  const constDecl = consts.map((c, i) => `k${i}:${typeText(c)}`).join(" ");
  const head = `${indent}{ lambda ${constDecl}${constDecl ? " " : ""}; ${ins.join(" ")}. let`;
  return [head, ...lines, `${indent}  in (${outs}) }`].join("\n");
}

// ---------------------------------------------------------------- interpretation

/**
 * Runs a program's equations with `bind`, on values of any kind: concrete (evaluation), or tracers of
 * a transformation (which then sees every primitive of the program, so the program is differentiated or
 * batched). This is how the rules of the program-holding primitives are written.
 */
export function evalProgram(p: Program, args: readonly TensorImpl[]): TensorImpl[] {
  if (args.length !== p.inputs.length) throw new TransformError("program", `expected ${p.inputs.length} inputs, got ${args.length}`);
  const env = new Map<Var, TensorImpl>();
  p.inputs.forEach((v, i) => env.set(v, args[i]!));
  const read = (a: Atom): TensorImpl => (a instanceof Var ? env.get(a)! : a);
  for (const e of p.eqns) {
    const ins = e.ins.map(read);
    if (isMulti(e.prim)) {
      const outs = bindMulti(e.prim, ins, e.params);
      e.outs.forEach((v, i) => env.set(v, outs[i]!));
    } else env.set(e.outs[0]!, bind(e.prim, ins, e.params));
  }
  return p.outputs.map(read);
}

/**
 * The program without the equations whose results nothing uses (primitives have no effects, and the checks
 * some of them make pass their operand through, so a check is used exactly when its operand is).
 */
export function pruned(p: Program): Program {
  const live = new Set<Var>(p.outputs.filter((a): a is Var => a instanceof Var));
  const kept: Eqn[] = [];
  for (let i = p.eqns.length - 1; i >= 0; i--) {
    const e = p.eqns[i]!;
    if (!e.outs.some((v) => live.has(v))) continue;
    kept.push(e);
    for (const a of e.ins) if (a instanceof Var) live.add(a);
  }
  return kept.length === p.eqns.length ? p : new Program(p.inputs, kept.reverse(), p.outputs);
}

/** A text for plain-data parameters, or null when they hold anything else (functions, programs). */
function plainKey(params: unknown): string | null {
  let plain = true;
  const text = JSON.stringify(params, (_k, v) => {
    if (typeof v === "function" || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)) plain = false;
    return typeof v === "number" && Object.is(v, -0) ? "-0" : v;
  });
  return plain ? (text ?? "u") : null;
}

/**
 * The program with repeated equations merged (common subexpressions): the same primitive with the same
 * plain parameters on the same operands gives the same value, since primitives are pure (the backward
 * pass of `x·x` computes `ct·x` twice, for instance).
 */
export function deduplicated(p: Program): Program {
  const ids = new Map<Atom, number>();
  const idOf = (a: Atom): number => {
    let i = ids.get(a);
    if (i === undefined) ids.set(a, (i = ids.size));
    return i;
  };
  const subst = new Map<Var, Var>();
  const r = (a: Atom): Atom => (a instanceof Var ? (subst.get(a) ?? a) : a);
  const seen = new Map<string, readonly Var[]>();
  const eqns: Eqn[] = [];
  let changed = false;
  for (const e of p.eqns) {
    const ins = e.ins.map(r);
    const pk = isMulti(e.prim) ? null : plainKey(e.params);
    const key = pk === null ? null : `${e.prim.name}|${pk}|${ins.map(idOf).join(",")}`;
    const prev = key === null ? undefined : seen.get(key);
    if (prev !== undefined) {
      e.outs.forEach((v, i) => subst.set(v, prev[i]!));
      changed = true;
      continue;
    }
    if (key !== null) seen.set(key, e.outs);
    if (ins.some((a, i) => a !== e.ins[i])) changed = true;
    eqns.push(ins.every((a, i) => a === e.ins[i]) ? e : { ...e, ins });
  }
  return changed ? new Program(p.inputs, eqns, p.outputs.map(r)) : p;
}

// ---------------------------------------------------------------- staging

/** The staging transformation: records every primitive application instead of running it. */
export class StagingTrace extends Trace {
  readonly eqns: Eqn[] = [];
  /** Values of enclosing transformations that the function closed over: they become extra inputs. */
  readonly captured = new Map<TensorImpl, Var>();
  constructor(level: number) {
    super(level, "jit");
  }
  fresh(meta: Meta): StagingTracer {
    return new StagingTracer(this, new Var(meta.shape, meta.dtype, meta.names));
  }
  /** The atom standing for a value in this program. */
  atom(x: TensorImpl): Atom {
    if (x instanceof StagingTracer && x.trace === this) return x.v;
    if (x instanceof Tracer) {
      // A value of an enclosing transformation (lower level), used by closure: an implicit input.
      let v = this.captured.get(x);
      if (v === undefined) this.captured.set(x, (v = new Var(x.shape, x.dtype, x.names)));
      return v;
    }
    return x.concrete();
  }
  process<P>(prim: Primitive<P>, inputs: readonly TensorImpl[], params: P): TensorImpl {
    const out = this.fresh(prim.abstract(inputs, params));
    this.eqns.push({ prim, params, ins: inputs.map((x) => this.atom(x)), outs: [out.v] });
    return out;
  }
  processMulti<P>(prim: MultiPrimitive<P>, inputs: readonly TensorImpl[], params: P): readonly TensorImpl[] {
    const outs = prim.abstract(inputs, params).map((m) => this.fresh(m));
    this.eqns.push({ prim, params, ins: inputs.map((x) => this.atom(x)), outs: outs.map((o) => o.v) });
    return outs;
  }
}

/** A staged value: known shape and dtype, no data yet. */
export class StagingTracer extends Tracer {
  constructor(
    readonly trace: StagingTrace,
    readonly v: Var,
  ) {
    super(v.shape, v.dtype, v.names);
  }
  concrete(): Concrete {
    throw new TransformError(
      "jit",
      "the value of a traced argument is not known while staging (only its shape and dtype are); keep value-dependent control flow out of jitted functions, or use cond, whileLoop or scan",
    );
  }
  override tryConcrete(): Concrete | null {
    return null;
  }
  override toString(): string {
    return `Traced<jit>(shape=[${this.shape.join(", ")}], dtype=${this.dtype})`;
  }
}

/** A traced program, and the values of enclosing transformations it closed over (its last inputs). */
export interface Traced {
  readonly program: Program;
  readonly captured: readonly TensorImpl[];
}

/**
 * Stages `fn` on abstract inputs of the given shapes and dtypes. Values of enclosing transformations that
 * `fn` uses by closure become extra inputs after the declared ones (`captured` lists them in order).
 */
export function traceProgram(fn: (xs: readonly TensorImpl[]) => readonly TensorImpl[], metas: readonly Meta[]): Traced {
  return withTrace(
    (level) => new StagingTrace(level),
    (tr) => {
      const ins = metas.map((m) => tr.fresh(m));
      const outs = fn(ins);
      const outputs = outs.map((o) => tr.atom(o));
      const captured = [...tr.captured.keys()];
      const program = pruned(deduplicated(new Program([...ins.map((x) => x.v), ...tr.captured.values()], tr.eqns, outputs)));
      return { program, captured };
    },
  );
}
