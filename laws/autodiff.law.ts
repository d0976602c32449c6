/**
 * Laws of automatic differentiation, over random shapes and float64 values: for a battery of functions
 * that reaches every differentiable op, reverse mode agrees with central finite differences, forward
 * and reverse mode are adjoint, and forward mode is linear in the tangent; then the chain rule, Hessian
 * symmetry, known second derivatives, no perturbation confusion, and vmap against a loop for every
 * batching rule (with unmapped arguments and non-zero in/out axes).
 */
import { describe, it } from "vitest";
import fc from "fast-check";
import {
  arbBroadcastPair, arbTensors, assertClose, assertLaw, equivalent, gradMatchesFiniteDifferences, hessianSymmetric, jacobiansAgree,
  jvpLinear, jvpVjpAdjoint, law, lawTitle, vmapMatchesLoop, type FiniteDifferenceOptions,
} from "../src/testing/index.js";
import * as O from "./ops.js";
import { f64, indices, type X } from "./ops.js";

/** A function to differentiate, with its inputs (a tensor or a record of tensors). */
interface Case {
  readonly name: string;
  readonly f: (x: any) => unknown;
  readonly arb: fc.Arbitrary<unknown>;
  readonly fd?: FiniteDifferenceOptions<unknown>;
}

const mat = f64("B N");
const cube = f64("A B C");
const pair = arbBroadcastPair({ maxRank: 3, maxDim: 3 }).chain(([a, b]) => fc.tuple(f64(a), f64(b)).map(([x, y]) => ({ a: x, b: y })));
/** Distinct values (no ties for max/min) at least 1e−3 apart. */
const distinct = f64("B N", { minGap: 1e-3 });
/** Rows of at least two values (an unbiased variance of one value is NaN), apart so √variance stays smooth. */
const rows2 = f64("B N", { sizes: { N: fc.integer({ min: 2, max: 4 }) }, minGap: 0.05 });

const unary: Case[] = [
  { name: "neg", f: O.neg, arb: mat },
  { name: "exp", f: O.exp, arb: mat },
  { name: "log", f: O.log, arb: f64("B N", { min: 0.1, max: 5 }) },
  { name: "log1p", f: O.log1p, arb: f64("B N", { min: -0.9, max: 5 }) },
  { name: "expm1", f: O.expm1, arb: mat },
  { name: "sqrt", f: O.sqrt, arb: f64("B N", { min: 0.1, max: 5 }) },
  { name: "abs", f: O.abs, arb: f64("B N", { minAbs: 0.01 }) },
  { name: "x·sign(x)", f: (x: X) => O.mul(x, O.sign(x)), arb: f64("B N", { minAbs: 0.01 }) },
  { name: "sin", f: O.sin, arb: mat },
  { name: "cos", f: O.cos, arb: mat },
  { name: "tanh", f: O.tanh, arb: mat },
  { name: "sigmoid", f: O.sigmoid, arb: mat },
  { name: "relu", f: O.relu, arb: f64("B N", { minAbs: 0.01 }) },
  { name: "leakyRelu", f: (x: X) => O.leakyRelu(x, 0.1), arb: f64("B N", { minAbs: 0.01 }) },
  { name: "erf", f: O.erf, arb: mat },
  { name: "square", f: O.square, arb: mat },
  { name: "reciprocal", f: O.reciprocal, arb: f64("B N", { minAbs: 0.25 }) },
  { name: "softplus", f: O.softplus, arb: mat },
  { name: "logSigmoid", f: O.logSigmoid, arb: mat },
  { name: "gelu", f: (x: X) => O.gelu(x), arb: mat },
  { name: "gelu (tanh)", f: (x: X) => O.gelu(x, "tanh"), arb: mat },
  { name: "clamp", f: (x: X) => O.clamp(x, -1.0001, 1.0003), arb: mat },
  { name: "exp ∘ sin ∘ x²", f: (x: X) => O.exp(O.sin(O.mul(x, x))), arb: mat },
];

