/**
 * `jit`: stages a function once per argument signature into a {@link Program} and binds it as one staged
 * call (see `call.ts`). Evaluated, the call runs the compiled program (fused elementwise kernels, planned
 * buffers); under another transformation it stays staged, since the call primitive has JVP, VJP and
 * batching rules of its own: `grad(jit(f))`, `jit(grad(f))`, `vmap(jit(f))` and `jvp(jit(f))` all run
 * compiled programs, each compiled once.
 *
 * Like JAX's jit, the staged function must be pure: side effects run once, at staging time, and the
 * values of traced arguments are not available while staging (their shapes and dtypes are). Plain
 * numbers among the arguments are static: a new value stages a new program.
 */
import { TransformError } from "../errors.js";
import { Concrete, isTensor, typed, type TensorImpl } from "../tensor/tensor.js";
import type { Storage } from "../tensor/dtype.js";
import { Tracer } from "../core/trace.js";
import { flatten, type Leaf } from "../core/pytree.js";
import { traceProgram, type Program } from "../core/program.js";
import { impl } from "../tensor/tensor.js";
import { call } from "./call.js";
import { compiledOf, runCompiled } from "./runner.js";

/** Options of {@link jit}. */
export interface JitOptions {
  /** How many argument signatures to keep staged (least recently used are dropped). Default 16. */
  readonly cacheSize?: number;
  /**
   * Positional arguments whose buffers the results may reuse (JAX's `donate_argnums`): after the call the
   * caller must not read them. Only buffers that the previous call of the same jitted function (same
   * signature) wrote its results into are ever reused, so tensors the caller made itself are never written.
   */
  readonly donateArgnums?: readonly number[];
}

/** A function staged for one signature: its program and how to rebuild its output tree. */
interface Staged {
  readonly program: Program;
  /** Values of enclosing transformations it closed over (extra inputs); such a staging is not cached. */
  readonly captured: readonly TensorImpl[];
  readonly rebuild: (outs: readonly TensorImpl[]) => unknown;
}

/** A number as a key: −0 differs from 0 (it changes results: 1 / −0 = −∞). */
const numberKey = (x: number): string => (Object.is(x, -0) ? "-0" : String(x));

// Identities of functions among the arguments (static parts of the signature).
const identities = new WeakMap<object, number>();
let nextIdentity = 0;
function identityOf(o: object): string {
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = nextIdentity++));
  return `#${id}`;
}

/** Tree structure, shapes and dtypes of tensor leaves, values of number leaves. */
function signature(leaves: readonly Leaf[], tree: unknown): string {
  const parts = leaves.map((l) => (typeof l === "number" ? `n${numberKey(l)}` : `${impl(l).dtype}[${impl(l).shape.join(",")}]`));
  return `${structureOf(tree)}|${parts.join(";")}`;
}

/** A tree's structure as text, record keys in the sorted order `flatten` uses (so `{w, b}` is `{b, w}`). */
function structureOf(x: unknown): string {
  if (isTensor(x) || typeof x === "number") return "*";
  if (Array.isArray(x)) return `[${x.map(structureOf).join(",")}]`;
  if (typeof x === "function") return identityOf(x);
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype)
    return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${structureOf((x as Record<string, unknown>)[k])}`).join(",")}}`;
  return typeof x === "object" && x !== null ? identityOf(x) : JSON.stringify(x) ?? String(x);
}

/** Stages `f` for these arguments (tensor leaves abstract, numbers static). */
function stage(f: (...args: any[]) => unknown, leaves: readonly Leaf[], unflatten: (l: readonly unknown[]) => unknown): Staged {
  const tensorAt = leaves.map((l) => typeof l !== "number");
  const metas = leaves.filter((l): l is Exclude<Leaf, number> => typeof l !== "number").map((l) => impl(l));
  let rebuild: Staged["rebuild"] = () => undefined;
  const { program, captured } = traceProgram((xs) => {
    let k = 0;
    const args = unflatten(leaves.map((l, i) => (tensorAt[i] ? typed(xs[k++]!) : l))) as unknown[];
    const o = flatten(f(...args));
    const numbers = o.leaves.map((l) => (typeof l === "number" ? l : undefined));
    rebuild = (outs) => {
      let j = 0;
      return o.unflatten(numbers.map((n) => (n !== undefined ? n : typed(outs[j++]!))));
    };
    return o.leaves.filter((l) => typeof l !== "number").map((l) => impl(l));
  }, metas);
  return { program, captured, rebuild };
}

