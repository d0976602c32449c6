/**
 * Laws of batching: `vmap(f)` equals applying `f` to each example and stacking the results, for ops
 * reaching every primitive's batching rule — with some arguments not mapped (`inAxes` null), mapped
 * along non-zero axes, and outputs stacked on non-zero `outAxes` — and `vmap(grad(f))` equals stacking
 * `grad(f)` per example.
 */
import { describe, it } from "vitest";
import fc from "fast-check";
import { arbTensors, assertLaw, lawTitle, vmapMatchesLoop, type TensorSpec, type VmapLawOptions } from "../src/testing/index.js";
import * as O from "./ops.js";
import type { X } from "./ops.js";

/** A batched function with the shapes of its arguments (names shared, `B` the batch) and vmap's options. */
interface Case {
  readonly name: string;
  readonly f: (...args: any[]) => unknown;
  readonly args: readonly TensorSpec[];
  readonly opts?: VmapLawOptions<any>;
}

/** The argument tuple of a case, with named dims drawn once across its arguments. */
const argsOf = (specs: readonly TensorSpec[]): fc.Arbitrary<any> => {
  const rec: Record<string, TensorSpec> = {};
  specs.forEach((s, i) => (rec[`a${i}`] = s));
  return arbTensors(rec, { dtype: "float64", min: -3, max: 3, maxDim: 3 }).map((r) => specs.map((_, i) => (r as Record<string, X>)[`a${i}`]!));
};

const int = (shape: string, n: number): TensorSpec => ({ shape, dtype: "int32", min: 0, max: n - 1 });
const bool = (shape: string): TensorSpec => ({ shape, dtype: "bool" });
const pos = (shape: string): TensorSpec => ({ shape, min: 0.1, max: 3 });

const unary: Case[] = (
  [
    ["neg", O.neg], ["exp", O.exp], ["log1p ∘ abs", (x: X) => O.log1p(O.abs(x))], ["expm1", O.expm1], ["sqrt ∘ abs", (x: X) => O.sqrt(O.abs(x))],
    ["sign", O.sign], ["sin", O.sin], ["cos", O.cos], ["tanh", O.tanh], ["sigmoid", O.sigmoid], ["relu", O.relu], ["erf", O.erf],
    ["floor", O.floor], ["reciprocal", O.reciprocal], ["cast float32", (x: X) => O.cast(x, "float32")], ["cast int32", (x: X) => O.cast(x, "int32")],
    ["stopGradient", O.stopGradient], ["gelu", (x: X) => O.gelu(x)], ["softplus", O.softplus],
  ] as const
).flatMap(([name, f]): Case[] => [
  { name, f, args: ["B M N"] },
  { name: `${name}, inAxes 1, outAxes 1`, f, args: ["M B N"], opts: { inAxes: 1, outAxes: 1 } },
]);

const binary: Case[] = (
  [["add", O.add], ["sub", O.sub], ["mul", O.mul], ["div", O.div], ["maximum", O.maximum], ["minimum", O.minimum], ["greater", O.greater], ["equal", O.equal]] as const
).flatMap(([name, op]): Case[] => [
  { name: `${name}, both mapped`, f: op, args: ["B M N", "B M N"] },
  { name: `${name}, second unmapped (broadcasting)`, f: op, args: ["B M N", "N"], opts: { inAxes: [0, null] } },
  { name: `${name}, first unmapped, second on axis 1`, f: op, args: ["M 1", "N B"], opts: { inAxes: [null, 1] } },
  { name: `${name}, axes 1 and 0, ranks differ`, f: op, args: ["M B N", "B N"], opts: { inAxes: [1, 0] } },
  { name: `${name}, scalar examples`, f: op, args: ["B", "B"], opts: { inAxes: [0, 0], outAxes: -1 } },
]);

