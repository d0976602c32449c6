/**
 * Splittable, counter-based PRNG keys, as in JAX: a key is two uint32 words held in an int32 tensor,
 * new keys are derived with the threefry2x32 block cipher (the `random` primitive, so key handling stages
 * under `jit` and batches under `vmap`), and the same key always gives the same numbers on every machine.
 *
 * `split` reproduces `jax.random.split` with `jax_threefry_partitionable=False` (JAX's default before
 * v0.5.0, and the layout of the samplers); `splitPartitionable` reproduces it with the flag on (JAX's
 * default from v0.5.0). `foldIn` is the same under both.
 */
import { DTypeError, ShapeError } from "../errors.js";
import { Concrete, impl, isTensor, typed, type Tensor } from "../tensor/tensor.js";
import { random, type RandomParams } from "../primitives/random.js";
import { reshape, slice } from "../primitives/structure.js";

/**
 * A PRNG key: an int32 tensor of shape `[2]` holding the bit patterns of JAX's two uint32 words
 * (`key_data` is `[hi, lo]`; read a word as a uint32 with `>>> 0`, or use {@link keyData}). Being a
 * tensor, a key is a leaf of a parameter tree: `jit` takes it as an input (a new key per call, no
 * restaging) and `vmap` maps over a batch of keys (shape `[B, 2]`).
 */
export type Key = Tensor<[2], "int32">;

/** A tuple of `N` keys when `N` is a small literal (so destructuring needs no checks), else an array. */
export type KeysOf<N extends number> = number extends N ? Key[] : N extends 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 ? TupleOf<N> : Key[];
type TupleOf<N extends number, Acc extends Key[] = []> = Acc["length"] extends N ? Acc : TupleOf<N, [...Acc, Key]>;

const make = (hi: number, lo: number): Key => typed(new Concrete([2], "int32", Int32Array.of(hi | 0, lo | 0)));

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
 * random.keyData(random.key(2 ** 32 + 5)); // [1, 5]
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

/** Checks that `k` is one key (int32, shape [2]), naming the operation. */
export function checkKey(op: string, k: unknown): void {
  if (!isTensor(k)) throw new TypeError(`${op}: expected a PRNG key (an int32 tensor of shape [2], from random.key), got ${k === null ? "null" : typeof k}`);
  if (k.dtype !== "int32") throw new DTypeError(op, `a PRNG key is an int32 tensor of shape [2], got dtype ${k.dtype}`);
  if (k.shape.length !== 1 || k.shape[0] !== 2) throw new ShapeError(op, "a PRNG key has shape [2] (vmap over a [B, 2] batch of keys)", [k.shape]);
}

/** The keys of a `[n, 2]` tensor, one by one. */
function unstack(ks: Tensor<[number, 2], "int32">, n: number): Key[] {
  const x = impl(ks);
  return Array.from({ length: n }, (_, i) => typed(reshape(slice(x, [i, 0], [i + 1, 2]), [2])));
}

const splitMany = (op: string, k: Key, n: number, partitionable: boolean): Tensor<[number, 2], "int32"> => {
  checkKey(op, k);
  const p: RandomParams = { kind: "split", n, partitionable };
  return typed(random(impl(k), p));
};

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
  return unstack(splitMany("split", k, n, false), n);
}

/**
 * The `n` keys of {@link split} as one `[n, 2]` tensor (what `jax.random.split` returns), to `vmap` over.
 *
 * @example
 * ```ts
 * const draws = vmap((k: Key) => random.normal(k, "3"))(random.splitStacked(random.key(0), 8)); // shape [8, 3]
 * ```
 */
export function splitStacked<const N extends number>(k: Key, n: N): Tensor<[N, 2], "int32"> {
  return splitMany("splitStacked", k, n, false) as Tensor<[N, 2], "int32">;
}

/**
 * `n` new independent keys (default 2), identical to `jax.random.split(key, n)` with
 * `jax_threefry_partitionable=True` (JAX's default from v0.5.0): key `i` is `foldIn(k, i)`. E.g.
 * `splitPartitionable(key(0))` is `[[1797259609, 2579123966], [928981903, 3453687069]]`.
 *
 * @example
 * ```ts
 * const [k1, k2] = random.splitPartitionable(random.key(0));
 * ```
 */
export function splitPartitionable(k: Key): [Key, Key];
export function splitPartitionable<const N extends number>(k: Key, n: N): KeysOf<N>;
export function splitPartitionable(k: Key, n = 2): Key[] {
  return unstack(splitMany("splitPartitionable", k, n, true), n);
}

/**
 * A key derived from `k` and an integer, identical to `jax.random.fold_in(key, data)`:
 * `threefry_2x32(key, threefry_seed(uint32(data)))`, i.e. the cipher's output for the counter `(0, data)`.
 * `data` is taken modulo 2³² (as its conversion to uint32 does). It is static under `jit` (a number).
 *
 * @example
 * ```ts
 * const epochKey = random.foldIn(random.key(0), 7); // a key for epoch 7, independent of the others
 * ```
 */
export function foldIn(k: Key, data: number): Key {
  checkKey("foldIn", k);
  return typed(random(impl(k), { kind: "foldIn", data }));
}

/**
 * Whether a value is a PRNG key: an int32 tensor of shape `[2]`.
 *
 * @example
 * ```ts
 * random.isKey(random.key(0)); // true
 * random.isKey(0); // false
 * ```
 */
export function isKey(x: unknown): x is Key {
  return isTensor(x) && x.dtype === "int32" && x.shape.length === 1 && x.shape[0] === 2;
}

/**
 * A key's two words as uint32 numbers, `[hi, lo]` (`jax.random.key_data`); needs a concrete key.
 *
 * @example
 * ```ts
 * random.keyData(random.key(42)); // [0, 42]
 * ```
 */
export function keyData(k: Key): [number, number] {
  checkKey("keyData", k);
  const d = impl(k).concrete().data;
  return [d[0]! >>> 0, d[1]! >>> 0];
}
