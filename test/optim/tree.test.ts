/** The leafwise helpers that let count-derived scalars meet parameter leaves (tensors or numbers). */
import { describe, expect, it } from "vitest";
import { jit, scalar, tensor, type AnyTensor, type Tensor } from "../../src/index.js";
import { adam, applyUpdates, cosineDecay, leafWhere, scalarFor, sgd, type GradientTransformation } from "../../src/optim/index.js";

describe("scalarFor", () => {
  it("casts a float64 scalar to a tensor leaf's dtype and reads it for a number leaf", () => {
    const s = scalar(0.1, "float64");
    const f32 = scalarFor(s, tensor([1, 2]));
    expect(typeof f32 !== "number" && [f32.dtype, f32.item()]).toEqual(["float32", Math.fround(0.1)]);
    const f64 = scalarFor(s, tensor([1], "float64"));
    expect(typeof f64 !== "number" && [f64.dtype, f64.item()]).toEqual(["float64", 0.1]);
    expect(scalarFor(s, 3)).toBe(0.1);
  });
});

describe("leafWhere", () => {
  it("selects tensors with where and numbers with a plain choice", () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    const pick = (c: boolean) => leafWhere(scalar(c), a, b);
    expect((pick(true) as typeof a).toFlat()).toEqual([1, 2]);
    expect((pick(false) as typeof a).toFlat()).toEqual([3, 4]);
    expect(leafWhere(scalar(false), 1, 2)).toBe(2);
    expect((leafWhere(scalar(true), 5, b) as typeof a).toFlat()).toEqual([5, 5]);
  });

  it("stages with a traced condition; two number leaves need a concrete one", () => {
    const f = jit((c: Tensor<[], "bool">) => leafWhere(c, tensor([1]), tensor([2])));
    expect((f(scalar(false)) as AnyTensor).toFlat()).toEqual([2]);
    const g = jit((c: Tensor<[], "bool">) => leafWhere(c, 1, 2));
    expect(() => g(scalar(true))).toThrow(/not known while staging/);
  });
});

describe("number leaves", () => {
  it("stay numbers under a schedule, momentum and Adam (eagerly), moving as a float64 tensor leaf does", () => {
    const opts = [sgd(cosineDecay(0.1, 4), { momentum: 0.9, dampening: 0.2 }), adam(cosineDecay(0.1, 4))] as GradientTransformation<unknown>[];
    for (const opt of opts) {
      let p = { s: 0.5, t: tensor([0.5], "float64") };
      let st = opt.init(p);
      for (const g of [0.3, -1.2, 0.7]) {
        const [u, s2] = opt.update({ s: g, t: tensor([g], "float64") }, st, p);
        p = applyUpdates(p, u);
        st = s2;
        expect(typeof p.s).toBe("number");
        expect(p.s).toBe(p.t.toFlat()[0]);
      }
    }
  });
});
