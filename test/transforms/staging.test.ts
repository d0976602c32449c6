import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { compileCount } from "../../src/transforms/runner.js";
import { expectTensor } from "../helpers.js";

type V = T.Tensor<[number], "float64">;
const f64 = (xs: number[]) => T.tensor(xs, "float64") as unknown as V;

describe("makeProgram: a program you can print and count", () => {
  it("prints one equation per line with shapes and dtypes", () => {
    const f = (x: T.Tensor<[2, 3]>, w: T.Tensor<[3, 4]>) => T.relu(T.add(T.matmul(x, w), 1));
    const p = T.makeProgram(f)(T.zeros("2 3"), T.zeros("3 4"));
    expect(p.primitives()).toEqual(["matmul", "add", "relu"]);
    expect(p.eqns.length).toBe(3);
    const lines = String(p).split("\n");
    expect(lines[0]).toBe("{ lambda ; a:f32[2,3] b:f32[3,4]. let");
    expect(lines[1]).toMatch(/^ {4}c:f32\[2,4\] = matmul\[.*\] a b$/);
    expect(lines[2]).toBe("    d:f32[2,4] = add c 1.0:f32[]");
    expect(lines[3]).toBe("    e:f32[2,4] = relu d");
    expect(lines[4]).toBe("  in (e) }");
  });
  it("nests the programs of staged calls under their equation, and drops unused work", () => {
    const inner = T.jit((x: T.Tensor<[3]>) => T.mul(x, x));
    const p = T.makeProgram((x: T.Tensor<[3]>) => {
      void T.exp(x); // unused: pruned
      return T.sum(inner(x));
    })(T.zeros("3"));
    expect(p.primitives()).toEqual(["call", "sum"]);
    expect(String(p)).toContain("      program=\n        { lambda ; a:f32[3]. let\n            b:f32[3] = mul a a");
  });
  it("stages a gradient as a forward and a backward program (the forward runs once)", () => {
    const f = T.jit((w: T.Tensor<[3]>) => T.sum(T.exp(w)));
    const p = T.makeProgram(T.grad(f))(T.zeros("3"));
    expect(p.primitives()).toEqual(["call", "call"]);
    expect(String(p)).toContain("name=fwd(");
    expect(String(p)).toContain("name=bwd(");
  });
});

describe("jit as a primitive: it composes with every transformation and stays staged", () => {
  const f = (x: V) => T.sum(T.mul(T.sin(x), T.exp(x)));
  const x = f64([0.1, 0.5, 2]);
  it("grad(jit(f)), jit(grad(f)), jvp(jit(f)), vmap(jit(f)) equal eager bit for bit", () => {
    const g = T.grad(f)(x).toFlat();
    expect(T.grad(T.jit(f))(x).toFlat()).toEqual(g);
    expect(T.jit(T.grad(f))(x).toFlat()).toEqual(g);
    const t = f64([1, 0, 0]);
    expect(T.jvp(T.jit(f), [x], [t])[1].toFlat()).toEqual(T.jvp(f, [x], [t])[1].toFlat());
    const xs = T.tensor([[0.1, 0.5, 2], [1, -1, 0.3]], "float64") as unknown as T.Tensor<[number, number], "float64">;
    expect(T.vmap(T.jit(f))(xs as never).toFlat()).toEqual(T.vmap(f)(xs as never).toFlat());
    expect(T.vmap(T.grad(T.jit(f)))(xs as never).toFlat()).toEqual(T.vmap(T.grad(f))(xs as never).toFlat());
  });
  it("grad(jit(f)) called 10 times on same-shaped inputs compiles its programs once", () => {
    const h = T.grad(T.jit((w: V) => T.sum(T.tanh(T.mul(w, w)))));
    h(f64([1, 2, 3]));
    const before = compileCount();
    for (let i = 0; i < 10; i++) h(f64([i, i + 1, i + 2]));
    expect(compileCount()).toBe(before);
  });
  it("second derivatives through a staged call", () => {
    const g2 = T.grad(T.grad(T.jit((s: T.Tensor<[], "float64">) => T.sin(s))));
    expect(g2(T.scalar(0.3, "float64")).item()).toBeCloseTo(-Math.sin(0.3), 14);
  });
  it("a staged function that closes over a value of an enclosing transformation differentiates it", () => {
    const outer = (a: T.Tensor<[], "float64">) => T.jit((y: T.Tensor<[], "float64">) => T.mul(T.mul(a, a), y))(T.scalar(3, "float64"));
    expect(T.grad(outer)(T.scalar(2, "float64")).item()).toBe(12);
  });
});

