/**
 * Your own op, with its own derivative rule, and your own law tests for it. The op is log(cosh(x)) — a
 * smooth loss that is ½x² near 0 and |x| − log 2 far out — written stably and given a custom JVP,
 * tanh(x)·ẋ. Property-based laws (fast-check) then check the promises the op makes: its values, its
 * symmetry, its gradient against finite differences, forward against reverse mode, and stability.
 *
 * Run: npx tsx examples/custom-law.ts      (TENFOLD_SMOKE=1: fewer random cases)
 */
import fc from "fast-check";
import {
  type FloatDType, type Shape, type Tensor, abs, add, customJvp, div, exp, fromArray, grad, jvp, log, log1p, mul, neg, sub,
  sum, tanh, vjp,
} from "../src/index.js";

const SMOKE = process.env.TENFOLD_SMOKE === "1";
const numRuns = SMOKE ? 30 : 200;

// ## The op
//
// log(cosh(x)) computed literally overflows: cosh(x) is ∞ in float32 beyond |x| ≈ 89. Rewritten as
// |x| + log1p(e^(−2|x|)) − log 2, nothing overflows. Autodiff of that form would go through |x| (whose
// derivative at 0 is a convention) and a log1p; the true derivative is simply tanh(x), so we give the
// rule ourselves. `customJvp` takes the function and its forward rule; reverse mode (`grad`) transposes
// the rule automatically, since it is linear in the tangent.
const logCoshImpl = customJvp(
  (x: Tensor<any, any>) => {
    const a = abs(x);
    return sub(add(a, log1p(exp(mul(a, -2)))), Math.LN2);
  },
  ([x], [dx]) => mul(dx, tanh(x)),
);
/** log(cosh(x)), elementwise, stable for any x; its derivative is tanh(x). */
const logCosh = <S extends Shape, D extends FloatDType>(x: Tensor<S, D>): Tensor<S, D> => logCoshImpl(x);

// ## Generators
//
// Random points x of 1–8 float64 values in [−max, max] (float64 so finite differences are accurate),
// with two vectors v, u in [−1, 1] of the same length, for tangents and cotangents. (Not `fc.double`
// directly: it draws uniformly over representable doubles, so most draws are tiny, like 1e−200, and
// a wrong derivative near x = 1 would go unnoticed. Scaled integers spread the values evenly.)
const values = (max: number) => fc.integer({ min: -1_000_000, max: 1_000_000 }).map((i) => (i / 1_000_000) * max);
const vectors = (max: number) =>
  fc.integer({ min: 1, max: 8 }).chain((n) => {
    const of = (m: number) => fc.array(values(m), { minLength: n, maxLength: n });
    return fc.tuple(of(max), of(1), of(1));
  });
const vec = (xs: readonly number[]) => fromArray(xs, `${xs.length}`, "float64");
const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

/** Checks a property on `numRuns` random cases and prints the verdict (fast-check throws with a shrunk counterexample). */
const law = <T>(name: string, arb: fc.Arbitrary<T>, holds: (t: T) => boolean): void => {
  fc.assert(fc.property(arb, holds), { numRuns, seed: 42 });
  console.log(`law "${name}": passed (${numRuns} runs)`);
};

// ## The laws
//
// 1. It computes log(cosh(x)) (where cosh is finite).
law("logCosh(x) = log(cosh(x))", vectors(20), ([xs]) => {
  const x = vec(xs);
  const cosh = div(add(exp(x), exp(neg(x))), 2);
  const got = logCosh(x).toFlat();
  const want = log(cosh).toFlat();
  return got.every((g, i) => close(g, want[i]!, 1e-12));
});

// 2. It is even: logCosh(−x) = logCosh(x).
law("logCosh is even", vectors(100), ([xs]) => {
  const x = vec(xs);
  const a = logCosh(x).toFlat();
  const b = logCosh(neg(x)).toFlat();
  return a.every((v, i) => v === b[i]);
});

// 3. Its gradient matches central finite differences along a random direction v:
//    ⟨∇F(x), v⟩ ≈ (F(x + hv) − F(x − hv)) / 2h, for F = Σ logCosh.
law("gradient matches finite differences", vectors(10), ([xs, vs]) => {
  const F = (x: Tensor<[number], "float64">) => sum(logCosh(x));
  const x = vec(xs);
  const v = vec(vs);
  const h = 1e-6;
  const analytic = sum(mul(grad(F)(x), v)).item();
  const numeric = (F(add(x, mul(v, h))).item() - F(sub(x, mul(v, h))).item()) / (2 * h);
  return close(analytic, numeric, 1e-6);
});

// 4. Reverse mode is the transpose of forward mode: ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ for any tangent v and
//    cotangent u.
law("⟨jvp(v), u⟩ = ⟨v, vjp(u)⟩", vectors(10), ([xs, vs, us]) => {
  const x = vec(xs);
  const v = vec(vs);
  const u = vec(us);
  const [, jv] = jvp(logCosh, [x], [v]);
  const [, pullback] = vjp(logCosh, x);
  const [ju] = pullback(u);
  return close(sum(mul(jv, u)).item(), sum(mul(v, ju)).item(), 1e-12);
});

// 5. It is stable: finite values and gradients for huge inputs, where log(cosh(x)) itself is ∞.
law("finite for |x| up to 1e30", vectors(1e30), ([xs]) => {
  const x = vec(xs);
  const value = logCosh(x).toFlat();
  const slope = grad((t: Tensor<[number], "float64">) => sum(logCosh(t)))(x).toFlat();
  return value.every(Number.isFinite) && slope.every((s) => Number.isFinite(s) && Math.abs(s) <= 1);
});

// ## What it prints
//
// law "logCosh(x) = log(cosh(x))": passed (200 runs)
// law "logCosh is even": passed (200 runs)
// law "gradient matches finite differences": passed (200 runs)
// law "⟨jvp(v), u⟩ = ⟨v, vjp(u)⟩": passed (200 runs)
// law "finite for |x| up to 1e30": passed (200 runs)
//
// In a test file, drop the `console.log` and call `fc.assert` inside `it(...)`: a failing law reports
// the smallest counterexample fast-check can shrink to, and the seed to replay it.
