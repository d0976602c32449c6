/**
 * Parameter trees ("pytrees"): nested records, arrays and tuples whose leaves are tensors or numbers.
 * Transformations flatten a tree into its leaves, work on the leaves, and rebuild the same structure.
 * Anything else (strings, booleans, null, functions) is kept as static structure and never differentiated.
 */
import { isTensor, type AnyTensor, type Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import type { Shape } from "../shape/types.js";

/** A leaf of a parameter tree. */
export type Leaf = AnyTensor | number;

/** A parameter tree: tensors and numbers nested in records, arrays and tuples. */
export type Tree = Leaf | readonly Tree[] | { readonly [k: string]: Tree } | string | boolean | null | undefined;

/** Replaces every tensor leaf of a tree type by `T`. */
export type MapLeaves<X, T> = X extends Tensor<any, any> ? T : X extends number ? T : X extends readonly unknown[] ? { [K in keyof X]: MapLeaves<X[K], T> } : X extends object ? { [K in keyof X]: MapLeaves<X[K], T> } : X;

/** A tree of the same type as `X` (the type of a gradient of a function of `X`). */
export type SameTree<X> = X;

/** A leaf tensor type, for trees that hold tensors of any shape. */
export type TensorOf<S extends Shape, D extends DType> = Tensor<S, D>;

/** Whether a value is a record node of a tree: a plain object. */
const isRecord = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;

/** Whether a value is a tree leaf. */
export const isLeaf = (x: unknown): x is Leaf => typeof x === "number" || isTensor(x);

/**
 * The leaves of a tree in a deterministic order (object keys sorted), and a function rebuilding it.
 *
 * @example
 * ```ts
 * const { leaves, unflatten } = treeFlatten({ w: zeros("2 2"), b: zeros("2") });
 * leaves.length; // 2
 * const back = unflatten(leaves); // { w, b } again
 * ```
 */
export function flatten(tree: unknown): { leaves: Leaf[]; unflatten: (leaves: readonly unknown[]) => any } {
  const leaves: Leaf[] = [];
  const build = walk(tree, leaves);
  return {
    leaves,
    unflatten: (vals) => {
      if (vals.length !== leaves.length) throw new Error(`pytree: expected ${leaves.length} leaves, got ${vals.length}`);
      let i = 0;
      return build(() => vals[i++]);
    },
  };
}

type Builder = (next: () => unknown) => unknown;

function walk(x: unknown, leaves: Leaf[]): Builder {
  if (isLeaf(x)) {
    leaves.push(x);
    return (next) => next();
  }
  if (Array.isArray(x)) {
    const parts = x.map((c) => walk(c, leaves));
    return (next) => parts.map((p) => p(next));
  }
  if (isRecord(x)) {
    const keys = Object.keys(x).sort();
    const parts = keys.map((k) => [k, walk((x as Record<string, unknown>)[k], leaves)] as const);
    return (next) => {
      const out: Record<string, unknown> = {};
      for (const [k, p] of parts) out[k] = p(next);
      return out;
    };
  }
  return () => x;
}

/**
 * Applies `f` to every leaf of `tree` (and the matching leaves of `others`, which must share its structure).
 *
 * @example
 * ```ts
 * const params = { w: ones("2 2"), b: ones("2") };
 * const grads = { w: ones("2 2"), b: ones("2") };
 * const next = mapTree((p: Tensor<any>, g: Tensor<any>) => sub(p, mul(g, 0.1)), params, grads); // same structure
 * ```
 */
export function mapTree<X>(f: (leaf: any, ...rest: any[]) => unknown, tree: X, ...others: readonly unknown[]): X {
  const { leaves, unflatten } = flatten(tree);
  const rest = others.map((o, j) => {
    const l = flatten(o).leaves;
    if (l.length !== leaves.length) throw new Error(`pytree: tree ${j + 1} has ${l.length} leaves, expected ${leaves.length}`);
    return l;
  });
  return unflatten(leaves.map((x, i) => f(x, ...rest.map((r) => r[i])))) as X;
}

/**
 * The leaves of a tree, in order.
 *
 * @example
 * ```ts
 * leavesOf({ layers: [{ w: zeros("2 2") }, { w: zeros("2 1") }], scale: 1 }).length; // 3
 * ```
 */
export const leavesOf = (tree: unknown): Leaf[] => flatten(tree).leaves;

/**
 * Paths of the leaves (`"layers.0.w"`), in the same order as {@link flatten}.
 *
 * @example
 * ```ts
 * leafPaths({ w: zeros("2"), layers: [zeros("1")] }); // ["layers.0", "w"] (keys in sorted order)
 * ```
 */
export function leafPaths(tree: unknown): string[] {
  const out: string[] = [];
  const rec = (x: unknown, path: string): void => {
    if (isLeaf(x)) out.push(path);
    else if (Array.isArray(x)) x.forEach((c, i) => rec(c, path === "" ? String(i) : `${path}.${i}`));
    else if (isRecord(x))
      for (const k of Object.keys(x).sort()) rec((x as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`);
  };
  rec(tree, "");
  return out;
}
