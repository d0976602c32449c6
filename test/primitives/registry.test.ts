/**
 * The table of primitives, enumerated: every primitive module's primitives are in it, and every entry's
 * JVP agrees with finite differences, its VJP is the adjoint of its JVP, and its batching rule agrees
 * with a loop, on random shapes and float64 values. A new primitive without a sample here fails the test.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as T from "../../src/index.js";
import { bind, bindMulti } from "../../src/core/trace.js";
import { isMulti, type AnyPrimitive } from "../../src/core/primitive.js";
import { traceProgram } from "../../src/core/program.js";
import { impl, typed, type TensorImpl } from "../../src/tensor/tensor.js";
import { allPrimitives } from "../../src/transforms/registry.js";
import { firstOrderPrimitives } from "../../src/primitives/registry.js";
import * as Elementwise from "../../src/primitives/elementwise.js";
import * as Reduce from "../../src/primitives/reduce.js";
import * as Structure from "../../src/primitives/structure.js";
import * as Matmul from "../../src/primitives/matmul.js";
import * as Scan from "../../src/primitives/scan.js";
import * as Random from "../../src/primitives/random.js";
import * as Call from "../../src/transforms/call.js";
import * as Custom from "../../src/transforms/custom.js";
import * as Control from "../../src/transforms/control.js";
import { arbTensor, assertLaw, gradMatchesFiniteDifferences, jvpVjpAdjoint, vmapMatchesLoop } from "../../src/testing/index.js";

type X = T.Tensor<any, any>;
const isPrimitiveRecord = (v: unknown): v is AnyPrimitive =>
  typeof v === "object" && v !== null && "name" in v && "abstract" in v && "impl" in v && "jvp" in v && "vjp" in v && "vmap" in v;

describe("the table of primitives", () => {
  it("holds every primitive the modules define, each under its own name", () => {
    const modules = { Elementwise, Reduce, Structure, Matmul, Scan, Random, Call, Custom, Control };
    const listed = new Set(Object.values(allPrimitives));
    for (const [m, mod] of Object.entries(modules))
      for (const [k, v] of Object.entries(mod)) if (isPrimitiveRecord(v)) expect(listed.has(v), `${m}.${k} (${v.name}) is not in the registry`).toBe(true);
    for (const [name, p] of Object.entries(allPrimitives)) expect(p.name).toBe(name);
    for (const p of Object.values(firstOrderPrimitives)) expect(isMulti(p)).toBe(false);
  });
});

// ---------------------------------------------------------------- samples

/** How to exercise a primitive: random float64 inputs, its parameters, and which checks apply. */
interface Sample {
  /** Draws the primitive's inputs. */
  readonly inputs: fc.Arbitrary<X[]>;
  /** Applies the primitive (bind or bindMulti with fixed parameters) to run-time tensors. */
  readonly apply: (xs: readonly TensorImpl[]) => TensorImpl[];
  /** Check derivatives (false for integer, bool and piecewise-constant primitives). */
  readonly differentiable: boolean;
  /** Finite-difference tolerance when the default is too tight for a kink-free but curved function. */
  readonly rtol?: number;
}

const f64 = (spec: string, opts: { min?: number; max?: number; minAbs?: number } = {}) =>
  arbTensor(spec, { dtype: "float64", min: opts.min ?? -2, max: opts.max ?? 2, ...(opts.minAbs !== undefined ? { minAbs: opts.minAbs } : {}), sizes: { B: fc.integer({ min: 1, max: 3 }), N: fc.integer({ min: 1, max: 3 }) } }) as fc.Arbitrary<X>;
const one = (p: AnyPrimitive, params: unknown) => (xs: readonly TensorImpl[]): TensorImpl[] =>
  isMulti(p) ? [...bindMulti(p, xs, params)] : [bind(p, xs, params)];
const tuple = (...arbs: fc.Arbitrary<X>[]) => fc.tuple(...arbs) as fc.Arbitrary<X[]>;
const same = (spec: string, n: number, opts?: Parameters<typeof f64>[1]) =>
  fc.integer({ min: 1, max: 3 }).chain((b) => tuple(...Array.from({ length: n }, () => f64(spec.replace("B", String(b)), opts))));

