import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { erfinvF32, normalF32, randomBits32, threefry2x32, uniformF32 } from "../../src/random/bits.js";
import { foldIn, isKey, key, split } from "../../src/random/key.js";

describe("threefry2x32", () => {
  it("passes the Random123 known-answer tests", () => {
    expect([...threefry2x32(0, 0, Uint32Array.of(0, 0))]).toEqual([0x6b200159, 0x99ba4efe]);
    expect([...threefry2x32(0xffffffff, 0xffffffff, Uint32Array.of(0xffffffff, 0xffffffff))]).toEqual([0x1cb996fc, 0xbb002be7]);
    expect([...threefry2x32(0x13198a2e, 0x03707344, Uint32Array.of(0x243f6a88, 0x85a308d3))]).toEqual([0xc4923a9c, 0x483df7a0]);
  });
  it("pads odd counts like JAX and keeps the length", () => {
    expect(threefry2x32(1, 2, Uint32Array.of(0, 1, 2)).length).toBe(3);
  });
});

describe("keys", () => {
  it("match JAX: PRNGKey(0) is [0, 0] and split(PRNGKey(0)) is JAX's", () => {
    // jax.random.split(jax.random.PRNGKey(0)) → [[4146024105, 967050713], [2718843009, 1272950319]]
    const k = key(0);
    expect([k.hi, k.lo]).toEqual([0, 0]);
    expect(split(k).map((s) => [s.hi, s.lo])).toEqual([[4146024105, 967050713], [2718843009, 1272950319]]);
    expect(isKey(k)).toBe(true);
    expect(isKey({ hi: 0, lo: 0 })).toBe(false);
  });
  it("same key, same numbers; different keys, different numbers", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const a = randomBits32(key(seed), 8);
        expect([...randomBits32(key(seed), 8)]).toEqual([...a]);
        const [k1, k2] = split(key(seed));
        expect([...randomBits32(k1!, 8)]).not.toEqual([...randomBits32(k2!, 8)]);
        expect(foldIn(key(seed), 1)).not.toEqual(foldIn(key(seed), 2));
      }),
      { numRuns: 50 },
    );
  });
  it("handles large and negative seeds", () => {
    expect(key(2 ** 40 + 5)).toMatchObject({ hi: 256, lo: 5 });
    expect(key(-1)).toMatchObject({ hi: 0, lo: 0xffffffff });
    expect(() => key(1.5)).toThrow(RangeError);
  });
});

describe("distributions", () => {
  it("uniform lies in [lo, hi)", () => {
    const u = uniformF32(key(1), 10000, -2, 3);
    for (const v of u) {
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(3);
    }
  });
  it("normal has mean ≈ 0 and std ≈ 1 on 1e5 samples", () => {
    const z = normalF32(key(7), 100000);
    let s = 0;
    let s2 = 0;
    for (const v of z) {
      s += v;
      s2 += v * v;
    }
    const mean = s / z.length;
    const std = Math.sqrt(s2 / z.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.01); // 3.2 standard errors
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
  });
  it("erfinv inverts erf to float32 accuracy", () => {
    const erf = (x: number): number => {
      // Abramowitz–Stegun 7.1.26 is too coarse; integrate the series instead.
      let term = x;
      let sum = x;
      for (let n = 1; n < 100; n++) {
        term *= (-x * x) / n;
        sum += term / (2 * n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    for (const y of [-0.999, -0.9, -0.5, -0.1, 0, 0.2, 0.7, 0.95, 0.9999]) {
      const x = erfinvF32(y);
      expect(Math.abs(erf(x) - y)).toBeLessThan(1e-6 * Math.max(1, 1 / (1 - Math.abs(y))));
    }
  });
  it("a million normals take well under a second", () => {
    const t0 = performance.now();
    normalF32(key(3), 1_000_000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
