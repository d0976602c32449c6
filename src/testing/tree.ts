/**
 * Plain-data helpers of the law kit. They read and build tensors directly from their buffers and never
 * call the ops under test, so a law that fails points at the code under test, not at the kit.
 */
import { stridesOf } from "../shape/runtime.js";
import { flatten, leafPaths, type Leaf } from "../core/pytree.js";
import { alloc, isFloat, type DType } from "../tensor/dtype.js";
import { Concrete, impl, isTensor, typed, type AnyTensor } from "../tensor/tensor.js";

/** The concrete value under a public tensor. */
export const concreteOf = (t: AnyTensor): Concrete => impl(t).concrete();

/**
 * A new tensor from flat row-major values (dim names optional).
 *
 * @example
 * ```ts
 * const t = fromFlat([2, 2], "float64", [1, 2, 3, 4]); // a float64 [2, 2] tensor
 * ```
 */
export function fromFlat(shape: readonly number[], dtype: DType, values: ArrayLike<number>, names?: readonly (string | null)[]): AnyTensor {
  const data = alloc(dtype, values.length);
  for (let i = 0; i < values.length; i++) data[i] = dtype === "float32" ? Math.fround(values[i]!) : values[i]!;
  return typed(names === undefined ? new Concrete([...shape], dtype, data) : new Concrete([...shape], dtype, data, names));
}

/**
 * Every float tensor leaf of a tree as float64 (same values, same names); other leaves unchanged.
 *
 * @example
 * ```ts
 * const x = toFloat64({ w: tensor([1, 2]), step: 3 }); // w as float64, step unchanged
 * ```
 */
export function toFloat64<X>(tree: X): X {
  const { leaves, unflatten } = flatten(tree);
  return unflatten(
    leaves.map((l) => {
      if (!isTensor(l)) return l;
      const c = concreteOf(l);
      if (!isFloat(c.dtype) || c.dtype === "float64") return l;
      return typed(new Concrete(c.shape, "float64", Float64Array.from(c.data), c.names));
    }),
  ) as X;
}

/** A leaf with its path (`"w"`, `"layers.0.b"`; the path of a lone leaf is `""`). */
export interface PathLeaf {
  readonly path: string;
  readonly leaf: Leaf;
}

/** The leaves of a tree with their paths, in the order of the library's pytree flattening. */
export function pathLeaves(tree: unknown): PathLeaf[] {
  const { leaves } = flatten(tree);
  const paths = leafPaths(tree);
  return leaves.map((leaf, i) => ({ path: paths[i] ?? "", leaf }));
}

/** A leaf's values as a flat array (a number is one value). */
export const valuesOf = (leaf: Leaf): number[] => (typeof leaf === "number" ? [leaf] : concreteOf(leaf).toFlat());

/** A leaf's shape (`[]` for a number). */
export const shapeOf = (leaf: Leaf): readonly number[] => (typeof leaf === "number" ? [] : impl(leaf).shape);

/** A leaf's dtype (`"number"` for a plain number). */
export const dtypeOf = (leaf: Leaf): DType | "number" => (typeof leaf === "number" ? "number" : impl(leaf).dtype);

/** Whether a leaf carries derivatives (a float tensor or a plain number). */
export const isDifferentiable = (leaf: Leaf): boolean => typeof leaf === "number" || isFloat(impl(leaf).dtype);

/** Formats a leaf path for messages: `x`, `x.w`, `x.layers.0.b`. */
export const showPath = (root: string, path: string): string => (path === "" ? root : `${root}.${path}`);

/** Formats a multi-index of a flat position: `[1, 2]` (empty for scalars). */
export function showIndex(flat: number, shape: readonly number[]): string {
  if (shape.length === 0) return "";
  const idx = new Array<number>(shape.length);
  let r = flat;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = d === 0 ? 0 : r % d;
    r = d === 0 ? 0 : Math.floor(r / d);
  }
  return `[${idx.join(", ")}]`;
}

/** Shape as text: `[2, 3]`. */
export const showShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/**
 * A readable multi-line rendering of a tree: tensors as `toString()`, records and arrays indented.
 *
 * @example
 * ```ts
 * showTree({ w: tensor([1, 2]) }); // a readable multi-line rendering, as in law reports
 * ```
 */