const others: Case[] = [
  { name: "pow, base mapped", f: O.pow, args: [pos("B N"), "N"], opts: { inAxes: [0, null] } },
  { name: "pow, exponent mapped", f: O.pow, args: [pos("N"), "N B"], opts: { inAxes: [null, 1] } },
  { name: "where, only the condition mapped", f: O.where, args: [bool("B M N"), "M N", "N"], opts: { inAxes: [0, null, null] } },
  { name: "where, all mapped on different axes", f: O.where, args: [bool("M B"), "B M", "M B"], opts: { inAxes: [1, 0, 1] } },
  { name: "logicalNot", f: O.logicalNot, args: [bool("B N")] },
  { name: "clamp", f: (x: X) => O.clamp(x, -1, 1), args: ["B N"] },
  // reductions
  { name: "sum (all)", f: (x: X) => O.sum(x), args: ["B M N"] },
  { name: "sum (axis 0)", f: (x: X) => O.sum(x, { axis: 0 }), args: ["B M N"] },
  { name: "sum (axis −1, keepdims), inAxes 2", f: (x: X) => O.sum(x, { axis: -1, keepdims: true }), args: ["M N B"], opts: { inAxes: 2 } },
  { name: "mean (axes [0, 1])", f: (x: X) => O.mean(x, { axis: [0, 1] }), args: ["B M N"] },
  { name: "max (axis 1)", f: (x: X) => O.max(x, { axis: 1 }), args: ["B M N"] },
  { name: "min (all), inAxes 1", f: (x: X) => O.min(x), args: ["M B N"], opts: { inAxes: 1 } },
  { name: "argmax (axis 0)", f: (x: X) => O.argmax(x, { axis: 0 }), args: ["B M N"] },
  { name: "argmin (all)", f: (x: X) => O.argmin(x), args: ["B M N"] },
  { name: "logsumexp (axis −1)", f: (x: X) => O.logsumexp(x, { axis: -1 }), args: ["B M N"] },
  { name: "softmax (axis 0), outAxes 1", f: (x: X) => O.softmax(x, 0), args: ["B M N"], opts: { outAxes: 1 } },
  { name: "logSoftmax", f: (x: X) => O.logSoftmax(x), args: ["B M N"] },
  { name: "variance (axis −1, correction 0)", f: (x: X) => O.variance(x, { axis: -1, correction: 0 }), args: ["B M N"] },
  { name: "std (all, correction 0), inAxes 1", f: (x: X) => O.std(x, { correction: 0 }), args: ["M B N"], opts: { inAxes: 1 } },
  // scans
  { name: "cumsum (axis 0)", f: (x: X) => O.cumsum(x, 0), args: ["B M N"] },
  { name: "cumsum (axis −1), inAxes 1, outAxes 2", f: (x: X) => O.cumsum(x, -1), args: ["M B N"], opts: { inAxes: 1, outAxes: 2 } },
  // matrix products
  { name: "matmul, both mapped", f: O.matmul, args: ["B M K", "B K N"] },
  { name: "matmul, weights unmapped", f: O.matmul, args: ["B M K", "K N"], opts: { inAxes: [0, null] } },
  { name: "matmul, inputs unmapped", f: O.matmul, args: ["M K", "B K N"], opts: { inAxes: [null, 0] } },
  { name: "matmul, axes 1 and 2, outAxes 2", f: O.matmul, args: ["M B K", "K N B"], opts: { inAxes: [1, 2], outAxes: 2 } },
  { name: "matmul, vector · matrix", f: O.matmul, args: ["B K", "K N"], opts: { inAxes: [0, null] } },
  { name: "matmul, matrix · vector", f: O.matmul, args: ["M K", "K B"], opts: { inAxes: [null, 1] } },
  { name: "matmul, vector · vector", f: O.matmul, args: ["B K", "B K"] },
  { name: "matmul, batched examples", f: O.matmul, args: ["B C M K", "C K N"], opts: { inAxes: [0, null] } },
  { name: "einsum ij,jk->ik, first mapped", f: (a: X, b: X) => O.einsum("ij,jk->ik", a, b), args: ["B M K", "K N"], opts: { inAxes: [0, null] } },
  { name: "einsum i,j->ij, second on axis 1", f: (a: X, b: X) => O.einsum("i,j->ij", a, b), args: ["M", "N B"], opts: { inAxes: [null, 1] } },
  // structure
  { name: "reshape", f: (x: X) => O.reshape(x, "Z"), args: ["B M N"] },
  { name: "reshape, inAxes 1", f: (x: X) => O.reshape(x, `${x.shape[1]} ${x.shape[0]}`), args: ["M B N"], opts: { inAxes: 1 } },
  { name: "flatten", f: (x: X) => O.flatten(x), args: ["B M N"] },
  { name: "transpose", f: O.transpose, args: ["B M N"] },
  { name: "transpose, inAxes 2, outAxes 1", f: O.transpose, args: ["M N B"], opts: { inAxes: 2, outAxes: 1 } },
  { name: "permute", f: (x: X) => O.permute(x, [2, 0, 1]), args: ["B M N K"] },
  { name: "expandDims", f: (x: X) => O.expandDims(x, -1), args: ["B M N"] },
  { name: "squeeze", f: (x: X) => O.squeeze(x, 1), args: ["B M 1 N"] },
  { name: "concat, one unmapped", f: (a: X, b: X) => O.concat([a, b], 0), args: ["B M N", "K N"], opts: { inAxes: [0, null] } },
  { name: "concat (axis −1), both mapped on different axes", f: (a: X, b: X) => O.concat([a, b, a], -1), args: ["B M N", "M K B"], opts: { inAxes: [0, 2] } },
  { name: "stack, one unmapped", f: (a: X, b: X) => O.stack([a, b], 1), args: ["B M N", "M N"], opts: { inAxes: [0, null] } },
  { name: "slice", f: (x: X) => O.slice(x, 1, 1), args: ["B M N"] },
  { name: "slice (axis −1), inAxes 1", f: (x: X) => O.slice(x, -1, 0, -1), args: ["M B N"], opts: { inAxes: 1 } },
  { name: "broadcastTo", f: (x: X) => O.broadcastTo(x, `2 ${x.shape.join(" ")}`), args: ["B M N"] },
  { name: "take, data mapped", f: (x: X, i: X) => O.take(x, i, 1), args: ["B M 3", int("K", 3)], opts: { inAxes: [0, null] } },
  { name: "take, indices mapped", f: (x: X, i: X) => O.take(x, i, 0), args: ["3 N", int("B K", 3)], opts: { inAxes: [null, 0] } },
  { name: "take, both mapped", f: (x: X, i: X) => O.take(x, i, 0), args: ["B 3 N", int("K B", 3)], opts: { inAxes: [0, 1] } },
  { name: "takeAlongAxis, both mapped", f: (x: X, i: X) => O.takeAlongAxis(x, i, 1), args: ["B M 3", int("B M K", 3)] },
  { name: "takeAlongAxis, data unmapped", f: (x: X, i: X) => O.takeAlongAxis(x, i, 1), args: ["M 3", int("B M K", 3)], opts: { inAxes: [null, 0] } },
  { name: "oneHot", f: (i: X) => O.oneHot(i, 4), args: [int("B K", 4)] },
  // composites and nesting
  { name: "cross entropy per example", f: (x: X, y: X) => O.neg(O.sum(O.mul(O.logSoftmax(x), O.oneHot(y, 4, "float64")))), args: ["B 4", int("B", 4)] },
  { name: "an MLP layer with unmapped weights", f: (x: X, w: X, b: X) => O.tanh(O.add(O.matmul(x, w), b)), args: ["B K", "K N", "N"], opts: { inAxes: [0, null, null] } },
  { name: "vmap of vmap", f: (x: X, y: X) => O.vmap((r: X) => O.mul(O.sin(r), y), { inAxes: 0 })(x), args: ["B M N", "N"], opts: { inAxes: [0, null] } },
  { name: "jvp inside vmap", f: (x: X, t: X) => O.jvp((z: X) => O.mul(O.sin(z), z), [x], [t])[1], args: ["B N", "B N"] },
];