const binary: Case[] = [
  { name: "add (broadcasting)", f: ({ a, b }: { a: X; b: X }) => O.add(a, b), arb: pair },
  { name: "sub (broadcasting)", f: ({ a, b }: { a: X; b: X }) => O.sub(a, b), arb: pair },
  { name: "mul (broadcasting)", f: ({ a, b }: { a: X; b: X }) => O.mul(a, b), arb: pair },
  {
    name: "div (broadcasting)",
    f: ({ a, b }: { a: X; b: X }) => O.div(a, b),
    arb: arbBroadcastPair({ maxRank: 3, maxDim: 3 }).chain(([a, b]) => fc.record({ a: f64(a), b: f64(b, { minAbs: 0.5 }) }).map((r) => ({ ...r }))),
  },
  {
    name: "pow (broadcasting)",
    f: ({ a, b }: { a: X; b: X }) => O.pow(a, b),
    arb: arbBroadcastPair({ maxRank: 3, maxDim: 3 }).chain(([a, b]) => fc.record({ a: f64(a, { min: 0.5, max: 3 }), b: f64(b, { min: -2, max: 2 }) }).map((r) => ({ ...r }))),
  },
  // b + 1/3 is never a multiple of 1/1024 (nor within a finite-difference step of one): no ties.
  { name: "maximum (broadcasting)", f: ({ a, b }: { a: X; b: X }) => O.maximum(a, O.add(b, 1 / 3)), arb: pair },
  { name: "minimum (broadcasting)", f: ({ a, b }: { a: X; b: X }) => O.minimum(a, O.add(b, 1 / 3)), arb: pair },
  { name: "maximum(x, x/2) (both branches)", f: (x: X) => O.maximum(x, O.mul(x, 0.5)), arb: f64("B N", { minAbs: 0.01 }) },
  { name: "where (broadcasting)", f: ({ a, b }: { a: X; b: X }) => O.where(O.greater(a, O.add(b, 1 / 3)), O.sin(a), O.mul(a, b)), arb: pair },
  { name: "a·b + a/(1 + b²) (shared input)", f: ({ a, b }: { a: X; b: X }) => O.add(O.mul(a, b), O.div(a, O.add(1, O.mul(b, b)))), arb: pair },
];

const reductions: Case[] = [
  { name: "sum (all)", f: O.sum, arb: cube },
  { name: "sum (axis 0)", f: (x: X) => O.sum(x, { axis: 0 }), arb: cube },
  { name: "sum (axes [0, 2], keepdims)", f: (x: X) => O.sum(x, { axis: [0, 2], keepdims: true }), arb: cube },
  { name: "mean (axis −1)", f: (x: X) => O.mean(x, { axis: -1 }), arb: cube },
  { name: "max (all)", f: O.max, arb: distinct },
  { name: "max (axis 1)", f: (x: X) => O.max(x, { axis: 1 }), arb: distinct },
  { name: "min (axis 0, keepdims)", f: (x: X) => O.min(x, { axis: 0, keepdims: true }), arb: distinct },
  { name: "logsumexp (all)", f: O.logsumexp, arb: cube },
  { name: "logsumexp (axis −1)", f: (x: X) => O.logsumexp(x, { axis: -1 }), arb: cube },
  { name: "softmax (axis −1)", f: (x: X) => O.softmax(x), arb: cube },
  { name: "softmax (axis 0)", f: (x: X) => O.softmax(x, 0), arb: mat },
  { name: "logSoftmax (axis −1)", f: (x: X) => O.logSoftmax(x), arb: mat },
  { name: "variance (all, correction 0)", f: (x: X) => O.variance(x, { correction: 0 }), arb: cube },
  { name: "variance (axis −1)", f: (x: X) => O.variance(x, { axis: -1 }), arb: rows2 },
  {
    name: "variance (axes [0, 2], keepdims, correction 2)",
    f: (x: X) => O.variance(x, { axis: [0, 2], keepdims: true, correction: 2 }),
    arb: f64("A B C", { sizes: { A: fc.integer({ min: 2, max: 3 }), C: fc.integer({ min: 2, max: 3 }) } }),
  },
  { name: "std (axis 1)", f: (x: X) => O.std(x, { axis: 1 }), arb: rows2 },
  { name: "std (all, correction 0)", f: (x: X) => O.std(x, { correction: 0 }), arb: f64("B N", { minGap: 0.05 }) },
];

