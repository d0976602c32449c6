/**
 * User-defined derivative rules, for composites whose automatic derivative is unstable or slow. Each is a
 * primitive holding the staged function and its rule, with a rule under every transformation — so a
 * custom rule is used (or batched) under `jvp`, `vjp`, `vmap` and `jit` in any nesting, never dropped.
 *
 * `customJvp` gives a forward rule (reverse mode transposes it, since it is linear in the tangents);
 * `customVjp` gives a reverse rule (forward mode differentiates the function itself, as JAX does not
 * allow; we do). Both take and return single tensors.
 */
import { impl, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import type { Shape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { bindMulti } from "../core/trace.js";
import { defineMultiPrimitive, type Linear, type Meta, type MultiPrimitive } from "../core/primitive.js";
import { Program, traceProgram, typeText } from "../core/program.js";
import { flatten } from "../core/pytree.js";
import { zerosLike } from "../primitives/util.js";
import { sum } from "../primitives/reduce.js";
import { callP, vmapProgram } from "./call.js";
import { vjpFlat } from "./vjp.js";
import { vmapFlat } from "./vmap.js";
import { compiledOf, runCompiled } from "./runner.js";

type T = Tensor<any, any>;
type Rule = (primals: readonly TensorImpl[], tangents: readonly TensorImpl[], out: TensorImpl) => TensorImpl;

/** Parameters of {@link customJvpP}: the staged function and its forward rule. */
export interface CustomJvpParams {
  readonly program: Program;
  readonly rule: Rule;
  readonly name: string;
}

const sameMetas = (inputs: readonly Meta[], p: Program): readonly Meta[] => {
  inputs.forEach((x, i) => {
    const v = p.inputs[i]!;
    if (x.dtype !== v.dtype || x.shape.join() !== v.shape.join()) throw new Error(`custom rule: input ${i} is ${typeText(x)}, staged for ${typeText(v)}`);
  });
  return p.outputs;
};

/** Evaluates the staged function on concrete inputs. */
const evaluate = (p: Program, inputs: Parameters<typeof runCompiled>[1]) => runCompiled(compiledOf(p), inputs);

/** A function with a custom JVP rule. */
export const customJvpP: MultiPrimitive<CustomJvpParams> = defineMultiPrimitive<CustomJvpParams>({
  name: "custom_jvp",
  abstract: (inputs, { program }) => sameMetas(inputs, program),
  impl: (inputs, { program }) => evaluate(program, inputs),
  jvp: (primals, tangents, params) => {
    const out = bindMulti(customJvpP, primals, params)[0]!;
    const ts = tangents.map((t, i) => t ?? zerosLike(primals[i]!));
    return [[out], [params.rule(primals, ts, out)]];
  },
  vjp: (primals, params, needs) => {
    const out = bindMulti(customJvpP, primals, params)[0]!;
    // The rule is linear in the tangents, so its transpose is the VJP of the tangent map at zero.
    const pull = (cts: readonly Linear[]): Linear[] => {
      const [, back] = vjpFlat((ts) => [params.rule(primals, ts, out)], primals.map((p) => zerosLike(p)), needs);
      return back([cts[0] ?? null]);
    };
    return [[out], pull];
  },
  vmap: (args, batched, params, size) => {
    const n = args.length;
    const rule: Rule = (ps, ts, out) =>
      vmapFlat((zs) => [params.rule(zs.slice(0, n), zs.slice(n, 2 * n), zs[2 * n]!)], [...ps, ...ts, out], [...batched, ...batched, true], size)[0]!;
    return bindMulti(customJvpP, args, { program: vmapProgram(params.program, batched, size), rule, name: `vmap(${params.name})` });
  },
  show: ({ program, name }) => ({ text: `[name=${name}]`, programs: [["fun", program]] }),
});

/** Parameters of {@link customVjpP}: the staged function, its forward pass with residuals, and its backward pass. */
export interface CustomVjpParams {
  readonly program: Program;
  readonly fwd: (primals: readonly TensorImpl[]) => readonly [TensorImpl, unknown];
  readonly bwd: (residuals: unknown, ct: TensorImpl) => readonly TensorImpl[];
  readonly name: string;
}

/** A function with a custom VJP rule. */
export const customVjpP: MultiPrimitive<CustomVjpParams> = defineMultiPrimitive<CustomVjpParams>({
  name: "custom_vjp",
  abstract: (inputs, { program }) => sameMetas(inputs, program),
  impl: (inputs, { program }) => evaluate(program, inputs),
  // Forward mode differentiates the function itself, staged.
  jvp: (primals, tangents, { program, name }) => callP.jvp(primals, tangents, { program, name }),
  vjp: (primals, params, needs) => {
    const [out, res] = params.fwd(primals);
    const pull = (cts: readonly Linear[]): Linear[] => {
      const ct = cts[0];
      if (ct == null) return needs.map(() => null);
      const gs = params.bwd(res, ct);
      return needs.map((nd, i) => (nd ? gs[i]! : null));
    };
    return [[out], pull];
  },
  vmap: (args, batched, params, size) => {
    // The residuals' tree structure, as the batched forward pass builds it.
    let rebuild: (leaves: readonly TensorImpl[]) => unknown = () => undefined;
    const fwd: CustomVjpParams["fwd"] = (ps) => {
      const outs = vmapFlat((xs) => {
        const [o, r] = params.fwd(xs);
        const f = flatten(r);
        rebuild = (leaves) => {
          let k = 0;
          return f.unflatten(f.leaves.map((l) => (typeof l === "number" ? l : leaves[k++]!)));
        };
        return [o, ...f.leaves.filter((l) => typeof l !== "number").map((l) => impl(l))];
      }, ps, batched, size);
      return [outs[0]!, outs.slice(1)];
    };
    const bwd: CustomVjpParams["bwd"] = (res, ct) => {
      const leaves = res as readonly TensorImpl[];
      const gs = vmapFlat((zs) => params.bwd(rebuild(zs.slice(0, leaves.length)), zs[leaves.length]!), [...leaves, ct], [...leaves.map(() => true), true], size);
      // An unbatched input's cotangent is the sum of the examples' cotangents.
      return gs.map((g, i) => (batched[i] ? g : sum(g, [0], false)));
    };
    return bindMulti(customVjpP, args, { program: vmapProgram(params.program, batched, size), fwd, bwd, name: `vmap(${params.name})` });
  },
  show: ({ program, name }) => ({ text: `[name=${name}]`, programs: [["fun", program]] }),
});

/** Stages a single-output function of tensors, once per input signature. */
function stagedFn(f: (...args: readonly T[]) => T): (xs: readonly TensorImpl[]) => { program: Program; captured: readonly TensorImpl[] } {
  const cache = new Map<string, Program>();
  return (xs) => {
    const key = xs.map((x) => typeText(x)).join(";");
    const hit = cache.get(key);
    if (hit !== undefined) return { program: hit, captured: [] };
    const traced = traceProgram((ys) => [impl(f(...ys.map((y) => typed(y))))], xs);
    if (traced.captured.length === 0) cache.set(key, traced.program);
    return traced;
  };
}

const nameOf = (f: { name: string }, fallback: string): string => (f.name && f.name !== "anonymous" ? f.name : fallback);

/**
 * `f` with a custom JVP rule `rule(primals, tangents, out)` (tangents of absent inputs are zeros), used
 * under every transformation: reverse mode transposes it, `vmap` batches it, `jit` stages it.
 *
 * @example
 * ```ts
 * // log(1 + eˣ) with its derivative given directly: sigmoid(x).
 * const softplusStable = customJvp(
 *   (x: Tensor<[number]>) => softplus(x),
 *   ([x], [dx]) => mul(dx, sigmoid(x)),
 * );
 * grad((x: Tensor<[number]>) => sum(softplusStable(x)))(tensor([0, 100])); // [0.5, 1]
 * ```
 */
export function customJvp<Args extends readonly Tensor<any, any>[], S extends Shape, D extends DType>(
  f: (...args: Args) => Tensor<S, D>,
  rule: (primals: Args, tangents: Args, out: Tensor<S, D>) => Tensor<S, D>,
): (...args: Args) => Tensor<S, D> {
  const stage = stagedFn(f as unknown as (...a: readonly T[]) => T);
  const r: Rule = (ps, ts, out) => impl(rule(ps.map((p) => typed(p)) as unknown as Args, ts.map((t) => typed(t)) as unknown as Args, typed(out)));
  const name = nameOf(f, "customJvp");
  return (...args: Args): Tensor<S, D> => {
    const xs = args.map((a) => impl(a));
    const { program, captured } = stage(xs);
    // Values the function closed over are extra inputs; the rule sees only the declared ones.
    const rule2: Rule = captured.length === 0 ? r : (ps, ts, out) => r(ps.slice(0, xs.length), ts.slice(0, xs.length), out);
    return typed(bindMulti(customJvpP, [...xs, ...captured], { program, rule: rule2, name })[0]!);
  };
}

/**
 * `f` with a custom VJP: `fwd` returns the output and residuals, `bwd(residuals, ct)` the cotangents
 * of every argument. Used under every transformation: `vmap` batches `fwd` and `bwd`, `jit` stages them;
 * forward mode differentiates `f` itself.
 *
 * @example
 * ```ts
 * // Clip the gradient's norm on the way back, leave the forward pass alone.
 * const clipGrad = customVjp(
 *   (x: Tensor<[number]>) => x,
 *   (x: Tensor<[number]>) => [x, null],
 *   (_res: null, ct: Tensor<[number]>): [Tensor<[number]>] => [clamp(ct, -1, 1)],
 * );
 * grad((x: Tensor<[number]>) => sum(mul(clipGrad(x), 5)))(tensor([1, 2])); // [1, 1]
 * ```
 */
export function customVjp<Args extends readonly Tensor<any, any>[], S extends Shape, D extends DType, Res>(
  f: (...args: Args) => Tensor<S, D>,
  fwd: (...args: Args) => [Tensor<S, D>, Res],
  bwd: (res: Res, ct: Tensor<S, D>) => Args,
): (...args: Args) => Tensor<S, D> {
  const stage = stagedFn(f as unknown as (...a: readonly T[]) => T);
  const name = nameOf(f, "customVjp");
  return (...args: Args): Tensor<S, D> => {
    const xs = args.map((a) => impl(a));
    const { program, captured } = stage(xs);
    const n = xs.length;
    const params: CustomVjpParams = {
      program,
      name,
      fwd: (ps) => {
        const [o, res] = fwd(...(ps.slice(0, n).map((p) => typed(p)) as unknown as Args));
        return [impl(o), res];
      },
      // Closed-over values get no cotangent from a user rule (they are constants to it).
      bwd: (res, ct) => [...(bwd(res as Res, typed(ct)) as readonly T[]).map((g) => impl(g)), ...captured.map((c) => zerosLike(c))],
    };
    return typed(bindMulti(customVjpP, [...xs, ...captured], params)[0]!);
  };
}
