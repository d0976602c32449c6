/**
 * Tensor-level sampling from explicit PRNG keys: `normal(key, "B 784", { B: 32 })`. Shapes are written
 * as in the constructors of `ops/create.ts`; the same key always gives the same numbers, and nothing
 * here reads a global random state.
 */
import { ShapeError, DTypeError } from "../errors.js";
import { parseShape, resolveShape, normAxis, type DimSizes } from "../shape/runtime.js";
import type { ReduceShape, Shape, ShapeOf, SizesArg } from "../shape/types.js";
import { DTYPES, isFloat, type DType, type FloatDType } from "../tensor/dtype.js";
import { impl, noNames, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import type { CreateArgs, SizeArgs } from "../ops/create.js";
import { random, type RandomParams } from "../primitives/random.js";
import { cast, log, lt, maximum, minimum, neg, sub } from "../primitives/elementwise.js";
import { argmax } from "../primitives/reduce.js";
import { constant } from "../primitives/util.js";
import { checkKey, type Key } from "./key.js";

/** Bounds of a uniform distribution, `[lo, hi)`. */
export interface UniformRange {
  readonly lo?: number;
  readonly hi?: number;
}

/** Trailing arguments of {@link uniform}: the named sizes (when the spec has names), the bounds, then a dtype. */
export type UniformArgs<S extends string, D extends DType> = [...SizesArg<ShapeOf<S>>, UniformRange?, D?];

interface Parsed {
  readonly shape: number[];
  readonly names: readonly (string | null)[];
  readonly dtype: DType | undefined;
  readonly range: UniformRange | undefined;
}

const isRange = (o: object, dimNames: readonly string[]): boolean => {
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((k) => (k === "lo" || k === "hi") && !dimNames.includes(k));
};

/** Splits constructor-style trailing arguments into sizes, an optional range and a dtype, and resolves the shape. */
function parseArgs(op: string, spec: string, args: readonly unknown[]): Parsed {
  const dimNames = parseShape(spec, op).filter((d): d is string => typeof d === "string");
  let sizes: DimSizes = {};
  let dtype: DType | undefined;
  let range: UniformRange | undefined;
  for (const a of args) {
    if (typeof a === "string") {
      if (!DTYPES.includes(a as DType)) throw new ShapeError(op, `unknown dtype '${a}'`);
      dtype = a as DType;
    } else if (a !== undefined && a !== null && typeof a === "object") {
      if (isRange(a, dimNames)) range = a as UniformRange;
      else sizes = a as DimSizes;
    }
  }
  const r = resolveShape(spec, sizes, op);
  return { shape: r.sizes, names: r.names.some((n) => n !== null) ? r.names : noNames(r.sizes.length), dtype, range };
}

function floatDType(op: string, dtype: DType): FloatDType {
  if (!isFloat(dtype)) throw new DTypeError(op, `samples must be float32 or float64, got ${dtype}`);
  return dtype;
}

/** Binds the random primitive on one key (checked), naming the public operation in errors. */
function draw(op: string, k: Key, p: RandomParams): TensorImpl {
  checkKey(op, k);
  return random(impl(k), p);
}

const normalOf = (op: string, k: Key, shape: readonly number[], names: readonly (string | null)[], dtype: DType, mean: number, std: number): TensorImpl =>
  draw(op, k, { kind: "normal", shape, names, dtype: floatDType(op, dtype), mean, std });

const uniformOf = (op: string, k: Key, shape: readonly number[], names: readonly (string | null)[], dtype: DType, lo: number, hi: number): TensorImpl => {
  if (!(hi >= lo)) throw new ShapeError(op, `needs lo ≤ hi, got lo = ${lo}, hi = ${hi}`);
  return draw(op, k, { kind: "uniform", shape, names, dtype: floatDType(op, dtype), lo, hi });
};

/**
 * Normal samples 𝒩(mean, std²) of a concrete shape: the run-time form used by initializers.
 * @example normalRaw(key(0), [3, 4], "float32", 0, 0.01)
 */
export function normalRaw(k: Key, shape: readonly number[], dtype: FloatDType = "float32", mean = 0, std = 1): TensorImpl {
  return normalOf("random.normal", k, shape, noNames(shape.length), dtype, mean, std);
}

/**
 * Uniform samples in `[lo, hi)` of a concrete shape: the run-time form used by initializers.
 * @example uniformRaw(key(0), [3, 4], -0.1, 0.1)
 */
export function uniformRaw(k: Key, shape: readonly number[], lo = 0, hi = 1, dtype: FloatDType = "float32"): TensorImpl {
  return uniformOf("random.uniform", k, shape, noNames(shape.length), dtype, lo, hi);
}

/**
 * Standard normal samples, identical to `jax.random.normal` for float32.
 *
 * @example
 * ```ts
 * const x: Tensor<[2, 3]> = random.normal(random.key(0), "2 3");
 * const b: Tensor<["B", 3]> = random.normal(random.key(0), "B 3", { B: 8 });
 * const d: Tensor<[4], "float64"> = random.normal(random.key(0), "4", "float64");
 * ```
 */
export function normal<const S extends string>(k: Key, spec: S, ...sizes: SizeArgs<S>): Tensor<ShapeOf<S>, "float32">;
export function normal<const S extends string, D extends FloatDType>(k: Key, spec: S, ...args: CreateArgs<S, D>): Tensor<ShapeOf<S>, D>;
export function normal(k: Key, spec: string, ...args: unknown[]): Tensor<any, any> {
  const p = parseArgs("random.normal", spec, args);
  return typed(normalOf("random.normal", k, p.shape, p.names, p.dtype ?? "float32", 0, 1));
}

/**
 * Uniform samples in `[lo, hi)` (default `[0, 1)`), identical to `jax.random.uniform` for float32.
 *
 * @example
 * ```ts
 * const u: Tensor<[2, 3]> = random.uniform(random.key(0), "2 3"); // in [0, 1)
 * const v: Tensor<[5]> = random.uniform(random.key(0), "5", { lo: -1, hi: 1 });
 * ```
 */
export function uniform<const S extends string>(k: Key, spec: S, ...args: [...SizeArgs<S>, UniformRange?]): Tensor<ShapeOf<S>, "float32">;
export function uniform<const S extends string, D extends FloatDType>(k: Key, spec: S, ...args: UniformArgs<S, D>): Tensor<ShapeOf<S>, D>;
export function uniform(k: Key, spec: string, ...args: unknown[]): Tensor<any, any> {
  const p = parseArgs("random.uniform", spec, args);
  return typed(uniformOf("random.uniform", k, p.shape, p.names, p.dtype ?? "float32", p.range?.lo ?? 0, p.range?.hi ?? 1));
}

/**
 * Random words as int32 bit patterns (read a uint32 with `>>> 0`), identical to `jax.random.bits` for uint32.
 *
 * @example
 * ```ts
 * random.bits(random.key(1701), "3").toFlat().map((w) => w >>> 0); // [56197195, 4200222568, 961309823]
 * ```
 */
export function bits<const S extends string>(k: Key, spec: S, ...sizes: SizesArg<ShapeOf<S>>): Tensor<ShapeOf<S>, "int32"> {
  const p = parseArgs("random.bits", spec, sizes);
  return typed(draw("random.bits", k, { kind: "bits", shape: p.shape, names: p.names }));
}

/**
 * The float32 threshold `t` with `u < t ⇔ u < p` for every uniform sample `u` (a multiple of 2⁻²³ in
 * [0, 1)): comparing in float32 against `p` rounded to float32 would move the boundary for some `p`.
 */
const uniformThreshold = (p: number): number => Math.fround(Math.ceil(p * 2 ** 23) * 2 ** -23);

/**
 * Bernoulli draws as bool, `uniform < p`: true with probability `p` (a number with a shape spec, or a
 * tensor of probabilities, which may be traced).
 *
 * @example
 * ```ts
 * const mask: Tensor<[2, 4], "bool"> = random.bernoulli(random.key(0), 0.5, "2 4");
 * const each: Tensor<[3], "bool"> = random.bernoulli(random.key(0), tensor([0, 0.5, 1])); // [false, ?, true]
 * ```
 */
export function bernoulli<const S extends string>(k: Key, p: number, spec: S, ...sizes: SizesArg<ShapeOf<S>>): Tensor<ShapeOf<S>, "bool">;
/** Bernoulli draws with one probability per element, shaped like `p`. */
export function bernoulli<S extends Shape>(k: Key, p: Tensor<S, FloatDType>): Tensor<S, "bool">;
export function bernoulli(k: Key, p: number | Tensor<any, any>, spec?: string, ...rest: unknown[]): Tensor<any, "bool"> {
  if (typeof p === "number") {
    if (spec === undefined) throw new ShapeError("random.bernoulli", "a scalar probability needs a shape spec");
    const parsed = parseArgs("random.bernoulli", spec, rest);
    const u = uniformOf("random.bernoulli", k, parsed.shape, parsed.names, "float32", 0, 1);
    return typed(lt(u, constant(uniformThreshold(p), "float32")));
  }
  const pi = impl(p);
  if (!isFloat(pi.dtype)) throw new DTypeError("random.bernoulli", `probabilities must be float, got ${pi.dtype}`);
  // u (float32) and p compare exactly whatever p's float dtype.
  return typed(lt(uniformOf("random.bernoulli", k, pi.shape, pi.names, "float32", 0, 1), pi));
}

/**
 * A random permutation of `0 … n−1` (int32), by Fisher–Yates on `n − 1` random words.
 *
 * @example
 * ```ts
 * const p: Tensor<[5], "int32"> = random.permutation(random.key(0), 5); // 0…4 in a random order
 * ```
 */
export function permutation<const N extends number>(k: Key, n: N): Tensor<[N], "int32"> {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError("random.permutation", `n must be a non-negative integer, got ${n}`);
  return typed(draw("random.permutation", k, { kind: "permutation", n }));
}

/**
 * Class indices drawn from unnormalised log-probabilities along `axis` (default −1), by the Gumbel-max
 * trick: `argmax(logits + g)` with `g = −log(−log u)`, in float64. The result drops `axis` and is int32.
 *
 * @example
 * ```ts
 * const draws: Tensor<[2], "int32"> = random.categorical(random.key(0), log(tensor([[0.1, 0.9], [1, 0]]))); // [?, 0]
 * ```
 */
export function categorical<S extends Shape, D extends FloatDType, const A extends number = -1>(
  k: Key, logits: Tensor<S, D>, axis?: A,
): Tensor<ReduceShape<S, A, false>, "int32"> {
  const x = impl(logits);
  if (!isFloat(x.dtype)) throw new DTypeError("random.categorical", `logits must be float, got ${x.dtype}`);
  const r = x.shape.length;
  if (r === 0) throw new ShapeError("random.categorical", "logits must have rank ≥ 1", [x.shape]);
  const ax = normAxis("random.categorical", axis ?? -1, r);
  if (x.shape[ax] === 0) throw new ShapeError("random.categorical", `axis ${ax} has no classes`, [x.shape]);
  const u = cast(uniformOf("random.categorical", k, x.shape, noNames(r), "float32", 0, 1), "float64");
  // u in [0, 1): keep it inside (0, 1) so both logs are finite.
  const uu = minimum(maximum(u, constant(1e-12, "float64")), constant(1 - 1e-7, "float64"));
  const scores = sub(cast(x, "float64"), log(neg(log(uu))));
  return typed(argmax(scores, ax, false));
}
