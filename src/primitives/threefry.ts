/**
 * The threefry2x32 block cipher (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11;
 * 20 rounds) and JAX's recipes for turning its output into bits, uniforms and normals, so that a key
 * gives the same numbers here as in JAX (`jax/_src/random/threefry2x32.py`, `jax/_src/random/core.py`).
 *
 * Everything is pure 32-bit integer arithmetic (add, rotate, xor) and IEEE float32 rounding via
 * `Math.fround`: the results are identical on every machine. Nothing here uses `Math.random`.
 *
 * JAX has two ways of laying out the counters it hashes. The functions without a suffix reproduce the
 * original layout (`jax_threefry_partitionable=False`, JAX's default before v0.5.0); the `…Partitionable`
 * ones reproduce the layout that is JAX's default from v0.5.0 on. `foldIn` is the same under both.
 */

import { threefryHalvesSimd, threefryUnitSimd } from "../backend/threefry.js";

/** A key's two uint32 words, `[hi, lo]` (JAX's `key_data`). */
export type KeyWords = readonly [hi: number, lo: number];

/**
 * How {@link hashBlocks} forms its counters and writes its outputs:
 * - `HALVES` (JAX's `threefry_2x32(key, count)` for `m` counts): block `i < ⌈m/2⌉` hashes the pair
 *   `(count[i], count[i + half])` (`0` past the end; the counts are `i` itself when none are given) and
 *   writes `out[i]` and `out[i + half]`;
 * - `PAIRS`: block `i` hashes the 64-bit counter `i` as `(0, i)` and writes `out[2i]`, `out[2i + 1]`;
 * - `XOR`: the same counter, writing the xor of the two words to `out[i]`.
 * A layout number instead of callbacks keeps the one loop monomorphic (callbacks made it 2–3× slower).
 */
const HALVES = 0;
const PAIRS = 1;
const XOR = 2;
type Layout = typeof HALVES | typeof PAIRS | typeof XOR;

/**
 * The raw cipher over `n` parallel blocks under the key `(k0, k1)`, in one of the counter {@link Layout}s.
 * Rotation constants and key schedule are JAX's `_threefry2x32_lowering` (Random123's Threefry-2x32-20).
 */
function hashBlocks(k0: number, k1: number, n: number, layout: Layout, m: number, count: Uint32Array | null, out: Uint32Array, from = 0): void {
  const ka = k0 | 0;
  const kb = k1 | 0;
  const kc = (ka ^ kb ^ 0x1bd11bda) | 0;
  const half = n;
  for (let i = from; i < n; i++) {
    let x: number;
    let y: number;
    if (layout === HALVES) {
      const j = i + half;
      x = ((count === null ? i : count[i]!) + ka) | 0;
      y = ((j >= m ? 0 : count === null ? j : count[j]!) + kb) | 0;
    } else {
      x = ka;
      y = (i + kb) | 0;
    }
    // Group 1: rotations 13, 15, 26, 6; then inject ks[1], ks[2] + 1.
    x = (x + y) | 0; y = ((y << 13) | (y >>> 19)) ^ x;
    x = (x + y) | 0; y = ((y << 15) | (y >>> 17)) ^ x;
    x = (x + y) | 0; y = ((y << 26) | (y >>> 6)) ^ x;
    x = (x + y) | 0; y = ((y << 6) | (y >>> 26)) ^ x;
    x = (x + kb) | 0; y = (y + kc + 1) | 0;
    // Group 2: rotations 17, 29, 16, 24; then ks[2], ks[0] + 2.
    x = (x + y) | 0; y = ((y << 17) | (y >>> 15)) ^ x;
    x = (x + y) | 0; y = ((y << 29) | (y >>> 3)) ^ x;
    x = (x + y) | 0; y = ((y << 16) | (y >>> 16)) ^ x;
    x = (x + y) | 0; y = ((y << 24) | (y >>> 8)) ^ x;
    x = (x + kc) | 0; y = (y + ka + 2) | 0;
    // Group 3: ks[0], ks[1] + 3.
    x = (x + y) | 0; y = ((y << 13) | (y >>> 19)) ^ x;
    x = (x + y) | 0; y = ((y << 15) | (y >>> 17)) ^ x;
    x = (x + y) | 0; y = ((y << 26) | (y >>> 6)) ^ x;
    x = (x + y) | 0; y = ((y << 6) | (y >>> 26)) ^ x;
    x = (x + ka) | 0; y = (y + kb + 3) | 0;
    // Group 4: ks[1], ks[2] + 4.
    x = (x + y) | 0; y = ((y << 17) | (y >>> 15)) ^ x;
    x = (x + y) | 0; y = ((y << 29) | (y >>> 3)) ^ x;
    x = (x + y) | 0; y = ((y << 16) | (y >>> 16)) ^ x;
    x = (x + y) | 0; y = ((y << 24) | (y >>> 8)) ^ x;
    x = (x + kb) | 0; y = (y + kc + 4) | 0;
    // Group 5: ks[2], ks[0] + 5.
    x = (x + y) | 0; y = ((y << 13) | (y >>> 19)) ^ x;
    x = (x + y) | 0; y = ((y << 15) | (y >>> 17)) ^ x;
    x = (x + y) | 0; y = ((y << 26) | (y >>> 6)) ^ x;
    x = (x + y) | 0; y = ((y << 6) | (y >>> 26)) ^ x;
    x = (x + kc) | 0; y = (y + ka + 5) | 0;
    if (layout === HALVES) {
      out[i] = x;
      if (i + half < m) out[i + half] = y;
    } else if (layout === PAIRS) {
      out[2 * i] = x;
      out[2 * i + 1] = y;
    } else out[i] = x ^ y;
  }
}

