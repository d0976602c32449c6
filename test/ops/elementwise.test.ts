import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

const x = T.tensor([-2, -0.5, 0, 0.5, 2]);

describe("unary ops", () => {
  const cases: [string, (t: T.Tensor<[5]>) => T.Tensor<[5], any>, (v: number) => number][] = [
    ["neg", T.neg, (v) => -v],
    ["exp", T.exp, Math.exp],
    ["abs", T.abs, Math.abs],
    ["sign", T.sign, Math.sign],
    ["square", T.square, (v) => v * v],
    ["relu", T.relu, (v) => Math.max(v, 0)],
    ["sigmoid", T.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
    ["tanh", T.tanh, Math.tanh],
    ["sin", T.sin, Math.sin],
    ["cos", T.cos, Math.cos],
    ["erf", T.erf, (v) => [-0.9953222650189527, -0.5204998778130465, 0, 0.5204998778130465, 0.9953222650189527][[-2, -0.5, 0, 0.5, 2].indexOf(v)]!],
  ];
  for (const [name, f, ref] of cases) {
    it(name, () => expectTensor(f(x), [5], [-2, -0.5, 0, 0.5, 2].map(ref), 1e-6));
  }
  it("log, log1p, sqrt, reciprocal on positives", () => {
    const p = T.tensor([0.5, 1, 4]);
    expectTensor(T.log(p), [3], [Math.log(0.5), 0, Math.log(4)]);
    expectTensor(T.log1p(p), [3], [Math.log1p(0.5), Math.log(2), Math.log(5)]);
    expectTensor(T.sqrt(p), [3], [Math.SQRT1_2, 1, 2]);
    expectTensor(T.reciprocal(p), [3], [2, 1, 0.25]);
    expectTensor(T.log(T.tensor([0])), [1], [-Infinity]);
  });
  it("keeps int dtype for neg/abs and promotes for exp", () => {
    const i = T.tensor([-1, 2], "int32");
    expect(T.neg(i).dtype).toBe("int32");
    expect(T.exp(i).dtype).toBe("float32");
  });
});

describe("binary ops with broadcasting", () => {
  it("adds same shapes, scalars, and rows", () => {
    const a = T.tensor([[1, 2, 3], [4, 5, 6]]);
    expectTensor(T.add(a, a), [2, 3], [2, 4, 6, 8, 10, 12]);
    expectTensor(T.add(a, 1), [2, 3], [2, 3, 4, 5, 6, 7]);
    expectTensor(T.sub(10, a), [2, 3], [9, 8, 7, 6, 5, 4]);
    expectTensor(T.add(a, T.tensor([10, 20, 30])), [2, 3], [11, 22, 33, 14, 25, 36]);
    expectTensor(T.mul(a, T.tensor([[2], [3]])), [2, 3], [2, 4, 6, 12, 15, 18]);
  });
  it("broadcasts size-1 dims on both sides and rank-0", () => {
    const col = T.tensor([[1], [2]]);
    const row = T.tensor([[10, 20, 30]]);
    expectTensor(T.add(col, row), [2, 3], [11, 21, 31, 12, 22, 32]);
    expectTensor(T.mul(T.scalar(2), row), [1, 3], [20, 40, 60]);
    expectTensor(T.add(T.scalar(1), T.scalar(2)), [], [3]);
    const z = T.zeros("0 3");
    expect(T.add(z, T.tensor([1, 2, 3])).shape).toEqual([0, 3]);
  });
  it("rejects incompatible shapes at run time with a ShapeError naming op and shapes", () => {
    const a = T.zeros("N 3", { N: 2 }) as unknown as T.Tensor<[number, 3]>;
    const b = T.zeros("N 4", { N: 2 }) as unknown as T.Tensor<[number, 3]>;
    expect(() => T.add(a, b)).toThrow(/add: cannot broadcast dims 3 and 4 at axis -1 \(shapes \[2, 3\] and \[2, 4\]\)/);
  });
  it("rejects one name meaning two sizes", () => {
    const a = T.zeros("B 3", { B: 2 });
    const b = T.zeros("B 3", { B: 1 });
    expect(() => T.add(a, b)).toThrow(/dim 'B' is 2 in one operand but 1 in another/);
  });
  it("div, pow, maximum, minimum", () => {
    expectTensor(T.div(T.tensor([1, 2]), T.tensor([4, 8])), [2], [0.25, 0.25]);
    expect(T.div(T.tensor([1], "int32"), T.tensor([2], "int32")).dtype).toBe("float32");
    expectTensor(T.pow(T.tensor([2, 3]), 2), [2], [4, 9]);
    expectTensor(T.maximum(T.tensor([1, 5]), T.tensor([3, 2])), [2], [3, 5]);
    expectTensor(T.minimum(T.tensor([1, 5]), 2), [2], [1, 2]);
  });
  it("comparisons give bool, where selects", () => {
    const a = T.tensor([1, 2, 3]);
    const gt = T.greater(a, 2);
    expect(gt.dtype).toBe("bool");
    expectTensor(gt, [3], [false, false, true]);
    expectTensor(T.equal(a, T.tensor([1, 0, 3])), [3], [true, false, true]);
    expectTensor(T.lessEqual(a, 2), [3], [true, true, false]);
    expectTensor(T.where(gt, a, T.neg(a)), [3], [-1, -2, 3]);
    expectTensor(T.where(T.tensor([[true], [false]]), T.tensor([1, 2]), 0), [2, 2], [1, 2, 0, 0]);
  });
  it("is pipeable: pipe(x, add(b)) is add(x, b)", () => {
    const a = T.tensor([1, 2]);
    expectTensor(pipe(a, T.sub(T.tensor([1, 1])), T.mul(3)), [2], [0, 3]);
    expectTensor(pipe(a, T.cast("int32")), [2], [1, 2]);
  });
  it("clamp and cast", () => {
    expectTensor(T.clamp(T.tensor([-2, 0.5, 3]), 0, 1), [3], [0, 0.5, 1]);
    expect(T.cast(T.tensor([1.7, -1.7]), "int32").toFlat()).toEqual([1, -1]);
    expect(T.cast(T.tensor([0, 2]), "bool").toFlat()).toEqual([0, 1]);
  });
  it("never mutates inputs", () => {
    const a = T.tensor([1, 2, 3]);
    const before = a.toFlat();
    T.add(a, a);
    T.exp(a);
    T.sum(a);
    expect(a.toFlat()).toEqual(before);
  });
});
