/** Tensor-level sampling (src/random/sample.ts): deterministic in the key, right shapes and moments. */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { key, split } from "../../src/random/key.js";
import * as R from "../../src/random/sample.js";

describe("sampling", () => {
  it("normal: shape spec with named dims, dtype, same key same numbers", () => {
    const a = R.normal(key(0), "B 784", { B: 4 });
    expect([...a.shape]).toEqual([4, 784]);
    expect(a.dtype).toBe("float32");
    expect(a.toFlat()).toEqual(R.normal(key(0), "B 784", { B: 4 }).toFlat());
    expect(a.toFlat()).not.toEqual(R.normal(key(1), "B 784", { B: 4 }).toFlat());
    expect(R.normal(key(0), "2 3", "float64").dtype).toBe("float64");
    const big = R.normal(key(2), "100000").toFlat();
    const m = big.reduce((s, v) => s + v, 0) / big.length;
    const sd = Math.sqrt(big.reduce((s, v) => s + (v - m) ** 2, 0) / big.length);
    expect(Math.abs(m)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
  });
  it("uniform with bounds", () => {
    const u = R.uniform(key(0), "1000", { lo: -2, hi: 3 }).toFlat();
    expect(u.every((v) => v >= -2 && v < 3)).toBe(true);
    const v = R.uniform(key(0), "N", { N: 10 }, { lo: 5, hi: 6 }).toFlat();
    expect(v.length).toBe(10);
    expect(v.every((x) => x >= 5 && x < 6)).toBe(true);
  });
  it("bernoulli from a number or a tensor of probabilities", () => {
    const b = R.bernoulli(key(0), 0.25, "10000");
    expect(b.dtype).toBe("bool");
    const frac = b.toFlat().reduce((s, v) => s + v, 0) / 10000;
    expect(Math.abs(frac - 0.25)).toBeLessThan(0.02);
    expect(R.bernoulli(key(0), T.tensor([0, 1, 0, 1])).toFlat()).toEqual([0, 1, 0, 1]);
  });
  it("permutation is a permutation, deterministic in the key", () => {
    const p = R.permutation(key(4), 50);
    expect(p.dtype).toBe("int32");
    expect([...p.toFlat()].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p.toFlat()).toEqual(R.permutation(key(4), 50).toFlat());
    expect(p.toFlat()).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
  it("categorical follows the softmax of the logits", () => {
    const logits = T.log(T.tensor([[0.2, 0.5, 0.3]]));
    const ks = split(key(0), 3000) as unknown as ReturnType<typeof key>[];
    const counts = [0, 0, 0];
    for (const k of ks) counts[R.categorical(k, logits).toFlat()[0]!]!++;
    expect(Math.abs(counts[0]! / 3000 - 0.2)).toBeLessThan(0.03);
    expect(Math.abs(counts[1]! / 3000 - 0.5)).toBeLessThan(0.03);
    const c = R.categorical(key(0), T.zeros("4 5 6"), 1);
    expect([...c.shape]).toEqual([4, 6]);
    expect(c.dtype).toBe("int32");
  });
});