// PyTorch's binary_cross_entropy gradient: (x − y) / max((1 − x)·x, 1e−12) per element (reduction "sum").
const torchBceGrad = (p: number[], y: number[]) => p.map((x, i) => Math.fround((x - y[i]!) / Math.max((1 - x) * x, 1e-12)));

describe("custom rules are primitives: used or batched under every transformation, never dropped", () => {
  const P = T.tensor([0, 0.3, 1, 0.5, 0.2, 1]);
  const Y = T.tensor([1, 0.1, 0, 0.5, 0.6, 1]);
  const want = torchBceGrad(P.toFlat(), Y.toFlat());
  const bce = (p: T.Tensor<[number]>, y: T.Tensor<[number]>) => T.nn.binaryCrossEntropy(p, y, { reduction: "none" });
  const bceScalar = (p: T.Tensor<[]>, y: T.Tensor<[]>) => T.nn.binaryCrossEntropy(p, y, { reduction: "sum" });
  it("at probabilities 0 and 1: grad, grad(vmap), vmap(grad), jit(grad), grad(jit(vmap))", () => {
    const close = (g: T.Tensor<any>) => g.toFlat().forEach((v, i) => expect(v).toBeCloseTo(want[i]!, want[i]! > 1e6 || want[i]! < -1e6 ? -7 : 5));
    close(T.grad((p: T.Tensor<[6]>) => T.sum(bce(p, Y)))(P));
    close(T.grad((p: T.Tensor<[6]>) => T.sum(T.vmap(bceScalar)(p as never, Y as never)))(P));
    close(T.vmap(T.grad(bceScalar))(P as never, Y as never));
    close(T.jit(T.grad((p: T.Tensor<[6]>) => T.sum(bce(p, Y))))(P));
    close(T.grad(T.jit((p: T.Tensor<[6]>) => T.sum(T.vmap(bceScalar)(p as never, Y as never))))(P));
    expect(T.grad((p: T.Tensor<[6]>) => T.sum(T.vmap(bceScalar)(p as never, Y as never)))(P).toFlat()[0]).toBe(Math.fround(-1e12));
  });
  it("customJvp's rule is batched under vmap and transposed under grad", () => {
    let calls = 0;
    const sq = T.customJvp((x: V) => T.mul(x, x), ([x], [t]) => {
      calls++;
      return T.mul(T.mul(t, x), 3); // a deliberately different rule: 3·x·t instead of 2·x·t
    });
    const x = f64([1, 2]);
    expect(T.jvp(sq, [x], [f64([1, 1])])[1].toFlat()).toEqual([3, 6]);
    expect(T.grad((y: V) => T.sum(sq(y)))(x).toFlat()).toEqual([3, 6]);
    const xs = T.tensor([[1, 2], [3, 4]], "float64");
    expect(T.vmap(T.grad((y: V) => T.sum(sq(y))))(xs as never).toFlat()).toEqual([3, 6, 9, 12]);
    expect(T.grad((y: V) => T.sum(T.vmap(sq)(y as never)))(x).toFlat()).toEqual([3, 6]);
    expect(T.jit(T.grad((y: V) => T.sum(sq(y))))(x).toFlat()).toEqual([3, 6]);
    expect(calls).toBeGreaterThan(0);
  });
  it("customVjp's backward pass is batched: an unbatched input gets the sum over the batch", () => {
    const clip = T.customVjp((x: V, w: V) => T.mul(x, w), (x, w) => [T.mul(x, w), [x, w] as const], ([x, w], ct) => [T.clamp(T.mul(ct, w), -1, 1), T.mul(ct, x)] as [V, V]);
    const w = f64([10, 0.1]);
    const xs = T.tensor([[1, 2], [3, 4]], "float64");
    const g = T.grad((ww: V) => T.sum(T.vmap((x: V) => clip(x, ww))(xs as never)))(w);
    expect(g.toFlat()).toEqual([4, 6]);
    const gx = T.grad((xx: T.Tensor<[2, 2], "float64">) => T.sum(T.vmap((x: V) => clip(x, w))(xx as never)))(xs as never);
    expect(gx.toFlat()).toEqual([1, 0.1, 1, 0.1]);
  });
});

