/**
 * cumsum against PyTorch. References from torch 1.13 (CPU) by /usr/bin/python3, with
 *   X = [[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0], [-1.5, 0.7, 0.3, 1.1]]; x = torch.tensor(X, requires_grad=True)   # float32
 *   W = torch.tensor([[1., 2., 3., 4.], [5., 6., 7., 8.], [9., 10., 11., 12.]])
 * (the call for each number is in the comment beside it).
 */
import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

const x = T.tensor([[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0], [-1.5, 0.7, 0.3, 1.1]]);
const W = T.tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);

describe("cumsum (PyTorch)", () => {
  it("along each axis, negative axes from the end, plain and curried", () => {
    // x.cumsum(0)
    const along0 = [1.0, 2.0, 0.5, -1.0, 1.100000023841858, 1.7000000476837158, 2.700000047683716, -1.0, -0.4000000059604645, 2.4000000953674316, 3.0, 0.10000002384185791];
    // x.cumsum(1), equal to x.cumsum(-1)
    const along1 = [1.0, 3.0, 3.5, 2.5, 0.10000000149011612, -0.20000001788139343, 2.0, 2.0, -1.5, -0.800000011920929, -0.5, 0.6000000238418579];
    expectTensor(T.cumsum(x, 0), [3, 4], along0, 0);
    expectTensor(T.cumsum(x, 1), [3, 4], along1, 0);
    expectTensor(T.cumsum(x, -1), [3, 4], along1, 0);
    expectTensor(pipe(x, T.cumsum(-2)), [3, 4], along0, 0);
  });
  it("a middle axis of a rank-3 tensor keeps names and shape", () => {
    const r = T.reshape(T.arange(24), "A B C", { A: 2, B: 3 });
    const c = T.cumsum(r, 1);
    expect(c.names).toEqual(["A", "B", "C"]);
    expectTensor(c, [2, 3, 4], [0, 1, 2, 3, 4, 6, 8, 10, 12, 15, 18, 21, 12, 13, 14, 15, 28, 30, 32, 34, 48, 51, 54, 57]);
    expect(T.sum(c).item()).toBe(T.sum(T.mul(r, T.reshape(T.tensor([3, 2, 1]), "3 1"))).item());
  });
  it("gradients are reverse cumulative sums of the cotangent", () => {
    // torch.autograd.grad((x.cumsum(1) * W).sum(), x)
    expectTensor(T.grad((z: typeof x) => T.sum(T.mul(T.cumsum(z, 1), W)))(x), [3, 4], [10, 9, 7, 4, 26, 21, 15, 8, 42, 33, 23, 12], 0);
    // torch.autograd.grad((x.cumsum(0) * W).sum(), x)
    expectTensor(T.grad((z: typeof x) => T.sum(T.mul(T.cumsum(z, 0), W)))(x), [3, 4], [15, 18, 21, 24, 14, 16, 18, 20, 9, 10, 11, 12], 0);
    // Forward mode: linear, so the tangent is the cumulative sum of the tangent.
    const [, t] = T.jvp((z: typeof x) => T.cumsum(z, 1), [x], [W]);
    expectTensor(t, [3, 4], [1, 3, 6, 10, 5, 11, 18, 26, 9, 19, 30, 42], 0);
    // Second order: cumsum is linear, so grad(grad(·)) of a cubic sees only the cube.
    const g2 = T.grad((z: typeof x) => T.sum(T.grad((u: typeof x) => T.sum(T.mul(T.cumsum(T.mul(u, T.mul(u, u)), 1), W)))(z)))(x);
    const want = T.mul(T.mul(x, 6), T.tensor([[10, 9, 7, 4], [26, 21, 15, 8], [42, 33, 23, 12]]));
    expectTensor(g2, [3, 4], want.toFlat(), 1e-6);
  });
  it("int32 stays int32 and bool counts as int32 (PyTorch gives int64 for both)", () => {
    // torch.tensor([[3, -1, 4], [1, 5, -9]], dtype=torch.int32).cumsum(1) → [[3, 2, 6], [1, 6, -3]]
    const i = T.cumsum(T.tensor([[3, -1, 4], [1, 5, -9]], "int32"), 1);
    expect(i.dtype).toBe("int32");
    expectTensor(i, [2, 3], [3, 2, 6, 1, 6, -3], 0);
    // torch.tensor([True, False, True, True]).cumsum(0) → [1, 1, 2, 3]
    const b = T.cumsum(T.tensor([true, false, true, true]), 0);
    expect(b.dtype).toBe("int32");
    expectTensor(b, [4], [1, 1, 2, 3], 0);
    // No gradient flows into integers.
    expectTensor(T.grad((z: typeof x) => T.sum(T.mul(z, T.cast(T.cumsum(T.cast(z, "int32"), 1), "float32"))))(x), [3, 4], T.cast(T.cumsum(T.cast(x, "int32"), 1), "float32").toFlat(), 0);
  });
  it("float32 sums accumulate in float64, as PyTorch's CPU kernel does", () => {
    // t = torch.full((100000,), 0.1).cumsum(0); t[-1], t[49999], t[12344] → 10000.0, 5000.0, 1234.5 (a float32 running sum ends at 9998.557)
    const c = T.cumsum(T.full("100000", 0.1), 0).toFlat();
    expect([c[99999], c[49999], c[12344]]).toEqual([10000, 5000, 1234.5]);
  });
  it("batches under vmap and runs staged by jit", () => {
    expectTensor(T.vmap((r: T.Tensor<[4]>) => T.cumsum(r, 0))(x), [3, 4], T.cumsum(x, 1).toFlat(), 0);
    expectTensor(T.vmap((c: T.Tensor<[3]>) => T.cumsum(c, -1), { inAxes: 1, outAxes: 1 })(x), [3, 4], T.cumsum(x, 0).toFlat(), 0);
    expectTensor(T.jit(T.grad((z: typeof x) => T.sum(T.mul(T.cumsum(z, 1), W))))(x), [3, 4], [10, 9, 7, 4, 26, 21, 15, 8, 42, 33, 23, 12], 0);
  });
  it("rejects an out-of-range axis, naming the op", () => {
    expect(() => T.cumsum(x, 2 as never)).toThrow(/cumsum: axis 2 is out of range for rank 2/);
  });
});