const unaryDomain: Record<string, { min?: number; max?: number; minAbs?: number }> = {
  log: { min: 0.2, max: 3 }, log1p: { min: -0.8, max: 3 }, sqrt: { min: 0.2, max: 3 }, abs: { minAbs: 0.05 }, relu: { minAbs: 0.05 },
};
const piecewise = new Set(["sign", "floor", "logicalNot", "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "argmax", "argmin", "checkIndex"]);

function sampleOf(name: string, p: AnyPrimitive): Sample | undefined {
  const P = firstOrderPrimitives;
  const el = (xs: fc.Arbitrary<X[]>, params: unknown = null): Sample => ({ inputs: xs, apply: one(p, params), differentiable: !piecewise.has(name) });
  if (name in unaryDomain || ["neg", "exp", "expm1", "sin", "cos", "tanh", "sigmoid", "erf", "sign", "floor"].includes(name)) return el(same("B 3", 1, unaryDomain[name]));
  if (["add", "sub", "mul"].includes(name)) return el(same("B 3", 2));
  // Operands kept apart: no ties, where the derivative jumps.
  if (name === "maximum" || name === "minimum") return el(fc.integer({ min: 1, max: 3 }).chain((b) => tuple(f64(`${b} 3`), f64(`${b} 3`, { minAbs: 0.2 }))).map(([a, d]) => [a!, T.add(a!, d!) as X]));
  if (name === "div") return el(fc.integer({ min: 1, max: 3 }).chain((b) => tuple(f64(`${b} 3`), f64(`${b} 3`, { minAbs: 0.3 }))));
  if (name === "pow") return el(fc.integer({ min: 1, max: 3 }).chain((b) => tuple(f64(`${b} 3`, { min: 0.3, max: 2 }), f64(`${b} 3`))));
  if (["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"].includes(name)) return el(same("B 3", 2));
  if (name === "logicalAnd" || name === "logicalOr")
    return { inputs: same("B 3", 2), apply: (xs) => [bind(p as never, xs.map((x) => bind(P.greater!, [x, T.scalar(0, "float64") as never as TensorImpl], null)), null)], differentiable: false };
  if (name === "logicalNot") return { inputs: same("B 3", 1), apply: (xs) => [bind(p as never, [bind(P.greater!, [xs[0]!, impl(T.scalar(0, "float64"))], null)], null)], differentiable: false };
  if (name === "cast") return el(same("B 3", 1), { dtype: "float64" });
  if (name === "where") return { inputs: fc.integer({ min: 1, max: 3 }).chain((b) => tuple(f64(`${b} 3`, { minAbs: 0.2 }), f64(`${b} 3`), f64(`${b} 3`))), apply: (xs) => [bind(p as never, [bind(P.greater!, [xs[0]!, impl(T.scalar(0, "float64"))], null), xs[1]!, xs[2]!], null)], differentiable: true };
  if (name === "sum" || name === "max" || name === "min") return el(same("B 4", 1), { axes: [1], keepdims: false });
  if (name === "argmax" || name === "argmin") return el(same("B 4", 1), { axes: [1], keepdims: false });
  if (name === "reshape") return { inputs: same("B 6", 1), apply: (xs) => [bind(p as never, xs, { shape: [xs[0]!.shape[0]! * 2, 3], names: null })], differentiable: true };
  if (name === "transpose") return el(same("B 3", 1), { perm: [1, 0] });
  if (name === "broadcastTo") return el(same("1 3", 1), { shape: [2, 3] });
  if (name === "slice") return el(same("B 4", 1), { starts: [0, 1], ends: [1, 3] });
  if (name === "pad") return el(same("B 3", 1), { lo: [0, 1], hi: [1, 0] });
  if (name === "concat") return { inputs: same("B 2", 2), apply: (xs) => [bind(p as never, xs, { axis: 1 })], differentiable: true };
  if (name === "take") return { inputs: same("B 4", 1), apply: (xs) => [bind(p as never, [xs[0]!, impl(T.tensor([3, 0, 3], "int32"))], { axis: 1 })], differentiable: true };
  if (name === "scatterAdd") return { inputs: same("B 3", 1), apply: (xs) => [bind(p as never, [xs[0]!, impl(T.tensor([1, 1, 0], "int32"))], { axis: 1, shape: [xs[0]!.shape[0]!, 2] })], differentiable: true };
  if (name === "stopGradient") return { inputs: same("B 3", 1), apply: one(p, null), differentiable: false };
  if (name === "checkIndex") return { inputs: same("B 3", 1), apply: (xs) => [bind(p as never, [impl(T.tensor([0, 1], "int32"))], { op: "test", lo: 0, hi: 2, ignore: null }), xs[0]!], differentiable: false };
  if (name === "matmul") return { inputs: fc.integer({ min: 1, max: 3 }).chain((b) => tuple(f64(`${b} 3`), f64("3 2"))), apply: one(p, { transA: false, transB: false }), differentiable: true };
  if (name === "cumsum") return el(same("B 3", 1), { axis: 1, reverse: false });
  // Keys are integers: no derivatives; batching over keys must equal a loop over them, for every kind.
  if (name === "random") {
    const keys = fc.tuple(fc.integer(), fc.integer()).map(([a, b]) => [T.tensor([a | 0, b | 0], "int32") as X]);
    const kinds = [
      { kind: "split", n: 3, partitionable: false }, { kind: "foldIn", data: 7 }, { kind: "bits", shape: [4], names: [null] },
      { kind: "uniform", shape: [2, 2], names: [null, null], dtype: "float32", lo: -1, hi: 1 }, { kind: "normal", shape: [3], names: [null], dtype: "float64", mean: 0, std: 2 },
      { kind: "permutation", n: 5 },
    ];
    return { inputs: keys, apply: (xs) => kinds.map((k) => bind(p as never, xs, k)), differentiable: false };
  }
  // Program-holding primitives, on small programs.
  const sinMul = traceProgram((xs) => [T.mul(T.sin(typed(xs[0]!)), typed(xs[1]!)) as never as TensorImpl], [{ shape: [3], dtype: "float64", names: [null, null, null] }, { shape: [3], dtype: "float64", names: [null, null, null] }]).program;
  if (name === "call") return { inputs: same("3", 2), apply: one(p, { program: sinMul, name: "test" }), differentiable: true };
  if (name === "custom_jvp")
    return { inputs: same("3", 2), apply: (xs) => [impl(T.customJvp((a: X, b: X) => T.mul(T.sin(a), b), ([a, b], [ta, tb]) => T.add(T.mul(T.mul(T.cos(a), b), ta), T.mul(T.sin(a), tb)))(typed(xs[0]!), typed(xs[1]!)))], differentiable: true };
  if (name === "custom_vjp")
    return { inputs: same("3", 2), apply: (xs) => [impl(T.customVjp((a: X, b: X) => T.mul(T.sin(a), b), (a, b) => [T.mul(T.sin(a), b), [a, b] as const], ([a, b], ct) => [T.mul(T.mul(T.cos(a), b), ct), T.mul(T.sin(a), ct)] as [X, X])(typed(xs[0]!), typed(xs[1]!)))], differentiable: true };
  if (name === "scan")
    return {
      inputs: same("4", 2),
      apply: (xs) => {
        const [c, ys] = T.scan((cc: X, x: X) => [T.add(T.mul(cc, T.sin(x)), x), T.mul(cc, x)] as const, T.sum(typed(xs[1]!)) as X, typed(xs[0]!) as never);
        return [impl(c), impl(ys as X)];
      },
      differentiable: true,
    };
  if (name === "cond")
    return {
      inputs: same("3", 2),
      apply: (xs) => [impl(T.cond(T.greater(T.sum(typed(xs[0]!)), 0) as T.Tensor<[], "bool">, (a: X, b: X) => T.mul(a, b), (a: X, b: X) => T.sub(T.sin(a), b), typed(xs[0]!), typed(xs[1]!)))],
      differentiable: true,
    };
  if (name === "while")
    return {
      inputs: same("3", 1),
      apply: (xs) => [impl(T.whileLoop(([i]: readonly [X, X]) => T.less(i, 3), ([i, y]) => [T.add(i, T.scalar(1, "int32")), T.sin(y)] as const, [T.scalar(0, "int32"), typed(xs[0]!)] as const)[1])],
      differentiable: true,
    };
  return undefined;
}

const params = { numRuns: 12, seed: 7 };

describe("every primitive's rules", () => {
  for (const [name, p] of Object.entries(allPrimitives)) {
    it(`${name}: JVP ≈ finite differences, VJP = JVP's adjoint, batching = a loop`, () => {
      const s = sampleOf(name, p);
      expect(s, `no sample for primitive '${name}': add one to test/primitives/registry.test.ts`).toBeDefined();
      const f = (xs: readonly X[]): X[] => s!.apply(xs.map((x) => impl(x))).map((y) => typed(y));
      // Batching: vmap over every input equals a loop (the batch drawn as a stack of 2 examples).
      const batch = s!.inputs.chain((a) => s!.inputs.filter((b) => b.every((x, i) => x.shape.join() === a[i]!.shape.join())).map((b) => [a, b] as const));
      const stacked = batch.map(([a, b]) => a.map((x, i) => T.stack([x, b[i]!] as never, 0) as X));
      assertLaw(vmapMatchesLoop((...xs: X[]) => f(xs), stacked, { params, rtol: 1e-12, atol: 1e-12 }));
      if (!s!.differentiable) return;
      const g = (xs: X[]): X[] => f(xs);
      if (name === "while") {
        // Forward mode only: the JVP along e₀ against a central difference.
        fc.assert(fc.property(s!.inputs, (xs) => {
          const t = xs.map((x) => T.onesLike(x) as X);
          const [, d] = T.jvp(g, [xs], [t]);
          const h = 1e-6;
          const up = g(xs.map((x) => T.add(x, h) as X))[0]!.toFlat();
          const dn = g(xs.map((x) => T.sub(x, h) as X))[0]!.toFlat();
          d[0]!.toFlat().forEach((v, i) => expect(v).toBeCloseTo((up[i]! - dn[i]!) / (2 * h), 6));
        }), params);
        return;
      }
      assertLaw(gradMatchesFiniteDifferences(g, s!.inputs, { params, rtol: s!.rtol ?? 1e-5, atol: 1e-7 }));
      assertLaw(jvpVjpAdjoint(g, s!.inputs, { params }));
    });
  }
});
