/** Every primitive's JVP and VJP against hand-derived derivatives. */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

type F = (x: T.Tensor<[3], "float64">) => T.Tensor<[3], "float64">;
const xs = [0.3, 0.7, 1.9];
const x = T.tensor([0.3, 0.7, 1.9], "float64");

// f, f' pointwise
const unary: [string, F, (v: number) => number][] = [
  ["neg", T.neg, () => -1],
  ["exp", T.exp, Math.exp],
  ["log", T.log, (v) => 1 / v],
  ["log1p", T.log1p, (v) => 1 / (1 + v)],
  ["expm1", T.expm1, Math.exp],
  ["sqrt", T.sqrt, (v) => 0.5 / Math.sqrt(v)],
  ["abs", (t) => T.abs(T.neg(t)), () => 1],
  ["sign", T.sign, () => 0],
  ["square", T.square, (v) => 2 * v],
  ["reciprocal", T.reciprocal, (v) => -1 / (v * v)],
  ["relu", (t) => T.relu(T.sub(t, 0.5)), (v) => (v > 0.5 ? 1 : 0)],
  ["sigmoid", T.sigmoid, (v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2],
  ["tanh", T.tanh, (v) => 1 - Math.tanh(v) ** 2],
  ["sin", T.sin, Math.cos],
  ["cos", T.cos, (v) => -Math.sin(v)],
  ["erf", T.erf, (v) => (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v)],
  ["pow (base)", (t) => T.pow(t, 3), (v) => 3 * v * v],
  ["pow (exponent)", (t) => T.pow(2, t), (v) => Math.log(2) * 2 ** v],
  ["mul by self", (t) => T.mul(t, t), (v) => 2 * v],
  ["div", (t) => T.div(1, t), (v) => -1 / (v * v)],
  ["maximum", (t) => T.maximum(t, 1), (v) => (v > 1 ? 1 : 0)],
  ["minimum", (t) => T.minimum(t, 1), (v) => (v < 1 ? 1 : 0)],
  ["where", (t) => T.where(T.greater(t, 1), T.mul(t, 3), T.neg(t)), (v) => (v > 1 ? 3 : -1)],
  ["cast round trip", (t) => T.cast(T.cast(t, "float32"), "float64"), () => 1],
  ["stopGradient", T.stopGradient, () => 0],
];

describe("elementwise derivatives (grad of sum and jvp with ones)", () => {
  for (const [name, f, d] of unary) {
    it(name, () => {
      const g = T.grad((t: T.Tensor<[3], "float64">) => T.sum(f(t)))(x);
      expectTensor(g, [3], xs.map(d), 1e-6);
      const [, tan] = T.jvp(f, [x], [T.ones("3", "float64")]);
      expectTensor(tan, [3], xs.map(d), 1e-6);
    });
  }
  it("maximum splits ties evenly, relu'(0) = 0", () => {
    const g = T.grad((t: T.Tensor<[1], "float64">) => T.sum(T.maximum(t, 1)))(T.tensor([1], "float64"));
    expectTensor(g, [1], [0.5]);
    expectTensor(T.grad((t: T.Tensor<[1]>) => T.sum(T.relu(t)))(T.tensor([0])), [1], [0]);
  });
});

describe("broadcasting gradients are reduced to the input's shape", () => {
  it("add a row vector to a matrix", () => {
    const m = T.ones("2 3", "float64");
    const b = T.tensor([1, 2, 3], "float64");
    const [gm, gb] = T.grad((mm: typeof m, bb: typeof b) => T.sum(T.mul(T.add(mm, bb), T.tensor([[1, 2, 3], [4, 5, 6]], "float64"))), { argnums: [0, 1] })(m, b);
    expectTensor(gm, [2, 3], [1, 2, 3, 4, 5, 6]);
    expectTensor(gb, [3], [5, 7, 9]);
  });
  it("scalar times matrix", () => {
    const s = T.scalar(2, "float64");
    const g = T.grad((ss: typeof s) => T.sum(T.mul(ss, T.tensor([[1, 2], [3, 4]], "float64"))))(s);
    expectTensor(g, [], [10]);
  });
});

describe("reduction and structure derivatives", () => {
  const m = T.tensor([[1, 5, 3], [4, 2, 6]], "float64");
  const w = T.tensor([[1, 2, 3], [4, 5, 6]], "float64");
  const gradOf = (f: (t: typeof m) => T.Tensor<any, "float64">) => T.grad((t: typeof m) => T.sum(T.mul(f(t) as never, 1)) as T.Tensor<[], "float64">)(m);
  it("sum / mean", () => {
    expectTensor(gradOf((t) => T.sum(t, { axis: 1 })), [2, 3], [1, 1, 1, 1, 1, 1]);
    expectTensor(gradOf((t) => T.mean(t)), [2, 3], new Array(6).fill(1 / 6));
  });
  it("max picks the arg-max, sharing ties", () => {
    expectTensor(gradOf((t) => T.max(t, { axis: 1 })), [2, 3], [0, 1, 0, 0, 0, 1]);
    const g = T.grad((t: T.Tensor<[3], "float64">) => T.max(t))(T.tensor([2, 2, 1], "float64"));
    expectTensor(g, [3], [0.5, 0.5, 0]);
    expectTensor(gradOf((t) => T.min(t, { axis: 0 })), [2, 3], [1, 0, 1, 0, 1, 0]);
  });
  it("logsumexp's gradient is softmax; stable at ±1e4", () => {
    const g = T.grad((t: T.Tensor<[2], "float64">) => T.logsumexp(t))(T.tensor([0, Math.log(3)], "float64"));
    expectTensor(g, [2], [0.25, 0.75]);
    const h = T.grad((t: T.Tensor<[2]>) => T.logsumexp(t))(T.tensor([1e4, -1e4]));
    expectTensor(h, [2], [1, 0]);
  });
  it("reshape, transpose, permute, slice, concat, take, takeAlongAxis", () => {
    expectTensor(gradOf((t) => T.mul(T.reshape(t, "3 2"), T.reshape(w, "3 2"))), [2, 3], [1, 2, 3, 4, 5, 6]);
    expectTensor(gradOf((t) => T.mul(T.transpose(t), T.transpose(w))), [2, 3], [1, 2, 3, 4, 5, 6]);
    expectTensor(gradOf((t) => T.slice(t, 1, 1, 3)), [2, 3], [0, 1, 1, 0, 1, 1]);
    expectTensor(gradOf((t) => T.concat([t, T.mul(t, 2)], 0)), [2, 3], [3, 3, 3, 3, 3, 3]);
    expectTensor(gradOf((t) => T.take(t, T.tensor([0, 0, 1], "int32"))), [2, 3], [2, 2, 2, 1, 1, 1]);
    expectTensor(gradOf((t) => T.takeAlongAxis(t, T.tensor([[2], [0]], "int32"), 1)), [2, 3], [0, 0, 1, 1, 0, 0]);
    expectTensor(gradOf((t) => T.broadcastTo(T.expandDims(t, 0), "4 2 3")), [2, 3], [4, 4, 4, 4, 4, 4]);
  });
  it("matmul: dA = G·Bᵀ, dB = Aᵀ·G", () => {
    const a = T.tensor([[1, 2], [3, 4]], "float64");
    const b = T.tensor([[5, 6, 7], [8, 9, 10]], "float64");
    const gw = T.tensor([[1, 0, 2], [0, 1, 0]], "float64");
    const [ga, gb] = T.grad((x1: typeof a, x2: typeof b) => T.sum(T.mul(T.matmul(x1, x2), gw)), { argnums: [0, 1] })(a, b);
    // G·Bᵀ = [[1·5+2·7, 1·8+2·10], [6, 9]]
    expectTensor(ga, [2, 2], [19, 28, 6, 9]);
    // Aᵀ·G = [[1, 3, 2], [2, 4, 4]]
    expectTensor(gb, [2, 3], [1, 3, 2, 2, 4, 4]);
    const [, t] = T.jvp((x1: typeof a) => T.matmul(x1, b), [a], [T.ones("2 2", "float64")]);
    expectTensor(t, [2, 3], [13, 15, 17, 13, 15, 17]);
  });
  it("einsum differentiates through its lowering", () => {
    const a = T.tensor([[1, 2], [3, 4]], "float64");
    const g = T.grad((t: typeof a) => T.sum(T.einsum("ij,jk->ik", t, t)))(a);
    // d/dA sum(A·A) = 1·Aᵀ + Aᵀ·1
    expectTensor(g, [2, 2], [7, 11, 9, 13]);
  });
});

describe("integer and boolean ops have zero gradient", () => {
  it("argmax, comparisons and casts to int stop gradients", () => {
    const g = T.grad((t: T.Tensor<[3]>) => T.sum(T.cast(T.cast(t, "int32"), "float32")))(T.tensor([1.5, 2, 3]));
    expectTensor(g, [3], [0, 0, 0]);
  });
});

describe("grad checks its function", () => {
  it("non-scalar output is a run-time error (and a compile-time one where the type shows it)", () => {
    // @ts-expect-error — the output is a rank-1 tensor
    const bad = T.grad((t: T.Tensor<[3]>) => T.mul(t, 2));
    expect(() => bad(T.tensor([1, 2, 3]))).toThrow(/grad: the function must return a scalar \(shape \[\]\), got shape \[3\]/);
  });
  it("argnums out of range", () => {
    expect(() => T.grad((t: T.Tensor<[]>) => t, { argnums: 2 })(T.scalar(1))).toThrow(/argnums 2 is out of range/);
  });
});
