import { describe, expect, it } from "vitest";
import { arange, eye, fromArray, full, linspace, ones, scalar, ShapeError, tensor, zeros, zerosLike, onesLike } from "../../src/index.js";
import { expectTensor } from "../helpers.js";

describe("constructors", () => {
  it("tensor infers the shape from nested arrays", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expectTensor(t, [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(t.dtype).toBe("float32");
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(tensor([1, 2], "int32").dtype).toBe("int32");
    expect(tensor(5).shape).toEqual([]);
  });
  it("tensor rejects ragged input", () => {
    expect(() => tensor([[1, 2], [3]] as never)).toThrow(ShapeError);
  });
  it("fromArray checks the element count", () => {
    expectTensor(fromArray([1, 2, 3, 4, 5, 6], "2 3"), [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => fromArray([1, 2, 3], "2 3")).toThrow(/fromArray: got 3 values for a shape of 6 elements/);
  });
  it("zeros/ones/full bind named dims", () => {
    const z = zeros("B 784", { B: 3 });
    expect(z.shape).toEqual([3, 784]);
    expect(z.names).toEqual(["B", null]);
    expectTensor(ones("2 2", "int32"), [2, 2], [1, 1, 1, 1]);
    expect(ones("2", "int32").dtype).toBe("int32");
    expectTensor(full("3", 7), [3], [7, 7, 7]);
    expect(() => zeros("B 3", {} as never)).toThrow(/named dim 'B' has no size/);
    expect(() => zeros("3x" as never)).toThrow(ShapeError);
  });
  it("arange, linspace, eye, scalar", () => {
    expectTensor(arange(4), [4], [0, 1, 2, 3]);
    expectTensor(arange(1, 2, 0.25), [4], [1, 1.25, 1.5, 1.75]);
    expect(arange(3, "int32").dtype).toBe("int32");
    expectTensor(linspace(0, 1, 5), [5], [0, 0.25, 0.5, 0.75, 1]);
    expectTensor(eye(2), [2, 2], [1, 0, 0, 1]);
    expect(scalar(3).item()).toBe(3);
    expect(scalar(true).item()).toBe(true);
  });
  it("zerosLike / onesLike keep shape and dtype", () => {
    const x = tensor([[1, 2]], "float64");
    expectTensor(zerosLike(x), [1, 2], [0, 0]);
    expect(onesLike(x).dtype).toBe("float64");
  });
});

describe("printing", () => {
  it("prints like PyTorch with shape and dtype", () => {
    expect(String(tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]))).toBe(
      "tensor([[0.1000, 0.3000, 0.6000],\n        [0.3000, 0.2000, 0.5000]], shape=[2, 3], dtype=float32)",
    );
    expect(String(scalar(1))).toBe("tensor(1., shape=[], dtype=float32)");
    expect(String(tensor([1, 2], "int32"))).toBe("tensor([1, 2], shape=[2], dtype=int32)");
    expect(String(tensor([true, false]))).toBe("tensor([ True, False], shape=[2], dtype=bool)");
    expect(String(tensor([1e-5, 1]))).toContain("1.0000e-05");
    expect(String(zeros("1000 2"))).toContain("...");
  });
  it("toArray and item", () => {
    expect(tensor([[1, 2], [3, 4]]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor([true]).toArray()).toEqual([true]);
    expect(() => tensor([1, 2]).item()).toThrow(/item/);
  });
});
