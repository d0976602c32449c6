import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

const a = T.tensor([[1, 2, 3], [4, 5, 6]]);

describe("structure ops", () => {
  it("reshape with literals, names and inference", () => {
    expectTensor(T.reshape(a, "3 2"), [3, 2], [1, 2, 3, 4, 5, 6]);
    const img = T.zeros("28 28");
    expect(T.reshape(img, "784").shape).toEqual([784]);
    const b = T.reshape(T.zeros("6 4"), "B 8");
    expect(b.shape).toEqual([3, 8]);
    expect(b.names).toEqual(["B", null]);
    expect(pipe(a, T.reshape("6")).shape).toEqual([6]);
    expect(() => T.reshape(a, "4 2" as never)).toThrow(/reshape: cannot reshape 6 elements/);
  });
  it("flatten", () => {
    expect(T.flatten(T.zeros("2 3 4")).shape).toEqual([24]);
    expect(T.flatten(T.zeros("2 3 4"), 1).shape).toEqual([2, 12]);
    expect(T.flatten(T.zeros("2 3 4 5"), 1, 2).shape).toEqual([2, 12, 5]);
  });
  it("transpose and permute", () => {
    expectTensor(T.transpose(a), [3, 2], [1, 4, 2, 5, 3, 6]);
    const x = T.reshape(T.arange(24), "2 3 4");
    const p = T.permute(x, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.toArray()).toEqual([0, 1, 2, 3].map((k) => [0, 1].map((i) => [0, 1, 2].map((j) => i * 12 + j * 4 + k))));
    expect(() => T.permute(x, [0, 0, 1] as never)).toThrow(/not a permutation/);
  });
  it("expandDims and squeeze", () => {
    expect(T.expandDims(a, 0).shape).toEqual([1, 2, 3]);
    expect(T.expandDims(a, -1).shape).toEqual([2, 3, 1]);
    expect(T.squeeze(T.zeros("1 3 1")).shape).toEqual([3]);
    expect(T.squeeze(T.zeros("1 3 1"), 0).shape).toEqual([3, 1]);
    expect(() => T.squeeze(a, 0 as never)).toThrow(/squeeze: dim 0 has size 2, not 1/);
  });
  it("concat and stack", () => {
    expectTensor(T.concat([a, a], 0), [4, 3], [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expectTensor(T.concat([a, T.tensor([[7], [8]])], 1), [2, 4], [1, 2, 3, 7, 4, 5, 6, 8]);
    expectTensor(T.stack([T.tensor([1, 2]), T.tensor([3, 4])]), [2, 2], [1, 2, 3, 4]);
    expectTensor(T.stack([T.tensor([1, 2]), T.tensor([3, 4])], 1), [2, 2], [1, 3, 2, 4]);
    expect(() => T.concat([a, T.zeros("3 3")] as never, 1)).toThrow(/concat: shapes differ outside axis 1/);
  });
  it("slice", () => {
    expectTensor(T.slice(a, 1, 1, 3), [2, 2], [2, 3, 5, 6]);
    expectTensor(T.slice(a, 0, -1), [1, 3], [4, 5, 6]);
    expectTensor(pipe(a, T.slice(1, 0, 1)), [2, 1], [1, 4]);
  });
  it("slice and its gradient (pad) copy long rows as blocks, in every dtype", () => {
    const x = T.fromArray(Array.from({ length: 240 }, (_, i) => i), "3 4 20");
    const got = T.slice(T.slice(x, 1, 1, 3), 0, 1, 3);
    const want = [1, 2].flatMap((i) => [1, 2].flatMap((j) => Array.from({ length: 20 }, (_, k) => i * 80 + j * 20 + k)));
    expectTensor(got, [2, 2, 20], want);
    expectTensor(T.slice(T.cast(x, "int32"), 2, 0, 17), [3, 4, 17], x.toFlat().filter((_, i) => i % 20 < 17));
    const g = T.grad((t: T.Tensor<[3, 4, 20]>) => T.sum(T.slice(t, 1, 1, 3)))(T.zeros("3 4 20"));
    expectTensor(g, [3, 4, 20], Array.from({ length: 240 }, (_, i) => (Math.floor(i / 20) % 4 >= 1 && Math.floor(i / 20) % 4 < 3 ? 1 : 0)));
  });
  it("take, takeAlongAxis (the tutorial's pick), gather", () => {
    expectTensor(T.take(a, T.tensor([1, 0, 1], "int32")), [3, 3], [4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expectTensor(T.take(a, T.tensor([2, 0], "int32"), 1), [2, 2], [3, 1, 6, 4]);
    const yHat = T.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
    const y = T.tensor([0, 2], "int32");
    expectTensor(T.takeAlongAxis(yHat, T.expandDims(y, 1), 1), [2, 1], [0.1, 0.5]);
    expectTensor(T.gather(yHat, 1, T.tensor([[2, 0], [1, 1]], "int32")), [2, 2], [0.6, 0.1, 0.2, 0.2]);
    expect(() => T.take(a, T.tensor([5], "int32"))).toThrow(/take: index 5 is out of range/);
  });
  it("oneHot", () => {
    expectTensor(T.oneHot(T.tensor([0, 2], "int32"), 3), [2, 3], [1, 0, 0, 0, 0, 1]);
  });
  it("broadcastTo and stopGradient", () => {
    expectTensor(T.broadcastTo(T.tensor([1, 2]), "2 2"), [2, 2], [1, 2, 1, 2]);
    expectTensor(T.stopGradient(a), [2, 3], [1, 2, 3, 4, 5, 6]);
  });
});

describe("matmul and einsum", () => {
  it("2-D, batched, broadcast batch, rank-1", () => {
    const b = T.tensor([[1, 0], [0, 1], [1, 1]]);
    expectTensor(T.matmul(a, b), [2, 2], [4, 5, 10, 11]);
    expectTensor(pipe(a, T.matmul(b)), [2, 2], [4, 5, 10, 11]);
    const batch = T.stack([a, T.mul(a, 2)]);
    expectTensor(T.matmul(batch, b), [2, 2, 2], [4, 5, 10, 11, 8, 10, 20, 22]);
    expectTensor(T.matmul(T.tensor([1, 1]), a), [3], [5, 7, 9]);
    expectTensor(T.matmul(a, T.tensor([1, 0, 1])), [2], [4, 10]);
    expectTensor(T.matmul(T.tensor([1, 2]), T.tensor([3, 4])), [], [11]);
  });
  it("rejects mismatched inner dims at run time", () => {
    const x = T.zeros("B 784", { B: 2 });
    const w = T.zeros("785 10") as unknown as T.Tensor<[784, 10]>;
    expect(() => T.matmul(x, w)).toThrow(/matmul: inner dimensions 784 and 785 differ \(shapes \[2, 784\] and \[785, 10\]\)/);
  });
  it("einsum", () => {
    const x = T.tensor([[1, 2], [3, 4]]);
    const w = T.tensor([[1, 0, 2], [0, 1, 3]]);
    expectTensor(T.einsum("bi,ij->bj", x, w), [2, 3], [1, 2, 8, 3, 4, 18]);
    expectTensor(T.einsum("ij->ji", x), [2, 2], [1, 3, 2, 4]);
    expectTensor(T.einsum("ij->", x), [], [10]);
    expectTensor(T.einsum("i,i->", T.tensor([1, 2]), T.tensor([3, 4])), [], [11]);
    expectTensor(T.einsum("i,j->ij", T.tensor([1, 2]), T.tensor([3, 4])), [2, 2], [3, 4, 6, 8]);
    expectTensor(T.einsum("bi,jk->bk", x, w), [2, 3], [3, 3, 15, 7, 7, 35]);
    expectTensor(T.einsum("bij,bjk->bik", T.stack([x, x]), T.stack([w, w])), [2, 2, 3], [1, 2, 8, 3, 4, 18, 1, 2, 8, 3, 4, 18]);
    expectTensor(T.einsum("ij,jk,kl->il", x, w, T.ones("3 1")), [2, 1], [11, 25]);
    expect(() => T.einsum("bij,jk->bk" as never, x, w)).toThrow(/subscripts 'bij' have 3 letters but operand 0 has rank 2/);
  });
});