describe("control flow primitives", () => {
  type S = T.Tensor<[], "float64">;
  const s = (v: number) => T.scalar(v, "float64") as S;
  const body = (w: S) => (c: S, x: S) => {
    const n = T.add(T.mul(c, w), T.sin(x));
    return [n, T.mul(n, x)] as const;
  };
  const scanned = (w: S, xs: V, reverse = false) => {
    const [c, ys] = T.scan(body(w), s(0.5), xs, { reverse });
    return T.add(c, T.sum(ys));
  };
  const unrolled = (w: S, xs: number[], reverse = false) => {
    let c = s(0.5);
    let total = s(0);
    for (const x of reverse ? [...xs].reverse() : xs) {
      const [n, y] = body(w)(c, s(x));
      c = n;
      total = T.add(total, y);
    }
    return T.add(c, total);
  };
  const xs = [1, 2, 3, 4];
  it("scan equals the unrolled loop, forwards and in reverse, with its gradient and second derivative", () => {
    for (const reverse of [false, true]) {
      const w = s(0.7);
      expect(scanned(w, f64(xs), reverse).item()).toBeCloseTo(unrolled(w, xs, reverse).item(), 13);
      expect(T.grad((v: S) => scanned(v, f64(xs), reverse))(w).item()).toBeCloseTo(T.grad((v: S) => unrolled(v, xs, reverse))(w).item(), 12);
      expect(T.grad(T.grad((v: S) => scanned(v, f64(xs), reverse)))(w).item()).toBeCloseTo(T.grad(T.grad((v: S) => unrolled(v, xs, reverse)))(w).item(), 11);
    }
  });
  it("scan stays one equation whatever its length (traced once, not unrolled)", () => {
    const run = (n: number) => T.makeProgram((v: V) => T.scan((c: S, x: S) => [T.add(c, x), T.mul(c, x)] as const, s(0), v))(f64(new Array<number>(n).fill(1)));
    const p10 = run(10);
    const p1000 = run(1000);
    expect(p1000.primitives()).toEqual(["scan"]);
    expect(p1000.eqns.length).toBe(p10.eqns.length);
    expect(String(p1000).split("\n").length).toBe(String(p10).split("\n").length);
  });
  it("jvp, vmap and jit of scan", () => {
    const w = s(0.7);
    const [, t] = T.jvp((v: S) => scanned(v, f64(xs)), [w], [s(1)]);
    expect(t.item()).toBeCloseTo(T.grad((v: S) => unrolled(v, xs))(w).item(), 12);
    const ws = T.tensor([0.7, 0.2], "float64");
    const batched = T.vmap((v: S) => scanned(v, f64(xs)))(ws as never).toFlat();
    expect(batched[0]).toBeCloseTo(unrolled(s(0.7), xs).item(), 13);
    expect(batched[1]).toBeCloseTo(unrolled(s(0.2), xs).item(), 13);
    expect(T.jit((v: S) => scanned(v, f64(xs)))(w).item()).toBeCloseTo(unrolled(w, xs).item(), 13);
    const xb = T.tensor([[1, 2, 3, 4], [0, 1, 0, 1]], "float64");
    const perRow = T.vmap((v: V) => scanned(s(0.7), v))(xb as never).toFlat();
    expect(perRow[1]).toBeCloseTo(unrolled(s(0.7), [0, 1, 0, 1]).item(), 13);
  });
  it("scan's gradient with respect to xs equals the unrolled loop's", () => {
    const w = s(0.7);
    const g = T.grad((v: V) => scanned(w, v))(f64(xs)).toFlat();
    const byElement = xs.map((_, i) =>
      T.grad((xi: S) => {
        let c = s(0.5);
        let total = s(0);
        xs.forEach((x, j) => {
          const [n, y] = body(w)(c, j === i ? xi : s(x));
          c = n;
          total = T.add(total, y);
        });
        return T.add(c, total);
      })(s(xs[i]!)).item(),
    );
    g.forEach((v, i) => expect(v).toBeCloseTo(byElement[i]!, 12));
  });
  const power = (x: S) =>
    T.whileLoop(([i]: readonly [T.Tensor<[], "int32">, S]) => T.less(i, 5), ([i, y]) => [T.add(i, T.scalar(1, "int32")), T.mul(y, x)] as const, [T.scalar(0, "int32"), s(1)] as const)[1];
  it("whileLoop: values, forward mode, batching, jit; reverse mode is refused with a reason", () => {
    expect(power(s(2)).item()).toBe(32);
    expect(T.jvp(power, [s(2)], [s(1)])[1].item()).toBe(80);
    expect(T.vmap(power)(T.tensor([2, 3], "float64") as never).toFlat()).toEqual([32, 243]);
    expect(T.jit(power)(s(3)).item()).toBe(243);
    expect(() => T.grad(power)(s(2))).toThrow(/reverse-mode differentiation of a while loop is not supported/);
    // A batched condition: each example stops on its own.
    const count = (n: T.Tensor<[], "int32">) =>
      T.whileLoop(([i]: readonly [T.Tensor<[], "int32">, T.Tensor<[], "int32">]) => T.less(i, n), ([i, k]) => [T.add(i, T.scalar(1, "int32")), T.add(k, T.scalar(2, "int32"))] as const, [T.scalar(0, "int32"), T.scalar(0, "int32")] as const)[1];
    expect(T.vmap(count)(T.tensor([1, 4, 0], "int32") as never).toFlat()).toEqual([2, 8, 0]);
  });
  const branchy = (x: S) => T.cond(T.greater(x, 0), (v: S) => T.mul(v, v), (v: S) => T.sin(v), x);
  it("cond: values, gradients of each branch, batched predicates, jit", () => {
    expect(branchy(s(3)).item()).toBe(9);
    expect(branchy(s(-1)).item()).toBe(Math.sin(-1));
    expect(T.grad(branchy)(s(3)).item()).toBe(6);
    expect(T.grad(branchy)(s(-1)).item()).toBe(Math.cos(-1));
    expect(T.jvp(branchy, [s(3)], [s(1)])[1].item()).toBe(6);
    expect(T.vmap(branchy)(T.tensor([3, -1], "float64") as never).toFlat()).toEqual([9, Math.sin(-1)]);
    expect(T.vmap(T.grad(branchy))(T.tensor([3, -1], "float64") as never).toFlat()).toEqual([6, Math.cos(-1)]);
    expect(T.jit(T.grad(branchy))(s(-1)).item()).toBe(Math.cos(-1));
    const p = T.makeProgram(branchy)(s(1));
    expect(p.primitives()).toEqual(["greater", "cond"]);
    expect(() => T.cond(T.greater(s(1), 0), (): T.AnyTensor => T.zeros("2"), (): T.AnyTensor => T.zeros("3"))).toThrow(/output 0 is f32\[2\] in the true branch but f32\[3\] in the false one/);
  });
});

