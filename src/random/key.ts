/**
 * Splittable, counter-based PRNG keys, as in JAX: a key is two uint32 words, new keys are derived with
 * the threefry2x32 block cipher, and the same key always gives the same numbers on every machine.
 *
 * `split` reproduces `jax.random.split` with `jax_threefry_partitionable=False` (JAX's default before
 * v0.5.0, and the layout `randomBits32`/`uniformF32`/`normalF32` use); `splitPartitionable` reproduces it
 * with the flag on (JAX's default from v0.5.0). `foldIn` is the same under both.
 */
import { splitWords, splitWordsPartitionable, threefry2x32Block } from "./bits.js";

/** A tuple of `N` keys when `N` is a small literal (so destructuring needs no checks), else an array. */
export type KeysOf<N extends number> = number extends N ? Key[] : N extends 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 ? TupleOf<N> : Key[];
type TupleOf<N extends number, Acc extends Key[] = []> = Acc["length"] extends N ? Acc : TupleOf<N, [...Acc, Key]>;

/** An immutable PRNG key: two uint32 words, as in JAX's raw threefry keys (`key_data` is `[hi, lo]`). */
export interface Key {
  readonly _tag: "Key";
  readonly hi: number;
  readonly lo: number;
}

const make = (hi: number, lo: number): Key => Object.freeze({ _tag: "Key" as const, hi: hi >>> 0, lo: lo >>> 0 });

const TWO_32 = 0x100000000;
const TWO_63 = 2 ** 63;

/**
 * A key from an integer seed, like `jax.random.PRNGKey(seed)` / `jax.random.key(seed)` for a 64-bit seed
 * (`threefry_seed`): `[seed >> 32, seed & 0xffffffff]` of the seed's 64-bit two's complement, so
 * `key(0)` is `[0, 0]`, `key(2**32 + 5)` is `[1, 5]` and `key(-1)` is `[0xffffffff, 0xffffffff]`.
 * Seeds must be integers in [−2⁶³, 2⁶³) (JAX raises `OverflowError` outside); a `bigint` gives every
 * 64-bit seed exactly. Note that JAX without `jax_enable_x64` truncates seeds to int32 first, so there a
 * negative seed `s ≥ −2³¹` gives `[0, s & 0xffffffff]` instead: use `key(s + 2**32)` to get that key.
 *
 * @example
 * ```ts
 * const k = random.key(0);
 * const same = random.normal(k, "3"); // the same three numbers every time
 * ```
 */
export function key(seed: number | bigint): Key {
  if (typeof seed === "bigint") {
    if (seed < -(1n << 63n) || seed >= 1n << 63n) throw new RangeError(`key: seed must fit in int64, got ${seed}`);
    const u = BigInt.asUintN(64, seed);
    return make(Number(u >> 32n), Number(u & 0xffffffffn));
  }
  if (!Number.isInteger(seed)) throw new RangeError(`key: seed must be an integer, got ${seed}`);
  if (seed < -TWO_63 || seed >= TWO_63) throw new RangeError(`key: seed must fit in int64, got ${seed}`);
  // Exact for every integer-valued double: division by 2³² and floor are exact.
  const hi = Math.floor(seed / TWO_32);
  return make(hi, seed - hi * TWO_32);
}

function keysFrom(words: Uint32Array, n: number): Key[] {
  const out = new Array<Key>(n);
  for (let i = 0; i < n; i++) out[i] = make(words[2 * i]!, words[2 * i + 1]!);
  return out;
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`split: n must be a non-negative integer, got ${n}`);
}

/**
 * `n` new independent keys (default 2), identical to `jax.random.split(key, n)` with the threefry2x32
 * implementation and `jax_threefry_partitionable=False`: the words of `threefry_2x32(key, iota(2n))`,
 * paired. E.g. `split(key(0))` is `[[4146024105, 967050713], [2718843009, 1272950319]]`.
 *
 * @example
 * ```ts
 * const [k1, k2] = random.split(random.key(0));
 * const keys = random.split(random.key(0), 4); // a tuple of 4 keys
 * ```
 */
export function split(k: Key): [Key, Key];
export function split<const N extends number>(k: Key, n: N): KeysOf<N>;
export function split(k: Key, n = 2): Key[] {
  checkN(n);
  return keysFrom(splitWords(k, n), n);
}

/**
 * `n` new independent keys (default 2), identical to `jax.random.split(key, n)` with
 * `jax_threefry_partitionable=True` (JAX's default from v0.5.0): key `i` is `foldIn(k, i)`. E.g.
 * `splitPartitionable(key(0))` is `[[1797259609, 2579123966], [928981903, 3453687069]]`.
 */
export function splitPartitionable(k: Key): [Key, Key];
export function splitPartitionable<const N extends number>(k: Key, n: N): KeysOf<N>;
export function splitPartitionable(k: Key, n = 2): Key[] {
  checkN(n);
  return keysFrom(splitWordsPartitionable(k, n), n);
}

/**
 * A key derived from `k` and an integer, identical to `jax.random.fold_in(key, data)`:
 * `threefry_2x32(key, threefry_seed(uint32(data)))`, i.e. the cipher's output for the counter `(0, data)`.
 * `data` is taken modulo 2³² (as its conversion to uint32 does).
 *
 * @example
 * ```ts
 * const epochKey = random.foldIn(random.key(0), 7); // a key for epoch 7, independent of the others
 * ```
 */
export function foldIn(k: Key, data: number): Key {
  if (!Number.isInteger(data)) throw new RangeError(`foldIn: data must be an integer, got ${data}`);
  const [hi, lo] = threefry2x32Block(k.hi, k.lo, 0, data % TWO_32);
  return make(hi, lo);
}

/**
 * Whether a value is a PRNG key.
 *
 * @example
 * ```ts
 * random.isKey(random.key(0)); // true
 * random.isKey(0); // false
 * ```
 */
export function isKey(x: unknown): x is Key {
  if (typeof x !== "object" || x === null) return false;
  const r = x as { _tag?: unknown; hi?: unknown; lo?: unknown };
  return r._tag === "Key" && typeof r.hi === "number" && typeof r.lo === "number";
}