/** One threefry2x32 block: the two output words for key `(k0, k1)` and counter `(x0, x1)`. */
export function threefry2x32Block(k0: number, k1: number, x0: number, x1: number): [number, number] {
  const out = new Uint32Array(2);
  hashBlocks(k0, k1, 1, HALVES, 2, Uint32Array.of(x0, x1), out);
  return [out[0]!, out[1]!];
}

/**
 * JAX's `threefry_2x32(key, count)`: the counts are split into two halves (a zero is appended first when
 * their number is odd) that are hashed pairwise as the cipher's two input words; the two output halves
 * are concatenated again and the padding word dropped, so the result has the length of `count`.
 */
export function threefry2x32(k0: number, k1: number, count: Uint32Array): Uint32Array {
  const out = new Uint32Array(count.length);
  hashBlocks(k0, k1, (count.length + 1) >> 1, HALVES, count.length, count, out);
  return out;
}

/** The largest word count JAX hashes in one go (`iinfo(uint32).max`); beyond it JAX switches to sub-keys. */
const MAX_COUNT = 0xffffffff;

/** Checks a count of words (or keys) against JAX's limit; `RangeError` naming `op` and the count's name. */
export function checkCount(op: string, n: number, what = "n"): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${op}: ${what} must be a non-negative integer, got ${n}`);
  if (n >= MAX_COUNT) throw new RangeError(`${op}: ${what} must be below 2^32 - 1, got ${n}`);
}

/**
 * JAX's `threefry_2x32(key, iota(m))` without materialising the counts: word `i` of the first half hashes
 * the counter pair `(i, i + half)` (or `(i, 0)` past the end), writing `out[i]` and `out[i + half]`.
 */
function hashIota(k: KeyWords, m: number): Uint32Array {
  const out = new Uint32Array(m);
  const n = (m + 1) >> 1;
  // The blocks whose two words are both written, four at a time on SIMD where it is available.
  const simd = (m - n) & ~3;
  const done = simd > 0 && threefryHalvesSimd(k[0], k[1], simd, n, out) ? simd : 0;
  hashBlocks(k[0], k[1], n, HALVES, m, null, out, done);
  return out;
}

/**
 * `n` random uint32 words, identical to `jax.random.bits(key, (n,), jnp.uint32)` with the threefry2x32
 * implementation and `jax_threefry_partitionable=False` (`_threefry_random_bits_original`):
 * `threefry_2x32(key, iota(n))`.
 */
export function randomBits32(k: KeyWords, n: number): Uint32Array {
  checkCount("randomBits32", n);
  return hashIota(k, n);
}

/**
 * `n` random uint32 words, identical to `jax.random.bits(key, (n,), jnp.uint32)` with
 * `jax_threefry_partitionable=True` (JAX's default from v0.5.0; `_threefry_random_bits_partitionable`):
 * element `i` hashes the 64-bit counter `i` as the word pair `(0, i)` and is the xor of the two outputs.
 */
export function randomBits32Partitionable(k: KeyWords, n: number): Uint32Array {
  checkCount("randomBits32Partitionable", n);
  const out = new Uint32Array(n);
  hashBlocks(k[0], k[1], n, XOR, n, null, out);
  return out;
}

/**
 * The raw words of `n` new keys as `[hi0, lo0, hi1, lo1, …]`, as `jax.random.split` computes them with
 * `jax_threefry_partitionable=False` (`_threefry_split_original`): `threefry_2x32(key, iota(2n))`.
 */
export function splitWords(k: KeyWords, n: number): Uint32Array {
  checkCount("split", 2 * n);
  return hashIota(k, 2 * n);
}

/**
 * The raw words of `n` new keys as `[hi0, lo0, hi1, lo1, …]`, as `jax.random.split` computes them with
 * `jax_threefry_partitionable=True` (`_threefry_split_foldlike`): key `i` is the cipher's output for the
 * counter pair `(0, i)`, i.e. `foldIn(key, i)`.
 */
export function splitWordsPartitionable(k: KeyWords, n: number): Uint32Array {
  checkCount("split", n);
  const out = new Uint32Array(2 * n);
  hashBlocks(k[0], k[1], n, PAIRS, n, null, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Uniforms

const TWO_POW_MINUS_23 = 2 ** -23;

/** The float32 just below `x` (for finite, positive-or-negative `x`). */
function prevFloat32(x: number): number {
  if (x === 0) return -(2 ** -149);
  const f = new Float32Array([x]);
  const u = new Int32Array(f.buffer);
  u[0] = x > 0 ? u[0]! - 1 : u[0]! + 1;
  return f[0]!;
}

/** Checks the bounds of a uniform range: finite, `lo ≤ hi` (`RangeError` naming `what`). */
export function checkRange(what: string, lo: number, hi: number): void {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo <= hi))
    throw new RangeError(`${what}: needs finite lo ≤ hi, got lo = ${lo}, hi = ${hi}`);
}

/**
 * JAX's float32 uniform recipe (`_uniform`) applied to given random words: the top 23 bits of each word
 * become the mantissa of a float32 in [1, 2) (`bits >>> 9 | 0x3f800000`), minus 1, then
 * `max(lo, u * (hi - lo) + lo)` with every operation rounded to float32 and `lo`, `hi` first converted to
 * float32, exactly as JAX does. JAX stops there; here a value that rounded up to `hi` (possible only for
 * some ranges, never for the default [0, 1) nor for the range `normalF32` uses) is pulled down to the
 * float32 below `hi`, so the result is always in [lo, hi) (or equal to `lo` when `lo` and `hi` agree in
 * float32).
 */
export function uniformF32FromBits(bits: Uint32Array, lo = 0, hi = 1): Float32Array {
  checkRange("uniformF32", lo, hi);
  const n = bits.length;
  const out = new Float32Array(n);
  const flo = Math.fround(lo);
  const fhi = Math.fround(hi);
  const span = Math.fround(fhi - flo);
  const top = fhi > flo ? prevFloat32(fhi) : flo;
  if (flo === 0 && span === 1) {
    // The common case: u * 1 + 0 is exact, and u < 1.
    for (let i = 0; i < n; i++) out[i] = (bits[i]! >>> 9) * TWO_POW_MINUS_23;
    return out;
  }
  for (let i = 0; i < n; i++) {
    // (bits >>> 9 | 0x3f800000) as float32, minus 1, is exactly (bits >>> 9) · 2⁻²³.
    const u = (bits[i]! >>> 9) * TWO_POW_MINUS_23;
    let v = Math.fround(Math.fround(u * span) + flo);
    if (v < flo) v = flo;
    else if (v > top) v = top;
    out[i] = v;
  }
  return out;
}

/**
 * `n` uniform float32 samples in [lo, hi), identical to
 * `jax.random.uniform(key, (n,), jnp.float32, lo, hi)` (with `jax_threefry_partitionable=False`).
 */
/**
 * `uniformF32(k, m)` (the unit interval) written into `out` from `at`: the SIMD kernel's floats for the
 * blocks it takes, the scalar cipher's for the rest; the same values, without the intermediate arrays.
 */
export function uniformUnitInto(k: KeyWords, m: number, out: Float32Array, at: number): void {
  checkCount("uniformF32", m);
  const n = (m + 1) >> 1;
  const simd = (m - n) & ~3;
  const done = simd > 0 && threefryUnitSimd(k[0], k[1], simd, n, out, at) ? simd : 0;
  if (done === 0) return void out.set(uniformF32(k, m), at);
  // The last few blocks (at most 4, and the unpaired one of an odd count) on the scalar cipher.
  for (let i = done; i < n; i++) {
    const [x, y] = threefry2x32Block(k[0], k[1], i, i + n < m ? i + n : 0);
    out[at + i] = (x >>> 9) * TWO_POW_MINUS_23;
    if (i + n < m) out[at + i + n] = (y >>> 9) * TWO_POW_MINUS_23;
  }
}

export function uniformF32(k: KeyWords, n: number, lo = 0, hi = 1): Float32Array {
  return uniformF32FromBits(randomBits32(k, n), lo, hi);
}

/**
 * `n` uniform samples in [lo, hi) for float64 tensors: the same 23-bit unit values as `uniformF32` (JAX's
 * float32 recipe, so a float64 draw has the same values as the float32 draw from the same key), scaled
 * into [lo, hi) in float64 arithmetic and clamped to [lo, hi). With the default [0, 1) the values equal
 * `uniformF32`'s exactly. (This is not JAX's float64 uniform under `jax_enable_x64`, which draws 52-bit
 * mantissas from 64-bit words.)
 */
export function uniformF64(k: KeyWords, n: number, lo = 0, hi = 1): Float64Array {
  checkRange("uniformF64", lo, hi);
  const bits = randomBits32(k, n);
  const out = new Float64Array(n);
  const span = hi - lo;
  const top = hi > lo ? nextDown64(hi) : lo;
  for (let i = 0; i < n; i++) {
    let v = (bits[i]! >>> 9) * TWO_POW_MINUS_23 * span + lo;
    if (v < lo) v = lo;
    else if (v > top) v = top;
    out[i] = v;
  }
  return out;
}

/** The float64 just below a finite `x`. */
function nextDown64(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const u = new BigInt64Array(f.buffer);
  u[0] = x > 0 ? u[0]! - 1n : u[0]! + 1n;
  return f[0]!;
}

// ---------------------------------------------------------------------------------------------------
// Normals

const f = Math.fround;

/** Giles' polynomial coefficients (XLA's `ErfInv32`), as float32. */
const LT5 = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
].map(f) as readonly number[];
const GE5 = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
].map(f) as readonly number[];
const [A0, A1, A2, A3, A4, A5, A6, A7, A8] = LT5 as [number, number, number, number, number, number, number, number, number];
const [B0, B1, B2, B3, B4, B5, B6, B7, B8] = GE5 as [number, number, number, number, number, number, number, number, number];
const F2_5 = 2.5;
const F3 = 3;
const F5 = 5;

/**
 * The inverse error function in float32 by Giles' single-precision approximation ("Approximating the
 * erfinv function", GPU Computing Gems, 2011) exactly as XLA's `ErfInv32` evaluates it, which is what
 * `jax.lax.erf_inv` computes for float32:
 * `w = -log1p(-x·x)`; for `w < 5` a degree-8 polynomial in `w − 2.5`, otherwise in `√w − 3`; times `x`;
 * `±1 ↦ ±∞`. Every operation is rounded to float32 (`Math.fround`), as the float32 kernel would.
 * Outside [−1, 1] the result is NaN.
 */
export function erfinvF32(x: number): number {
  x = f(x);
  if (!(Math.abs(x) <= 1)) return NaN;
  if (Math.abs(x) === 1) return x * Infinity;
  let w = -f(Math.log1p(-f(x * x)));
  let p: number;
  if (w < F5) {
    w = f(w - F2_5);
    p = A0;
    p = f(A1 + f(p * w));
    p = f(A2 + f(p * w));
    p = f(A3 + f(p * w));
    p = f(A4 + f(p * w));
    p = f(A5 + f(p * w));
    p = f(A6 + f(p * w));
    p = f(A7 + f(p * w));
    p = f(A8 + f(p * w));
  } else {
    w = f(f(Math.sqrt(w)) - F3);
    p = B0;
    p = f(B1 + f(p * w));
    p = f(B2 + f(p * w));
    p = f(B3 + f(p * w));
    p = f(B4 + f(p * w));
    p = f(B5 + f(p * w));
    p = f(B6 + f(p * w));
    p = f(B7 + f(p * w));
    p = f(B8 + f(p * w));
  }
  return f(p * x);
}

/** `np.nextafter(np.float32(-1), np.float32(0))`: the float32 just above −1, −1 + 2⁻²⁴. */
const NEXT_AFTER_MINUS_ONE = f(-1 + 2 ** -24);
/** `np.array(np.sqrt(2), np.float32)`. */
const SQRT2_F32 = f(Math.SQRT2);

/**
 * JAX's normal recipe (`_normal_real`) applied to given random words: `u = uniform(lo = nextafter(−1, 0),
 * hi = 1)` in float32, then `√2 · erfinv(u)` in float32.
 */
export function normalF32FromBits(bits: Uint32Array): Float32Array {
  const u = uniformF32FromBits(bits, NEXT_AFTER_MINUS_ONE, 1);
  const out = u; // in place: each u[i] is read once, before out[i] is written
  for (let i = 0; i < u.length; i++) out[i] = f(SQRT2_F32 * erfinvF32(u[i]!));
  return out;
}

/**
 * `n` standard normal float32 samples, identical (up to the last-ulp behaviour of XLA's `log1p` and
 * possible fused multiply-adds on the JAX side) to `jax.random.normal(key, (n,), jnp.float32)` with
 * `jax_threefry_partitionable=False`.
 */
export function normalF32(k: KeyWords, n: number): Float32Array {
  return normalF32FromBits(randomBits32(k, n));
}