describe("jit keeps values", () => {
  it("a staged MLP step gives the same loss as eager", () => {
    const [k1, k2] = T.random.split(T.random.key(0));
    const w = T.random.normal(k1, "4 3");
    const x = T.random.normal(k2, "5 4");
    const loss = (ww: T.Tensor<[4, 3]>) => T.mean(T.square(T.relu(T.matmul(x, ww))));
    expectTensor(T.jit(T.grad(loss))(w), [4, 3], T.grad(loss)(w).toFlat(), 1e-6);
    expectTensor(T.grad(T.jit(loss))(w), [4, 3], T.grad(loss)(w).toFlat(), 1e-6);
  });
});

describe("bad arguments to transformations are refused, not silently accepted", () => {
  it("vmap: inAxes null maps nothing; an out axis beyond the output's rank is an error", () => {
    const f = (x: T.Tensor<[2]>) => T.mul(x, 2);
    expect(() => T.vmap(f, { inAxes: null })(T.zeros("2") as never)).toThrow(/no argument is mapped/);
    expect(() => T.vmap((x: T.Tensor<[2]>) => T.reshape(x, "2 1"), { outAxes: 7 })(T.zeros("3 2") as never)).toThrow(/out axis 7 is out of range for an output of rank 2/);
    expect(T.vmap((x: T.Tensor<[2]>) => x, { outAxes: -1 })(T.zeros("3 2") as never).shape).toEqual([2, 3]);
  });
  it("grad with respect to an int32 tensor or a string is an error (as in JAX)", () => {
    expect(() => T.grad((x: T.Tensor<[2], "int32">) => T.sum(T.cast(x, "float32")))(T.tensor([1, 2], "int32"))).toThrow(/argument 0 holds a int32 tensor of shape \[2\]; only float inputs can be differentiated/);
    expect(() => T.grad((_s: string, y: T.Tensor<[]>) => y)("label", T.scalar(1))).toThrow(/argument 0 has no tensor or number to differentiate \(got string\)/);
  });
});

