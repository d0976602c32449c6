/**
 * The staged call (Autodidax's `xla_call`): a primitive whose parameter is a {@link Program}. Evaluated, it
 * runs the compiled program; under another transformation it becomes a staged call of a transformed
 * program, so `grad(jit(f))`, `jvp(jit(f))` and `vmap(jit(f))` stay staged. Each derived program (the JVP
 * program for a set of tangents, the forward and backward programs of reverse mode, the batched program
 * for a set of batched inputs) is traced once per program and cached with it, and compiled once.
 *
 * Reverse mode traces the joint program `(inputs, cotangents) ↦ (outputs, input cotangents)` and splits it
 * by data dependence (partial evaluation): the equations that do not depend on the cotangents form the
 * forward program, which also returns the values the others read (the residuals); the rest form the
 * backward program. So the forward pass runs once, staged, and the backward pass reuses its residuals.
 */
import { TransformError } from "../errors.js";
import { isFloat } from "../tensor/dtype.js";
import { Concrete, TensorImpl } from "../tensor/tensor.js";
import { bindMulti } from "../core/trace.js";
import { defineMultiPrimitive, type Linear, type Meta, type MultiPrimitive } from "../core/primitive.js";
import { evalProgram, Program, pruned, traceProgram, typeText, Var, type Atom, type Eqn } from "../core/program.js";
import { zerosLike } from "../primitives/util.js";
import { jvpFlat } from "./jvp.js";
import { vjpFlat } from "./vjp.js";
import { vmapFlat } from "./vmap.js";
import { compiledOf, runCompiled } from "./runner.js";

/** Parameters of a staged call: the program, and a name to print. */
export interface CallParams {
  readonly program: Program;
  readonly name: string;
}

