/** Tensor-level sampling (src/random/sample.ts): deterministic in the key, right shapes and moments. */
import { describe, expect, it } from "vitest";
import * as T from "../../src/index.js";
import { key, keyData, split } from "../../src/random/key.js";
import * as R from "../../src/random/sample.js";
import { normalF32, randomBits32, uniformF32 } from "../../src/primitives/threefry.js";
import { normalRaw, uniformRaw } from "../../src/random/sample.js";

const f32 = (xs: ArrayLike<number>): number[] => Array.from(xs, Math.fround);
/** The float32 after a non-negative float32 `x`. */
const nextF32 = (x: number): number => {
  const a = Float32Array.of(x);
  new Int32Array(a.buffer)[0]!++;
  return a[0]!;
};

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

/**
 * The samplers give the numbers of the threefry recipes they are made of, exactly as the eager samplers
 * of the key-object API did (those loops are written out here as the reference).
 */
describe("same numbers as the threefry recipes", () => {
  const seeds = [0, 1, 42, -1, 2 ** 40 + 5];
  it("normal and uniform are the recipes' values (JAX's recorded normal(key(0), (4,)) among them)", () => {
    expect(R.normal(key(0), "4").toFlat()).toEqual(f32([1.8160863, -0.75488514, 0.33988908, -0.53483534]));
    for (const s of seeds) {
      const k = key(s);
      expect(R.normal(k, "3 5").toFlat()).toEqual([...normalF32(keyData(k), 15)]);
      expect(R.normal(k, "7", "float64").toFlat()).toEqual([...normalF32(keyData(k), 7)]);
      expect(R.uniform(k, "9", { lo: -3, hi: 0.5 }).toFlat()).toEqual([...uniformF32(keyData(k), 9, -3, 0.5)]);
      expect(R.uniform(k, "9", { lo: 0, hi: 1 }, "float64").toFlat()).toEqual([...uniformF32(keyData(k), 9)]);
      expect(R.bits(k, "2 3").toFlat().map((w) => w >>> 0)).toEqual([...randomBits32(keyData(k), 6)]);
      // The initializers' forms: mean + std · z in float64, rounded once to float32.
      expect(normalRaw(k, [6], "float32", 0.5, 0.01).toFlat()).toEqual(f32([...normalF32(keyData(k), 6)].map((z) => 0.5 + 0.01 * z)));
      expect(uniformRaw(k, [6], -0.2, 0.2).toFlat()).toEqual([...uniformF32(keyData(k), 6, -0.2, 0.2)]);
    }
  });

  it("bernoulli is u < p compared exactly, for numbers (any p, also where float32 rounding of p would move the boundary) and tensors", () => {
    for (const s of seeds) {
      const k = key(s);
      const u = uniformF32(keyData(k), 4096);
      for (const p of [0.3, 0.5, 1 / 3, 0.7 + 2 ** -30, 1e-9, 0, 1, -0.5, 2, Number.NaN]) {
        expect(R.bernoulli(k, p, "4096").toFlat()).toEqual(Array.from(u, (v) => (v < p ? 1 : 0)));
      }
      // Just above a sample, by a quarter of its float32 spacing: p rounds to the sample in float32, so a
      // float32 comparison against the rounded p would say false where u < p is true.
      const [v] = uniformF32(keyData(k), 1);
      const above = v! + (nextF32(v!) - v!) / 4;
      expect(Math.fround(above)).toBe(v);
      expect(R.bernoulli(k, above, "1").toFlat()).toEqual([1]);
      const ps = R.uniform(key(s + 1), "64");
      const ps64 = R.uniform(key(s + 1), "64", { lo: 0, hi: 1 }, "float64");
      const u64 = uniformF32(keyData(k), 64);
      expect(R.bernoulli(k, ps).toFlat()).toEqual(ps.toFlat().map((p, i) => (u64[i]! < p ? 1 : 0)));
      expect(R.bernoulli(k, ps64).toFlat()).toEqual(ps64.toFlat().map((p, i) => (u64[i]! < p ? 1 : 0)));
    }
  });

  it("permutation is Fisher–Yates on n − 1 random words", () => {
    for (const s of seeds)
      for (const n of [0, 1, 2, 17, 100]) {
        const out = Array.from({ length: n }, (_, i) => i);
        const bits = randomBits32(keyData(key(s)), Math.max(n - 1, 0));
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor((bits[n - 1 - i]! / 4294967296) * (i + 1));
          [out[i], out[j]] = [out[j]!, out[i]!];
        }
        expect(R.permutation(key(s), n).toFlat()).toEqual(out);
      }
  });

  it("categorical is the Gumbel-max argmax in float64 over the clamped uniforms", () => {
    const logits = R.normal(key(9), "4 6 3");
    const c = logits.toFlat();
    for (const s of seeds)
      for (const axis of [0, 1, 2]) {
        const shape = [4, 6, 3];
        const n = shape[axis]!;
        const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const u = uniformF32(keyData(key(s)), 72);
        const want: number[] = [];
        for (let o = 0; o < outer; o++)
          for (let i = 0; i < inner; i++) {
            let best = -Infinity;
            let arg = 0;
            for (let j = 0; j < n; j++) {
              const idx = (o * n + j) * inner + i;
              const uu = Math.min(Math.max(u[idx]!, 1e-12), 1 - 1e-7);
              const v = c[idx]! - Math.log(-Math.log(uu));
              if (v > best) [best, arg] = [v, j];
            }
            want.push(arg);
          }
        expect(R.categorical(key(s), logits, axis).toFlat()).toEqual(want);
      }
  });
});