const cases: [string, Case[]][] = [["unary", unary], ["binary", binary], ["others", others]];

for (const [group, list] of cases)
  describe(`vmap agrees with a loop: ${group}`, () => {
    for (const c of list)
      it(lawTitle(c.name), () => {
        assertLaw(vmapMatchesLoop(c.f, argsOf(c.args), { rtol: 1e-12, atol: 1e-12, ...c.opts }));
      });
  });

describe("vmap of derivatives", () => {
  const fs: [string, (x: X) => X][] = [
    ["sum(sin(x)·x)", (x) => O.sum(O.mul(O.sin(x), x))],
    ["logsumexp", (x) => O.logsumexp(x)],
    ["sum(softmax(x)·x)", (x) => O.sum(O.mul(O.softmax(x), x))],
    ["sum(tanh(x·xᵀ))", (x) => O.sum(O.tanh(O.matmul(x, O.transpose(x))))],
    ["max", (x) => O.max(x)],
    ["std (correction 0)", (x) => O.std(x, { correction: 0 })],
    ["sum(cumsum(x)·x)", (x) => O.sum(O.mul(O.cumsum(x, -1), x))],
  ];
  for (const [name, f] of fs) {
    it(lawTitle(`vmap(grad(${name})) = stacking grad(${name}) per example`), () => {
      assertLaw(vmapMatchesLoop(O.grad(f), argsOf(["B M N"]), { rtol: 1e-12, atol: 1e-12 }));
    });
  }
  it(lawTitle("vmap(grad(loss), inAxes [null, 0]): per-example gradients of shared weights"), () => {
    const loss = (w: X, x: X): X => O.sum(O.square(O.tanh(O.matmul(x, w))));
    assertLaw(vmapMatchesLoop(O.grad(loss), argsOf(["K N", "B K"]), { inAxes: [null, 0], rtol: 1e-12, atol: 1e-12 }));
  });
  it(lawTitle("vmap(jacfwd(f)) = stacking Jacobians"), () => {
    assertLaw(vmapMatchesLoop(O.jacfwd((x: X) => O.softmax(x)), argsOf(["B N"]), { rtol: 1e-12, atol: 1e-12 }));
  });
});
