/**
 * Tensor-level sampling from explicit PRNG keys: `normal(key, "B 784", { B: 32 })`. Shapes are written
 * as in the constructors of `ops/create.ts`; the same key always gives the same numbers, and nothing
 * here reads a global random state.
 */
import { ShapeError, DTypeError } from "../errors.js";
import { parseShape, resolveShape, normAxis, type DimSizes, sizeOf } from "../shape/runtime.js";
import type { ReduceShape, Shape, ShapeOf, SizesArg } from "../shape/types.js";
import { alloc, coerce, DTYPES, isFloat, type DType, type FloatDType } from "../tensor/dtype.js";
import { Concrete, impl, noNames, typed, type Tensor } from "../tensor/tensor.js";
import type { CreateArgs, SizeArgs } from "../ops/create.js";
import type { Key } from "./key.js";
import { assertNotStaging } from "../core/trace.js";

const NOT_STAGED = "its numbers would be drawn once and replayed on every call (draw them outside, or train without jit)";
import { normalF32, randomBits32, uniformF32 } from "./bits.js";

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

const count = sizeOf;

function floatOut(op: string, shape: readonly number[], names: readonly (string | null)[], dtype: DType, vals: ArrayLike<number>): Concrete {
  if (!isFloat(dtype)) throw new DTypeError(op, `samples must be float32 or float64, got ${dtype}`);
  const data = alloc(dtype, vals.length);
  for (let i = 0; i < vals.length; i++) data[i] = coerce(dtype, vals[i]!);
  return new Concrete(shape, dtype, data, names);
}

/** Standard normal samples (mean 0, std 1) of a concrete shape: the run-time form used by initializers. */
export function normalRaw(k: Key, shape: readonly number[], dtype: FloatDType = "float32", mean = 0, std = 1): Concrete {
  assertNotStaging("random.normal", NOT_STAGED);
  const z = normalF32(k, count(shape));
  const vals = mean === 0 && std === 1 ? z : Array.from(z, (v) => mean + std * v);
  return floatOut("normal", shape, noNames(shape.length), dtype, vals);
}

/** Uniform samples in `[lo, hi)` of a concrete shape: the run-time form used by initializers. */
export function uniformRaw(k: Key, shape: readonly number[], lo = 0, hi = 1, dtype: FloatDType = "float32"): Concrete {
  assertNotStaging("random.uniform", NOT_STAGED);
  return floatOut("uniform", shape, noNames(shape.length), dtype, uniformF32(k, count(shape), lo, hi));
}

/**
 * Standard normal samples: `normal(key, "B 784", { B: 32 })`, `normal(key, "3 3", "float64")`.
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
  assertNotStaging("random.normal", NOT_STAGED);
  const p = parseArgs("normal", spec, args);
  return typed(floatOut("normal", p.shape, p.names, p.dtype ?? "float32", normalF32(k, count(p.shape))));
}

/**
 * Uniform samples in `[lo, hi)` (default `[0, 1)`): `uniform(key, "2 3", { lo: -1, hi: 1 })`.
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
  assertNotStaging("random.uniform", NOT_STAGED);
  const p = parseArgs("uniform", spec, args);
  const lo = p.range?.lo ?? 0;
  const hi = p.range?.hi ?? 1;
  if (!(hi >= lo)) throw new ShapeError("uniform", `needs lo ≤ hi, got lo = ${lo}, hi = ${hi}`);
  return typed(floatOut("uniform", p.shape, p.names, p.dtype ?? "float32", uniformF32(k, count(p.shape), lo, hi)));
}

/**
 * Bernoulli draws as bool: true with probability `p` (a number with a shape spec, or a tensor of probabilities).
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
  assertNotStaging("random.bernoulli", NOT_STAGED);
  let shape: number[];
  let names: readonly (string | null)[];
  let probs: (i: number) => number;
  if (typeof p === "number") {
    if (spec === undefined) throw new ShapeError("bernoulli", "a scalar probability needs a shape spec");
    const parsed = parseArgs("bernoulli", spec, rest);
    shape = parsed.shape;
    names = parsed.names;
    probs = () => p;
  } else {
    const c = impl(p).concrete();
    if (!isFloat(c.dtype)) throw new DTypeError("bernoulli", `probabilities must be float, got ${c.dtype}`);
    shape = [...c.shape];
    names = c.names;
    probs = (i) => c.data[i]!;
  }
  const n = count(shape);
  const u = uniformF32(k, n, 0, 1);
  const out = alloc("bool", n);
  for (let i = 0; i < n; i++) out[i] = u[i]! < probs(i) ? 1 : 0;
  return typed(new Concrete(shape, "bool", out, names));
}

/**
 * A random permutation of `0 … n−1` (int32), by Fisher–Yates.
 *
 * @example
 * ```ts
 * const p: Tensor<[5], "int32"> = random.permutation(random.key(0), 5); // 0…4 in a random order
 * ```
 */
