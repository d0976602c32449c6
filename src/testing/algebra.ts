/**
 * Algebraic and structural laws of functions on tensors and trees: two implementations agree,
 * commutativity, associativity, round trips, shape preservation, purity (no input mutated), and
 * invariance or equivariance under permutations of the batch axis.
 */
import type fc from "fast-check";
import { flatten } from "../core/pytree.js";
import { assertClose, law, violated, type LawOptions, type LawResult, type Tolerance } from "./law.js";
import { isTensor, pathLeaves, permuteAxis, randomPermutation, rng, shapeOf, showPath, showShape, snapshot, snapshotDiff } from "./tree.js";
import { seedOf } from "./autodiff.js";

/** Options of laws comparing values: tolerance (per-dtype default, see `defaultTolerance`) and run parameters. */
export interface CloseOptions<X> extends LawOptions<X>, Tolerance {}

/**
 * `f` and `g` agree on every drawn input (trees compared leaf by leaf, within tolerance).
 *
 * @example
 * ```ts
 * assertLaw(equivalent((x: Tensor<any>) => sigmoid(x), (x: Tensor<any>) => div(1, add(1, exp(neg(x)))), arbTensor("N")));
 * ```
 */
export function equivalent<X>(f: (x: X) => unknown, g: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: CloseOptions<X> = {}): LawResult<X> {
  return law("equivalent", arb, (x) => assertClose(f(x), g(x), opts, { actual: "f(x)", expected: "g(x)" }), opts.params);
}

/**
 * op(a, b) = op(b, a) (exact by default for floats too: pass a tolerance for ops that are commutative only approximately).
 *
 * @example
 * ```ts
 * const pairs = arbTensors({ a: "N", b: "N" }).map(({ a, b }) => [a, b] as const);
 * assertLaw(commutative((a: Tensor<any>, b: Tensor<any>) => mul(a, b), pairs));
 * ```
 */
export function commutative<A>(op: (a: A, b: A) => unknown, arb: fc.Arbitrary<readonly [A, A]>, opts: CloseOptions<readonly [A, A]> = {}): LawResult<readonly [A, A]> {
  return law(
    "commutative",
    arb,
    ([a, b]) => assertClose(op(a, b), op(b, a), { rtol: opts.rtol ?? 0, atol: opts.atol ?? 0 }, { actual: "op(a, b)", expected: "op(b, a)" }),
    opts.params,
  );
}

/**
 * op(op(a, b), c) = op(a, op(b, c)) within tolerance (floating-point sums are associative only approximately).
 *
 * @example
 * ```ts
 * const triples = arbTensors({ a: "N", b: "N", c: "N" }, { dtype: "int32", min: -5, max: 5 }).map(({ a, b, c }) => [a, b, c] as const);
 * assertLaw(associative((a: Tensor<any, any>, b: Tensor<any, any>) => add(a, b), triples));
 * ```
 */
export function associative<A>(op: (a: A, b: A) => A, arb: fc.Arbitrary<readonly [A, A, A]>, opts: CloseOptions<readonly [A, A, A]> = {}): LawResult<readonly [A, A, A]> {
  return law(
    "associative",
    arb,
    ([a, b, c]) => assertClose(op(op(a, b), c), op(a, op(b, c)), opts, { actual: "op(op(a, b), c)", expected: "op(a, op(b, c))" }),
    opts.params,
  );
}

/**
 * back(there(x)) = x: `back` undoes `there` (exact by default).
 *
 * @example
 * ```ts
 * assertLaw(roundTrips((x: Tensor<[number]>) => x.toFlat(), (v: number[]) => tensor(v), arbTensor([5]))); // back(there(x)) = x
 * ```
 */
export function roundTrips<X, Y>(there: (x: X) => Y, back: (y: Y) => X, arb: fc.Arbitrary<X>, opts: CloseOptions<X> = {}): LawResult<X> {
  return law(
    "roundTrips",
    arb,
    (x) => assertClose(back(there(x)), x, { rtol: opts.rtol ?? 0, atol: opts.atol ?? 0 }, { actual: "back(there(x))", expected: "x" }),
    opts.params,
  );
}

/** Options of {@link preservesShape}. */
export interface PreservesShapeOptions<X> extends LawOptions<X> {
  /** Also require the same dtype (default false). */
  readonly dtype?: boolean;
}

/**
 * f(x) has the tree structure and the shapes of x (e.g. an activation or a normalisation layer).
 *
 * @example
 * ```ts
 * assertLaw(preservesShape((x: Tensor<any>) => relu(x), arbTensor("B N")));
 * ```
 */
export function preservesShape<X>(f: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: PreservesShapeOptions<X> = {}): LawResult<X> {
  return law(
    "preservesShape",
    arb,
    (x) => {
      const y = f(x);
      const a = pathLeaves(x);
      const b = pathLeaves(y);
      if (a.map((l) => l.path).join("|") !== b.map((l) => l.path).join("|"))
        violated(`f(x) has leaves {${b.map((l) => l.path).join(", ")}} but x has {${a.map((l) => l.path).join(", ")}}`);
      a.forEach(({ path, leaf }, i) => {
        const out = b[i]!.leaf;
        const s0 = shapeOf(leaf);
        const s1 = shapeOf(out);
        if (s0.join(",") !== s1.join(",")) violated(`${showPath("f(x)", path)} has shape ${showShape(s1)} but ${showPath("x", path)} has shape ${showShape(s0)}`);
        if (opts.dtype && isTensor(leaf) && isTensor(out) && leaf.dtype !== out.dtype)
          violated(`${showPath("f(x)", path)} has dtype ${out.dtype} but ${showPath("x", path)} has dtype ${leaf.dtype}`);
      });
    },
    opts.params,
  );
}

