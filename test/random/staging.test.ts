/**
 * Random bits as a primitive: sampling stages under `jit` (a key is an input, so a new key per call needs
 * no restaging) with the eager numbers, batches under `vmap` over keys like a loop over the keys, and
 * has no tangent under `grad`/`jvp`.
 */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { randomP } from "../../src/primitives/random.js";

const { random } = T;
type Key = T.Key;

/** A loop over the keys of a `[B, 2]` batch, stacked: what `vmap` over those keys must equal. */
const loop = <R extends T.Tensor<any, any>>(keys: T.Tensor<[number, 2], "int32">, f: (k: Key) => R): number[][] =>
  Array.from({ length: keys.shape[0] }, (_, i) => f(T.reshape(T.slice(keys, 0, i, i + 1), "2") as Key).toFlat());

const rows = (x: T.Tensor<any, any>): number[][] => {
  const n = x.shape[0]!;
  const flat = x.toFlat();
  const m = flat.length / n;
  return Array.from({ length: n }, (_, i) => flat.slice(i * m, (i + 1) * m));
};

describe("random under jit", () => {
  it("normal, uniform, bits and bernoulli stage with the eager numbers, one compilation for many keys", () => {
    let traces = 0;
    const f = T.jit((k: Key) => {
      traces++;
      return {
        n: random.normal(k, "3 4"),
        u: random.uniform(k, "5", { lo: -2, hi: 3 }),
        b: random.bits(k, "4"),
        c: random.bernoulli(k, 0.3, "16"),
        n64: random.normal(k, "3", "float64"),
      };
    });
    for (const seed of [0, 1, 2, 1701]) {
      const k = random.key(seed);
      const got = f(k);
      expect(got.n.toFlat()).toEqual(random.normal(k, "3 4").toFlat());
      expect(got.u.toFlat()).toEqual(random.uniform(k, "5", { lo: -2, hi: 3 }).toFlat());
      expect(got.b.toFlat()).toEqual(random.bits(k, "4").toFlat());
      expect(got.c.toFlat()).toEqual(random.bernoulli(k, 0.3, "16").toFlat());
      expect(got.n64.dtype).toBe("float64");
      expect(got.n64.toFlat()).toEqual(random.normal(k, "3", "float64").toFlat());
    }
    expect(traces).toBe(1);
    expect(f(random.key(0)).n.toFlat()).not.toEqual(f(random.key(1)).n.toFlat());
  });

  it("split, splitPartitionable and foldIn stage, so a jitted step can derive its keys", () => {
    let traces = 0;
    const f = T.jit((k: Key) => {
      traces++;
      const [a, b] = random.split(k);
      return { a, b, p: random.splitPartitionable(k, 3), f: random.foldIn(b, 7), s: random.splitStacked(k, 4) };
    });
    for (const seed of [0, 5, -1]) {
      const k = random.key(seed);
      const got = f(k);
      const [a, b] = random.split(k);
      expect(random.keyData(got.a)).toEqual(random.keyData(a));
      expect(random.keyData(got.b)).toEqual(random.keyData(b));
      expect(got.p.map(random.keyData)).toEqual(random.splitPartitionable(k, 3).map(random.keyData));
      expect(random.keyData(got.f)).toEqual(random.keyData(random.foldIn(b, 7)));
      expect(got.s.toFlat()).toEqual(random.split(k, 4).flatMap((s) => s.toFlat()));
    }
    expect(traces).toBe(1);
  });

  it("dropout stages: a new key per call gives a new mask without retracing; the same key gives the eager mask", () => {
    const drop = T.nn.dropout(0.5);
    const x = T.ones("8 16");
    let traces = 0;
    const f = T.jit((x: T.Tensor<[8, 16]>, k: Key) => (traces++, drop.apply(null, x, { key: k, training: true })));
    const [k1, k2] = random.split(random.key(3));
    const m1 = f(x, k1).toFlat();
    const m2 = f(x, k2).toFlat();
    expect(traces).toBe(1);
    expect(m1).not.toEqual(m2);
    expect(m1).toEqual(drop.apply(null, x, { key: k1, training: true }).toFlat());
    expect(m2).toEqual(drop.apply(null, x, { key: k2, training: true }).toFlat());
    expect(new Set(m1)).toEqual(new Set([0, 2]));
  });

  it("an MLP with dropout trains staged: jit(valueAndGrad) of the loss compiles once and equals eager", () => {
    const model = T.nn.mlp([4, 8, 3], { dropout: 0.5 });
    const params = model.init(random.key(0));
    const x = random.normal(random.key(1), "6 4");
    const y = T.tensor([0, 1, 2, 0, 1, 2], "int32");
    const loss = (p: typeof params, k: Key) => T.nn.crossEntropy(model.apply(p, x, { key: k, training: true }), y);
    let traces = 0;
    const step = T.jit((p: typeof params, k: Key) => (traces++, T.valueAndGrad(loss)(p, k)));
    for (let i = 0; i < 3; i++) {
      const k = random.foldIn(random.key(2), i);
      const [v, g] = step(params, k);
      const [ve, ge] = T.valueAndGrad(loss)(params, k);
      expect(v.item()).toBeCloseTo(ve.item(), 5);
      g.forEach((gi, j) => {
        const gj = ge[j]!;
        gi.w.toFlat().forEach((a, n) => expect(a).toBeCloseTo(gj.w.toFlat()[n]!, 5));
      });
    }
    expect(traces).toBe(1);
  });

  it("a key captured by the staged function is a constant: every call gives that key's numbers", () => {
    const k = random.key(0);
    const f = T.jit((x: T.Tensor<[4]>) => T.add(x, random.normal(k, "4")));
    expect(f(T.zeros("4")).toFlat()).toEqual(random.normal(k, "4").toFlat());
    expect(f(T.ones("4")).toFlat()).toEqual(T.add(T.ones("4"), random.normal(k, "4")).toFlat());
  });

  it("bernoulli takes traced probabilities", () => {
    const probs = T.tensor([0, 0.25, 0.5, 0.75, 1, 0.9]);
    const k = random.key(4);
    const f = T.jit((p: T.Tensor<[6]>, k: Key) => random.bernoulli(k, p));
    expect(f(probs, k).toFlat()).toEqual(random.bernoulli(k, probs).toFlat());
  });
});