/** The staging of a function with a signature cache: what `jit` and `makeProgram` share. */
function stager(f: (...args: any[]) => unknown, cacheSize: number) {
  const cache = new Map<string, Staged>();
  return (args: readonly unknown[]): { staged: Staged; inputs: TensorImpl[]; leaves: readonly Leaf[] } => {
    const flat = flatten(args);
    const sig = signature(flat.leaves, args);
    let staged = cache.get(sig);
    if (staged === undefined) {
      staged = stage(f, flat.leaves, flat.unflatten);
      if (staged.captured.length === 0) {
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(sig, staged);
      }
    } else {
      cache.delete(sig);
      cache.set(sig, staged);
    }
    const inputs = flat.leaves.filter((l): l is Exclude<Leaf, number> => typeof l !== "number").map((l) => impl(l));
    return { staged, inputs, leaves: flat.leaves };
  };
}

/**
 * Compiles `f` for each new signature of its arguments (tree structure, shapes, dtypes, and the values of
 * plain-number leaves, which are static) and replays the compiled program on later calls. Composes with
 * every transformation, in either order.
 *
 * @example
 * const f = jit((x: Tensor<[3]>) => sum(mul(sin(x), x)));
 * f(tensor([1, 2, 3]));         // compiled on the first call, replayed after
 * grad(f)(tensor([1, 2, 3]));   // the gradient runs staged programs too
 *
 * @example
 * ```ts
 * const step = jit((w: Tensor<[3]>, x: Tensor<[3]>) => sub(w, mul(grad((v: Tensor<[3]>) => sum(mul(v, x)))(w), 0.1)));
 * const w1 = step(ones("3"), tensor([1, 2, 3])); // staged once, then run as one program
 * ```
 */
export function jit<Args extends readonly unknown[], R>(f: (...args: Args) => R, opts: JitOptions = {}): (...args: Args) => R {
  const run = jitCall(f, opts);
  return (...args: Args): R => run(args, opts.donateArgnums !== undefined) as R;
}

/**
 * @internal The jitted call with donation chosen per call: `donate` true hands over the arguments listed in
 * `donateArgnums`.
 */
export function jitCall(f: (...args: any[]) => unknown, opts: JitOptions = {}): (args: readonly unknown[], donate: boolean) => unknown {
  const staging = stager(f, opts.cacheSize ?? 16);
  const name = f.name && f.name !== "anonymous" ? f.name : "jit";
  // Buffers the last call wrote its results into: the only ones the next call may take as donated. Older
  // results are not reusable: they may have been passed through into the last call's results, or shown to
  // someone (a training state reported at the end of an epoch).
  let lastWritten: ReadonlySet<Storage> = new Set();
  return (args, donate) => {
    const { staged, inputs } = staging(args);
    const all = [...inputs, ...staged.captured];
    if (opts.donateArgnums !== undefined && all.every((x) => x instanceof Concrete)) {
      const which = opts.donateArgnums;
      const give = donate
        ? args.flatMap((a, i) => (which.includes(i) ? flatten(a).leaves.flatMap((l) => (typeof l !== "number" && lastWritten.has(impl(l).concrete().data) ? [impl(l).concrete().data] : [])) : []))
        : [];
      const written = new Set<Storage>();
      const out = staged.rebuild(runCompiled(compiledOf(staged.program), all as Concrete[], { give, written }));
      lastWritten = written;
      return out;
    }
    return staged.rebuild(call(staged.program, all, name));
  };
}

/**
 * The program `jit` would compile for these arguments: `String(makeProgram(f)(x))` prints one equation
 * per line with shapes and dtypes, nested programs indented under their equation.
 *
 * @example
 * const p = makeProgram((x: Tensor<[2, 3]>, w: Tensor<[3, 4]>) => relu(matmul(x, w)))(zeros("2 3"), zeros("3 4"));
 * String(p);   // { lambda ; a:f32[2,3] b:f32[3,4]. let c:f32[2,4] = matmul a b; d:f32[2,4] = relu c in (d) }
 * p.eqns.length;   // 2
 */
export function makeProgram<Args extends readonly unknown[]>(f: (...args: Args) => unknown): (...args: Args) => Program {
  return (...args: Args): Program => {
    const flat = flatten(args);
    if (flat.leaves.some((l) => l instanceof Tracer)) throw new TransformError("makeProgram", "takes concrete example arguments (only their shapes and dtypes are used)");
    return stage(f as (...a: any[]) => unknown, flat.leaves, flat.unflatten).program;
  };
}

/**
 * `jit(f)` for a function that may not be stageable: the first call that cannot be staged (value-dependent
 * control flow) switches to calling `f` itself, then and on every later call, whatever the arguments'
 * shapes. Other errors propagate.
 */
export function jitOrEager<Args extends readonly unknown[], R>(f: (...args: Args) => R, opts: JitOptions = {}): (...args: Args) => R {
  const staged = jit(f, opts);
  let eager = false;
  return (...args: Args): R => {
    if (!eager)
      try {
        return staged(...args);
      } catch (e) {
        if (!(e instanceof TransformError && e.op === "jit")) throw e;
        eager = true;
      }
    return f(...args);
  };
}
