/** The law kit itself: its arbitraries draw what they declare, and its laws catch what they promise to catch. */
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as T from "../../src/index.js";
import { impl } from "../../src/tensor/tensor.js";
import { isKey, key } from "../../src/random/key.js";
import {
  arbBroadcastPair, arbBroadcastShapes, arbKey, arbParams, arbShape, arbTensor, arbTensors, assertLaw, associative, batchPermutationEquivariant,
  batchPermutationInvariant, commutative, deterministicUnderKey, doesNotMutate, equivalent, gradMatchesFiniteDifferences, hessianSymmetric,
  jacobiansAgree, jvpLinear, jvpVjpAdjoint, law, lawParams, lawReport, lawTitle, optimizerStepLaws, preservesShape, roundTrips, vmapMatchesLoop,
  type LawResult, type StepTransformation,
} from "../../src/testing/index.js";

type X = T.Tensor<any, any>;
const few = { params: { numRuns: 20 } };
const sumSin = (x: X): X => T.sum(T.sin(x));

/** The report of a law expected to fail. */
function failure<V>(r: LawResult<V>): string {
  expect(r.failed).toBe(true);
  const report = lawReport(r);
  expect(report).not.toBeNull();
  expect(() => assertLaw(r)).toThrow(report!);
  return report!;
}

describe("arbitraries", () => {
  it("arbTensor draws the declared shape, dtype, names and value range", () => {
    fc.assert(
      fc.property(arbTensor("B 3 N", { sizes: { B: 2 }, min: -1, max: 1 }), (t) => {
        expect(t.shape[0]).toBe(2);
        expect(t.shape[1]).toBe(3);
        expect(t.shape[2]).toBeGreaterThanOrEqual(1);
        expect(t.shape[2]).toBeLessThanOrEqual(4);
        expect(t.dtype).toBe("float32");
        expect([...t.names]).toEqual(["B", null, "N"]);
        for (const v of t.toFlat()) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      }),
    );
  });
  it("arbTensor takes a run-time shape and every dtype", () => {
    fc.assert(
      fc.property(arbShape({ min: 0, max: 3 }).chain((s) => fc.tuple(fc.constant(s), arbTensor(s, { dtype: "int32", min: -3, max: 3 }), arbTensor(s, { dtype: "bool" }), arbTensor(s, { dtype: "float64" }))), ([s, i, b, f]) => {
        for (const t of [i, b, f]) expect([...t.shape]).toEqual(s);
        expect(i.dtype).toBe("int32");
        for (const v of i.toFlat()) expect(Number.isInteger(v) && v >= -3 && v <= 3).toBe(true);
        for (const v of b.toFlat()) expect(v === 0 || v === 1).toBe(true);
        for (const v of f.toFlat()) expect(Number.isFinite(v)).toBe(true);
      }),
    );
  });
  it("minAbs keeps values away from 0 and minGap keeps them apart", () => {
    fc.assert(
      fc.property(arbTensor("N", { minAbs: 0.5, minGap: 0.1, dtype: "float64", sizes: { N: 6 } }), (t) => {
        const v = t.toFlat();
        for (const a of v) expect(Math.abs(a)).toBeGreaterThanOrEqual(0.5);
        for (let i = 0; i < v.length; i++) for (let j = i + 1; j < v.length; j++) expect(Math.abs(v[i]! - v[j]!)).toBeGreaterThanOrEqual(0.1);
      }),
    );
  });
  it("named dims are drawn once and shared by the tensors drawn together; the record is a plain object", () => {
    fc.assert(
      fc.property(arbTensors({ x: "B 3", y: "B", idx: { shape: "B K", dtype: "int32", min: 0, max: 2 } }), (r) => {
        expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
        expect(r.x.shape[0]).toBe(r.y.shape[0]);
        expect(r.idx.shape[0]).toBe(r.y.shape[0]);
        expect(r.idx.dtype).toBe("int32");
        expect(r.x.dtype).toBe("float32");
      }),
    );
    // B varies between draws (it is drawn, not fixed).
    const bs = new Set(fc.sample(arbTensors({ x: "B 3", y: "B" }), 100).map((r) => r.x.shape[0]));
    expect(bs.size).toBeGreaterThan(1);
  });
  it("arbShape respects rank and dim bounds", () => {
    fc.assert(
      fc.property(arbShape({ min: 1, max: 3 }, { minDim: 2, maxDim: 5 }), (s) => {
        expect(s.length).toBeGreaterThanOrEqual(1);
        expect(s.length).toBeLessThanOrEqual(3);
        for (const d of s) expect(d >= 2 && d <= 5).toBe(true);
      }),
    );
  });
  it("arbBroadcastPair gives compatible shapes, with scalars, size-1 dims and rank differences", () => {
    const pairs = fc.sample(arbBroadcastPair(), 500);
    for (const [a, b] of pairs) expect(() => T.broadcastShapes("test", a, b)).not.toThrow();
    expect(pairs.some(([a, b]) => a.length === 0 || b.length === 0)).toBe(true);
    expect(pairs.some(([a, b]) => a.length !== b.length)).toBe(true);
    expect(pairs.some(([a, b]) => a.some((d, i) => d === 1 && (b[b.length - a.length + i] ?? 1) > 1))).toBe(true);
    for (const [a, b, c] of fc.sample(arbBroadcastShapes(3), 100)) expect(() => T.broadcastShapes("test", T.broadcastShapes("test", a!, b!), c!)).not.toThrow();
  });
  it("arbKey draws keys; arbParams calls init with them", () => {
    for (const k of fc.sample(arbKey(), 20)) expect(isKey(k)).toBe(true);
    const layer = T.nn.linear(3, 2);
    fc.assert(
      fc.property(arbParams(layer.init), (p) => {
        expect(T.leafPaths(p)).toEqual(T.leafPaths(layer.init(key(0))));
        for (const [a, b] of T.leavesOf(p).map((l, i) => [l, T.leavesOf(layer.init(key(0)))[i]] as const)) expect((a as X).shape).toEqual((b as X).shape);
      }),
      { numRuns: 10 },
    );
  });
});