/**
 * `f` does not mutate its input: every leaf's shape, dtype and values (bitwise) are the same after the
 * call as before; and a second call on the same input leaves the first call's output unchanged (no
 * shared buffer written in place).
 *
 * @example
 * ```ts
 * assertLaw(doesNotMutate((x: Tensor<any>) => add(x, 1), arbTensor("N")));
 * ```
 */
export function doesNotMutate<X>(f: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: LawOptions<X> = {}): LawResult<X> {
  return law(
    "doesNotMutate",
    arb,
    (x) => {
      const before = snapshot(x);
      const y = f(x);
      const d = snapshotDiff(before, snapshot(x), "x");
      if (d !== null) violated(`f mutated its input: ${d}`);
      // A second call on the same input sees the same input and must give the same output.
      const out1 = snapshot(y);
      f(x);
      const d2 = snapshotDiff(out1, snapshot(y), "f(x)");
      if (d2 !== null) violated(`calling f again changed its earlier output: ${d2}`);
    },
    opts.params,
  );
}

/** Options of the batch-permutation laws. */
export interface BatchPermutationOptions<X> extends CloseOptions<X> {
  /** The batch axis of every tensor leaf of the input (default 0). */
  readonly axis?: number;
  /** The batch axis of every tensor leaf of the output, for equivariance (default 0). */
  readonly outAxis?: number;
}

/** Permutes every tensor leaf of a tree along `axis` (numbers unchanged). */
function permuteTree<X>(x: X, axis: number, perm: readonly number[]): X {
  const { leaves, unflatten } = flatten(x);
  return unflatten(leaves.map((l) => (isTensor(l) ? permuteAxis(l, axis, perm) : l))) as X;
}

/** The common size of `axis` over the tensor leaves of a tree. */
function batchSize(x: unknown, axis: number, what: string): number {
  let n = -1;
  for (const { path, leaf } of pathLeaves(x)) {
    if (!isTensor(leaf)) continue;
    const s = shapeOf(leaf);
    const a = axis < 0 ? axis + s.length : axis;
    const d = s[a];
    if (d === undefined) violated(`${showPath(what, path)} of shape ${showShape(s)} has no batch axis ${axis}`);
    if (n === -1) n = d;
    else if (n !== d) violated(`${showPath(what, path)} has batch size ${d} but an earlier leaf has ${n}`);
  }
  if (n === -1) violated(`${what} has no tensor leaves to permute`);
  return n;
}

/** The permutation used for a drawn input (derived from its values, so replays are exact). */
const permutationFor = (x: unknown, n: number): number[] => randomPermutation(n, rng(seedOf(x) ^ 0x9e3779b9));

/**
 * f(permute(x)) = f(x): permuting the batch axis of every tensor leaf of the input leaves the output
 * unchanged (a sum or mean over the batch, a loss with reduction "sum"/"mean"). Close over anything
 * that has no batch axis (parameters): `x => loss(apply(params, x.inputs), x.targets)`.
 *
 * @example
 * ```ts
 * assertLaw(batchPermutationInvariant((x: Tensor<any>) => sum(x, { axis: 0 }), arbTensor("B 3", { minGap: 0.01 })));
 * ```
 */
export function batchPermutationInvariant<X>(f: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: BatchPermutationOptions<X> = {}): LawResult<X> {
  const axis = opts.axis ?? 0;
  return law(
    "batchPermutationInvariant",
    arb,
    (x) => {
      const perm = permutationFor(x, batchSize(x, axis, "x"));
      assertClose(f(permuteTree(x, axis, perm)), f(x), opts, { actual: `f(permute(x, [${perm.join(", ")}]))`, expected: "f(x)" });
    },
    opts.params,
  );
}

/**
 * f(permute(x)) = permute(f(x)): each example is processed independently of its position in the batch
 * (a layer's forward pass, a per-example loss with reduction "none").
 *
 * @example
 * ```ts
 * assertLaw(batchPermutationEquivariant((x: Tensor<any>) => softmax(x), arbTensor("B 3")));
 * ```
 */
export function batchPermutationEquivariant<X>(f: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: BatchPermutationOptions<X> = {}): LawResult<X> {
  const axis = opts.axis ?? 0;
  const outAxis = opts.outAxis ?? 0;
  return law(
    "batchPermutationEquivariant",
    arb,
    (x) => {
      const perm = permutationFor(x, batchSize(x, axis, "x"));
      const y = f(x);
      const n = batchSize(y, outAxis, "f(x)");
      if (n !== perm.length) violated(`f(x) has batch size ${n} on axis ${outAxis} but x has ${perm.length}`);
      assertClose(f(permuteTree(x, axis, perm)), permuteTree(y, outAxis, perm), opts, {
        actual: `f(permute(x, [${perm.join(", ")}]))`,
        expected: "permute(f(x))",
      });
    },
    opts.params,
  );
}
