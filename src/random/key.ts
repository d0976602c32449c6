/**
 * Splittable, counter-based PRNG keys, as in JAX: a key is two uint32 words, new keys are derived with
 * the threefry2x32 block cipher, and the same key always gives the same numbers on every machine.
 */
import { threefry2x32 } from "./bits.js";

/** An immutable PRNG key: two uint32 words (JAX's raw threefry key data). */
export interface Key {
  readonly _tag: "Key";
  readonly hi: number;
  readonly lo: number;
}

const make = (hi: number, lo: number): Key => Object.freeze({ _tag: "Key", hi: hi >>> 0, lo: lo >>> 0 });

/** A key from an integer seed, like `jax.random.PRNGKey(seed)`: `[seed >> 32, seed & 0xffffffff]`. */
export function key(seed: number): Key {
  if (!Number.isInteger(seed)) throw new RangeError(`key: seed must be an integer, got ${seed}`);
  if (seed >= -0x80000000 && seed < 0x100000000) return make(0, seed >>> 0);
  const hi = Math.floor(seed / 0x100000000);
  return make(hi, seed - hi * 0x100000000);
}

/** `n` new independent keys (default 2), identical to `jax.random.split` with threefry. */
export function split(k: Key, n = 2): Key[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`split: n must be a non-negative integer, got ${n}`);
  const counts = new Uint32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) counts[i] = i;
  const out = threefry2x32(k.hi, k.lo, counts);
  return Array.from({ length: n }, (_, i) => make(out[2 * i]!, out[2 * i + 1]!));
}

/** A key derived from `k` and an integer, identical to `jax.random.fold_in`. */
export function foldIn(k: Key, data: number): Key {
  const out = threefry2x32(k.hi, k.lo, Uint32Array.of(0, data >>> 0));
  return make(out[0]!, out[1]!);
}

/** Whether a value is a PRNG key. */
export const isKey = (x: unknown): x is Key =>
  typeof x === "object" && x !== null && (x as { _tag?: unknown })._tag === "Key";
