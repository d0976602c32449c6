/**
 * Constructors. Shapes are written as strings (`"B 784"`) or inferred from nested arrays; named dims
 * get their sizes from a record (`zeros("B 784", { B: 32 })`), required by the type when the spec has names.
 */
import { DTypeError, ShapeError } from "../errors.js";
import { resolveShape, type DimSizes } from "../shape/runtime.js";
import type { NestedShape, Shape, ShapeOf, SizesArg, SpecArg } from "../shape/types.js";
import { alloc, checkAllocation, coerce, DTYPES, type DType } from "../tensor/dtype.js";
import { Concrete, typed, impl, noNames, type Tensor, type AnyTensor } from "../tensor/tensor.js";

/**
 * Trailing arguments of a constructor: the named sizes when the spec has names, then a dtype. Constructors keep
 * two overloads (without and with a dtype: one signature would infer the dtype from the sizes object); both
 * carry the spec's message, so it is printed whichever overload a compiler reports.
 */
export type CreateArgs<S extends string, D extends DType> = [...SizesArg<ShapeOf<S>>, D?];
/** Trailing arguments without a dtype (float32). */
export type SizeArgs<S extends string> = SizesArg<ShapeOf<S>>;

/** A value as an error message shows it: strings quoted, objects as (shortened) JSON. */
function describe(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return typeof v === "symbol" ? v.toString() : String(v);
  let json: string;
  try {
    json = JSON.stringify(v) ?? Object.prototype.toString.call(v);
  } catch {
    json = Object.prototype.toString.call(v);
  }
  if (typeof v === "function") return "a function";
  return `${Array.isArray(v) ? "an array" : "an object"} ${json.length > 60 ? `${json.slice(0, 57)}...` : json}`;
}

/** A dtype argument checked at run time (JavaScript callers and casts get past the types). */
function dtypeArg(op: string, v: unknown): DType | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" && DTYPES.includes(v as DType)) return v as DType;
  const hint = v !== null && typeof v === "object" && "dtype" in v ? `; pass the dtype itself, as in ${op}(…, "float32")` : "";
  throw new DTypeError(op, `expected a dtype (${DTYPES.map((d) => `"${d}"`).join(", ")}), got ${describe(v)}${hint}`);
}

function splitArgs(op: string, args: readonly unknown[]): { sizes: DimSizes; dtype: DType | undefined } {
  let sizes: DimSizes = {};
  let dtype: DType | undefined;
  for (const a of args) {
    if (a === undefined) continue;
    if (typeof a === "string") dtype = dtypeArg(op, a);
    else if (a !== null && typeof a === "object" && !Array.isArray(a)) {
      for (const [k, v] of Object.entries(a)) {
        if (k === "dtype") dtypeArg(op, a);
        if (typeof v !== "number") throw new ShapeError(op, `the size of named dim '${k}' must be a number, got ${describe(v)}`);
      }
      sizes = a as DimSizes;
    } else throw new DTypeError(op, `expected named sizes (such as { B: 32 }) or a dtype after the shape, got ${describe(a)}`);
  }
  return { sizes, dtype };
}

function make(op: string, spec: string, args: readonly unknown[], fill: (data: ReturnType<typeof alloc>, sizes: number[]) => void, defaultDtype: DType = "float32"): AnyTensor {
  const { sizes, dtype } = splitArgs(op, args);
  const r = resolveShape(spec, sizes, op);
  const d = dtype ?? defaultDtype;
  checkAllocation(op, r.sizes, d);
  let n = 1;
  for (const s of r.sizes) n *= s;
  const data = alloc(d, n);
  fill(data, r.sizes);
  return typed(new Concrete(r.sizes, d, data, r.names.some((x) => x !== null) ? r.names : noNames(r.sizes.length)));
}

/**
 * A tensor of zeros: `zeros("B 784", { B: 32 })`, `zeros("2 3", "int32")`.
 *
 * @example
 * ```ts
 * const w: Tensor<[784, 10]> = zeros("784 10");
 * const batch: Tensor<["B", 784]> = zeros("B 784", { B: 32 });
 * const ids: Tensor<[4], "int32"> = zeros("4", "int32");
 * ```
 */
