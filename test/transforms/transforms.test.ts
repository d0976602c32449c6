/** The transformations: jvp, vjp, grad to any order, vmap, jacobians, custom rules, pytrees. */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";

const s = (v: number) => T.scalar(v, "float64");

describe("grad", () => {
  it("d2l: y = 2·(x·x) with x = arange(4) has gradient 4x", () => {
    const x = T.arange(4);
    const g = T.grad((t: T.Tensor<[4]>) => T.mul(2, T.sum(T.mul(t, t))))(x);
    expectTensor(g, [4], [0, 4, 8, 12]);
  });
  it("of a pytree returns a tree of the same type", () => {
    const params = { w: T.tensor([1, 2], "float64"), layers: [{ b: s(3) }], lr: 0.5 };
    const g = T.grad((p: typeof params) => T.add(T.sum(T.mul(p.w, p.w)), T.mul(p.layers[0]!.b, p.lr)))(params);
    expectTensor(g.w, [2], [2, 4]);
    expectTensor(g.layers[0]!.b, [], [0.5]);
    expect(g.lr).toBe(3);
  });
  it("argnums selects arguments", () => {
    const f = (a: T.Tensor<[], "float64">, b: T.Tensor<[], "float64">) => T.mul(a, T.mul(b, b));
    expectTensor(T.grad(f, { argnums: 1 })(s(2), s(3)), [], [12]);
    const [ga, gb] = T.grad(f, { argnums: [0, 1] })(s(2), s(3));
    expectTensor(ga, [], [9]);
    expectTensor(gb, [], [12]);
  });
  it("valueAndGrad and valueAndGradWithAux", () => {
    const [v, g] = T.valueAndGrad((x: T.Tensor<[], "float64">) => T.exp(x))(s(0));
    expect(v.item()).toBe(1);
    expect(g.item()).toBe(1);
    const [[loss, aux], g2] = T.valueAndGradWithAux((x: T.Tensor<[], "float64">) => [T.mul(x, x), { doubled: T.mul(x, 2) }] as const)(s(3));
    expect(loss.item()).toBe(9);
    expect(aux.doubled.item()).toBe(6);
    expect(g2.item()).toBe(6);
  });
  it("a function that ignores an input has a zero gradient for it", () => {
    const g = T.grad((a: T.Tensor<[2]>, _b: T.Tensor<[2]>) => T.sum(a), { argnums: 1 })(T.ones("2"), T.ones("2"));
    expectTensor(g, [2], [0, 0]);
  });
});

describe("higher order", () => {
  it("no perturbation confusion: d/dx [x · d/dy (x + y)] = 1", () => {
    for (const x0 of [-3, 0, 2.5]) {
      const f = (x: T.Tensor<[], "float64">) => T.mul(x, T.grad((y: T.Tensor<[], "float64">) => T.add(x, y))(s(1)));
      expect(T.grad(f)(s(x0)).item()).toBe(1);
      // the same with forward mode outside
      const [, t] = T.jvp(f, [s(x0)], [s(1)]);
      expect(t.item()).toBe(1);
    }
  });
  it("sin'' = −sin, (x³)'' = 6x, exp''' = exp", () => {
    const d2 = T.grad(T.grad((x: T.Tensor<[], "float64">) => T.sin(x)));
    expect(d2(s(0.7)).item()).toBeCloseTo(-Math.sin(0.7), 12);
    const c = T.grad(T.grad((x: T.Tensor<[], "float64">) => T.mul(x, T.mul(x, x))));
    expect(c(s(1.5)).item()).toBeCloseTo(9, 12);
    const e3 = T.grad(T.grad(T.grad((x: T.Tensor<[], "float64">) => T.exp(x))));
    expect(e3(s(0.3)).item()).toBeCloseTo(Math.exp(0.3), 12);
  });
  it("Hessian-vector product by jvp of grad equals the Hessian times v", () => {
    const f = (x: T.Tensor<[3], "float64">) => T.sum(T.mul(T.sin(x), T.mul(x, x)));
    const x = T.tensor([0.1, 0.5, 1.2], "float64");
    const v = T.tensor([1, -2, 0.5], "float64");
    const [, hvp] = T.jvp(T.grad(f), [x], [v]);
    const h = T.hessian(f)(x);
    expectTensor(hvp, [3], T.matmul(h, v).toFlat(), 1e-10);
    // symmetric
    expectTensor(h, [3, 3], T.transpose(h).toFlat(), 1e-12);
  });
});

