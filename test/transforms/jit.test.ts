import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { expectTensor } from "../helpers.js";
import { jitOrEager } from "../../src/transforms/jit.js";
import { impl } from "../../src/tensor/tensor.js";

const mlpLoss = (p: { w1: T.Tensor<[4, 8]>; b1: T.Tensor<[8]>; w2: T.Tensor<[8, 3]> }, x: T.Tensor<[5, 4]>, y: T.Tensor<[5], "int32">) => {
  const h = T.relu(T.add(T.matmul(x, p.w1), p.b1));
  const ls = T.logSoftmax(T.matmul(h, p.w2));
  return T.neg(T.mean(T.takeAlongAxis(ls, T.expandDims(y, 1), 1)));
};
const key = T.random.key(0);
const [k1, k2, k3] = T.random.split(key, 3);
const params = { w1: T.random.normal(k1!, "4 8"), b1: T.random.normal(k2!, "8"), w2: T.random.normal(k3!, "8 3") };
const x = T.random.normal(T.random.key(1), "5 4");
const y = T.tensor([0, 2, 1, 1, 0], "int32");

describe("jit", () => {
  it("gives the same values as eager execution for a training step (forward, backward, update)", () => {
    const step = (p: typeof params, xx: typeof x, yy: typeof y) => {
      const [l, g] = T.valueAndGrad(mlpLoss)(p, xx, yy);
      return [T.mapTree((a: T.Tensor<any>, b: T.Tensor<any>) => T.sub(a, T.mul(b, 0.1)), p, g), l] as const;
    };
    const fast = T.jit(step);
    let pe = params;
    let pj = params;
    for (let i = 0; i < 3; i++) {
      const [ne, le] = step(pe, x, y);
      const [nj, lj] = fast(pj, x, y);
      expect(lj.item()).toBeCloseTo(le.item(), 5);
      pe = ne;
      pj = nj;
    }
    expectTensor(pj.w1, [4, 8], pe.w1.toFlat(), 1e-5);
    expectTensor(pj.b1, [8], pe.b1.toFlat(), 1e-5);
  });
  it("composes: grad(jit(f)) and jit(grad(f)) agree with grad(f)", () => {
    const f = (t: T.Tensor<[3], "float64">) => T.sum(T.mul(T.sin(t), T.exp(t)));
    const t = T.tensor([0.1, 0.5, 2], "float64");
    const want = T.grad(f)(t).toFlat();
    expectTensor(T.grad(T.jit(f))(t), [3], want, 1e-12);
    expectTensor(T.jit(T.grad(f))(t), [3], want, 1e-12);
  });
  it("treats plain numbers as static and recompiles for new shapes", () => {
    const f = T.jit((a: T.Tensor<[number]>, s: number) => T.mul(a, s));
    expectTensor(f(T.tensor([1, 2]), 3), [2], [3, 6]);
    expectTensor(f(T.tensor([1, 2]), 4), [2], [4, 8]);
    expectTensor(f(T.tensor([1, 2, 3]), 2), [3], [2, 4, 6]);
  });
  it("fuses broadcasting elementwise chains correctly (rows, columns, scalars)", () => {
    const f = (a: T.Tensor<[2, 3]>, row: T.Tensor<[3]>, col: T.Tensor<[2, 1]>) => T.relu(T.sub(T.mul(T.add(a, row), col), 1));
    const a = T.tensor([[1, -2, 3], [4, 5, -6]]);
    const row = T.tensor([1, 2, 3]);
    const col = T.tensor([[2], [-1]]);
    expectTensor(T.jit(f)(a, row, col), [2, 3], f(a, row, col).toFlat());
  });
  it("refuses value-dependent code with a clear message", () => {
    const f = T.jit((a: T.Tensor<[2]>) => (a.toFlat()[0]! > 0 ? a : T.neg(a)));
    expect(() => f(T.tensor([1, 2]))).toThrow(/jit: the value of a traced argument is not known while staging/);
  });
});

