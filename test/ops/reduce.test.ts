import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

const a = T.tensor([[1, 5, 3], [4, 2, 6]]);

describe("reductions", () => {
  it("sum over all, one, several axes, with keepdims", () => {
    expectTensor(T.sum(a), [], [21]);
    expectTensor(T.sum(a, { axis: 0 }), [3], [5, 7, 9]);
    expectTensor(T.sum(a, { axis: 1 }), [2], [9, 12]);
    expectTensor(T.sum(a, { axis: -1, keepdims: true }), [2, 1], [9, 12]);
    expectTensor(T.sum(a, { axis: [0, 1], keepdims: true }), [1, 1], [21]);
    expectTensor(pipe(a, T.sum({ axis: 0 })), [3], [5, 7, 9]);
  });
  it("mean, max, min", () => {
    expectTensor(T.mean(a), [], [3.5]);
    expectTensor(T.mean(a, { axis: 1 }), [2], [3, 4]);
    expectTensor(T.max(a, { axis: 1 }), [2], [5, 6]);
    expectTensor(T.min(a, { axis: 0, keepdims: true }), [1, 3], [1, 2, 3]);
    expect(T.mean(T.tensor([1, 2], "int32")).dtype).toBe("float32");
  });
  it("argmax / argmin give int32 indices (first on ties)", () => {
    const r = T.argmax(a, { axis: 1 });
    expect(r.dtype).toBe("int32");
    expectTensor(r, [2], [1, 2]);
    expectTensor(T.argmin(a, { axis: 0 }), [3], [0, 1, 0]);
    expectTensor(T.argmax(T.tensor([3, 7, 7])), [], [1]);
    expectTensor(T.argmax(a, { axis: 1, keepdims: true }), [2, 1], [1, 2]);
  });
  it("logsumexp is stable for ±1e4", () => {
    expectTensor(T.logsumexp(T.tensor([1e4, 1e4])), [], [1e4 + Math.log(2)], 1e-6);
    expectTensor(T.logsumexp(T.tensor([-1e4, -1e4])), [], [-1e4 + Math.log(2)], 1e-6);
    expectTensor(T.logsumexp(T.tensor([[0, Math.log(3)]]), { axis: 1 }), [1], [Math.log(4)], 1e-6);
    expectTensor(T.logsumexp(T.tensor([-Infinity, -Infinity])), [], [-Infinity]);
  });
  it("rejects out-of-range axes", () => {
    expect(() => T.sum(a, { axis: 2 } as never)).toThrow(/sum: axis 2 is out of range for rank 2/);
  });
  it("sum of all equals sum of sums over each axis", () => {
    const x = T.arange(24);
    const r = T.reshape(x, "2 3 4");
    expect(T.sum(T.sum(T.sum(r, { axis: 2 }), { axis: 1 }), { axis: 0 }).item()).toBe(T.sum(x).item());
  });
});