export function showTree(x: unknown, indent = ""): string {
  if (isTensor(x)) return indentLines(impl(x).tryConcrete() ? x.toString() : String(x), indent);
  if (typeof x === "number") return Object.is(x, -0) ? "-0" : String(x);
  if (typeof x === "bigint") return `${x}n`;
  if (typeof x === "string") return JSON.stringify(x);
  if (x === null || x === undefined || typeof x === "boolean") return String(x);
  if (typeof x === "function") return `[function ${x.name || "anonymous"}]`;
  const inner = indent + "  ";
  if (Array.isArray(x)) {
    if (x.length === 0) return "[]";
    return `[\n${x.map((v) => `${inner}${showTree(v, inner).trimStart()}`).join(",\n")}\n${indent}]`;
  }
  if (typeof x === "object") {
    const keys = Object.keys(x);
    if (keys.length === 0) return "{}";
    return `{\n${keys.map((k) => `${inner}${k}: ${showTree((x as Record<string, unknown>)[k], inner).trimStart()}`).join(",\n")}\n${indent}}`;
  }
  return String(x);
}

const indentLines = (s: string, indent: string): string => s.split("\n").join(`\n${indent}`);

/**
 * A small deterministic PRNG (mulberry32): directions and permutations are reproducible from one drawn seed.
 *
 * @example
 * ```ts
 * const next = rng(42);
 * next(); // a number in [0, 1), the same for seed 42 every time
 * ```
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A tree shaped like `like` with values uniform in [−1, 1) on its differentiable leaves and zeros on
 * the others (int and bool tensors), in each leaf's dtype: a random tangent or cotangent.
 *
 * @example
 * ```ts
 * const like = randomLike({ w: zeros("2 2") }, rng(0)); // same structure, deterministic random values
 * ```
 */
export function randomLike<X>(like: X, next: () => number): X {
  const { leaves, unflatten } = flatten(like);
  return unflatten(
    leaves.map((l) => {
      if (typeof l === "number") return 2 * next() - 1;
      const c = concreteOf(l);
      const v = new Array<number>(c.size);
      for (let i = 0; i < c.size; i++) v[i] = isFloat(c.dtype) ? 2 * next() - 1 : 0;
      return fromFlat(c.shape, c.dtype, v, c.names);
    }),
  ) as X;
}

/**
 * A uniformly random permutation of `0..n−1` (Fisher–Yates).
 *
 * @example
 * ```ts
 * randomPermutation(4, rng(0)); // 0…3 in an order fixed by the seed
 * ```
 */
export function randomPermutation(n: number, next: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}


/** Splits a shape around `axis`: elements before it, its size, elements after it. */
function around(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return { outer, n: shape[axis]!, inner };
}

/** Normalises a possibly negative axis for a rank, throwing a readable error when out of range. */
export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * Example `i` along `axis` (the axis removed).
 *
 * @example
 * ```ts
 * indexAxis(tensor([[1, 2], [3, 4]]), 1, 0); // [1, 3]: column 0
 * ```
 */
export function indexAxis(t: AnyTensor, axis: number, i: number): AnyTensor {
  const c = concreteOf(t);
  const a = normAxis(axis, c.shape.length, "indexAxis");
  const { outer, n, inner } = around(c.shape, a);
  const out = alloc(c.dtype, outer * inner);
  for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) out[o * inner + k] = c.data[(o * n + i) * inner + k]!;
  const shape = c.shape.filter((_, j) => j !== a);
  return typed(new Concrete(shape, c.dtype, out, c.names.filter((_, j) => j !== a)));
}

/**
 * Stacks same-shaped tensors along a new axis `axis` of the result.
 *
 * @example
 * ```ts
 * stackAxis([tensor([1, 2]), tensor([3, 4])], 1); // [[1, 3], [2, 4]]
 * ```
 */
export function stackAxis(ts: readonly AnyTensor[], axis: number): AnyTensor {
  const cs = ts.map(concreteOf);
  const first = cs[0];
  if (first === undefined) throw new RangeError("stackAxis: nothing to stack");
  for (const c of cs)
    if (c.shape.length !== first.shape.length || c.shape.some((d, j) => d !== first.shape[j]) || c.dtype !== first.dtype)
      throw new RangeError(`stackAxis: examples differ: ${showShape(first.shape)} ${first.dtype} vs ${showShape(c.shape)} ${c.dtype}`);
  const shape = [...first.shape];
  const a = normAxis(axis, shape.length + 1, "stackAxis");
  shape.splice(a, 0, cs.length);
  const { outer, n, inner } = around(shape, a);
  const out = alloc(first.dtype, outer * n * inner);
  cs.forEach((c, i) => {
    for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) out[(o * n + i) * inner + k] = c.data[o * inner + k]!;
  });
  return typed(new Concrete(shape, first.dtype, out));
}