describe("jit's cache keys", () => {
  it("tell −0 from 0 among number arguments, and functions by identity", () => {
    const f = T.jit((v: T.Tensor<[2]>, s: number) => T.div(v, s));
    const v = T.tensor([1, -2]);
    expect(f(v, 0).toFlat()).toEqual([Infinity, -Infinity]);
    expect(f(v, -0).toFlat()).toEqual([-Infinity, Infinity]);
    const g = T.jit((x: T.Tensor<[2]>, o: { act: (t: T.Tensor<[2]>) => T.Tensor<[2]> }) => o.act(x));
    expect(g(v, { act: T.relu }).toFlat()).toEqual([1, 0]);
    expect(g(v, { act: T.neg }).toFlat()).toEqual([-1, 2]);
  });
  it("run batched products (one kernel call per slice, each at its own address) like eager execution", () => {
    const a = T.fromArray(Array.from({ length: 40 * 9 * 12 }, (_, i) => ((i * 13) % 17) - 8), "40 9 12");
    const b = T.fromArray(Array.from({ length: 40 * 12 * 10 }, (_, i) => ((i * 7) % 11) - 5), "40 12 10");
    const f = (x: T.Tensor<[40, 9, 12]>, y: T.Tensor<[40, 12, 10]>) => T.relu(T.matmul(T.add(x, 1), y));
    const want = f(a, b).toFlat();
    const fast = T.jit(f);
    for (let i = 0; i < 3; i++) expect(fast(a, b).toFlat()).toEqual(want);
  });
});

describe("jit's fusion along the data flow", () => {
  it("fuses interleaved chains of different parameters and keeps every value a later equation reads", () => {
    const f = (a: T.Tensor<[40, 30]>, b: T.Tensor<[30]>, c: T.Tensor<[40, 30]>) => {
      const u1 = T.mul(a, -0.1);
      const u2 = T.mul(b, 3);
      const u3 = T.sub(c, a);
      const s = T.sum(u1, { axis: 0 }); // reads the first chain midway
      const r1 = T.add(T.relu(u1), s);
      const r2 = T.add(u2, b);
      const r3 = T.where(T.greater(u3, 0), T.mul(u3, r1), u1);
      return [r1, r2, r3, s] as const;
    };
    const mk = (n: number, k: number) => Array.from({ length: n }, (_, i) => (((i * 37 + k) % 23) - 11) / 4);
    const a = T.fromArray(mk(1200, 1), "40 30");
    const b = T.fromArray(mk(30, 2), "30");
    const c = T.fromArray(mk(1200, 3), "40 30");
    const want = f(a, b, c).map((t) => t.toFlat());
    const fast = T.jit(f);
    for (let i = 0; i < 3; i++) expect(fast(a, b, c).map((t) => t.toFlat())).toEqual(want);
  });
});

