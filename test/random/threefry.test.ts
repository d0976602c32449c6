/**
 * The threefry2x32 cipher and JAX's random bits.
 *
 * Reference values and where they come from (JAX sources read at jax-ml/jax commit cec06d1, Aug 2026):
 * - Random123 known-answer tests: JAX `tests/random_test.py::testThreefry2x32`, which takes them from
 *   DEShawResearch/Random123-Boost `libs/random/test/test_threefry.cpp`.
 * - `bits(key(1701), (3,), uint32)`: JAX `tests/random_test.py::testRngRandomBits` (legacy layout: the
 *   test is skipped under `jax_threefry_partitionable`).
 * - `bits(key(adler32("bitsthreefry2x32")), (5,), uint32)`: JAX `tests/random_test.py`
 *   `_RANDOM_VALUES_CASES` ("bits", "threefry2x32").
 * - `bits(key(0), (1,))`, `bits(key(1), (1,))`, `bits(key(0), (3,))`: ml-explore/mlx
 *   `tests/random_tests.cpp` (MLX implements JAX's threefry layout); `bits(key(0), (4,))` and `(3,)`
 *   also from a recorded jax 0.4.38 CPU session in a public tutorial.
 * - Partitionable layout (JAX ≥ 0.5.0 default): docs.jax.dev "jax.random module" page,
 *   `random.uniform(random.key(0))` → 0.947667, and after `key, subkey = split(key)`,
 *   `random.uniform(subkey)` → 0.00729382 (scalar draws hash the counter (0, 0)).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  randomBits32,
  randomBits32Partitionable,
  threefry2x32,
  threefry2x32Block,
  uniformF32FromBits,
} from "../../src/primitives/threefry.js";
import { key, keyData, splitPartitionable } from "../../src/random/key.js";

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** zlib.adler32, as JAX's `RandomValuesCase._seed` uses it. */
function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const c of Buffer.from(s, "utf8")) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

