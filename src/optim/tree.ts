/**
 * Leafwise arithmetic over parameter trees, for the optimizers. Leaves are tensors or plain numbers;
 * numbers stay numbers (JS arithmetic), tensors keep their dtype (number operands take the tensor's dtype).
 */
import { mapTree, leavesOf, type Leaf } from "../core/pytree.js";
import { add, cast, div, minimum, mul, sqrt, square, sub, where } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { zerosLike } from "../ops/create.js";
import { isTensor, type AnyTensor, type Tensor } from "../tensor/tensor.js";
import { isFloat } from "../tensor/dtype.js";

type Bin = (a: Leaf, b: Leaf) => Leaf;
const lift = (op: unknown, js: (a: number, b: number) => number): Bin => {
  const f = op as (a: Leaf, b: Leaf) => AnyTensor;
  return (a, b) => (typeof a === "number" && typeof b === "number" ? js(a, b) : f(a, b));
};

/** a + b on leaves. */
export const leafAdd: Bin = lift(add, (a, b) => a + b);
/** a − b on leaves. */
export const leafSub: Bin = lift(sub, (a, b) => a - b);
/** a · b on leaves. */
export const leafMul: Bin = lift(mul, (a, b) => a * b);
/** a / b on leaves. */
export const leafDiv: Bin = lift(div, (a, b) => a / b);
/** √a on a leaf. */
export const leafSqrt = (a: Leaf): Leaf => (typeof a === "number" ? Math.sqrt(a) : sqrt(a));
/** a² on a leaf. */
export const leafSquare = (a: Leaf): Leaf => (typeof a === "number" ? a * a : square(a));
/** Zero of a leaf's shape and dtype. */
export const leafZero = (a: Leaf): Leaf => (typeof a === "number" ? 0 : zerosLike(a));

/**
 * A tree of zeros with the structure, shapes and dtypes of `tree`.
 *
 * @example
 * ```ts
 * const z = optim.zerosLikeTree({ w: ones("2 2"), b: ones("2"), step: 3 }); // zeros of the same shapes, step 0
 * ```
 */
export const zerosLikeTree = <T>(tree: T): T => mapTree(leafZero, tree);

/**
 * `params + updates`, leafwise: the parameters after one optimizer step, of the same tree type. Integer
 * and bool leaves (PRNG keys, counters) are not trained: they are kept as they are.
 *
 * @example
 * ```ts
 * const next = optim.applyUpdates({ w: tensor([1, 2]) }, { w: tensor([0.5, -1]) }); // { w: [1.5, 1] }
 * ```
 */
export const applyUpdates = <P>(params: P, updates: P): P =>
  mapTree((p: Leaf, u: Leaf) => (isTensor(p) && !isFloat(p.dtype) ? p : leafAdd(p, u)), params, updates);

/**
 * The global L2 norm √(Σ‖leaf‖²) of a tree: a scalar tensor when the tree holds tensors (so it can be
 * traced by transformations), a number when it holds only numbers.
 *
 * @example
 * ```ts
 * optim.globalNorm({ a: tensor([3]), b: tensor([4]) }); // 5 (a scalar tensor)
 * ```
 */
export function globalNorm(tree: unknown): AnyTensor | number {
  let acc: Leaf = 0;
  for (const leaf of leavesOf(tree)) acc = leafAdd(acc, isTensor(leaf) ? sum(square(leaf)) : leaf * leaf);
  return leafSqrt(acc);
}

/** Multiplies each leaf by a scalar factor, cast to the leaf's dtype so no leaf changes dtype. */
export function scaleTree<T>(tree: T, factor: Leaf): T {
  return mapTree((g: Leaf) => {
    if (typeof factor === "number") return leafMul(g, factor);
    if (typeof g === "number") return g * (factor.item() as number);
    return mul(g, factor.dtype === g.dtype ? factor : (cast(factor, g.dtype) as AnyTensor));
  }, tree);
}

/** min(a, b) on leaves. */
export const leafMin: Bin = lift(minimum, Math.min);

/**
 * A scalar tensor as an operand for a leaf: cast to a tensor leaf's dtype (so no leaf changes dtype), or
 * its value for a number leaf (number leaves are static data, so this needs a concrete scalar: eager only).
 *
 * @example
 * ```ts
 * optim.scalarFor(scalar(0.5, "float64"), tensor([1, 2])); // 0.5 as a float32 scalar tensor
 * ```
 */
export const scalarFor = (s: AnyTensor, leaf: Leaf): Leaf => (typeof leaf === "number" ? (s.item() as number) : cast(s, leaf.dtype));

/**
 * `cond ? a : b` on leaves with a scalar bool condition: `where` for tensors, a plain choice for two numbers (eager only).
 *
 * @example
 * ```ts
 * optim.leafWhere(scalar(true), tensor([1]), tensor([2])); // tensor([1])
 * ```
 */
export const leafWhere = (cond: Tensor<[], "bool">, a: Leaf, b: Leaf): Leaf =>
  typeof a === "number" && typeof b === "number" ? (cond.item() ? a : b) : where(cond, a as AnyTensor, b as AnyTensor);