const scans: Case[] = [
  { name: "cumsum (axis 0)", f: (x: X) => O.cumsum(x, 0), arb: cube },
  { name: "cumsum (axis −1)", f: (x: X) => O.cumsum(x, -1), arb: cube },
  { name: "cumsum of a product (axis 1, shared input)", f: (x: X) => O.mul(O.cumsum(O.mul(x, x), 1), x), arb: cube },
];

const products: Case[] = [
  { name: "matmul", f: ({ a, b }: { a: X; b: X }) => O.matmul(a, b), arb: arbTensors({ a: "M K", b: "K N" }, { dtype: "float64", min: -3, max: 3, maxDim: 3 }) },
  { name: "matmul (batched, broadcast batch)", f: ({ a, b }: { a: X; b: X }) => O.matmul(a, b), arb: arbTensors({ a: "B 1 M K", b: "C K N" }, { dtype: "float64", min: -3, max: 3, maxDim: 2 }) },
  { name: "matmul (vector · matrix)", f: ({ a, b }: { a: X; b: X }) => O.matmul(a, b), arb: arbTensors({ a: "K", b: "B K N" }, { dtype: "float64", min: -3, max: 3, maxDim: 3 }) },
  { name: "matmul (matrix · vector)", f: ({ a, b }: { a: X; b: X }) => O.matmul(a, b), arb: arbTensors({ a: "M K", b: "K" }, { dtype: "float64", min: -3, max: 3, maxDim: 3 }) },
  { name: "matmul (dot)", f: ({ a, b }: { a: X; b: X }) => O.matmul(a, b), arb: arbTensors({ a: "K", b: "K" }, { dtype: "float64", min: -3, max: 3, maxDim: 4 }) },
  { name: "matmul (x·xᵀ, shared input)", f: (x: X) => O.matmul(x, O.transpose(x)), arb: mat },
  { name: "einsum bij,bjk->bik", f: ({ a, b }: { a: X; b: X }) => O.einsum("bij,bjk->bik", a, b), arb: arbTensors({ a: "B M K", b: "B K N" }, { dtype: "float64", min: -3, max: 3, maxDim: 2 }) },
  { name: "einsum i,j->ij", f: ({ a, b }: { a: X; b: X }) => O.einsum("i,j->ij", a, b), arb: arbTensors({ a: "M", b: "N" }, { dtype: "float64", min: -3, max: 3 }) },
  { name: "einsum ij,ij->", f: ({ a, b }: { a: X; b: X }) => O.einsum("ij,ij->", a, b), arb: arbTensors({ a: "M N", b: "M N" }, { dtype: "float64", min: -3, max: 3 }) },
];

