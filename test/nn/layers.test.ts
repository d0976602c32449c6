import { pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { key } from "../../src/random/key.js";
import * as nn from "../../src/nn/index.js";
import { expectTensor } from "../helpers.js";

describe("linear", () => {
  const lin = nn.linear(3, 2);
  it("applies x·W + b with W stored [in, out]", () => {
    const p = { w: T.tensor([[1, 2], [3, 4], [5, 6]]), b: T.tensor([0.5, -0.5]) };
    const y: T.Tensor<[2, 2]> = lin.apply(p, T.tensor([[1, 1, 1], [1, 0, -1]]));
    expectTensor(y, [2, 2], [9.5, 11.5, -3.5, -4.5]);
  });
  it("initializes with PyTorch's default 𝒰(±1/√in), deterministically", () => {
    const big = nn.linear(100, 50);
    const p = big.init(key(0));
    expect([...p.w.shape]).toEqual([100, 50]);
    expect([...p.b.shape]).toEqual([50]);
    for (const v of [...p.w.toFlat(), ...p.b.toFlat()]) expect(Math.abs(v)).toBeLessThanOrEqual(0.1);
    expect(p.w.toFlat()).toEqual(big.init(key(0)).w.toFlat());
    expect(p.w.toFlat()).not.toEqual(big.init(key(1)).w.toFlat());
  });
  it("bias: false and a custom init (bias then zeros)", () => {
    const noBias = nn.linear(3, 2, { bias: false });
    const p = noBias.init(key(0));
    expect(Object.keys(p)).toEqual(["w"]);
    expectTensor(noBias.apply(p, T.ones("1 3")), [1, 2], T.sum(p.w, { axis: 0 }).toFlat());
    const q = nn.linear(3, 2, { init: nn.init.ones }).init(key(0));
    expect(q.w.toFlat()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(q.b.toFlat()).toEqual([0, 0]);
  });
  it("names the layer and the shapes on a mismatch", () => {
    expect(() => lin.apply(lin.init(key(0)), T.ones("2 4") as never)).toThrow(/linear\(3, 2\): input's last dim must be 3 \(shapes \[2, 4\] and \[3, 2\]\)/);
  });
});

describe("sequential", () => {
  const net = nn.sequential(nn.linear(4, 3), nn.relu, nn.linear(3, 2), nn.logSoftmax);
  it("params are a tuple of each layer's params (null when parameter-free)", () => {
    const p = net.init(key(5));
    expect(p.length).toBe(4);
    expect(p[1]).toBeNull();
    expect([...p[0].w.shape]).toEqual([4, 3]);
    expect([...p[2].w.shape]).toEqual([3, 2]);
    expect(net.init(key(5))[2].w.toFlat()).toEqual(p[2].w.toFlat());
    // Layers get different keys.
    expect(p[0].w.toFlat().slice(0, 6)).not.toEqual(p[2].w.toFlat());
  });
  it("composes the layers left to right", () => {
    const p = net.init(key(5));
    const x = T.tensor([[1, -2, 3, 0.5], [0, 1, 0, -1]]);
    const manual = pipe(x, T.matmul(p[0].w), T.add(p[0].b), T.relu, T.matmul(p[2].w), T.add(p[2].b), (h) => T.logSoftmax(h));
    const y: T.Tensor<[2, 2]> = net.apply(p, x);
    expectTensor(y, [2, 2], manual.toFlat(), 1e-6);
  });
  it("is differentiable: the gradient has the parameters' structure", () => {
    const p = net.init(key(1));
    const x = T.tensor([[1, -2, 3, 0.5], [0, 1, 0, -1]]);
    const y = T.tensor([1, 0], "int32");
    const g = T.grad((q: typeof p) => nn.nllLoss(net.apply(q, x), y))(p);
    expect(g[1]).toBeNull();
    expect([...g[0].w.shape]).toEqual([4, 3]);
    expect([...g[2].b.shape]).toEqual([2]);
    expect(g[2].b.toFlat().reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6); // Σ over classes of softmax − onehot
  });
  it("flatten feeds a dense layer", () => {
    const m = nn.sequential(nn.flatten, nn.linear(6, 2));
    const p = m.init(key(0));
    expect([...m.apply(p, T.ones("5 2 3") as never).shape]).toEqual([5, 2]);
  });
  it("rejects layers that provably do not fit, at compile time", () => {
    const bad = nn.sequential(nn.linear(4, 3), nn.relu, nn.linear(5, 2));
    // @ts-expect-error the chain's type is the message "sequential: layer 2 expects per-example shape [5] but gets [3]"
    expect(() => bad.apply(bad.init(key(0)), T.ones("1 4"))).toThrow(/linear\(5, 2\)/);
  });
});

describe("mlp", () => {
  it("parameter shapes of 784-200-200-10", () => {
    const m = nn.mlp([784, 200, 200, 10], { activation: nn.relu, init: nn.init.kaimingNormal });
    const p = m.init(key(0));
    expect(p.map((l) => [[...l.w.shape], [...l.b.shape]])).toEqual([[[784, 200], [200]], [[200, 200], [200]], [[200, 10], [10]]]);
    expect(p[0].b.toFlat().every((v) => v === 0)).toBe(true);
    const std = Math.sqrt(p[0].w.toFlat().reduce((a, v) => a + v * v, 0) / (784 * 200));
    expect(Math.abs(std / Math.sqrt(2 / 784) - 1)).toBeLessThan(0.02);
    const out: T.Tensor<[3, 10]> = m.apply(p, T.zeros("3 784"));
    expect([...out.shape]).toEqual([3, 10]);
  });
  it("equals the sequential of its layers; activation may be a plain op", () => {
    const m = nn.mlp([4, 3, 2], { activation: T.tanh });
    const p = m.init(key(2));
    const s = nn.sequential(nn.linear(4, 3), nn.tanh, nn.linear(3, 2));
    const x = T.tensor([[0.5, -1, 2, 0]]);
    expectTensor(m.apply(p, x), [1, 2], s.apply([p[0], null, p[1]], x).toFlat(), 1e-6);
  });
});

describe("dropout", () => {
  const d = nn.dropout(0.3);
  const x = T.ones("100 100");
  it("is the identity when not training (and without a key)", () => {
    expect(d.apply(null, x)).toBe(x);
    expect(d.apply(null, x, { key: key(0), training: false })).toBe(x);
  });
  it("is deterministic in its key, zeroes about p, scales by 1/(1−p)", () => {
    const a = d.apply(null, x, { key: key(0), training: true }).toFlat();
    expect(a).toEqual(d.apply(null, x, { key: key(0), training: true }).toFlat());
    expect(a).not.toEqual(d.apply(null, x, { key: key(1), training: true }).toFlat());
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.02);
    for (const v of a) if (v !== 0) expect(v).toBeCloseTo(1 / 0.7, 6);
  });
  it("training without a key is an error; p = 1 gives zeros", () => {
    expect(() => d.apply(null, x, { training: true })).toThrow(/dropout\(0.3\): training needs a PRNG key/);
    expect(nn.dropout(1).apply(null, T.ones("3"), { key: key(0) }).toFlat()).toEqual([0, 0, 0]);
  });
  it("inside sequential gets a per-layer key from apply's key", () => {
    const net = nn.sequential(nn.dropout(0.5), nn.dropout(0.5));
    const a = net.apply([null, null], T.ones("4 50"), { key: key(3) }).toFlat();
    expect(a).toEqual(net.apply([null, null], T.ones("4 50"), { key: key(3) }).toFlat());
    expect(new Set(a)).toEqual(new Set([0, 4]));
  });
});