describe("jvp and vjp", () => {
  it("jvp gives the directional derivative; vjp the transpose", () => {
    const f = (x: T.Tensor<[2], "float64">) => T.stack([T.mul(x, x), T.sin(x)]);
    const x = T.tensor([1, 2], "float64");
    const [y, t] = T.jvp(f, [x], [T.tensor([1, 0], "float64")]);
    expectTensor(y, [2, 2], [1, 4, Math.sin(1), Math.sin(2)]);
    expectTensor(t, [2, 2], [2, 0, Math.cos(1), 0]);
    const [, pull] = T.vjp(f, x);
    const [g] = pull(T.tensor([[1, 1], [1, 1]], "float64"));
    expectTensor(g, [2], [2 + Math.cos(1), 4 + Math.cos(2)], 1e-12);
  });
  it("rejects tangents of the wrong shape", () => {
    expect(() => T.jvp((x: T.Tensor<[2]>) => x, [T.ones("2")], [T.ones("3") as never])).toThrow(/tangent 0 has shape \[3\]/);
  });
});

describe("vmap", () => {
  it("maps over a leading axis, with unmapped arguments", () => {
    const xs = T.tensor([[1, 2], [3, 4], [5, 6]]);
    const w = T.tensor([[1, 0], [0, 2]]);
    const out = T.vmap((x: T.Tensor<[2]>, m: T.Tensor<[2, 2]>) => T.matmul(x, m), { inAxes: [0, null] })(xs, w);
    expectTensor(out, [3, 2], [1, 4, 3, 8, 5, 12]);
  });
  it("in and out axes", () => {
    const xs = T.tensor([[1, 2, 3], [4, 5, 6]]);
    const out = T.vmap((x: T.Tensor<[2]>) => T.sum(x), { inAxes: 1 })(xs);
    expectTensor(out, [3], [5, 7, 9]);
    const o2 = T.vmap((x: T.Tensor<[3]>) => T.mul(x, 2), { outAxes: 1 })(xs);
    expectTensor(o2, [3, 2], [2, 8, 4, 10, 6, 12]);
  });
  it("per-example gradients: vmap(grad(f)) equals stacking grad(f)", () => {
    const loss = (w: T.Tensor<[3], "float64">, x: T.Tensor<[3], "float64">) => T.square(T.sum(T.mul(w, x)));
    const w = T.tensor([0.5, -1, 2], "float64");
    const xs = T.tensor([[1, 2, 3], [0, 1, 0], [2, 2, 2]], "float64");
    const batched = T.vmap((x: T.Tensor<[3], "float64">) => T.grad(loss)(w, x))(xs);
    const rows = [0, 1, 2].map((i) => T.grad(loss)(w, T.reshape(T.slice(xs, 0, i, i + 1), "3")));
    expectTensor(batched, [3, 3], rows.flatMap((r) => r.toFlat()), 1e-12);
  });
  it("batches take/gather with batched indices", () => {
    const x = T.tensor([[10, 20, 30], [40, 50, 60]]);
    const idx = T.tensor([[2], [0]], "int32");
    const out = T.vmap((r: T.Tensor<[3]>, i: T.Tensor<[1], "int32">) => T.take(r, i))(x, idx);
    expectTensor(out, [2, 1], [30, 40]);
  });
});

describe("jacobians", () => {
  it("jacfwd equals jacrev", () => {
    const f = (x: T.Tensor<[3], "float64">) => T.softmax(x);
    const x = T.tensor([0.1, 1, -0.5], "float64");
    expectTensor(T.jacfwd(f)(x), [3, 3], T.jacrev(f)(x).toFlat(), 1e-12);
  });
});

describe("custom rules", () => {
  it("customJvp is used in forward and (transposed) in reverse mode", () => {
    // log(1 + exp(x)) with a rule written as sigmoid(x)·t, deliberately scaled by 2 to see it is used.
    const f = T.customJvp(
      (x: T.Tensor<[], "float64">) => T.log1p(T.exp(x)),
      ([x], [t]) => T.mul(T.mul(T.sigmoid(x), t), 2),
    );
    const [, t] = T.jvp(f, [s(0)], [s(1)]);
    expect(t.item()).toBeCloseTo(1, 12);
    expect(T.grad(f)(s(0)).item()).toBeCloseTo(1, 12);
  });
  it("customVjp is used in reverse mode", () => {
    const clipGrad = T.customVjp(
      (x: T.Tensor<[], "float64">) => x,
      (x) => [x, null],
      (_res, ct) => [T.clamp(ct, -1, 1)] as [T.Tensor<[], "float64">],
    );
    expect(T.grad((x: T.Tensor<[], "float64">) => T.mul(clipGrad(x), 5))(s(1)).item()).toBe(1);
  });
});