/**
 * `t` with its entries along `axis` reordered: result[…, i, …] = t[…, perm[i], …].
 *
 * @example
 * ```ts
 * permuteAxis(tensor([10, 20, 30]), 0, [2, 0, 1]); // [30, 10, 20]
 * ```
 */
export function permuteAxis(t: AnyTensor, axis: number, perm: readonly number[]): AnyTensor {
  const c = concreteOf(t);
  const a = normAxis(axis, c.shape.length, "permuteAxis");
  const { outer, n, inner } = around(c.shape, a);
  if (perm.length !== n) throw new RangeError(`permuteAxis: permutation of ${perm.length} for an axis of size ${n}`);
  const out = alloc(c.dtype, c.size);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) out[(o * n + i) * inner + k] = c.data[(o * n + perm[i]!) * inner + k]!;
  return typed(new Concrete(c.shape, c.dtype, out, c.names));
}

/**
 * Tiles `t` to a broadcast target shape by copying (NumPy rules), without the library's broadcasting.
 *
 * @example
 * ```ts
 * tileTo(tensor([1, 2]), [3, 2]); // the [2] tensor repeated to [3, 2]
 * ```
 */
export function tileTo(t: AnyTensor, shape: readonly number[]): AnyTensor {
  const c = concreteOf(t);
  const r = shape.length;
  const inShape = [...new Array<number>(r - c.shape.length).fill(1), ...c.shape];
  const inStrides = stridesOf(inShape);
  const outStrides = stridesOf(shape);
  const size = shape.reduce((p, d) => p * d, 1);
  const out = alloc(c.dtype, size);
  for (let f = 0; f < size; f++) {
    let src = 0;
    for (let j = 0; j < r; j++) {
      const ij = Math.floor(f / outStrides[j]!) % shape[j]!;
      src += (inShape[j] === 1 ? 0 : ij) * inStrides[j]!;
    }
    out[f] = c.data[src]!;
  }
  return typed(new Concrete([...shape], c.dtype, out));
}

/** A copy of every leaf's shape, dtype and values, to detect mutation. */
export interface Snapshot {
  readonly paths: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  readonly dtypes: readonly string[];
  readonly values: readonly (readonly number[])[];
}

/**
 * Takes a {@link Snapshot} of a tree.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2]);
 * snapshotDiff(snapshot(x), snapshot(x), "x"); // null: nothing changed
 * ```
 */
export function snapshot(tree: unknown): Snapshot {
  const ls = pathLeaves(tree);
  return {
    paths: ls.map((l) => l.path),
    shapes: ls.map((l) => [...shapeOf(l.leaf)]),
    dtypes: ls.map((l) => dtypeOf(l.leaf)),
    values: ls.map((l) => valuesOf(l.leaf)),
  };
}

/**
 * The first difference between two snapshots (bitwise: NaN equals NaN, 0 differs from −0), or null.
 *
 * @example
 * ```ts
 * const before = snapshot({ w: tensor([1]) });
 * snapshotDiff(before, snapshot({ w: tensor([2]) }), "params"); // a sentence naming params.w
 * ```
 */
export function snapshotDiff(before: Snapshot, after: Snapshot, root: string): string | null {
  if (before.paths.join("|") !== after.paths.join("|"))
    return `${root}: the tree's leaves changed from {${before.paths.join(", ")}} to {${after.paths.join(", ")}}`;
  for (let i = 0; i < before.paths.length; i++) {
    const p = showPath(root, before.paths[i]!);
    const s0 = before.shapes[i]!;
    const s1 = after.shapes[i]!;
    if (s0.join(",") !== s1.join(",")) return `${p}: shape changed from ${showShape(s0)} to ${showShape(s1)}`;
    if (before.dtypes[i] !== after.dtypes[i]) return `${p}: dtype changed from ${before.dtypes[i]} to ${after.dtypes[i]}`;
    const v0 = before.values[i]!;
    const v1 = after.values[i]!;
    for (let k = 0; k < v0.length; k++)
      if (!Object.is(v0[k], v1[k])) return `${p}${showIndex(k, s0)}: value changed from ${v0[k]} to ${v1[k]}`;
  }
  return null;
}

export { isTensor };