export function permutation<const N extends number>(k: Key, n: N): Tensor<[N], "int32"> {
  assertNotStaging("random.permutation", NOT_STAGED);
  if (!Number.isInteger(n) || n < 0) throw new ShapeError("permutation", `n must be a non-negative integer, got ${n}`);
  const out = alloc("int32", n);
  for (let i = 0; i < n; i++) out[i] = i;
  const bits = randomBits32(k, Math.max(n - 1, 0));
  for (let i = n - 1; i > 0; i--) {
    // Multiply-shift maps 32 random bits onto [0, i] (bias below 2⁻²⁰ for any n that fits in memory).
    const j = Math.floor(((bits[n - 1 - i]! >>> 0) / 4294967296) * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return typed(new Concrete([n], "int32", out));
}

/**
 * Class indices drawn from unnormalised log-probabilities along `axis` (default −1), by the Gumbel-max
 * trick: `argmax(logits + g)` with `g = −log(−log u)`. The result drops `axis` and is int32.
 *
 * @example
 * ```ts
 * const draws: Tensor<[2], "int32"> = random.categorical(random.key(0), log(tensor([[0.1, 0.9], [1, 0]]))); // [?, 0]
 * ```
 */
export function categorical<S extends Shape, D extends FloatDType, const A extends number = -1>(
  k: Key, logits: Tensor<S, D>, axis?: A,
): Tensor<ReduceShape<S, A, false>, "int32"> {
  assertNotStaging("random.categorical", NOT_STAGED);
  const c = impl(logits).concrete();
  if (!isFloat(c.dtype)) throw new DTypeError("categorical", `logits must be float, got ${c.dtype}`);
  const r = c.shape.length;
  if (r === 0) throw new ShapeError("categorical", "logits must have rank ≥ 1", [c.shape]);
  const ax = normAxis("categorical", axis ?? -1, r);
  const n = c.shape[ax]!;
  if (n === 0) throw new ShapeError("categorical", `axis ${ax} has no classes`, [c.shape]);
  const inner = count(c.shape.slice(ax + 1));
  const outer = count(c.shape.slice(0, ax));
  const u = uniformF32(k, c.size, 0, 1);
  const out = alloc("int32", outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let best = -Infinity;
      let arg = 0;
      for (let j = 0; j < n; j++) {
        const idx = (o * n + j) * inner + i;
        // u in [0, 1): keep it inside (0, 1) so both logs are finite.
        const uu = Math.min(Math.max(u[idx]!, 1e-12), 1 - 1e-7);
        const v = c.data[idx]! - Math.log(-Math.log(uu));
        if (v > best) {
          best = v;
          arg = j;
        }
      }
      out[o * inner + i] = arg;
    }
  const shape = c.shape.filter((_, i) => i !== ax);
  return typed(new Concrete(shape, "int32", out));
}
