/**
 * fast-check arbitraries for tensors, shapes, parameter trees and PRNG keys. Named dims are drawn once
 * per name and shared by every tensor drawn together, so `arbTensors({ x: "B 3", y: "B" })` gives
 * tensors that agree on `B`.
 */
import { sizeOf } from "../shape/runtime.js";
import fc from "fast-check";
import { parseShape } from "../shape/runtime.js";
import type { ShapeOf } from "../shape/types.js";
import { DTYPES, type DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromArray } from "../ops/create.js";
import { key, type Key } from "../random/key.js";

/** The size of a named dim: a fixed number or an arbitrary drawing one. */
export type DimArb = fc.Arbitrary<number> | number;

/** How to draw named dim sizes. */
export interface DimOptions {
  /** Sizes (or arbitraries of sizes) for some names; the others are drawn in [minDim, maxDim]. */
  readonly sizes?: Readonly<Record<string, DimArb>>;
  /** Smallest size of a name without an entry in `sizes` (default 1). */
  readonly minDim?: number;
  /** Largest size of a name without an entry in `sizes` (default 4). */
  readonly maxDim?: number;
}

/** How to draw a tensor's values. */
export interface ValueOptions<D extends DType = DType> {
  /** The dtype (default float32, like the constructors). */
  readonly dtype?: D;
  /** Smallest value (default −10; for bool ignored). */
  readonly min?: number;
  /** Largest value (default 10). */
  readonly max?: number;
  /** Exclude NaN (default true). With `noNaN: false` floats may be NaN or ±∞. */
  readonly noNaN?: boolean;
  /** Keep floats at least this far from 0 (e.g. away from the kinks of relu, abs, 1/x). */
  readonly minAbs?: number;
  /** Keep the values of one tensor pairwise at least this far apart (no ties for max, min, sort). */
  readonly minGap?: number;
}

/** Options of {@link arbTensor}: value options and named dim sizes. */
export interface TensorArbOptions<D extends DType = DType> extends ValueOptions<D>, DimOptions {}

/** An arbitrary of one named dim's size. */
const dimArb = (name: string, opts: DimOptions): fc.Arbitrary<number> => {
  const s = opts.sizes?.[name];
  if (s === undefined) return fc.integer({ min: opts.minDim ?? 1, max: opts.maxDim ?? 4 });
  return typeof s === "number" ? fc.constant(s) : s;
};

/**
 * Draws one size per name, as a plain record.
 *
 * @example
 * ```ts
 * const sizes = arbDims(["B", "N"], { minDim: 1, maxDim: 3 }); // records like { B: 2, N: 1 }
 * ```
 */
export function arbDims(names: readonly string[], opts: DimOptions = {}): fc.Arbitrary<Record<string, number>> {
  const unique = [...new Set(names)];
  return fc.tuple(...unique.map((n) => dimArb(n, opts))).map((sizes) => {
    const out: Record<string, number> = {};
    unique.forEach((n, i) => (out[n] = sizes[i]!));
    return out;
  });
}

/** Grid steps per unit of the default value distribution (values are multiples of 1/1024). */
const GRID = 1024;

/**
 * An arbitrary of one value of a dtype. Floats are mostly spread evenly over [min, max] (multiples of
 * 1/1024, shrinking towards 0), and one draw in five comes from all doubles in range (tiny and extreme
 * magnitudes; `fc.double` alone puts most draws near 0). `noNaN: false` adds NaN and ±∞.
 *
 * @example
 * ```ts
 * const v = arbValue({ min: -1, max: 1, minAbs: 0.1 }); // floats in [-1, -0.1] ∪ [0.1, 1]
 * ```
 */
export function arbValue(opts: ValueOptions = {}): fc.Arbitrary<number> {
  const dtype = opts.dtype ?? "float32";
  const min = opts.min ?? -10;
  const max = opts.max ?? 10;
  if (min > max) throw new RangeError(`arbValue: min ${min} > max ${max}`);
  if (dtype === "bool") return fc.boolean().map((b) => (b ? 1 : 0));
  if (dtype === "int32") return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  const noNaN = opts.noNaN ?? true;
  const range = (lo: number, hi: number): fc.Arbitrary<number>[] => {
    const parts: fc.Arbitrary<number>[] = [fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true })];
    const glo = Math.ceil(lo * GRID);
    const ghi = Math.floor(hi * GRID);
    if (glo <= ghi && Number.isSafeInteger(glo) && Number.isSafeInteger(ghi)) {
      const grid = fc.integer({ min: glo, max: ghi }).map((i) => i / GRID);
      return [grid, grid, grid, grid, ...parts];
    }
    return parts;
  };
  const m = opts.minAbs ?? 0;
  const parts: fc.Arbitrary<number>[] = [];
  if (m <= 0) parts.push(...range(min, max));
  else {
    if (max >= m) parts.push(...range(Math.max(min, m), max));
    if (min <= -m) parts.push(...range(min, Math.min(max, -m)));
    if (parts.length === 0) throw new RangeError(`arbValue: no value in [${min}, ${max}] has |v| ≥ ${m}`);
  }
  if (!noNaN) parts.push(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY));
  return fc.oneof(...parts);
}

