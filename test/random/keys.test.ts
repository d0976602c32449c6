/**
 * PRNG keys: seeding, split, foldIn.
 *
 * Reference values and where they come from (JAX sources read at jax-ml/jax commit cec06d1, Aug 2026):
 * - `split(key(0), 4)` and `fold_in(key(0), 4)`: JAX `tests/random_test.py::testPRNGValues` (legacy
 *   layout; the test is skipped under `jax_threefry_partitionable`).
 * - `split(key(0))` = [[4146024105, 967050713], [2718843009, 1272950319]] and `split(key(0), 3)`:
 *   ml-explore/mlx `tests/random_tests.cpp` "test random split" (MLX implements JAX's threefry layout);
 *   the 2-way split is also printed in a Korean translation of JAX's "Sharp Bits" notebook and in a
 *   recorded jax 0.4.38 CPU session, which also gives `fold_in(key(0), 3)` = [2467461003, 3840466878].
 * - Partitionable layout (JAX ≥ 0.5.0 default): `jax/_src/random/stateful_rng.py` doctest, whose keys
 *   are `fold_in(key(0), 0)` = [1797259609, 2579123966] and `fold_in(key(0), 1)` = [928981903, 3453687069],
 *   i.e. the first two keys of the partitionable `split(key(0), n)`; the eight keys of
 *   `split(key(0), 8)` are printed in a public JAX GRU example (consistent with `testPRNGValues`'
 *   `fold_in(key(0), 4)` at index 4).
 * - Seeds: `jax/_src/random/threefry2x32.py::_threefry_seed` (`[seed >>> 32, seed & 0xffffffff]` of
 *   the int64 seed; jax-ml/jax PR #4877 for the x32-mode difference with negative seeds).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomBits32 } from "../../src/primitives/threefry.js";
import { foldIn, isKey, key, keyData, split, splitPartitionable, splitStacked, type Key } from "../../src/random/key.js";
import { tensor } from "../../src/index.js";

const words = keyData;
const anyKey = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }))
  .map(([hi, lo]): Key => tensor([hi | 0, lo | 0], "int32"));

describe("key (jax.random.PRNGKey / key)", () => {
  it("key(0) has key_data [0, 0]", () => {
    expect(words(key(0))).toEqual([0, 0]);
    expect(words(key(42))).toEqual([0, 42]);
  });

  it("splits a 64-bit seed into [seed >> 32, seed & 0xffffffff]", () => {
    expect(words(key(2 ** 32 + 5))).toEqual([1, 5]);
    expect(words(key(2 ** 40 + 5))).toEqual([256, 5]);
    expect(words(key(0xffffffff))).toEqual([0, 0xffffffff]);
    expect(words(key(-1))).toEqual([0xffffffff, 0xffffffff]);
    expect(words(key(-(2 ** 32)))).toEqual([0xffffffff, 0]);
    expect(words(key(-(2 ** 63)))).toEqual([0x80000000, 0]);
    expect(words(key(2 ** 62))).toEqual([0x40000000, 0]);
  });

  it("agrees with the exact bigint computation for every safe integer", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (s) => {
        const u = BigInt.asUintN(64, BigInt(s));
        expect(words(key(s))).toEqual([Number(u >> 32n), Number(u & 0xffffffffn)]);
        expect(key(BigInt(s))).toEqual(key(s));
      }),
    );
    expect(words(key(-1n))).toEqual([0xffffffff, 0xffffffff]);
    expect(words(key((1n << 63n) - 1n))).toEqual([0x7fffffff, 0xffffffff]);
  });

  it("rejects seeds JAX rejects", () => {
    expect(() => key(1.5)).toThrow(RangeError);
    expect(() => key(Number.NaN)).toThrow(RangeError);
    expect(() => key(2 ** 63)).toThrow(RangeError);
    expect(() => key(1n << 63n)).toThrow(RangeError);
  });

  it("keys are int32 tensors of shape [2] holding the words' bit patterns, recognised by isKey", () => {
    const k = key(-1);
    expect([k.dtype, [...k.shape]]).toEqual(["int32", [2]]);
    expect(k.toFlat()).toEqual([-1, -1]);
    expect(k.toFlat().map((w) => w >>> 0)).toEqual(keyData(k));
    expect(String(key(42))).toBe("tensor([ 0, 42], shape=[2], dtype=int32)");
    expect(isKey(k)).toBe(true);
    expect(isKey(tensor([1, 2], "int32"))).toBe(true);
    expect(isKey(tensor([1, 2]))).toBe(false);
    expect(isKey(tensor([1, 2, 3], "int32"))).toBe(false);
    expect(isKey(split(k)[0])).toBe(true);
    expect(isKey({ hi: 0, lo: 0 })).toBe(false);
    expect(isKey({ _tag: "Key" })).toBe(false);
    expect(isKey(null)).toBe(false);
    expect(isKey(Uint32Array.of(0, 0))).toBe(false);
  });
});

describe("split (jax.random.split, legacy layout)", () => {
  it("split(key(0)) is [[4146024105, 967050713], [2718843009, 1272950319]]", () => {
    expect(split(key(0)).map(words)).toEqual([
      [4146024105, 967050713],
      [2718843009, 1272950319],
    ]);
  });

  it("matches JAX's testPRNGValues: split(key(0), 4)", () => {
    expect(split(key(0), 4).map(words)).toEqual([
      [2285895361, 1501764800],
      [1518642379, 4090693311],
      [433833334, 4221794875],
      [839183663, 3740430601],
    ]);
  });

  it("matches MLX's test: split(key(0), 3)", () => {
    expect(split(key(0), 3).map(words)).toEqual([
      [2467461003, 428148500],
      [3186719485, 3840466878],
      [2562233961, 1946702221],
    ]);
  });

  it("is the words of bits(key, 2n), paired", () => {
    fc.assert(
      fc.property(anyKey, fc.nat({ max: 20 }), (k, n) => {
        expect(split(k, n).flatMap(words)).toEqual([...randomBits32(words(k), 2 * n)]);
      }),
    );
  });

  it("is pure: same key, same keys; the parent is untouched", () => {
    fc.assert(
      fc.property(anyKey, fc.nat({ max: 10 }), (k, n) => {
        const before = words(k);
        expect(split(k, n)).toEqual(split(k, n));
        expect(words(k)).toEqual(before);
      }),
    );
  });

  it("gives distinct keys with distinct streams", () => {
    fc.assert(
      fc.property(anyKey, fc.integer({ min: 2, max: 64 }), (k, n) => {
        const ks = split(k, n);
        expect(ks.length).toBe(n);
        const ids = new Set(ks.map((s) => words(s).join(":")));
        expect(ids.size).toBe(n);
        expect(ids.has(words(k).join(":"))).toBe(false);
        const streams = new Set(ks.slice(0, 4).map((s) => randomBits32(words(s), 8).join(",")));
        expect(streams.size).toBe(Math.min(n, 4));
      }),
      { numRuns: 50 },
    );
  });

  it("defaults to 2 and handles 0; rejects bad counts", () => {
    expect(split(key(3)).length).toBe(2);
    expect(split(key(3), 0)).toEqual([]);
    expect(() => split(key(3), -1)).toThrow(RangeError);
    expect(() => split(key(3), 2.5)).toThrow(RangeError);
  });
});

describe("splitPartitionable (jax.random.split, JAX ≥ 0.5 default layout)", () => {
  it("matches the stateful_rng doctest and the published split(key(0), 8)", () => {
    expect(splitPartitionable(key(0)).map(words)).toEqual([
      [1797259609, 2579123966],
      [928981903, 3453687069],
    ]);
    expect(splitPartitionable(key(0), 8).map(words)).toEqual([
      [1797259609, 2579123966],
      [928981903, 3453687069],
      [4146024105, 2718843009],
      [2467461003, 3840466878],
      [2285895361, 433833334],
      [1524306142, 1887795613],
      [3792494674, 2909014575],
      [2716826189, 292468403],
    ]);
  });

  it("key i is foldIn(key, i), whatever n", () => {
    fc.assert(
      fc.property(anyKey, fc.nat({ max: 20 }), (k, n) => {
        splitPartitionable(k, n).forEach((s, i) => expect(s).toEqual(foldIn(k, i)));
      }),
    );
  });
});

describe("foldIn (jax.random.fold_in)", () => {
  it("matches JAX's testPRNGValues: fold_in(key(0), 4)", () => {
    expect(words(foldIn(key(0), 4))).toEqual([2285895361, 433833334]);
  });

  it("matches a recorded jax 0.4.38 session: fold_in(key(0), 3)", () => {
    expect(words(foldIn(key(0), 3))).toEqual([2467461003, 3840466878]);
  });

  it("is the block hash of the counter (0, data); data taken mod 2³²", () => {
    expect(words(foldIn(key(0), 0))).toEqual([0x6b200159, 0x99ba4efe]);
    expect(foldIn(key(5), -1)).toEqual(foldIn(key(5), 0xffffffff));
    expect(foldIn(key(5), 2 ** 32 + 3)).toEqual(foldIn(key(5), 3));
    expect(() => foldIn(key(5), 0.5)).toThrow(RangeError);
  });

  it("is pure, and different data give different keys", () => {
    fc.assert(
      fc.property(anyKey, fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (k, a, b) => {
        expect(foldIn(k, a)).toEqual(foldIn(k, a));
        if (a !== b) expect(foldIn(k, a)).not.toEqual(foldIn(k, b));
        expect(foldIn(k, a)).not.toEqual(k);
      }),
    );
  });
});
