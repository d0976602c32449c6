/**
 * Your own op, with its own derivative rule, and your own law tests for it. The op is log(cosh(x)) — a
 * smooth loss that is ½x² near 0 and |x| − log 2 far out — written stably and given a custom JVP,
 * tanh(x)·ẋ. Laws built from the law kit (`tenfold/testing`, see docs/laws.md) then check the promises
 * the op makes: its values, its symmetry, its shape, its gradient against finite differences, forward
 * against reverse mode, linearity in the tangent, and stability. Last, a deliberately wrong rule is
 * caught, and the kit prints the counterexample.
 *
 * Run: npx tsx examples/custom-law.ts      (TENFOLD_SMOKE=1: fewer random cases; TENFOLD_LAW_RUNS=n: n per law)
 */
import {
  type FloatDType, type Shape, type Tensor, abs, add, customJvp, div, exp, grad, log, log1p, mul, neg, sub, sum, tanh,
} from "../src/index.js";
import {
  type LawResult, arbTensor, assertClose, assertLaw, gradMatchesFiniteDifferences, jvpLinear, jvpVjpAdjoint, law, lawParams,
  lawReport, preservesShape, violated,
} from "../src/testing/index.js";

// ## The op
//
// log(cosh(x)) computed literally overflows: cosh(x) is ∞ beyond |x| ≈ 89 in float32 (≈ 710 in
// float64). Rewritten as |x| + log1p(e^(−2|x|)) − log 2, nothing overflows. Autodiff of that form would
// go through |x| (whose derivative at 0 is a convention) and a log1p; the true derivative is simply
// tanh(x), so we give the rule ourselves. `customJvp` takes the function and its forward rule; reverse
// mode (`grad`) transposes the rule automatically, since it is linear in the tangent.
const stableLogCosh = (x: Tensor<any, any>) => {
  const a = abs(x);
  return sub(add(a, log1p(exp(mul(a, -2)))), Math.LN2);
};
const logCoshImpl = customJvp(stableLogCosh, ([x], [dx]) => mul(dx, tanh(x)));
/** log(cosh(x)), elementwise, stable for any x; its derivative is tanh(x). */
const logCosh = <S extends Shape, D extends FloatDType>(x: Tensor<S, D>): Tensor<S, D> => logCoshImpl(x);

// ## Run counts
//
// Every law takes fast-check parameters. `lawParams` reads the environment: TENFOLD_LAW_RUNS (runs per
// law, here defaulting to 200, or 30 under TENFOLD_SMOKE=1) and TENFOLD_LAW_SEED / TENFOLD_LAW_PATH (to
// replay a reported failure). The fixed seed 42 makes this file print the same thing every time.
const params = { seed: 42, ...lawParams({ numRuns: process.env.TENFOLD_SMOKE === "1" ? 30 : 200 }) };

/** Throws the kit's readable report if the law failed; prints the verdict otherwise. */
const check = <T>(r: LawResult<T>): void => {
  assertLaw(r);
  console.log(`law "${r.law}": passed (${r.numRuns} runs)`);
};

// ## Generators
//
// Vectors of 1–8 float64 values in [−max, max] (float64, so finite differences are accurate). The kit
// spreads values evenly over the range (multiples of 1/1024, shrinking towards 0), with one draw in five
// from all doubles in range, tiny and extreme magnitudes included.
const vectors = (max: number) => arbTensor("N", { dtype: "float64", min: -max, max, maxDim: 8 });

// ## The laws
//
// 1. It computes log(cosh(x)), wherever cosh(x) = (eˣ + e⁻ˣ)/2 is finite in float64 (|x| < 710).
//    `law(name, arb, check)` runs your own property; `assertClose` fails it with both tensors shown.
check(
  law(
    "logCosh(x) = log(cosh(x))",
    vectors(700),
    (x) => assertClose(logCosh(x), log(div(add(exp(x), exp(neg(x))), 2)), { rtol: 1e-12, atol: 1e-12 }),
    params,
  ),
);

// 2. It is even: logCosh(−x) = logCosh(x), exactly.
check(law("logCosh is even", vectors(100), (x) => assertClose(logCosh(neg(x)), logCosh(x), { rtol: 0, atol: 0 }), params));

// 3. It is elementwise: the output has the input's shape (and dtype).
check(preservesShape(logCosh, vectors(10), { dtype: true, params }));