describe("jit's planned buffers", () => {
  const data = (n: number, k: number) => Array.from({ length: n }, (_, i) => ((i * 7 + k) % 13) - 6);
  it("never let a later call write into an earlier call's results, also through reshapes and views", () => {
    const f = T.jit((x: T.Tensor<[64, 48]>, w: T.Tensor<[48, 32]>) => {
      const h = T.relu(T.add(T.matmul(x, w), 0.5));
      const z = T.mul(h, 2);
      return { h, flat: T.reshape(z, "2048"), s: T.sum(z, { axis: 0 }), m: T.matmul(h, T.transpose(w)) };
    });
    const x1 = T.fromArray(data(64 * 48, 1), "64 48");
    const x2 = T.fromArray(data(64 * 48, 5), "64 48");
    const w = T.fromArray(data(48 * 32, 3).map((v) => v / 10), "48 32");
    const r1 = f(x1, w);
    const snapshot = { h: r1.h.toFlat(), flat: r1.flat.toFlat(), s: r1.s.toFlat(), m: r1.m.toFlat() };
    const r2 = f(x2, w);
    const r3 = f(x1, w);
    expect({ h: r1.h.toFlat(), flat: r1.flat.toFlat(), s: r1.s.toFlat(), m: r1.m.toFlat() }).toEqual(snapshot);
    expect({ h: r3.h.toFlat(), flat: r3.flat.toFlat(), s: r3.s.toFlat(), m: r3.m.toFlat() }).toEqual(snapshot);
    expect(r2.h.toFlat()).not.toEqual(snapshot.h);
    // Intermediates live in the kernels' (shared) memory during a run; what the caller gets never does.
    for (const t of [r1.h, r1.flat, r1.s, r1.m]) expect((t as unknown as { concrete(): { data: Float32Array } }).concrete().data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });
  it("hand out zeroed storage where a kernel expects it (scatter-add gradients of take)", () => {
    const g = T.jit(T.grad((x: T.Tensor<[50, 20]>) => T.sum(T.take(x, T.tensor([3, 3, 7], "int32")))));
    const x = T.fromArray(data(1000, 2), "50 20");
    const first = g(x).toFlat();
    for (let i = 0; i < 3; i++) expect(g(x).toFlat()).toEqual(first);
    expect(first.reduce((a, b) => a + b, 0)).toBe(60);
  });
});

describe("jit's donated buffers", () => {
  const dataOf = (t: unknown) => impl(t as never).concrete().data as Float32Array;
  type Out = { w: T.Tensor<[6, 4]>; v: T.Tensor<[6, 4]>; n: T.Tensor<[]> };
  const f = (p: { w: T.Tensor<[6, 4]>; v: T.Tensor<[6, 4]> }, g: T.Tensor<[6, 4]>): Out => ({ w: T.sub(p.w, T.mul(g, 0.5)), v: p.v, n: T.sum(g) });
  const w0 = T.fromArray(Array.from({ length: 24 }, (_, i) => i / 4), "6 4");
  const v0 = T.fromArray(Array.from({ length: 24 }, (_, i) => -i), "6 4");
  const g = T.fromArray(Array.from({ length: 24 }, (_, i) => (i % 5) - 2), "6 4");

  it("write a later call's results into donated buffers that an earlier call returned, with the values of a plain run", () => {
    const run = T.jit(f, { donateArgnums: [0] });
    const plain = T.jit(f);
    const w0copy = w0.toFlat();
    const o1 = run({ w: w0, v: v0 }, g);
    expect(dataOf(o1.w)).not.toBe(dataOf(w0)); // the caller's own tensor is never written
    expect(w0.toFlat()).toEqual(w0copy);
    const want = plain({ w: o1.w, v: o1.v }, g).w.toFlat();
    const buf = dataOf(o1.w);
    const o2 = run({ w: o1.w, v: o1.v }, g);
    expect(dataOf(o2.w)).toBe(buf);
    expect(o2.w.toFlat()).toEqual(want);
    expect(o2.v.toFlat()).toEqual(v0.toFlat());
  });

  it("never write a donated buffer that a result of the same call holds (a value passed through)", () => {
    const run = T.jit(f, { donateArgnums: [0] });
    const o1 = run({ w: w0, v: v0 }, g);
    const held = dataOf(o1.w);
    const before = o1.w.toFlat();
    // o1.w is passed through as v: donating its buffer must not clobber that result.
    const o2 = run({ w: o1.w, v: o1.w }, g);
    expect(dataOf(o2.v)).toBe(held);
    expect(o2.v.toFlat()).toEqual(before);
    expect(dataOf(o2.w)).not.toBe(held);
  });
});

describe("jitOrEager", () => {
  it("stages a stageable function, runs one with value-dependent control flow eagerly, and lets other errors through", () => {
    let traces = 0;
    const f = jitOrEager((a: T.Tensor<[3]>) => (traces++, T.mul(a, 2)));
    expect(f(T.tensor([1, 2, 3])).toFlat()).toEqual([2, 4, 6]);
    expect(f(T.tensor([4, 5, 6])).toFlat()).toEqual([8, 10, 12]);
    expect(traces).toBe(1); // traced once, then replayed
    const g = jitOrEager((a: T.Tensor<[2]>) => (a.toFlat()[0]! > 0 ? a : T.neg(a)));
    expect(g(T.tensor([1, -2])).toFlat()).toEqual([1, -2]);
    expect(g(T.tensor([-1, 2])).toFlat()).toEqual([1, -2]);
    const h = jitOrEager((a: T.Tensor<[2]>, b: T.Tensor<[3]>) => T.add(a, b as never));
    expect(() => h(T.tensor([1, 2]), T.tensor([1, 2, 3]))).toThrow(/add/);
  });
});

describe("checks that run inside staged programs", () => {
  it("an out-of-range class index throws under jit as it does eagerly", () => {
    const ce = (o: T.Tensor<[2, 3]>, t: T.Tensor<[2], "int32">) => T.nn.crossEntropy(o, t);
    const bad = T.tensor([0, 3], "int32");
    expect(() => ce(T.zeros("2 3"), bad)).toThrow(/crossEntropy: index 3 is out of range \[0, 3\)/);
    expect(() => T.jit(ce)(T.zeros("2 3"), bad)).toThrow(/crossEntropy: index 3 is out of range \[0, 3\)/);
    expect(() => T.takeAlongAxis(T.zeros("2 3"), T.tensor([[3], [0]], "int32"), 1)).toThrow(/takeAlongAxis: index 3 is out of range/);
  });
});
