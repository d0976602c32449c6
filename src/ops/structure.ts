/** Structural ops: reshape, flatten, transpose/permute, expandDims/squeeze, concat/stack, slice, take, oneHot. */
import { ShapeError } from "../errors.js";
import { normAxis, parseShape, sizeOf, type DimSizes } from "../shape/runtime.js";
import type {
  ConcatError, ConcatShape, ErrorIf, ExpandDimsShape, FlattenShape, OneHotShape, PermuteError, PermuteShape, ReshapeError,
  Shape, ShapeOf, ShapeSpecError, SpecArg, SliceShape, SqueezeError, SqueezeShape, StackError, StackShape, TakeShape, TransposeError, TransposeShape,
  BroadcastError, BroadcastShape,
} from "../shape/types.js";
import { alloc, type DType } from "../tensor/dtype.js";
import { Concrete, isTensor, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import * as S from "../primitives/structure.js";
import * as E from "../primitives/elementwise.js";
import { operand } from "./util.js";

const t = (x: Tensor<any, any>): TensorImpl => operand(x);

/**
 * Resolves a reshape target spec against `x`: literal sizes as written, names from `x`'s dims of the same
 * name or from `sizes`, and at most one remaining unknown name inferred from the element count.
 */
function resolveTarget(x: TensorImpl, spec: string, sizes: DimSizes): { shape: number[]; names: (string | null)[] } {
  const dims = parseShape(spec, "reshape");
  const known = new Map<string, number>();
  x.names.forEach((n, i) => n != null && known.set(n, x.shape[i]!));
  for (const [k, v] of Object.entries(sizes)) known.set(k, v);
  let unknown = -1;
  const shape = dims.map((d, i) => {
    if (typeof d === "number") return d;
    const v = known.get(d);
    if (v !== undefined) return v;
    if (unknown !== -1) throw new ShapeError("reshape", `dims '${dims[unknown]}' and '${d}' both have unknown sizes in "${spec}"; pass { ${d}: size }`, [x.shape]);
    unknown = i;
    return -1;
  });
  if (unknown !== -1) {
    const rest = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    if (rest === 0 || x.size % rest !== 0)
      throw new ShapeError("reshape", `cannot infer '${dims[unknown]}': ${x.size} elements are not divisible by ${rest}`, [x.shape]);
    shape[unknown] = x.size / rest;
  }
  if (sizeOf(shape) !== x.size)
    throw new ShapeError("reshape", `cannot reshape ${x.size} elements into "${spec}" (${sizeOf(shape)} elements)`, [x.shape, shape]);
  return { shape, names: dims.map((d) => (typeof d === "string" ? d : null)) };
}

/**
 * Reshapes to a shape spec: `reshape(x, "B 784")`, or curried `pipe(x, reshape("B 784"))`. Checked at compile
 * time where dims are literals (`[28, 28] → "784"` compiles, `→ "785"` does not) and always at run time. A name
 * not bound in `x` nor given in `sizes` is inferred from the element count (like −1 in NumPy).
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const r: Tensor<[3, 2]> = reshape(x, "3 2");
 * const flat: Tensor<[6]> = pipe(x, reshape("6"));
 * // reshape(x, "4 2")  ← does not compile: "reshape: cannot reshape [2, 3] (6 elements) into [4, 2] (8 elements)"
 * ```
 */
export function reshape<const T extends string>(spec: SpecArg<T, "reshape">, sizes?: DimSizes): <S extends Shape, D extends DType>(x: ErrorIf<ReshapeError<S, ShapeOf<T>>, Tensor<S, D>>) => Tensor<ShapeOf<T>, D>;
// The direct form comes last: TypeScript 7 prints only the last overload's error, and this one carries the message.
export function reshape<S extends Shape, D extends DType, const T extends string>(
  x: Tensor<S, D>, spec: ErrorIf<ShapeSpecError<T, "reshape"> | ReshapeError<S, ShapeOf<T>>, T>, sizes?: DimSizes,
): Tensor<ShapeOf<T>, D>;
export function reshape(a: unknown, b?: unknown, c?: unknown): unknown {
  const run = (x: Tensor<any, any>, spec: string, sizes: DimSizes = {}): unknown => {
    const xi = t(x);
    const { shape, names } = resolveTarget(xi, spec, sizes);
    return typed(S.reshape(xi, shape, names.some((n) => n !== null) ? names : null));
  };
  if (isTensor(a)) return run(a, b as string, c as DimSizes | undefined);
  return (x: Tensor<any, any>) => run(x, a as string, b as DimSizes | undefined);
}

/**
 * Merges dims `start..end` (inclusive, negative from the end) into one.
 *
 * @example
 * ```ts
 * const f: Tensor<[2, 12]> = flatten(zeros("2 3 4"), 1);
 * const all: Tensor<[24]> = flatten(zeros("2 3 4"));
 * ```
 */
export function flatten<S extends Shape, D extends DType, Start extends number = 0, End extends number = -1>(
  x: Tensor<S, D>, start?: Start, end?: End,
): Tensor<FlattenShape<S, Start, End>, D> {
  const xi = t(x);
  const r = xi.shape.length;
  if (r === 0) return typed(S.reshape(xi, [1]));
  const s = normAxis("flatten", start ?? 0, r);
  const e = normAxis("flatten", end ?? -1, r);
  if (e < s) throw new ShapeError("flatten", `end axis ${e} is before start axis ${s}`, [xi.shape]);
  const shape = [...xi.shape.slice(0, s), sizeOf(xi.shape.slice(s, e + 1)), ...xi.shape.slice(e + 1)];
  return typed(S.reshape(xi, shape));
}

/**
 * Swaps the last two dims (the matrix transpose, batched).
 *
 * @example
 * ```ts
 * const t: Tensor<[3, 2]> = transpose(zeros("2 3"));
 * ```
 */
export function transpose<S extends Shape, D extends DType>(x: ErrorIf<TransposeError<S>, Tensor<S, D>>): Tensor<TransposeShape<S>, D> {
  const xi = t(x as Tensor<any, any>);
  const r = xi.shape.length;
  if (r < 2) throw new ShapeError("transpose", `needs rank ≥ 2, got rank ${r}`, [xi.shape]);
  const perm = xi.shape.map((_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return typed(S.transpose(xi, perm));
}

/**
 * Reorders dims: output dim i is input dim `perm[i]`. Curried: `pipe(x, permute([1, 0]))`.
 *
 * @example
 * ```ts
 * const p: Tensor<[4, 2, 3]> = permute(zeros("2 3 4"), [2, 0, 1]);
 * ```
 */
export function permute<S extends Shape, D extends DType, const P extends readonly number[]>(x: Tensor<S, D>, perm: ErrorIf<PermuteError<S, P>, P>): Tensor<PermuteShape<S, P>, D>;
export function permute<const P extends readonly number[]>(perm: P): <S extends Shape, D extends DType>(x: ErrorIf<PermuteError<S, P>, Tensor<S, D>>) => Tensor<PermuteShape<S, P>, D>;
export function permute(a: unknown, b?: unknown): unknown {
  const run = (x: Tensor<any, any>, perm: readonly number[]): unknown => {
    const xi = t(x);
    return typed(S.transpose(xi, perm.map((p) => normAxis("permute", p, xi.shape.length))));
  };
  return isTensor(a) ? run(a, b as readonly number[]) : (x: Tensor<any, any>) => run(x, a as readonly number[]);
}

/**
 * Inserts a size-1 dim at `axis` (negative counts from the end of the result).
 *
 * @example
 * ```ts
 * const col: Tensor<[3, 1]> = expandDims(tensor([1, 2, 3]), 1);
 * ```
 */
export function expandDims<S extends Shape, D extends DType, const A extends number>(x: Tensor<S, D>, axis: A): Tensor<ExpandDimsShape<S, A>, D> {
  const xi = t(x);
  const a = normAxis("expandDims", axis, xi.shape.length + 1);
  const shape = [...xi.shape];
  shape.splice(a, 0, 1);
  const names = [...xi.names];
  names.splice(a, 0, null);
  return typed(S.reshape(xi, shape, names));
}

/**
 * Removes size-1 dims: the one at `axis`, or all of them.
 *
 * @example
 * ```ts
 * const v: Tensor<[3]> = squeeze(zeros("3 1"), 1);
 * const all: Tensor<[3]> = squeeze(zeros("1 3 1"));
 * ```
 */
export function squeeze<S extends Shape, D extends DType, const A extends number | undefined = undefined>(
  x: Tensor<S, D>, axis?: ErrorIf<SqueezeError<S, A>, A>,
): Tensor<SqueezeShape<S, A>, D> {
  const xi = t(x);
  let keep: number[];
  if (axis === undefined) keep = xi.shape.map((_, i) => i).filter((i) => xi.shape[i] !== 1);
  else {
    const a = normAxis("squeeze", axis as number, xi.shape.length);
    if (xi.shape[a] !== 1) throw new ShapeError("squeeze", `dim ${a} has size ${xi.shape[a]}, not 1`, [xi.shape]);
    keep = xi.shape.map((_, i) => i).filter((i) => i !== a);
  }
  return typed(S.reshape(xi, keep.map((i) => xi.shape[i]!), keep.map((i) => xi.names[i] ?? null)));
}

type ShapesOf<T extends readonly Tensor<any, any>[]> = { readonly [K in keyof T]: T[K] extends Tensor<infer S extends Shape, any> ? S : never };
type DTypeOf<T extends readonly Tensor<any, any>[]> = T[0] extends Tensor<any, infer D> ? D : "float32";

/**
 * Joins tensors along an existing axis (default 0).
 *
 * @example
 * ```ts
 * const c: Tensor<[5, 3]> = concat([zeros("2 3"), ones("3 3")]);
 * const wide: Tensor<[2, 7]> = concat([zeros("2 3"), ones("2 4")], 1);
 * ```
 */
export function concat<const Ts extends readonly Tensor<any, any>[], const A extends number = 0>(
  xs: ErrorIf<ConcatError<ShapesOf<Ts>, A>, Ts>, axis?: A,
): Tensor<ConcatShape<ShapesOf<Ts>, A>, DTypeOf<Ts>> {
  const list = (xs as readonly Tensor<any, any>[]).map(t);
  if (list.length === 0) throw new ShapeError("concat", "needs at least one tensor");
  const a = normAxis("concat", axis ?? 0, list[0]!.shape.length);
  return typed(S.concat(list, a));
}

/**
 * Stacks same-shaped tensors along a new axis (default 0).
 *
 * @example
 * ```ts
 * const s: Tensor<[2, 3]> = stack([tensor([1, 2, 3]), tensor([4, 5, 6])]);
 * ```
 */
export function stack<const Ts extends readonly Tensor<any, any>[], const A extends number = 0>(
  xs: ErrorIf<StackError<ShapesOf<Ts>, A>, Ts>, axis?: A,
): Tensor<StackShape<ShapesOf<Ts>, A>, DTypeOf<Ts>> {
  const list = (xs as readonly Tensor<any, any>[]).map(t);
  if (list.length === 0) throw new ShapeError("stack", "needs at least one tensor");
  const first = list[0]!;
  for (const x of list)
    if (x.shape.length !== first.shape.length || x.shape.some((d, i) => d !== first.shape[i]))
      throw new ShapeError("stack", "all tensors must have the same shape", list.map((y) => y.shape));
  const a = normAxis("stack", axis ?? 0, first.shape.length + 1);
  return typed(S.concat(list.map((x) => {
    const s = [...x.shape];
    s.splice(a, 0, 1);
    return S.reshape(x, s);
  }), a));
}

/** Length of a slice `start:end` when both are small non-negative literals, else `number`. */
export type SliceLength<St extends number, En extends number | undefined> = [SliceLengthR<St, En>] extends [infer L extends number] ? L : never;
type SliceLengthR<St extends number, En extends number | undefined> = En extends number
  ? number extends St | En
    ? number
    : `${St}${En}` extends `${string}-${string}` | `${string}.${string}`
      ? number
      : Countdown<En, St>
  : number;
type Countdown<En extends number, St extends number, A extends unknown[] = [], B extends unknown[] = []> = A["length"] extends 4096
  ? number
  : A["length"] extends St
    ? Up<En, A, B>
    : Countdown<En, St, [...A, unknown], B>;
type Up<En extends number, A extends unknown[], B extends unknown[]> = [...A, ...B]["length"] extends En
  ? B["length"]
  : [...A, ...B]["length"] extends 4096
    ? number
    : Up<En, A, [...B, unknown]>;

/**
 * The elements `start ≤ i < end` along `axis` (negative indices count from the end).
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * const firstTwo: Tensor<[2, 2]> = slice(x, 1, 0, 2); // [[1, 2], [4, 5]]
 * const last: Tensor<[2, number]> = pipe(x, slice(1, -1)); // [[3], [6]]
 * ```
 */
export function slice<S extends Shape, D extends DType, const A extends number, const St extends number, const En extends number | undefined = undefined>(
  x: Tensor<S, D>, axis: A, start: St, end?: En,
): Tensor<SliceShape<S, A, SliceLength<St, En>>, D>;
/** Curried slice for `pipe`. */
export function slice<const A extends number, const St extends number, const En extends number | undefined = undefined>(
  axis: A, start: St, end?: En,
): <S extends Shape, D extends DType>(x: Tensor<S, D>) => Tensor<SliceShape<S, A, SliceLength<St, En>>, D>;
export function slice(a: unknown, b: unknown, c?: unknown, d?: unknown): unknown {
  const run = (x: Tensor<any, any>, axis: number, start: number, end: number | undefined): unknown => {
    const xi = t(x);
    const ax = normAxis("slice", axis, xi.shape.length);
    const n = xi.shape[ax]!;
    const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const s = norm(start);
    const e = Math.max(s, norm(end ?? n));
    return typed(S.slice(xi, xi.shape.map((_, i) => (i === ax ? s : 0)), xi.shape.map((dd, i) => (i === ax ? e : dd))));
  };
  if (isTensor(a)) return run(a, b as number, c as number, d as number | undefined);
  return (x: Tensor<any, any>) => run(x, a as number, b as number, c as number | undefined);
}

/**
 * Picks entries along `axis` (default 0) with int32 indices: the result has the indices' shape in place of that axis.
 *
 * @example
 * ```ts
 * const table = tensor([[1, 2], [3, 4], [5, 6]]);
 * const rows: Tensor<[2, 2]> = take(table, tensor([2, 0], "int32")); // [[5, 6], [1, 2]]
 * ```
 */
export function take<S extends Shape, D extends DType, I extends Shape, const A extends number = 0>(
  x: Tensor<S, D>, indices: Tensor<I, "int32">, axis?: A,
): Tensor<TakeShape<S, I, A>, D> {
  const xi = t(x);
  return typed(S.take(xi, t(indices), normAxis("take", axis ?? 0, xi.shape.length)));
}

/**
 * Picks one entry per position along `axis` (NumPy's take_along_axis, PyTorch's gather): with `x` of
 * shape [N, C] and `indices` of shape [N, K], `out[n, k] = x[n, indices[n, k]]` — the tutorial's
 * `y_hat[range(N), y]` is `takeAlongAxis(yHat, expandDims(y, 1), 1)`.
 *
 * @example
 * ```ts
 * const probs = tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]);
 * const picked: Tensor<[2, 1]> = takeAlongAxis(probs, tensor([[0], [2]], "int32"), 1); // [[0.1], [0.5]]
 * ```
 */
export function takeAlongAxis<S extends Shape, I extends Shape, D extends DType>(x: Tensor<S, D>, indices: Tensor<I, "int32">, axis: number): Tensor<I, D> {
  const xi = t(x);
  const ii = t(indices);
  const r = xi.shape.length;
  const ax = normAxis("takeAlongAxis", axis, r);
  if (ii.shape.length !== r || ii.shape.some((d, i) => i !== ax && d !== xi.shape[i]))
    throw new ShapeError("takeAlongAxis", `indices must match the tensor's shape except along axis ${ax}`, [xi.shape, ii.shape]);
  // Move the axis last, flatten, offset each row's indices into the flat buffer, take, and move back.
  const toLast = [...xi.shape.map((_, i) => i).filter((i) => i !== ax), ax];
  const xl = S.transpose(xi, toLast);
  const il = S.transpose(ii, toLast);
  const c = xi.shape[ax]!;
  const rows = sizeOf(xl.shape.slice(0, -1));
  const k = il.shape[r - 1]!;
  const offs = alloc("int32", rows);
  for (let i = 0; i < rows; i++) offs[i] = i * c;
  const offsets = new Concrete([rows, 1], "int32", offs);
  const checked = S.checkIndex(il, "takeAlongAxis", -c, c);
  const flatIdx = E.add(S.reshape(wrapNegative(checked, c), [rows, k]), offsets);
  const picked = S.take(S.reshape(xl, [rows * c]), flatIdx, 0);
  const back = S.reshape(picked, il.shape);
  const inv = new Array<number>(r);
  toLast.forEach((p, i) => (inv[p] = i));
  return typed(S.transpose(back, inv));
}

/** Maps negative indices to their positive equivalents (no gradient flows through indices). */
function wrapNegative(idx: TensorImpl, n: number): TensorImpl {
  const c = idx.tryConcrete();
  if (c !== null && !c.data.some((v) => v < 0)) return idx;
  const zero = new Concrete([], "int32", Int32Array.of(0));
  return E.where(E.lt(idx, zero), E.add(idx, new Concrete([], "int32", Int32Array.of(n))), idx);
}

/**
 * PyTorch's name for {@link takeAlongAxis}, argument order as in `torch.gather(x, dim, index)`.
 *
 * @example
 * ```ts
 * const g: Tensor<[2, 1]> = gather(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]], "int32")); // [[2], [3]]
 * ```
 */
export function gather<S extends Shape, I extends Shape, D extends DType>(x: Tensor<S, D>, axis: number, indices: Tensor<I, "int32">): Tensor<I, D> {
  return takeAlongAxis(x, indices, axis);
}

/**
 * One-hot encoding of int32 class indices: shape `[...S, n]`, float32 unless a dtype is given.
 *
 * @example
 * ```ts
 * const y: Tensor<[3, 4]> = oneHot(tensor([0, 3, 1], "int32"), 4);
 * ```
 */
export function oneHot<S extends Shape, const N extends number, D extends DType = "float32">(labels: Tensor<S, "int32">, n: N, dtype?: D): Tensor<OneHotShape<S, N>, D> {
  const li = t(labels);
  if (li.dtype !== "int32") throw new ShapeError("oneHot", `labels must be int32, got ${li.dtype}`, [li.shape]);
  const classes = new Concrete([n], "int32", Int32Array.from({ length: n }, (_, i) => i));
  const eq = E.eq(S.reshape(li, [...li.shape, 1]), classes);
  return typed(E.cast(eq, dtype ?? "float32"));
}

/**
 * Broadcasts to a target shape spec (NumPy rules).
 *
 * @example
 * ```ts
 * const b: Tensor<[4, 3]> = broadcastTo(tensor([1, 2, 3]), "4 3");
 * ```
 */
export function broadcastTo<S extends Shape, D extends DType, const T extends string>(
  x: Tensor<S, D>, spec: ErrorIf<ShapeSpecError<T, "broadcastTo"> | BroadcastError<S, ShapeOf<T>>, T>, sizes?: DimSizes,
): Tensor<BroadcastShape<S, ShapeOf<T>>, D> {
  const xi = t(x);
  const dims = parseShape(spec as string, "broadcastTo");
  const shape = dims.map((d) => {
    if (typeof d === "number") return d;
    const v = sizes?.[d] ?? xi.shape[xi.names.indexOf(d)];
    if (v === undefined) throw new ShapeError("broadcastTo", `named dim '${d}' has no size; pass { ${d}: size }`, [xi.shape]);
    return v;
  });
  return typed(S.broadcastTo(xi, shape));
}

/**
 * Identity whose gradient is zero: the value is treated as a constant by every transformation.
 *
 * @example
 * ```ts
 * const f = (x: Tensor<[]>) => mul(x, stopGradient(x));
 * grad(f)(scalar(3)); // 3, not 6: the second factor is a constant
 * ```
 */
export function stopGradient<S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> {
  return typed(S.stopGradient(t(x)));
}

/**
 * Checks at run time that `x` has the shape `spec`, and tells the compiler: after `assertShape(x, "B 784")` a
 * tensor of unknown shape (`tensor(JSON.parse(text))` is a `Tensor<Dim[]>`) is a `Tensor<["B", 784]>`. Sizes must
 * match, a name must have one size wherever it appears (and the size in `sizes`, if given). To decode untrusted
 * JSON with readable errors, use `data.decodeTensor(spec)` instead.
 * @example
 * const x = tensor(JSON.parse("[[1, 2, 3], [4, 5, 6]]"));
 * assertShape(x, "B 3"); // x: Tensor<["B", 3]>
 */
export function assertShape<D extends DType, const T extends string>(
  x: Tensor<Shape, D>, spec: SpecArg<T, "assertShape">, sizes?: DimSizes,
): asserts x is Tensor<ShapeOf<T>, D> {
  const shape = t(x).shape;
  const dims = parseShape(spec as string, "assertShape");
  const fail = (why: string): never => {
    throw new ShapeError("assertShape", `expected '${spec as string}', got [${shape.join(", ")}]: ${why}`);
  };
  if (dims.length !== shape.length) fail(`rank ${shape.length}, not ${dims.length}`);
  const seen = new Map<string, number>(Object.entries(sizes ?? {}));
  dims.forEach((d, i) => {
    const n = shape[i]!;
    if (typeof d === "number") {
      if (d !== n) fail(`dim ${i} is ${n}, not ${d}`);
      return;
    }
    const want = seen.get(d);
    if (want !== undefined && want !== n) fail(`dim ${i} ('${d}') is ${n}, but '${d}' is ${want}`);
    seen.set(d, n);
  });
}