// 4. Its gradient matches central finite differences, element by element: ∂F/∂xᵢ ≈ (F(x + heᵢ) −
//    F(x − heᵢ)) / 2h, for F = Σ logCosh. This is the law that checks the rule itself.
check(gradMatchesFiniteDifferences((x) => sum(logCosh(x)), vectors(10), { params }));

// 5. Reverse mode is the transpose of forward mode: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ for random tangents v and
//    cotangents u (derived from x, so a counterexample is just x).
check(jvpVjpAdjoint(logCosh, vectors(10), { params }));

// 6. Forward mode is linear in the tangent: jvp(α·v₁ + β·v₂) = α·jvp(v₁) + β·jvp(v₂). A rule that
//    is not (say dx·dx) could not be transposed into a reverse rule.
check(jvpLinear(logCosh, vectors(10), { params }));

// 7. It is stable: for 20 ≤ |x| ≤ 1e30 — where log(cosh(x)) computed literally is ∞ for |x| > 710 —
//    values are finite and equal |x| − log 2 (e^(−40) is below rounding), and slopes are finite and
//    at most 1 in size. (`minAbs` keeps draws away from 0; over so wide a range the draws are spread
//    over magnitudes, 1e2 as often as 1e29.)
check(
  law(
    "finite for 20 ≤ |x| ≤ 1e30",
    arbTensor("N", { dtype: "float64", min: -1e30, max: 1e30, minAbs: 20, maxDim: 8 }),
    (x) => {
      const value = logCosh(x);
      if (!value.toFlat().every(Number.isFinite)) violated(`logCosh(x) is not finite: ${value.toString()}`);
      assertClose(value, sub(abs(x), Math.LN2), {}, { actual: "logCosh(x)", expected: "|x| − log 2" });
      const slope = grad((t: typeof x) => sum(logCosh(t)))(x);
      if (!slope.toFlat().every((s) => Number.isFinite(s) && Math.abs(s) <= 1)) violated(`the slope is not in [−1, 1]: ${slope.toString()}`);
    },
    params,
  ),
);

// ## A wrong rule is caught
//
// Give the op tanh's derivative, 1 − tanh²(x), instead of its own, tanh(x) — one derivative too many.
// The adjoint law still holds: reverse mode is the transpose of the same wrong rule, so both modes
// agree. Finite differences do not: the kit shrinks the failure to the smallest input it can find, and
// `lawReport` says what went wrong and how to replay it (`assertLaw` throws the same text in a test).
const wrongImpl = customJvp(stableLogCosh, ([x], [dx]) => mul(dx, sub(1, mul(tanh(x), tanh(x)))));
const wrongLogCosh = <S extends Shape, D extends FloatDType>(x: Tensor<S, D>): Tensor<S, D> => wrongImpl(x);

console.log("\nwith the wrong rule ẋ·(1 − tanh²(x)):");
check(jvpVjpAdjoint(wrongLogCosh, vectors(10), { params }));
const report = lawReport(gradMatchesFiniteDifferences((x) => sum(wrongLogCosh(x)), vectors(10), { params }));
if (report === null) throw new Error("the wrong rule 1 − tanh²(x) passed gradMatchesFiniteDifferences");
console.log(report);
// law "logCosh(x) = log(cosh(x))": passed (200 runs)
// law "logCosh is even": passed (200 runs)
// law "preservesShape": passed (200 runs)
// law "gradMatchesFiniteDifferences": passed (200 runs)
// law "jvpVjpAdjoint": passed (200 runs)
// law "jvpLinear": passed (200 runs)
// law "finite for 20 ≤ |x| ≤ 1e30": passed (200 runs)
//
// with the wrong rule ẋ·(1 − tanh²(x)):
// law "jvpVjpAdjoint": passed (200 runs)
// Law "gradMatchesFiniteDifferences" failed after 1 run (shrunk 2 times).
// Counterexample:
//   tensor([0.], shape=[1], dtype=float64)
// ∂/∂x[0] of f: autodiff gives 1 but central differences give 0 (|diff| 1.000e+0 > atol 0.000001 + rtol 0.0001·max; h = 0.00001)
// Replay: TENFOLD_LAW_SEED=42 TENFOLD_LAW_PATH="0:0:0"

// The shrunk counterexample is x = 0, where the true slope tanh(0) is 0 and the wrong rule gives 1.
// In a test file, write each law as `it(lawTitle("…"), () => assertLaw(law))` (docs/laws.md §3): a
// failing law throws the report above, and TENFOLD_LAW_RUNS=500 runs every law harder.