describe("runner", () => {
  const saved = { runs: process.env.TENFOLD_LAW_RUNS, seed: process.env.TENFOLD_LAW_SEED };
  afterEach(() => {
    for (const [k, v] of [["TENFOLD_LAW_RUNS", saved.runs], ["TENFOLD_LAW_SEED", saved.seed]] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  it("lawParams reads TENFOLD_LAW_RUNS and TENFOLD_LAW_SEED; lawTitle shows the count; results carry numRuns", () => {
    process.env.TENFOLD_LAW_RUNS = "7";
    process.env.TENFOLD_LAW_SEED = "42";
    expect(lawParams()).toEqual({ numRuns: 7, seed: 42 });
    expect(lawTitle("add is commutative")).toBe("add is commutative (7 runs)");
    const r = law("trivial", fc.integer(), () => true);
    expect(r.numRuns).toBe(7);
    expect(r.seed).toBe(42);
    expect(r.law).toBe("trivial");
    delete process.env.TENFOLD_LAW_RUNS;
    expect(lawParams({ numRuns: 12 }).numRuns).toBe(12);
    process.env.TENFOLD_LAW_RUNS = "many";
    expect(() => lawParams()).toThrow(/TENFOLD_LAW_RUNS/);
  });
  it("a failing law reports the counterexample as tensors print, the reason and how to replay", () => {
    const r = law("all positive", arbTensor("3", { dtype: "float64" }), (x) => x.toFlat().every((v) => v > 0));
    const report = failure(r);
    expect(report).toContain('Law "all positive" failed');
    expect(report).toContain("shape=[3], dtype=float64");
    expect(report).toContain("TENFOLD_LAW_SEED=");
    expect(assertLaw(law("fine", fc.integer(), () => true)).failed).toBe(false);
  });
});

describe("derivative laws", () => {
  it("gradMatchesFiniteDifferences passes for correct derivatives (scalar and tree outputs, tree inputs)", () => {
    assertLaw(gradMatchesFiniteDifferences(sumSin, arbTensor("B 3"), few));
    assertLaw(gradMatchesFiniteDifferences((x: X) => T.softmax(x), arbTensor("B 3"), few));
    assertLaw(gradMatchesFiniteDifferences(({ w, b }: { w: X; b: X }) => ({ y: T.tanh(T.add(w, b)), s: T.sum(w) }), arbTensors({ w: "N 3", b: "3" }), few));
  });
  it("gradMatchesFiniteDifferences catches a wrong customJvp rule with a readable counterexample", () => {
    // sin with the derivative of −cos written as cos(x)·2: wrong by a factor 2.
    const wrongSin = T.customJvp((x: X) => T.sin(x), ([x], [dx]) => T.mul(dx, T.mul(T.cos(x as X), 2)));
    const report = failure(gradMatchesFiniteDifferences((x: X) => T.sum(wrongSin(x)), arbTensor("B 3"), few));
    expect(report).toMatch(/∂\/∂x\[\d+, \d+\] of f: autodiff gives .* but central differences give /);
    expect(report).toContain("Counterexample:");
    expect(report).toMatch(/tensor\(.*shape=\[\d+, 3\], dtype=float32\)/s);
  });
  it("gradMatchesFiniteDifferences catches a hand-written wrong gradient (customVjp) and names the leaf", () => {
    const square = T.customVjp(
      (x: X) => T.mul(x, x),
      (x: X) => [T.mul(x, x), x] as [X, X],
      (x: X, ct: X) => [T.mul(ct, x)] as [X], // should be 2·x·ct
    );
    const report = failure(gradMatchesFiniteDifferences(({ a, b }: { a: X; b: X }) => T.add(T.sum(square(a)), T.sum(b)), arbTensors({ a: "N", b: "N" }), few));
    expect(report).toMatch(/∂\/∂x\.a\[\d+\]/);
  });
  it("jvpVjpAdjoint catches a reverse rule that disagrees with forward mode", () => {
    assertLaw(jvpVjpAdjoint((x: X) => T.matmul(x, T.transpose(x)), arbTensor("A B"), few));
    const bad = T.customVjp((x: X) => T.exp(x), (x: X) => [T.exp(x), x] as [X, X], (x: X, ct: X) => [T.mul(ct, x)] as [X]);
    expect(failure(jvpVjpAdjoint(bad, arbTensor("N", { min: 0.5, max: 2 }), few))).toMatch(/⟨u, J·v⟩ = .* \(forward mode\) but ⟨Jᵀ·u, v⟩ = .* \(reverse mode\)/);
  });
  it("jvpLinear catches a rule that is not linear in the tangent", () => {
    assertLaw(jvpLinear((x: X) => T.logsumexp(x, { axis: -1 }), arbTensor("A B"), few));
    const bad = T.customJvp((x: X) => T.sin(x), ([x], [dx]) => T.mul(T.mul(dx, dx), T.cos(x as X)));
    expect(failure(jvpLinear(bad, arbTensor("N"), few))).toContain("α·jvp(v₁) + β·jvp(v₂)");
  });
  it("hessianSymmetric and jacobiansAgree hold for smooth functions", () => {
    assertLaw(hessianSymmetric((x: X) => T.logsumexp(T.mul(x, T.sin(x))), arbTensor("N"), few));
    assertLaw(jacobiansAgree((x: X) => T.softmax(x), arbTensor("A B"), few));
  });
});

describe("algebraic and structural laws", () => {
  const vec = arbTensor("N", { dtype: "float64" });
  const pair = arbTensors({ a: "N", b: "N" }, { dtype: "float64" }).map(({ a, b }) => [a, b] as const);
  it("equivalent, commutative, associative and roundTrips hold and fail as they should", () => {
    assertLaw(equivalent((x: X) => T.add(x, x), (x: X) => T.mul(x, 2), vec, few));
    failure(equivalent((x: X) => T.add(x, 1), (x: X) => x, vec, few));
    assertLaw(commutative<X>(T.add, pair, few));
    expect(failure(commutative<X>(T.sub, pair, few))).toContain("op(a, b)");
    const triple = arbTensors({ a: "N", b: "N", c: "N" }, { dtype: "float64" }).map(({ a, b, c }) => [a, b, c] as const);
    assertLaw(associative<X>(T.add, triple, { rtol: 1e-12, atol: 1e-12, ...few }));
    failure(associative<X>(T.sub, triple, few));
    assertLaw(roundTrips((x: X) => T.transpose(x), (x: X) => T.transpose(x), arbTensor("A B"), few));
    failure(roundTrips((x: X) => T.exp(x), (x: X) => x, vec, few));
  });
  it("preservesShape catches a reduction", () => {
    assertLaw(preservesShape((x: X) => T.sin(x), arbTensor("A B"), few));
    expect(failure(preservesShape((x: X) => T.sum(x, { axis: 0 }), arbTensor("A B"), few))).toMatch(/f\(x\) has shape \[\d+\] but x has shape \[\d+, \d+\]/);
  });
  it("doesNotMutate catches a function writing into its input's buffer", () => {
    assertLaw(doesNotMutate((x: X) => T.softmax(x), arbTensor("A B"), few));
    const vandal = (x: X): X => {
      (impl(x).concrete().data as Float32Array)[0] = 12345;
      return x;
    };
    expect(failure(doesNotMutate(vandal, arbTensor("A B"), few))).toMatch(/f mutated its input: x\[0, 0\]: value changed from .* to 12345/);
  });
  it("batch permutation laws", () => {
    assertLaw(batchPermutationInvariant((x: X) => T.sum(x, { axis: 0 }), arbTensor("B 3", { dtype: "float64" }), { rtol: 1e-12, atol: 1e-12, ...few }));
    assertLaw(batchPermutationEquivariant((x: X) => T.softmax(x), arbTensor("B 3"), few));
    assertLaw(batchPermutationEquivariant(({ x, y }: { x: X; y: X }) => T.mul(x, T.expandDims(y, 1)), arbTensors({ x: "B 3", y: "B" }), few));
    // Depends on the first example: neither invariant nor equivariant.
    const firstRow = (x: X): X => T.slice(x, 0, 0, 1);
    failure(batchPermutationInvariant(firstRow, arbTensor("B 3", { sizes: { B: fc.integer({ min: 2, max: 4 }) }, minGap: 0.01 }), few));
    failure(batchPermutationEquivariant((x: X) => T.sub(x, firstRow(x)), arbTensor("B 3", { sizes: { B: fc.integer({ min: 2, max: 4 }) }, minGap: 0.01 }), few));
  });
  it("vmapMatchesLoop holds for pure functions and catches an impure one", () => {
    assertLaw(vmapMatchesLoop((x: X, w: X) => T.matmul(x, w), fc.tuple(arbTensor("B 2 3"), arbTensor("3 4")), { inAxes: [0, null], ...few }));
    let calls = 0;
    const impure = (x: X): X => T.mul(x, ++calls);
    expect(failure(vmapMatchesLoop(impure, fc.tuple(arbTensor("B 3", { minAbs: 1 })), few))).toContain("stack([f(example) for each example])");
  });
});

describe("optimizer and key laws", () => {
  it("the library's optimizers satisfy the step laws (weight decay: not a zero-gradient no-op)", () => {
    for (const opt of [T.optim.sgd(0.1), T.optim.sgd(0.1, { momentum: 0.9, nesterov: true }), T.optim.adam(1e-3), T.optim.rmsprop(0.01)])
      assertLaw(optimizerStepLaws(opt as StepTransformation<unknown, unknown>, few));
    assertLaw(optimizerStepLaws(T.optim.adamw(1e-3) as StepTransformation<unknown, unknown>, { zeroGradientIsNoop: false, ...few }));
    expect(failure(optimizerStepLaws(T.optim.sgd(0.1, { weightDecay: 0.1 }) as StepTransformation<unknown, unknown>, few))).toContain("zero gradient");
  });
  it("catches an optimizer that mutates its state or returns the wrong structure", () => {
    const mutating: StepTransformation<unknown, { count: X }> = {
      init: () => ({ count: T.zeros("1") }),
      update: (g, s) => {
        (impl(s.count).concrete().data as Float32Array)[0]! += 1;
        return [g, s];
      },
    };
    expect(failure(optimizerStepLaws(mutating, few))).toMatch(/update mutated its input: state\.count\[0\]/);
    const dropsLeaves: StepTransformation<{ w: X }, null> = { init: () => null, update: (g) => [{ w: g.w }, null] };
    expect(failure(optimizerStepLaws(dropsLeaves as StepTransformation<unknown, null>, few))).toMatch(/updates has leaves \{w\} but grads has/);
  });
  it("deterministicUnderKey holds for samplers and catches hidden randomness and ignored keys", () => {
    assertLaw(deterministicUnderKey((k) => T.random.normal(k, "3"), few));
    assertLaw(deterministicUnderKey((k) => ({ a: T.random.uniform(T.random.split(k)[0]!, "2 2"), b: T.random.normal(T.random.split(k)[1]!, "2") }), few));
    expect(failure(deterministicUnderKey(() => T.tensor([Math.random()]), few))).toContain("two calls with the same key differ");
    expect(failure(deterministicUnderKey(() => T.zeros("2"), few))).toContain("two different keys gave identical outputs");
  });
});

describe("the example of docs/laws.md", () => {
  const logCoshWith = (rule: (x: X, dx: X) => X) =>
    T.customJvp((x: X) => T.sub(T.add(T.abs(x), T.log1p(T.exp(T.mul(T.abs(x), -2)))), Math.LN2), ([x], [dx]) => rule(x as X, dx as X));
  const xs = arbTensor("B N", { dtype: "float64", min: -5, max: 5 });
  it("holds for the right rule", () => {
    const logCosh = logCoshWith((x, dx) => T.mul(dx, T.tanh(x)));
    assertLaw(preservesShape(logCosh, xs, few));
    assertLaw(gradMatchesFiniteDifferences((x: X) => T.sum(logCosh(x)), xs, few));
    assertLaw(jvpVjpAdjoint(logCosh, xs, few));
    assertLaw(vmapMatchesLoop(logCosh, xs.map((x) => [x] as const), few));
  });
  it("fails for a wrong rule as the guide shows", () => {
    const wrong = logCoshWith((x, dx) => T.mul(dx, x));
    const report = failure(gradMatchesFiniteDifferences((x: X) => T.sum(wrong(x)), xs, few));
    expect(report).toMatch(/^Law "gradMatchesFiniteDifferences" failed after \d+ runs? \(shrunk \d+ times?\)\.\nCounterexample:\n  tensor\(/);
    expect(report).toMatch(/∂\/∂x\[\d+, \d+\] of f: autodiff gives .* but central differences give .*\nReplay: TENFOLD_LAW_SEED=-?\d+ TENFOLD_LAW_PATH="[\d:]+"$/);
  });
});