const structure: Case[] = [
  { name: "reshape", f: (x: X) => O.reshape(O.sin(x), "A Z"), arb: cube },
  { name: "flatten", f: (x: X) => O.flatten(O.mul(x, x)), arb: cube },
  { name: "transpose", f: (x: X) => O.mul(O.transpose(x), O.sin(O.transpose(x))), arb: cube },
  { name: "permute", f: (x: X) => O.mul(O.permute(x, [2, 0, 1]), 2), arb: cube },
  { name: "expandDims + squeeze", f: (x: X) => O.squeeze(O.mul(O.expandDims(x, 1), O.expandDims(x, 1))), arb: f64("B N", { sizes: { N: fc.integer({ min: 2, max: 3 }) } }) },
  { name: "concat (axis −1)", f: ({ a, b }: { a: X; b: X }) => O.concat([O.sin(a), b, a], -1), arb: arbTensors({ a: "R N", b: "R M" }, { dtype: "float64", min: -3, max: 3, maxDim: 3 }) },
  { name: "stack (axis 1)", f: ({ a, b }: { a: X; b: X }) => O.stack([a, O.mul(a, b)], 1), arb: arbTensors({ a: "R N", b: "R N" }, { dtype: "float64", min: -3, max: 3, maxDim: 3 }) },
  { name: "slice", f: (x: X) => O.mul(O.slice(x, 1, 1), O.slice(x, 1, 0, -1)), arb: f64("B N", { maxDim: 4 }) },
  { name: "take (axis 1, repeated indices)", f: ({ x, idx }: { x: X; idx: X }) => O.take(O.mul(x, x), idx, 1), arb: arbTensors({ x: "B 3", idx: { shape: "K", dtype: "int32", min: 0, max: 2 } }, { dtype: "float64", min: -3, max: 3 }) },
  { name: "take (axis 0, index matrix)", f: ({ x, idx }: { x: X; idx: X }) => O.take(x, idx, 0), arb: arbTensors({ x: "3 N", idx: { shape: "K L", dtype: "int32", min: 0, max: 2 } }, { dtype: "float64", min: -3, max: 3 }) },
  { name: "takeAlongAxis", f: ({ x, idx }: { x: X; idx: X }) => O.takeAlongAxis(O.exp(x), idx, 1), arb: arbTensors({ x: "B 3", idx: { shape: "B K", dtype: "int32", min: 0, max: 2 } }, { dtype: "float64", min: -3, max: 3 }) },
  { name: "broadcastTo", f: (x: X) => O.mul(O.broadcastTo(x, "3 B N"), O.broadcastTo(O.sum(x, { axis: 0, keepdims: true }), "3 B N", { B: x.shape[0]!, N: x.shape[1]! })), arb: mat },
  { name: "cross-entropy-like (logSoftmax, takeAlongAxis, mean)", f: ({ x, idx }: { x: X; idx: X }) => O.neg(O.mean(O.takeAlongAxis(O.logSoftmax(x), idx, 1))), arb: arbTensors({ x: "B 4", idx: { shape: "B 1", dtype: "int32", min: 0, max: 3 } }, { dtype: "float64", min: -3, max: 3 }) },
];

const battery: [string, Case[]][] = [
  ["unary", unary], ["binary", binary], ["reductions", reductions], ["scans", scans], ["products", products], ["structure", structure],
];

for (const [group, cases] of battery)
  describe(`derivatives: ${group}`, () => {
    for (const c of cases) {
      it(lawTitle(`${c.name}: grad agrees with central finite differences`), () => {
        assertLaw(gradMatchesFiniteDifferences(c.f, c.arb, c.fd));
      });
      it(lawTitle(`${c.name}: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ (jvp and vjp are adjoint)`), () => {
        assertLaw(jvpVjpAdjoint(c.f, c.arb));
      });
      it(lawTitle(`${c.name}: jvp is linear in the tangent`), () => {
        assertLaw(jvpLinear(c.f, c.arb));
      });
    }
  });

