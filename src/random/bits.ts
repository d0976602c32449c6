/**
 * The threefry2x32 block cipher (Salmon et al., Random123; 20 rounds) and JAX's recipes for turning its
 * output into bits, uniforms and normals, so that a key gives the same numbers as in JAX.
 */
import type { Key } from "./key.js";

const ROT = [13, 15, 26, 6, 17, 29, 16, 24] as const;

/**
 * JAX's `threefry_2x32(key, count)`: the counts are split into two halves (padded with a zero when odd)
 * that form the cipher's two input words; the two output words are concatenated again.
 */
export function threefry2x32(k0: number, k1: number, count: Uint32Array): Uint32Array {
  const n = count.length;
  const half = (n + 1) >> 1;
  const out = new Uint32Array(2 * half);
  const k2 = (k0 ^ k1 ^ 0x1bd11bda) >>> 0;
  const ks = [k0 >>> 0, k1 >>> 0, k2];
  for (let i = 0; i < half; i++) {
    let x0 = (count[i]! + ks[0]!) >>> 0;
    let x1 = ((i + half < n ? count[i + half]! : 0) + ks[1]!) >>> 0;
    for (let g = 0; g < 5; g++) {
      const base = (g & 1) * 4;
      for (let r = 0; r < 4; r++) {
        const rot = ROT[base + r]!;
        x0 = (x0 + x1) >>> 0;
        x1 = ((x1 << rot) | (x1 >>> (32 - rot))) >>> 0;
        x1 = (x1 ^ x0) >>> 0;
      }
      x0 = (x0 + ks[(g + 1) % 3]!) >>> 0;
      x1 = (x1 + ks[(g + 2) % 3]! + g + 1) >>> 0;
    }
    out[i] = x0;
    out[i + half] = x1;
  }
  return n === 2 * half ? out : Uint32Array.of(...out.subarray(0, half), ...out.subarray(half, half + n - half));
}

/** `n` random uint32 words, identical to `jax.random.bits(key, (n,), uint32)` with threefry. */
export function randomBits32(k: Key, n: number): Uint32Array {
  const counts = new Uint32Array(n);
  for (let i = 0; i < n; i++) counts[i] = i;
  return threefry2x32(k.hi, k.lo, counts);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** JAX's uniform recipe: 23 random mantissa bits give a float32 in [1, 2), minus 1, scaled into [lo, hi). */
export function uniformF32(k: Key, n: number, lo = 0, hi = 1): Float32Array {
  const bits = randomBits32(k, n);
  const out = new Float32Array(n);
  const flo = Math.fround(lo);
  const span = Math.fround(Math.fround(hi) - flo);
  for (let i = 0; i < n; i++) {
    u32[0] = (bits[i]! >>> 9) | 0x3f800000;
    const unit = Math.fround(f32[0]! - 1);
    out[i] = Math.max(flo, Math.fround(Math.fround(unit * span) + flo));
  }
  return out;
}

/** Uniform samples in [lo, hi) computed as float32 then widened (for float64 tensors). */
export function uniformF64(k: Key, n: number, lo = 0, hi = 1): Float64Array {
  return Float64Array.from(uniformF32(k, n, lo, hi));
}

/** Giles' single-precision inverse error function (the one XLA uses for float32). */
export function erfinvF32(x: number): number {
  if (x <= -1) return x === -1 ? -Infinity : NaN;
  if (x >= 1) return x === 1 ? Infinity : NaN;
  let w = -Math.log((1 - x) * (1 + x));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  return p * x;
}

const NEXT_AFTER_MINUS_ONE = Math.fround(-1 + 2 ** -24);

/** Standard normals by JAX's recipe: √2 · erfinv(u) with u uniform in (−1, 1). */
export function normalF32(k: Key, n: number): Float32Array {
  const u = uniformF32(k, n, NEXT_AFTER_MINUS_ONE, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.SQRT2 * erfinvF32(u[i]!);
  return out;
}