describe("threefry2x32 block cipher", () => {
  it("passes the Random123 known-answer tests", () => {
    expect(threefry2x32Block(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32Block(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefry2x32Block(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
  });

  it("passes them through JAX's threefry_2x32(key, count) as well", () => {
    expect([...threefry2x32(0, 0, Uint32Array.of(0, 0))]).toEqual([0x6b200159, 0x99ba4efe]);
    expect([...threefry2x32(0xffffffff, 0xffffffff, Uint32Array.of(0xffffffff, 0xffffffff))]).toEqual([
      0x1cb996fc, 0xbb002be7,
    ]);
    expect([...threefry2x32(0x13198a2e, 0x03707344, Uint32Array.of(0x243f6a88, 0x85a308d3))]).toEqual([
      0xc4923a9c, 0x483df7a0,
    ]);
  });

  it("hashes count halves pairwise (JAX testThreefry2x32Large, scaled down)", () => {
    const n = 1000;
    const count = new Uint32Array(2 * n);
    count.fill(0x243f6a88, 0, n);
    count.fill(0x85a308d3, n);
    const out = threefry2x32(0x13198a2e, 0x03707344, count);
    expect(out.subarray(0, n).every((v) => v === 0xc4923a9c)).toBe(true);
    expect(out.subarray(n).every((v) => v === 0x483df7a0)).toBe(true);
  });

  it("returns words in [0, 2³²)", () => {
    fc.assert(
      fc.property(u32, u32, u32, u32, (k0, k1, x0, x1) => {
        for (const w of threefry2x32Block(k0, k1, x0, x1)) {
          expect(Number.isInteger(w) && w >= 0 && w <= 0xffffffff).toBe(true);
        }
      }),
    );
  });

  it("even counts: word i and i + n/2 are the block hash of (count[i], count[i + n/2])", () => {
    fc.assert(
      fc.property(u32, u32, fc.array(u32, { maxLength: 20 }), (k0, k1, xs) => {
        const count = Uint32Array.from(xs.length % 2 ? [...xs, 7] : xs);
        const h = count.length / 2;
        const out = threefry2x32(k0, k1, count);
        expect(out.length).toBe(count.length);
        for (let i = 0; i < h; i++) expect([out[i], out[i + h]]).toEqual(threefry2x32Block(k0, k1, count[i]!, count[i + h]!));
      }),
    );
  });

  it("odd counts: padded with a zero, padding word dropped (JAX's threefry_2x32)", () => {
    fc.assert(
      fc.property(u32, u32, fc.array(u32, { minLength: 1, maxLength: 21 }), (k0, k1, xs) => {
        const count = Uint32Array.from(xs.length % 2 ? xs : xs.slice(1));
        const padded = Uint32Array.from([...count, 0]);
        const out = threefry2x32(k0, k1, count);
        expect(out.length).toBe(count.length);
        expect([...out]).toEqual([...threefry2x32(k0, k1, padded).subarray(0, count.length)]);
      }),
    );
    expect(threefry2x32(1, 2, new Uint32Array(0)).length).toBe(0);
  });

  it("does not modify its input", () => {
    const count = Uint32Array.of(1, 2, 3);
    threefry2x32(5, 6, count);
    expect([...count]).toEqual([1, 2, 3]);
  });
});

describe("randomBits32 (jax.random.bits, legacy layout)", () => {
  it("matches JAX's testRngRandomBits: bits(key(1701), (3,), uint32)", () => {
    expect([...randomBits32(keyData(key(1701)), 3)]).toEqual([56197195, 4200222568, 961309823]);
  });

  it("matches JAX's _RANDOM_VALUES_CASES for bits/threefry2x32/uint32", () => {
    const seed = adler32("bitsthreefry2x32");
    expect([...randomBits32(keyData(key(seed)), 5)]).toEqual([1978747883, 4134381225, 3628107870, 689687174, 2788938207]);
  });

  it("matches MLX's JAX-compatible test values and a recorded jax 0.4.38 session", () => {
    expect([...randomBits32(keyData(key(0)), 1)]).toEqual([1797259609]);
    expect([...randomBits32(keyData(key(1)), 1)]).toEqual([507451445]);
    expect([...randomBits32(keyData(key(0)), 3)]).toEqual([4146024105, 1351547692, 2718843009]);
    expect([...randomBits32(keyData(key(0)), 4)]).toEqual([4146024105, 967050713, 2718843009, 1272950319]);
  });

  it("is threefry_2x32(key, iota(n))", () => {
    fc.assert(
      fc.property(u32, u32, fc.nat({ max: 50 }), (hi, lo, n) => {
        const k = [hi, lo] as const;
        const iota = Uint32Array.from({ length: n }, (_, i) => i);
        expect([...randomBits32(k, n)]).toEqual([...threefry2x32(hi, lo, iota)]);
      }),
    );
  });

  it("same key, same bits", () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: 100 }), (seed, n) => {
        expect([...randomBits32(keyData(key(seed)), n)]).toEqual([...randomBits32(keyData(key(seed)), n)]);
      }),
    );
  });

  it("rejects bad lengths", () => {
    expect(() => randomBits32(keyData(key(0)), -1)).toThrow(RangeError);
    expect(() => randomBits32(keyData(key(0)), 1.5)).toThrow(RangeError);
    expect(randomBits32(keyData(key(0)), 0).length).toBe(0);
  });
});

describe("randomBits32Partitionable (jax.random.bits, JAX ≥ 0.5 default layout)", () => {
  it("matches docs.jax.dev: uniform(key(0)) = 0.947667, uniform(split(key(0))[1]) = 0.00729382", () => {
    // Scalar draws: JAX prints these float32 values with 6 significant digits.
    const [u0] = uniformF32FromBits(randomBits32Partitionable(keyData(key(0)), 1));
    expect(u0).toBeCloseTo(0.947667, 6);
    const [, sub] = splitPartitionable(key(0));
    const [u1] = uniformF32FromBits(randomBits32Partitionable(keyData(sub), 1));
    expect(u1).toBeCloseTo(0.00729382, 8);
  });

  it("word i is the xor of the block hash of the counter (0, i); shorter draws are prefixes", () => {
    fc.assert(
      fc.property(u32, u32, fc.nat({ max: 40 }), fc.nat({ max: 40 }), (hi, lo, n, m) => {
        const k = [hi, lo] as const;
        const a = randomBits32Partitionable(k, n);
        const b = randomBits32Partitionable(k, n + m);
        for (let i = 0; i < n; i++) {
          const [y0, y1] = threefry2x32Block(hi, lo, 0, i);
          expect(a[i]).toBe((y0 ^ y1) >>> 0);
          expect(b[i]).toBe(a[i]);
        }
      }),
    );
  });
});