/**
 * An arbitrary of `n` values of a dtype (pairwise `minGap` apart when set).
 *
 * @example
 * ```ts
 * const vs = arbValues(4, { minGap: 0.01 }); // 4 pairwise distinct values: no ties for max or sort
 * ```
 */
export function arbValues(n: number, opts: ValueOptions = {}): fc.Arbitrary<number[]> {
  const v = arbValue(opts);
  const gap = opts.minGap;
  if (gap !== undefined && gap > 0)
    return fc.uniqueArray(v, { minLength: n, maxLength: n, comparator: (a, b) => Math.abs(a - b) < gap });
  return fc.array(v, { minLength: n, maxLength: n });
}

/** `fromArray` seen with its run-time signature (the spec is only known at run time here). */
const makeTensor = fromArray as unknown as (data: ArrayLike<number>, spec: string, sizes: Record<string, number>, dtype: DType) => Tensor<any, DType>;


function checkDtype(d: DType | undefined): void {
  if (d !== undefined && !DTYPES.includes(d)) throw new RangeError(`arbTensor: unknown dtype '${String(d)}'`);
}

/** A tensor of a run-time shape with drawn values. */
function tensorOfShape<D extends DType>(shape: readonly number[], names: Record<string, number>, spec: string, opts: ValueOptions<D>): fc.Arbitrary<Tensor<any, D>> {
  const dtype = (opts.dtype ?? "float32") as D;
  return arbValues(sizeOf(shape), opts).map((vals) => makeTensor(vals, spec, names, dtype) as Tensor<any, D>);
}

/**
 * A tensor of a shape spec (`"B 3"`) or a run-time shape (`[2, 3]`) with values drawn in [min, max]
 * (default [−10, 10], float32, no NaN). Names without a size in `sizes` are drawn in [minDim, maxDim].
 * Dims named in the spec are named on the tensor, as `fromArray(values, "B 3", { B })` would.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * fc.assert(fc.property(arbTensor("B 3", { min: -1, max: 1 }), (x) => x.shape[1] === 3));
 * const ints = arbTensor([2, 2], { dtype: "int32", min: 0, max: 9 });
 * ```
 */
export function arbTensor<const S extends string, D extends DType = "float32">(spec: S, opts?: TensorArbOptions<D>): fc.Arbitrary<Tensor<ShapeOf<S>, D>>;
export function arbTensor<D extends DType = "float32">(shape: readonly number[], opts?: ValueOptions<D>): fc.Arbitrary<Tensor<any, D>>;
export function arbTensor(spec: string | readonly number[], opts: TensorArbOptions = {}): fc.Arbitrary<Tensor<any, DType>> {
  checkDtype(opts.dtype);
  if (typeof spec !== "string") {
    for (const d of spec) if (!Number.isInteger(d) || d < 0) throw new RangeError(`arbTensor: bad dim ${d} in [${spec.join(", ")}]`);
    return tensorOfShape(spec, {}, spec.join(" "), opts);
  }
  const dims = parseShape(spec, "arbTensor");
  const names = dims.filter((d): d is string => typeof d === "string");
  return arbDims(names, opts).chain((sizes) => tensorOfShape(dims.map((d) => (typeof d === "number" ? d : sizes[d]!)), sizes, spec, opts));
}

/** One entry of {@link arbTensors}: a shape spec, or a spec with its own value options. */
export type TensorSpec = string | ({ readonly shape: string } & ValueOptions);

/** The tensors drawn by {@link arbTensors} for a record of specs. */
export type TensorsOf<Specs extends Readonly<Record<string, TensorSpec>>, D extends DType> = {
  -readonly [K in keyof Specs]: Specs[K] extends string
    ? Tensor<ShapeOf<Specs[K]>, D>
    : Specs[K] extends { readonly shape: infer S extends string; readonly dtype: infer D2 extends DType }
      ? Tensor<ShapeOf<S>, D2>
      : Specs[K] extends { readonly shape: infer S extends string }
        ? Tensor<ShapeOf<S>, D>
        : never;
};

/**
 * Several tensors drawn together, with every named dim drawn once and shared:
 * `arbTensors({ x: "B 3", y: "B" })` gives `{ x, y }` with the same `B`. An entry may carry its own value
 * options: `{ idx: { shape: "B", dtype: "int32", min: 0, max: 2 } }`; `opts` apply to the rest.
 * The result is a plain record (a parameter tree the transformations accept).
 *
 * @example
 * ```ts
 * const pair = arbTensors({ x: "B 3", y: { shape: "B", dtype: "int32", min: 0, max: 2 } }); // B drawn once, shared
 * ```
 */