export function zeros<const S extends string>(spec: SpecArg<S, "zeros">, ...sizes: SizeArgs<S>): Tensor<ShapeOf<S>, "float32">;
export function zeros<const S extends string, D extends DType>(spec: SpecArg<S, "zeros">, ...args: CreateArgs<S, D>): Tensor<ShapeOf<S>, D>;
export function zeros(spec: string, ...args: unknown[]): AnyTensor {
  return make("zeros", spec, args, () => {});
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * const b: Tensor<[10]> = ones("10");
 * const f: Tensor<[2, 2], "float64"> = ones("2 2", "float64");
 * ```
 */
export function ones<const S extends string>(spec: SpecArg<S, "ones">, ...sizes: SizeArgs<S>): Tensor<ShapeOf<S>, "float32">;
export function ones<const S extends string, D extends DType>(spec: SpecArg<S, "ones">, ...args: CreateArgs<S, D>): Tensor<ShapeOf<S>, D>;
export function ones(spec: string, ...args: unknown[]): AnyTensor {
  return make("ones", spec, args, (d) => d.fill(1));
}

/**
 * A tensor filled with `value`.
 *
 * @example
 * ```ts
 * const sevens: Tensor<[2, 3]> = full("2 3", 7);
 * ```
 */
export function full<const S extends string>(spec: SpecArg<S, "full">, value: number, ...sizes: SizeArgs<S>): Tensor<ShapeOf<S>, "float32">;
export function full<const S extends string, D extends DType>(spec: SpecArg<S, "full">, value: number, ...args: CreateArgs<S, D>): Tensor<ShapeOf<S>, D>;
export function full(spec: string, value: number, ...args: unknown[]): AnyTensor {
  return make("full", spec, args, (d) => d.fill(value));
}

/**
 * A tensor from flat row-major data: `fromArray([1, 2, 3, 4, 5, 6], "2 3")`. Checks the length.
 *
 * @example
 * ```ts
 * const x: Tensor<[2, 3]> = fromArray(new Float32Array([1, 2, 3, 4, 5, 6]), "2 3");
 * const b: Tensor<["B", 3]> = fromArray([1, 2, 3, 4, 5, 6], "B 3", { B: 2 });
 * ```
 */
export function fromArray<const S extends string>(data: ArrayLike<number>, spec: SpecArg<S, "fromArray">, ...sizes: SizeArgs<S>): Tensor<ShapeOf<S>, "float32">;
export function fromArray<const S extends string, D extends DType>(data: ArrayLike<number>, spec: SpecArg<S, "fromArray">, ...args: CreateArgs<S, D>): Tensor<ShapeOf<S>, D>;
export function fromArray(data: ArrayLike<number>, spec: string, ...args: unknown[]): AnyTensor {
  return make("fromArray", spec, args, (d, sizes) => {
    if (data.length !== d.length)
      throw new ShapeError("fromArray", `got ${data.length} values for a shape of ${d.length} elements`, [sizes]);
    const dt = impl0(d);
    // Typed arrays of the same element type copy in one block.
    if (Object.getPrototypeOf(data) === Object.getPrototypeOf(d)) {
      d.set(data as typeof d);
      return;
    }
    for (let i = 0; i < d.length; i++) {
      const v = data[i]!;
      if (typeof v !== "number" && typeof v !== "boolean") throw new ShapeError("fromArray", `element ${i} is not a number`);
      d[i] = coerce(dt, Number(v));
    }
  });
}

const impl0 = (d: ReturnType<typeof alloc>): DType =>
  d instanceof Float32Array ? "float32" : d instanceof Float64Array ? "float64" : d instanceof Int32Array ? "int32" : "bool";

/** Nested arrays of numbers or booleans, as accepted by {@link tensor}. */
export type NestedInput = number | boolean | readonly NestedInput[];

/**
 * A tensor from nested arrays, with its shape inferred in the type:
 * `tensor([[1, 2, 3], [4, 5, 6]])` is a `Tensor<[2, 3]>`. Ragged input throws a `ShapeError`.
 * Data of type `any` (a `JSON.parse` result) gives `Tensor<Dim[]>`, a shape known only at run time: decode
 * untrusted data with `data.decodeTensor("B 784")` instead, or check a tensor with `assertShape(x, "B 784")`.
 *
 * @example
 * ```ts
 * const m: Tensor<[2, 3]> = tensor([[1, 2, 3], [4, 5, 6]]);
 * const labels: Tensor<[3], "int32"> = tensor([0, 2, 1], "int32");
 * const mask: Tensor<[2], "bool"> = tensor([true, false]);
 * ```
 */
export function tensor<const T extends NestedInput, D extends DType = 0 extends 1 & T ? "float32" : T extends boolean | readonly boolean[] | readonly (readonly boolean[])[] ? "bool" : "float32">(
  data: T, dtype?: D,
): Tensor<NestedShape<T>, D> {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const isBool = typeof probe === "boolean";
  const d: DType = dtypeArg("tensor", dtype) ?? (isBool ? "bool" : "float32");
  let n = 1;
  for (const s of shape) n *= s;
  const out = alloc(d, n);
  let k = 0;
  const rec = (x: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (typeof x !== "number" && typeof x !== "boolean") throw new ShapeError("tensor", `expected a number at depth ${dim}, got ${Array.isArray(x) ? "an array" : typeof x}`);
      out[k++] = coerce(d, Number(x));
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) throw new ShapeError("tensor", `ragged nested array: expected length ${shape[dim]} at depth ${dim}`, [shape]);
    for (const c of x) rec(c, dim + 1);
  };
  rec(data, 0);
  return typed(new Concrete(shape, d, out));
}

/**
 * A rank-0 tensor.
 *
 * @example
 * ```ts
 * const s: Tensor<[]> = scalar(2.5);
 * const n: Tensor<[], "int32"> = scalar(3, "int32");
 * ```
 */
export function scalar<D extends DType = "float32">(value: number | boolean, dtype?: D): Tensor<[], D> {
  const d: DType = dtypeArg("scalar", dtype) ?? (typeof value === "boolean" ? "bool" : "float32");
  const out = alloc(d, 1);
  out[0] = coerce(d, Number(value));
  return typed(new Concrete([], d, out));
}

/**
 * `[0, 1, …, n−1]` (float32 unless a dtype is given): `arange(4)` is a `Tensor<[4]>`.
 *
 * @example
 * ```ts
 * const r: Tensor<[5]> = arange(5); // [0, 1, 2, 3, 4]
 * const odd: Tensor<[number]> = arange(1, 10, 2); // [1, 3, 5, 7, 9]
 * ```
 */
export function arange<const N extends number, D extends DType = "float32">(n: N, dtype?: D): Tensor<[N], D>;
/** `[start, start+step, …)` below `stop`. */
export function arange<D extends DType = "float32">(start: number, stop: number, step?: number, dtype?: D): Tensor<[number], D>;
export function arange(a: number, b?: number | DType, c?: number | DType, e?: DType): AnyTensor {
  let start = 0;
  let stop = a;
  let step = 1;
  let dtype: DType = "float32";
  if (typeof b === "number") {
    start = a;
    stop = b;
    if (typeof c === "number") step = c;
    else dtype = dtypeArg("arange", c) ?? dtype;
    dtype = dtypeArg("arange", e) ?? dtype;
  } else dtype = dtypeArg("arange", b) ?? dtype;
  if (step === 0 || !Number.isFinite(step)) throw new ShapeError("arange", `step must be a non-zero finite number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw new ShapeError("arange", `start and stop must be finite numbers, got ${start} and ${stop}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkAllocation("arange", [n], dtype);
  const out = alloc(dtype, n);
  for (let i = 0; i < n; i++) out[i] = coerce(dtype, start + i * step);
  return typed(new Concrete([n], dtype, out));
}

/**
 * `num` evenly spaced values from `start` to `stop` inclusive.
 *
 * @example
 * ```ts
 * const grid: Tensor<[5]> = linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace<const N extends number, D extends DType = "float32">(start: number, stop: number, num: N, dtype?: D): Tensor<[N], D> {
  if (!Number.isInteger(num) || num < 0) throw new ShapeError("linspace", `num must be a non-negative integer, got ${num}`);
  const d: DType = dtypeArg("linspace", dtype) ?? "float32";
  checkAllocation("linspace", [num], d);
  const out = alloc(d, num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) out[i] = coerce(d, i === num - 1 && num > 1 ? stop : start + i * step);
  return typed(new Concrete([num], d, out));
}

/**
 * The `n×n` identity matrix.
 *
 * @example
 * ```ts
 * const i3: Tensor<[3, 3]> = eye(3);
 * ```
 */
export function eye<const N extends number, D extends DType = "float32">(n: N, dtype?: D): Tensor<[N, N], D> {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError("eye", `n must be a non-negative integer, got ${n}`);
  const d: DType = dtypeArg("eye", dtype) ?? "float32";
  checkAllocation("eye", [n, n], d);
  const out = alloc(d, n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return typed(new Concrete([n, n], d, out));
}

/**
 * Zeros of the same shape and dtype as `x`.
 *
 * @example
 * ```ts
 * const z: Tensor<[2, 3]> = zerosLike(tensor([[1, 2, 3], [4, 5, 6]]));
 * ```
 */
export function zerosLike<S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> {
  const t = impl(x);
  return typed(new Concrete(t.shape, t.dtype, alloc(t.dtype, t.size), t.names));
}

/**
 * Ones of the same shape and dtype as `x`.
 *
 * @example
 * ```ts
 * const o: Tensor<[2]> = onesLike(tensor([5, 6]));
 * ```
 */
export function onesLike<S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> {
  const t = impl(x);
  const d = alloc(t.dtype, t.size);
  d.fill(1);
  return typed(new Concrete(t.shape, t.dtype, d, t.names));
}
