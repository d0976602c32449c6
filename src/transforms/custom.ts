/**
 * User-defined derivative rules, for composites whose automatic derivative is unstable or slow.
 * `customJvp` gives a forward rule (reverse mode transposes it automatically, since it is linear in the
 * tangents); `customVjp` gives a reverse rule. Both take and return single tensors.
 */
import { impl, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import type { Shape } from "../shape/types.js";
import type { DType } from "../tensor/dtype.js";
import { topTrace } from "../core/trace.js";
import { zerosLike } from "../primitives/util.js";
import { JvpTrace, JvpTracer } from "./jvp.js";
import { VjpTrace, vjp } from "./vjp.js";

type T = Tensor<any, any>;

/**
 * `f` with a custom JVP rule `rule(primals, tangents, out)` (tangents of absent inputs are zeros).
 * Under `vmap` the rule is not used: `f` itself is batched.
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
  const g = (...args: Args): Tensor<S, D> => {
    const xs = args.map((a) => impl(a));
    const top = topTrace(xs);
    if (top instanceof JvpTrace) {
      const split = xs.map((x) => top.split(x));
      const primals = split.map(([p]) => typed(p)) as unknown as Args;
      const tangents = split.map(([p, t]) => typed(t ?? zerosLike(p))) as unknown as Args;
      const out = g(...primals);
      const t = impl(rule(primals, tangents, out));
      return typed(new JvpTracer(top, impl(out), t));
    }
    if (top instanceof VjpTrace) {
      const primals = xs.map((x) => typed(top.primal(x))) as unknown as Args;
      const out = g(...primals);
      // The rule is linear in the tangents, so its transpose is the VJP of the tangent map.
      const pull = (ct: TensorImpl): TensorImpl[] => {
        const zeros = primals.map((p) => typed(zerosLike(impl(p)))) as unknown as Args;
        const [, back] = vjp((...ts: Args) => rule(primals, ts, out), ...zeros);
        return (back(typed(ct) as Tensor<S, D>) as readonly T[]).map((x) => impl(x));
      };
      return typed(top.record(xs, impl(out), pull));
    }
    return f(...args);
  };
  return g;
}

/**
 * `f` with a custom VJP: `fwd` returns the output and residuals, `bwd(residuals, ct)` the cotangents
 * of every argument. Forward mode and `vmap` differentiate or batch `f` itself.
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
  const g = (...args: Args): Tensor<S, D> => {
    const xs = args.map((a) => impl(a));
    const top = topTrace(xs);
    if (top instanceof VjpTrace) {
      const primals = xs.map((x) => typed(top.primal(x))) as unknown as Args;
      // fwd runs one level down, so outer transformations see (and differentiate) fwd and bwd.
      const [out, res] = fwd(...primals);
      return typed(top.record(xs, impl(out), (ct) => (bwd(res, typed(ct)) as readonly T[]).map((x) => impl(x))));
    }
    return f(...args);
  };
  return g;
}