describe("jit's cache", () => {
  it("keys records by their sorted keys, as flatten orders them ({w, b} and {b, w} are one signature)", () => {
    let traces = 0;
    const f = T.jit((p: { w: T.Tensor<[2]>; b: T.Tensor<[2]> }) => (traces++, T.add(p.w, p.b)));
    f({ w: T.zeros("2"), b: T.ones("2") });
    f({ b: T.ones("2"), w: T.zeros("2") });
    expect(traces).toBe(1);
  });
});

describe("program simplification", () => {
  it("merges repeated equations (the backward pass of x·x computes ct·x once) and keeps distinct ones", () => {
    const p = T.makeProgram(T.grad((x: T.Tensor<[3]>) => T.sum(T.mul(x, x))))(T.ones("3"));
    expect(p.primitives().filter((n) => n === "mul").length).toBe(1);
    const q = T.makeProgram((x: T.Tensor<[3]>) => T.add(T.mul(x, 2), T.mul(x, 3)))(T.ones("3"));
    expect(q.primitives()).toEqual(["mul", "mul", "add"]);
    expect(T.grad((x: T.Tensor<[3]>) => T.sum(T.mul(x, x)))(T.tensor([1, 2, 3])).toFlat()).toEqual([2, 4, 6]);
  });
});

describe("grad of a staged function runs forward and backward as one program when it can", () => {
  const loss = (w: T.Tensor<[3]>) => T.sum(T.exp(T.mul(w, w)));
  const w = T.tensor([0.1, 0.2, 0.3]);
  it("gives the same value and gradient whether or not the output is read before the pullback", () => {
    const [v1, g1] = T.valueAndGrad(T.jit(loss))(w);
    const [v2, g2] = T.valueAndGrad(loss)(w);
    expect(v1.item()).toBe(v2.item());
    expect(g1.toFlat()).toEqual(g2.toFlat());
    // The output read first (forward program), then the pullback (backward program on the residuals).
    const [out, pull] = T.vjp(T.jit(loss), w);
    expect(out.item()).toBe(v2.item());
    expect(pull(T.scalar(2))[0].toFlat()).toEqual(T.vjp(loss, w)[1](T.scalar(2))[0].toFlat());
    // A pullback called twice gives the same cotangents.
    const [, pull2] = T.vjp(T.jit(loss), w);
    expect(pull2(T.scalar(1))[0].toFlat()).toEqual(pull2(T.scalar(1))[0].toFlat());
  });
  it("compiles the joint program once over many calls", () => {
    const g = T.grad(T.jit(loss));
    g(w);
    const before = compileCount();
    for (let i = 0; i < 5; i++) g(T.tensor([i, 1, 2]));
    expect(compileCount()).toBe(before);
  });
});