describe("calculus", () => {
  it(lawTitle("chain rule: grad(f ∘ g)(x) = J_g(x)ᵀ · grad(f)(g(x)) (J_g by forward mode)"), () => {
    const w = O.fromValues(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), "3 4");
    const g = (x: X): X => O.tanh(O.matmul(x, w));
    const f = (y: X): X => O.sum(O.mul(O.sin(y), y));
    assertLaw(
      equivalent(
        (x: X) => O.grad((t: X) => f(g(t)))(x),
        (x: X) => {
          const j = O.jacfwd(g)(x); // [B, 4, B, 3]
          const gf = O.grad(f)(g(x)); // [B, 4]
          return O.einsum("ij,ijkl->kl", gf, j);
        },
        f64("B 3"),
        { rtol: 1e-10, atol: 1e-12 },
      ),
    );
  });
  it(lawTitle("grad(sum) is ones, at any shape"), () => {
    assertLaw(equivalent(O.grad((x: X) => O.sum(x)), O.onesLike, f64("A B C"), { rtol: 0, atol: 0 }));
  });
  it(lawTitle("a function that ignores an input has a zero gradient for it"), () => {
    const arb = arbTensors({ a: "B N", b: "N" }, { dtype: "float64" });
    assertLaw(equivalent(({ a, b }: { a: X; b: X }) => O.grad((p: X, _q: X) => O.sum(O.sin(p)), { argnums: 1 })(a, b), ({ b }: { b: X }) => O.zerosLike(b), arb, { rtol: 0, atol: 0 }));
    assertLaw(equivalent(({ a, b }: { a: X; b: X }) => O.grad((p: { a: X; b: X }) => O.sum(O.exp(p.a)))({ a, b }).b, ({ b }: { b: X }) => O.zerosLike(b), arb, { rtol: 0, atol: 0 }));
  });
  it(lawTitle("stopGradient: grad(sum(x · stopGradient(x))) = x"), () => {
    assertLaw(equivalent(O.grad((x: X) => O.sum(O.mul(x, O.stopGradient(x)))), (x: X) => x, mat, { rtol: 0, atol: 0 }));
  });
  it(lawTitle("Hessians are symmetric"), () => {
    const quad = (x: X): X => O.sum(O.exp(O.mul(O.expandDims(x, 1), O.expandDims(O.sin(x), 0))));
    assertLaw(hessianSymmetric(quad, f64("N", { maxDim: 4 }), { rtol: 1e-10, atol: 1e-10 }));
    assertLaw(hessianSymmetric((x: X) => O.logsumexp(x), f64("A B"), { rtol: 1e-10, atol: 1e-12 }));
    assertLaw(hessianSymmetric((x: X) => O.sum(O.mul(O.softmax(x), O.tanh(x))), f64("N", { maxDim: 4 }), { rtol: 1e-10, atol: 1e-12 }));
  });
  it(lawTitle("jacfwd and jacrev agree"), () => {
    assertLaw(jacobiansAgree((x: X) => O.softmax(O.mul(x, O.sin(x))), f64("A B"), { rtol: 1e-10, atol: 1e-12 }));
    assertLaw(jacobiansAgree((x: X) => O.matmul(x, O.transpose(O.exp(x))), f64("A B"), { rtol: 1e-10, atol: 1e-12 }));
  });
  const elementwiseSecond = (f: (x: X) => X) => O.grad((x: X) => O.sum(O.grad((y: X) => O.sum(f(y)))(x)));
  it(lawTitle("second derivatives: sin'' = −sin, (x³)'' = 6x, exp'' = exp"), () => {
    assertLaw(equivalent(elementwiseSecond(O.sin), (x: X) => O.neg(O.sin(x)), mat, { rtol: 1e-12, atol: 1e-12 }));
    assertLaw(equivalent(elementwiseSecond((x) => O.mul(x, O.mul(x, x))), (x: X) => O.mul(6, x), mat, { rtol: 1e-12, atol: 1e-12 }));
    assertLaw(equivalent(elementwiseSecond(O.exp), O.exp, mat, { rtol: 1e-12, atol: 1e-12 }));
  });
  it(lawTitle("no perturbation confusion: d/dx [x · d/dy (x + y)] = 1 at any x"), () => {
    const s = O.scalar64;
    assertLaw(
      law("noPerturbationConfusion", fc.double({ min: -100, max: 100, noNaN: true }), (x0) => {
        const f = (x: X): X => O.mul(x, O.grad((y: X) => O.add(x, y))(s(1)));
        assertClose(O.grad(f)(s(x0)), s(1), { rtol: 0, atol: 0 }, { actual: "grad (reverse over reverse)" });
        assertClose(O.jvp(f, [s(x0)], [s(1)])[1], s(1), { rtol: 0, atol: 0 }, { actual: "jvp (forward over reverse)" });
      }),
    );
  });
});