describe("random under vmap over keys", () => {
  const keys = random.splitStacked(random.key(11), 5);

  it("normal, uniform, bits, bernoulli, permutation and categorical equal a loop over the keys", () => {
    const cases: [string, (k: Key) => T.Tensor<any, any>][] = [
      ["normal", (k) => random.normal(k, "2 3")],
      ["normal float64", (k) => random.normal(k, "3", "float64")],
      ["uniform", (k) => random.uniform(k, "4", { lo: 1, hi: 2 })],
      ["bits", (k) => random.bits(k, "3")],
      ["bernoulli", (k) => random.bernoulli(k, 0.5, "8")],
      ["bernoulli of a tensor", (k) => random.bernoulli(k, T.tensor([0.1, 0.5, 0.9]))],
      ["permutation", (k) => random.permutation(k, 6)],
      ["categorical", (k) => random.categorical(k, T.tensor([[0, 1, 2], [2, 1, 0]]))],
    ];
    for (const [name, f] of cases) expect(rows(T.vmap(f)(keys)), name).toEqual(loop(keys, f));
  });

  it("dropout equals a loop over the keys, and under jit too", () => {
    const drop = T.nn.dropout(0.25);
    const x = T.reshape(T.arange(12), "3 4");
    const f = (k: Key) => drop.apply(null, x, { key: k, training: true });
    expect(rows(T.vmap(f)(keys))).toEqual(loop(keys, f));
    expect(rows(T.jit(T.vmap(f))(keys))).toEqual(loop(keys, f));
  });

  it("keys split and folded inside vmap equal those of a loop", () => {
    const f = (k: Key) => {
      const [a, b] = random.split(k);
      return T.concat([random.foldIn(a, 3), b, random.splitPartitionable(k, 1)[0]], 0);
    };
    expect(rows(T.vmap(f)(keys))).toEqual(loop(keys, f));
  });

  it("a batch of examples with one key per example (nested vmap over a [B, C, 2] batch of keys)", () => {
    const kk = T.reshape(random.splitStacked(random.key(2), 6), "2 3 2") as T.Tensor<[2, 3, 2], "int32">;
    const out = T.vmap(T.vmap((k: Key) => random.uniform(k, "2")))(kk);
    expect([...out.shape]).toEqual([2, 3, 2]);
    expect(out.toFlat()).toEqual(loop(random.splitStacked(random.key(2), 6), (k) => random.uniform(k, "2")).flat());
  });
});

describe("random under differentiation", () => {
  it("samples are constants: grad and jvp see only the arithmetic around them", () => {
    const k = random.key(7);
    const z = random.normal(k, "3");
    const f = (x: T.Tensor<[3]>) => T.sum(T.mul(x, random.normal(k, "3")));
    expect(T.grad(f)(T.ones("3")).toFlat()).toEqual(z.toFlat());
    const [, t] = T.jvp(f, [T.ones("3")], [T.ones("3")]);
    expect(t.item()).toBeCloseTo(z.toFlat().reduce((a, b) => a + b, 0), 5);
    // A traced probability gets a zero gradient: the draw is a step function of p.
    const g = T.grad((p: T.Tensor<[3]>) => T.sum(T.add(T.mul(p, 0), T.cast(random.bernoulli(k, p), "float32"))))(T.tensor([0.2, 0.5, 0.8]));
    expect(g.toFlat()).toEqual([0, 0, 0]);
  });

  it("the primitive's rules: no tangent, no cotangent, batching by a bind with the batch in front", () => {
    const p = { kind: "bits", shape: [2], names: [null] } as const;
    expect(randomP.jvp([], [null], null as never, p)).toBeNull();
    expect(randomP.vjp(null as never, [], null as never, p, [true])).toEqual([null]);
  });
});

describe("keys are checked", () => {
  it("names the operation and the expected key shape and dtype", () => {
    expect(() => random.normal({ _tag: "Key", hi: 0, lo: 0 } as never, "3")).toThrow(/random.normal: expected a PRNG key/);
    expect(() => random.normal(T.tensor([0, 0]) as never, "3")).toThrow(/random.normal: a PRNG key is an int32 tensor of shape \[2\], got dtype float32/);
    expect(() => random.split(T.zeros("3", "int32") as never)).toThrow(/split: a PRNG key has shape \[2\]/);
    expect(() => random.uniform(random.splitStacked(random.key(0), 2) as never, "3")).toThrow(/vmap over a \[B, 2\] batch of keys/);
    expect(() => random.keyData(random.splitStacked(random.key(0), 2) as never)).toThrow(/keyData: a PRNG key has shape \[2\]/);
    expect(() => random.splitStacked(random.key(0), -1)).toThrow(RangeError);
    expect(() => random.uniform(random.key(0), "3", { lo: 0, hi: Infinity })).toThrow(RangeError);
  });
});