const sameMeta = (a: Meta, b: Meta): boolean => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Derived programs of a program, by transformation and mask. */
const derived = new WeakMap<Program, Map<string, unknown>>();
function memo<T>(p: Program, key: string, make: () => T): T {
  let m = derived.get(p);
  if (m === undefined) derived.set(p, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/** A program traced from a function over flat values; it must not close over values of other transformations. */
function stageFlat(what: string, fn: (xs: readonly TensorImpl[]) => readonly TensorImpl[], metas: readonly Meta[]): Program {
  const { program, captured } = traceProgram(fn, metas);
  if (captured.length > 0) throw new TransformError("jit", `the ${what} program closed over a value of an enclosing transformation`);
  return program;
}

const maskKey = (m: readonly boolean[]): string => m.map((b) => (b ? "1" : "0")).join("");

interface JvpProgram {
  readonly program: Program;
  /** Which outputs have a (non-zero) tangent, in order after the outputs. */
  readonly outMask: readonly boolean[];
}

/** The JVP program for the inputs with tangents (`mask`): `(primals, their tangents) ↦ (outputs, tangents)`. */
export function jvpProgram(p: Program, mask: readonly boolean[]): JvpProgram {
  return memo(p, `jvp:${maskKey(mask)}`, () => {
    const tangentMetas = p.inputs.filter((_, i) => mask[i]);
    let outMask: boolean[] = [];
    const program = stageFlat("JVP", (xs) => {
      const primals = xs.slice(0, p.inputs.length);
      let k = p.inputs.length;
      const tangents = p.inputs.map((_, i) => (mask[i] ? xs[k++]! : null));
      const [outs, touts] = jvpFlat((ys) => evalProgram(p, ys), primals, tangents);
      outMask = touts.map((t) => t != null);
      return [...outs, ...touts.filter((t): t is TensorImpl => t != null)];
    }, [...p.inputs, ...tangentMetas]);
    return { program, outMask };
  });
}

interface VjpPrograms {
  /** `inputs ↦ (outputs, residuals)`. */
  readonly forward: Program;
  /** `(residuals, output cotangents) ↦ cotangents of the needed inputs`. */
  readonly backward: Program;
  /** Both at once: `(inputs, output cotangents) ↦ (outputs, cotangents of the needed inputs)`. */
  readonly joint: Program;
  readonly outputs: number;
  /** Which outputs take a cotangent (the float ones). */
  readonly ctMask: readonly boolean[];
}

/** Forward and backward programs of reverse mode for the inputs with `needs`, by partial evaluation. */
export function vjpPrograms(p: Program, needs: readonly boolean[]): VjpPrograms {
  return memo(p, `vjp:${maskKey(needs)}`, () => {
    const ctMask = p.outputs.map((o) => isFloat(o.dtype));
    const ctMetas = p.outputs.filter((_, i) => ctMask[i]);
    const n = p.inputs.length;
    const joint = stageFlat("VJP", (xs) => {
      const primals = xs.slice(0, n);
      const [outs, pull] = vjpFlat((ys) => evalProgram(p, ys), primals, needs);
      let k = n;
      const cts = outs.map((_, i) => (ctMask[i] ? xs[k++]! : null));
      const grads = pull(cts);
      const wanted = p.inputs.flatMap((v, i) => (needs[i] ? [grads[i] ?? zerosLike(v)] : []));
      return [...outs, ...wanted];
    }, [...p.inputs, ...ctMetas]);
    return { ...partition(joint, n, p.outputs.length), joint, outputs: p.outputs.length, ctMask };
  });
}

/**
 * Splits a joint program whose first `known` inputs are known now (primals) and the rest later
 * (cotangents), whose first `early` outputs depend on the known inputs only.
 */
function partition(joint: Program, known: number, early: number): { forward: Program; backward: Program } {
  const late = new Set<Var>(joint.inputs.slice(known));
  const fwd: Eqn[] = [];
  const bwd: Eqn[] = [];
  for (const e of joint.eqns) {
    if (e.ins.some((a) => a instanceof Var && late.has(a))) {
      bwd.push(e);
      for (const v of e.outs) late.add(v);
    } else fwd.push(e);
  }
  // Residuals: values of the forward part (or known inputs) read by the backward part or returned late.
  const residuals: Var[] = [];
  const seen = new Set<Var>();
  const use = (a: Atom): void => {
    if (a instanceof Var && !late.has(a) && !seen.has(a)) {
      seen.add(a);
      residuals.push(a);
    }
  };
  for (const e of bwd) e.ins.forEach(use);
  joint.outputs.slice(early).forEach(use);
  for (const a of joint.outputs.slice(0, early)) if (a instanceof Var && late.has(a)) throw new TransformError("jit", "an output depends on its own cotangent");
  // The backward program reads the residuals through fresh variables of its own.
  const rename = new Map<Var, Var>(residuals.map((v) => [v, new Var(v.shape, v.dtype, v.names)]));
  const r = (a: Atom): Atom => (a instanceof Var ? (rename.get(a) ?? a) : a);
  const backward = pruned(new Program(
    [...residuals.map((v) => rename.get(v)!), ...joint.inputs.slice(known)],
    bwd.map((e) => ({ ...e, ins: e.ins.map(r) })),
    joint.outputs.slice(early).map(r),
  ));
  const forward = new Program(joint.inputs.slice(0, known), fwd, [...joint.outputs.slice(0, early), ...residuals]);
  return { forward, backward };
}

/** The batched program for the inputs with `batched` (batch axis 0, `size` examples): every output batched. */
export function vmapProgram(p: Program, batched: readonly boolean[], size: number): Program {
  return memo(p, `vmap:${maskKey(batched)}:${size}`, () =>
    stageFlat("batched", (xs) => vmapFlat((ys) => evalProgram(p, ys), xs, batched, size), p.inputs.map((v, i) => (batched[i] ? { ...metaFields(v), shape: [size, ...v.shape], names: [null, ...v.names] } : v))),
  );
}

const metaFields = (m: Meta): Meta => ({ shape: m.shape, dtype: m.dtype, names: m.names });

/**
 * A forward run not made yet: it runs (forward program: outputs and residuals) the first time an output or
 * a residual is needed, unless the joint program has already given the outputs.
 */
class DeferredForward {
  private values: readonly Concrete[] | null = null;
  private full = false;
  constructor(
    private readonly forward: Program,
    private readonly inputs: readonly Concrete[],
  ) {}
  /** Whether the forward program ran (then the pullback uses its residuals). */
  get ran(): boolean {
    return this.full;
  }
  /** Outputs and residuals, running the forward program if it has not run. */
  results(): readonly Concrete[] {
    if (!this.full) {
      this.values = runCompiled(compiledOf(this.forward), this.inputs);
      this.full = true;
    }
    return this.values!;
  }
  /** The outputs, given by the joint program. */
  settle(outs: readonly Concrete[]): void {
    if (this.values === null) this.values = outs;
  }
  output(i: number): Concrete {
    return this.values !== null ? this.values[i]! : this.results()[i]!;
  }
}

/** An output of a deferred forward run: known by shape and dtype; its data is computed when first read. */
class DeferredOutput extends TensorImpl {
  constructor(
    private readonly run: DeferredForward,
    private readonly index: number,
    meta: Meta,
  ) {
    super(meta.shape, meta.dtype, meta.names);
  }
  concrete(): Concrete {
    return this.run.output(this.index);
  }
}

/** Binds a staged call of `program` (named `name` when printed). */
export const call = (program: Program, args: readonly TensorImpl[], name = "jit"): readonly TensorImpl[] => bindMulti(callP, args, { program, name });

/** The staged call primitive. */
export const callP: MultiPrimitive<CallParams> = defineMultiPrimitive<CallParams>({
  name: "call",
  abstract: (inputs, { program }) => {
    if (inputs.length !== program.inputs.length) throw new TransformError("jit", `the program takes ${program.inputs.length} inputs, got ${inputs.length}`);
    inputs.forEach((x, i) => {
      const v = program.inputs[i]!;
      if (!sameMeta(x, v)) throw new TransformError("jit", `input ${i} is ${typeText(x)} but the program was staged for ${typeText(v)}`);
    });
    return program.outputs;
  },
  impl: (inputs, { program }) => runCompiled(compiledOf(program), inputs),
  jvp: (primals, tangents, { program, name }) => {
    const mask = tangents.map((t) => t != null);
    const jp = jvpProgram(program, mask);
    const res = call(jp.program, [...primals, ...tangents.filter((t): t is TensorImpl => t != null)], `jvp(${name})`);
    const outs = res.slice(0, program.outputs.length);
    let k = program.outputs.length;
    const touts: Linear[] = jp.outMask.map((m) => (m ? res[k++]! : null));
    return [outs, touts];
  },
  vjp: (primals, { program, name }, needs) => {
    const vp = vjpPrograms(program, needs);
    const n = vp.outputs;
    // Evaluated (no enclosing transformation), the forward run is deferred: when the outputs are first
    // read only by the pullback (`grad` of a staged function), forward and backward run as one program, the
    // residuals never leaving the kernels' memory; when something reads an output first, the forward
    // program runs then, and the pullback runs the backward program on its residuals.
    const deferred = primals.every((x) => x instanceof Concrete) ? new DeferredForward(vp.forward, primals as Concrete[]) : null;
    const res = deferred === null ? call(vp.forward, primals, `fwd(${name})`) : null;
    const outs = res !== null ? res.slice(0, n) : program.outputs.map((o, i) => new DeferredOutput(deferred!, i, o));
    const pull = (cts: readonly Linear[]): Linear[] => {
      if (cts.every((c) => c == null)) return needs.map(() => null);
      const full = program.outputs.flatMap((o, i) => (vp.ctMask[i] ? [cts[i] ?? zerosLike(o)] : []));
      let grads: readonly TensorImpl[];
      if (deferred !== null && !deferred.ran && full.every((c) => c instanceof Concrete)) {
        const both = runCompiled(compiledOf(vp.joint), [...(primals as Concrete[]), ...(full as Concrete[])]);
        deferred.settle(both.slice(0, n));
        grads = both.slice(n);
      } else {
        const residuals = res !== null ? res.slice(n) : deferred!.results().slice(n);
        grads = call(vp.backward, [...residuals, ...full], `bwd(${name})`);
      }
      let k = 0;
      return needs.map((nd) => (nd ? grads[k++]! : null));
    };
    return [outs, pull];
  },
  vmap: (args, batched, { program, name }, size) => call(vmapProgram(program, batched, size), args, `vmap(${name})`),
  show: ({ program, name }) => ({ text: `[name=${name}]`, programs: [["program", program]] }),
});
