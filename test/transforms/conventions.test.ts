/** Derivative conventions at kinks and dtype rules, as in PyTorch (checked with torch 1.13). */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

const g = (f: (x: T.Tensor<[3]>) => T.Tensor<[3]>, at: number[]) => T.grad((x: T.Tensor<[3]>) => T.sum(f(x)))(T.tensor(at) as T.Tensor<[3]>);

describe("derivatives at kinks", () => {
  it("clamp has gradient 1 on [lo, hi] including the ends, 0 outside (torch.clamp)", () => {
    expectTensor(g((x) => T.clamp(x, 0, 1), [0, 1, 2]), [3], [1, 1, 0]);
  });
  it("leakyRelu's derivative at 0 is the slope (torch.nn.functional.leaky_relu)", () => {
    expectTensor(g((x) => T.leakyRelu(x, 0.01), [0, 1, -1]), [3], [0.01, 1, 0.01]);
  });
  it("pow(x, 0) has gradient 0 at x = 0, not NaN", () => {
    expectTensor(g((x) => T.pow(x, 0), [0, 1, 2]), [3], [0, 0, 0]);
  });
});

describe("dtypes and trees", () => {
  it("a float32 input keeps a float32 gradient when mixed with float64", () => {
    const w = T.tensor([1, 2]);
    const c = T.tensor([3, 4], "float64");
    const gw = T.grad((x: T.Tensor<[2]>) => T.sum(T.mul(T.cast(x, "float64"), c)))(w);
    expect(gw.dtype).toBe("float32");
    const gm = T.grad((x: T.Tensor<[2]>) => T.sum(T.mul(x, 3) as T.Tensor<[2]>))(w);
    expect(gm.dtype).toBe("float32");
  });
  it("jvp differentiates plain-number inputs", () => {
    const [y, t] = T.jvp((x: number) => T.mul(x as never, x as never) as unknown as number, [3], [1]);
    expect(Number(String((y as unknown as T.Tensor<[], "float64">).item()))).toBe(9);
    expect((t as unknown as T.Tensor<[], "float64">).item()).toBe(6);
  });
  it("PRNG keys in a parameter tree are integer leaves: no gradient (int32 zeros), left as they are by optimizers", () => {
    const params = { w: T.tensor([1, 2]), key: T.random.key(5) };
    const gr = T.grad((p: typeof params) => T.sum(T.mul(p.w, p.w)))(params);
    expect([gr.key.dtype, gr.key.toFlat()]).toEqual(["int32", [0, 0]]);
    expect(T.leavesOf(params)).toHaveLength(2);
    for (const opt of [T.optim.sgd(0.1), T.optim.adam(0.1)] as T.optim.GradientTransformation<unknown>[]) {
      const [updates] = opt.update(gr, opt.init(params), params);
      const next = T.optim.applyUpdates(params, updates as typeof params);
      expect(next.key).toBe(params.key);
      expect(next.w.toFlat()).not.toEqual(params.w.toFlat());
    }
  });
  it("cast of NaN to bool is true (nonzero), as in PyTorch", () => {
    expect(T.cast(T.tensor([NaN, 0]), "bool").toFlat()).toEqual([1, 0]);
  });
});