export function arbTensors<const Specs extends Readonly<Record<string, TensorSpec>>, D extends DType = "float32">(
  specs: Specs, opts: TensorArbOptions<D> = {},
): fc.Arbitrary<TensorsOf<Specs, D>> {
  checkDtype(opts.dtype);
  const keys = Object.keys(specs);
  const parsed = keys.map((k) => {
    const s = specs[k]!;
    const spec = typeof s === "string" ? s : s.shape;
    const own: ValueOptions = typeof s === "string" ? {} : s;
    checkDtype(own.dtype);
    return { k, spec, dims: parseShape(spec, "arbTensors"), vopts: { ...(opts as ValueOptions), ...own } };
  });
  const names = parsed.flatMap((p) => p.dims.filter((d): d is string => typeof d === "string"));
  return arbDims(names, opts).chain((sizes) =>
    fc
      .tuple(...parsed.map((p) => tensorOfShape(p.dims.map((d) => (typeof d === "number" ? d : sizes[d]!)), sizes, p.spec, p.vopts)))
      .map((ts) => {
        // A plain object: fc.record builds null-prototype objects, which pytrees treat as static data.
        const out: Record<string, unknown> = {};
        parsed.forEach((p, i) => (out[p.k] = ts[i]));
        return out as TensorsOf<Specs, D>;
      }),
  );
}

/** Options of {@link arbShape}. */
export interface ShapeOptions {
  /** Smallest dim (default 1; 0 allows empty tensors). */
  readonly minDim?: number;
  /** Largest dim (default 4). */
  readonly maxDim?: number;
}

/**
 * A run-time shape of a given rank (or rank range) with dims in [minDim, maxDim].
 *
 * @example
 * ```ts
 * const shapes = arbShape({ min: 1, max: 3 }, { maxDim: 4 });
 * ```
 */
export function arbShape(rank: number | { readonly min: number; readonly max: number }, opts: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const [lo, hi] = typeof rank === "number" ? [rank, rank] : [rank.min, rank.max];
  return fc.array(fc.integer({ min: opts.minDim ?? 1, max: opts.maxDim ?? 4 }), { minLength: lo, maxLength: hi });
}

/** Options of {@link arbBroadcastShapes}. */
export interface BroadcastOptions extends ShapeOptions {
  /** Largest rank of the broadcast result (default 4). */
  readonly maxRank?: number;
}

/**
 * `count` mutually broadcast-compatible shapes: a result shape is drawn, then each operand keeps a
 * suffix of it (rank differences, scalars) with each dim either kept or set to 1.
 *
 * @example
 * ```ts
 * const triples = arbBroadcastShapes(3); // three shapes that broadcast together
 * ```
 */
export function arbBroadcastShapes(count: number, opts: BroadcastOptions = {}): fc.Arbitrary<number[][]> {
  const maxRank = opts.maxRank ?? 4;
  return arbShape({ min: 0, max: maxRank }, opts).chain((out) => {
    const operand = fc
      .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
      .map(([rank, ones]) => out.slice(out.length - rank).map((d, i) => (ones[out.length - rank + i] ? 1 : d)));
    return fc.array(operand, { minLength: count, maxLength: count });
  });
}

/**
 * A pair of broadcast-compatible shapes (size-1 dims, rank differences, scalars included).
 *
 * @example
 * ```ts
 * assertLaw(law("broadcasting is symmetric", arbBroadcastPair(), ([a, b]) => broadcastShapes("add", a, b).join() === broadcastShapes("add", b, a).join()));
 * ```
 */
export function arbBroadcastPair(opts: BroadcastOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return arbBroadcastShapes(2, opts).map(([a, b]) => [a!, b!]);
}

/**
 * A PRNG key drawn from the whole 64-bit seed space (shrinks towards `key(0)`).
 *
 * @example
 * ```ts
 * assertLaw(law("a key draws finite normals", arbKey(), (k) => random.normal(k, "3").toFlat().every(Number.isFinite)));
 * ```
 */
export function arbKey(): fc.Arbitrary<Key> {
  return fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((s) => key(s));
}

/**
 * Parameter trees matching a model's initializer: draws a key and calls `init(key)`, so the trees
 * have exactly the structure, shapes and initial distribution the model uses.
 *
 * @example
 * ```ts
 * const net = nn.mlp([4, 8, 2]);
 * const params = arbParams(net.init); // parameter trees exactly as net.init builds them
 * ```
 */
export function arbParams<P>(init: (k: Key) => P): fc.Arbitrary<P> {
  return arbKey().map((k) => init(k));
}
