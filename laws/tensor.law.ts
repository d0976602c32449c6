/**
 * Laws of tensors and their ops: the algebra of elementwise ops, broadcasting as tiling, structural
 * round trips, reductions, matrix products, and immutability (no op writes into its inputs).
 * Random shapes and values throughout (float64 where sums are compared within tolerance).
 */
import { describe, it } from "vitest";
import fc from "fast-check";
import { broadcastShapes } from "../src/index.js";
import {
  arbBroadcastPair, arbBroadcastShapes, arbShape, arbTensors, assertLaw, associative, commutative, doesNotMutate, equivalent, indexAxis,
  lawTitle, roundTrips, tileTo,
} from "../src/testing/index.js";
import * as O from "./ops.js";
import { f64, indices, type X } from "./ops.js";

const exact = { rtol: 0, atol: 0 } as const;
const pairs = arbBroadcastPair({ maxRank: 4, maxDim: 3 }).chain(([a, b]) => fc.tuple(f64(a), f64(b)));
const triples = arbBroadcastShapes(3, { maxRank: 3, maxDim: 3 }).chain(([a, b, c]) => fc.tuple(f64(a!), f64(b!), f64(c!)));
const anyTensor = arbShape({ min: 0, max: 4 }, { maxDim: 3 }).chain((s) => f64(s));
/** A shape of rank ≥ 1 with a permutation of its axes. */
const withPerm = arbShape({ min: 1, max: 4 }, { maxDim: 3 }).chain((s) =>
  fc.tuple(f64(s), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length })),
);

/** Tiles x to `shape` with the library's own reshape and concat (the definition broadcasting must agree with). */
function tileByConcat(x: X, shape: readonly number[]): X {
  const padded = [...new Array<number>(shape.length - x.rank).fill(1), ...x.shape];
  let t = O.reshape(x, padded.join(" "));
  shape.forEach((n, axis) => {
    if (padded[axis] === 1 && n !== 1) t = O.concat(new Array<X>(n).fill(t), axis);
  });
  return t;
}

describe("elementwise algebra", () => {
  for (const [name, op] of [["add", O.add], ["mul", O.mul], ["maximum", O.maximum], ["minimum", O.minimum]] as const)
    it(lawTitle(`${name} is commutative (with broadcasting)`), () => {
      assertLaw(commutative<X>((a, b) => op(a, b), pairs));
    });
  for (const [name, op] of [["add", O.add], ["mul", O.mul]] as const)
    it(lawTitle(`${name} is associative within float tolerance`), () => {
      assertLaw(associative<X>((a, b) => op(a, b), triples, { rtol: 1e-12, atol: 1e-12 }));
    });
  for (const [name, op] of [["maximum", O.maximum], ["minimum", O.minimum]] as const)
    it(lawTitle(`${name} is associative (exactly)`), () => {
      assertLaw(associative<X>((a, b) => op(a, b), triples, exact));
    });
  it(lawTitle("sub is add of neg, div is mul of reciprocal"), () => {
    assertLaw(equivalent(([a, b]: [X, X]) => O.sub(a, b), ([a, b]: [X, X]) => O.add(a, O.neg(b)), pairs, exact));
    const nonzero = arbBroadcastPair({ maxDim: 3 }).chain(([a, b]) => fc.tuple(f64(a), f64(b, { minAbs: 0.25 })));
    assertLaw(equivalent(([a, b]: [X, X]) => O.div(a, b), ([a, b]: [X, X]) => O.mul(a, O.reciprocal(b)), nonzero, { rtol: 1e-15, atol: 0 }));
  });
});

describe("broadcasting", () => {
  const binary = [["add", O.add], ["sub", O.sub], ["mul", O.mul], ["maximum", O.maximum], ["greater", O.greater]] as const;
  for (const [name, op] of binary)
    it(lawTitle(`${name} broadcasts as if both operands were tiled with concat`), () => {
      assertLaw(
        equivalent(
          ([a, b]: [X, X]) => op(a, b),
          ([a, b]: [X, X]) => {
            const s = broadcastShapes(name, a.shape, b.shape);
            return op(tileByConcat(a, s), tileByConcat(b, s));
          },
          pairs,
          exact,
        ),
      );
    });
  it(lawTitle("where broadcasts its three operands"), () => {
    const arb = arbBroadcastShapes(3, { maxDim: 3 }).chain(([c, a, b]) => fc.tuple(f64(c!), f64(a!), f64(b!)));
    assertLaw(
      equivalent(
        ([c, a, b]: [X, X, X]) => O.where(O.greater(c, 0), a, b),
        ([c, a, b]: [X, X, X]) => {
          const s = broadcastShapes("where", broadcastShapes("where", c.shape, a.shape), b.shape);
          return O.where(O.greater(tileByConcat(c, s), 0), tileByConcat(a, s), tileByConcat(b, s));
        },
        arb,
        exact,
      ),
    );
  });
  it(lawTitle("broadcastTo agrees with concat tiling and with copying"), () => {
    const arb = arbBroadcastPair({ maxDim: 3 }).chain(([a, b]) => fc.tuple(f64(a), fc.constant(broadcastShapes("law", a, b))));
    assertLaw(equivalent(([x, s]: [X, number[]]) => O.broadcastTo(x, s.join(" ")), ([x, s]: [X, number[]]) => tileByConcat(x, s), arb, exact));
    assertLaw(equivalent(([x, s]: [X, number[]]) => O.broadcastTo(x, s.join(" ")), ([x, s]: [X, number[]]) => tileTo(x, s), arb, exact));
  });
});

describe("structure", () => {
  it(lawTitle("transpose ∘ transpose = id"), () => {
    assertLaw(roundTrips(O.transpose, O.transpose, arbShape({ min: 2, max: 4 }, { maxDim: 3 }).chain((s) => f64(s))));
  });
  it(lawTitle("permute by p then by p⁻¹ = id"), () => {
    const inverse = (p: readonly number[]): number[] => {
      const q = new Array<number>(p.length);
      p.forEach((v, i) => (q[v] = i));
      return q;
    };
    assertLaw(equivalent(([x, p]: [X, number[]]) => O.permute(O.permute(x, p), inverse(p)), ([x]: [X, number[]]) => x, withPerm, exact));
  });
  it(lawTitle("reshape round trips and keeps row-major order"), () => {
    // The target: the same dims shuffled (same element count), with the size-1 dims dropped or kept.
    const arb = withPerm.map(([x, p]) => [x, p.map((i) => x.shape[i]!)] as [X, number[]]);
    assertLaw(equivalent(([x, s]: [X, number[]]) => O.reshape(O.reshape(x, s.join(" ")), x.shape.join(" ")), ([x]: [X, number[]]) => x, arb, exact));
    assertLaw(equivalent(([x, s]: [X, number[]]) => O.reshape(O.reshape(x, s.join(" ")), String(x.size)), ([x]: [X, number[]]) => O.flatten(x), arb, exact));
  });
  it(lawTitle("expandDims then squeeze = id"), () => {
    const arb = arbShape({ min: 0, max: 3 }, { maxDim: 3 }).chain((s) => fc.tuple(f64(s), fc.integer({ min: 0, max: s.length })));
    assertLaw(equivalent(([x, a]: [X, number]) => O.squeeze(O.expandDims(x, a), a), ([x]: [X, number]) => x, arb, exact));
  });
  it(lawTitle("slicing a concat gives back the parts"), () => {
    const arb = fc.integer({ min: 0, max: 1 }).chain((axis) =>
      arbTensors(axis === 0 ? { a: "N C", b: "M C" } : { a: "C N", b: "C M" }, { dtype: "float64", maxDim: 3 }).map((t) => ({ ...t, axis })),
    );
    assertLaw(
      equivalent(
        ({ a, b, axis }: { a: X; b: X; axis: number }) => {
          const c = O.concat([a, b], axis);
          return [O.slice(c, axis, 0, a.shape[axis]!), O.slice(c, axis, a.shape[axis]!)];
        },
        ({ a, b }: { a: X; b: X }) => [a, b],
        arb,
        exact,
      ),
    );
  });
  it(lawTitle("stack is expandDims then concat"), () => {
    const arb = arbShape({ min: 0, max: 3 }, { maxDim: 3 }).chain((s) => fc.tuple(f64(s), f64(s), fc.integer({ min: 0, max: s.length })));
    assertLaw(
      equivalent(([a, b, ax]: [X, X, number]) => O.stack([a, b], ax), ([a, b, ax]: [X, X, number]) => O.concat([O.expandDims(a, ax), O.expandDims(b, ax)], ax), arb, exact),
    );
  });
  it(lawTitle("take with a permutation of indices permutes the axis; oneHot·x = take"), () => {
    const arb = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(f64("B N", { sizes: { N: n } }), indices("K", n)));
    assertLaw(
      equivalent(
        ([x, idx]: [X, X]) => O.take(x, idx, 1),
        ([x, idx]: [X, X]) => O.matmul(x, O.transpose(O.oneHot(idx, x.shape[1]!, "float64"))),
        arb,
        { rtol: 0, atol: 0 },
      ),
    );
  });
});

describe("reductions", () => {
  it(lawTitle("sum over all axes = summing the axes one at a time, in any order"), () => {
    assertLaw(
      equivalent(
        ([x, p]: [X, number[]]) => {
          let t = x;
          for (const a of p) t = O.sum(t, { axis: a, keepdims: true });
          return O.reshape(t, "");
        },
        ([x]: [X, number[]]) => O.sum(x),
        withPerm,
        { rtol: 1e-12, atol: 1e-12 },
      ),
    );
  });
  it(lawTitle("sum over a list of axes = sum over each"), () => {
    assertLaw(
      equivalent(
        ([x, p]: [X, number[]]) => O.sum(x, { axis: p.slice(0, 2) }),
        ([x, p]: [X, number[]]) => {
          const [a, b] = p;
          if (b === undefined) return O.sum(x, { axis: a! });
          return O.sum(O.sum(x, { axis: Math.max(a!, b) }), { axis: Math.min(a!, b) });
        },
        withPerm,
        { rtol: 1e-12, atol: 1e-12 },
      ),
    );
  });
  it(lawTitle("mean is sum over count; max and min bound every element"), () => {
    assertLaw(equivalent((x: X) => O.mean(x), (x: X) => O.div(O.sum(x), x.size), anyTensor, { rtol: 1e-12, atol: 1e-12 }));
    assertLaw(equivalent((x: X) => O.sum(O.greater(x, O.max(x))), () => 0, anyTensor, exact));
    assertLaw(equivalent((x: X) => O.sum(O.less(x, O.min(x))), () => 0, anyTensor, exact));
  });
  it(lawTitle("logsumexp = log(sum(exp)) for moderate values, and is shift-equivariant"), () => {
    assertLaw(equivalent((x: X) => O.logsumexp(x, { axis: -1 }), (x: X) => O.log(O.sum(O.exp(x), { axis: -1 })), arbShape({ min: 1, max: 3 }, { maxDim: 3 }).chain((s) => f64(s)), { rtol: 1e-12, atol: 1e-12 }));
    const shifted = fc.tuple(arbShape({ min: 1, max: 3 }, { maxDim: 3 }).chain((s) => f64(s, { min: -500, max: 500 })), fc.integer({ min: -1000, max: 1000 }));
    assertLaw(equivalent(([x, c]: [X, number]) => O.logsumexp(O.add(x, c)), ([x, c]: [X, number]) => O.add(O.logsumexp(x), c), shifted, { rtol: 1e-12, atol: 1e-9 }));
  });
});

describe("empty tensors", () => {
  /** A shape with a 0 dim, and an axis of non-zero size to reduce over: the result is empty, not an error. */
  const withEmptyDim = arbShape({ min: 2, max: 3 }, { minDim: 0, maxDim: 2 })
    .filter((s) => s.includes(0) && s.some((d) => d > 0))
    .chain((s) => fc.tuple(f64(s), fc.constantFrom(...s.flatMap((d, i) => (d > 0 ? [i] : [])))));
  it(lawTitle("sum, mean and argmax over a non-empty axis of a tensor with an empty dim give an empty result"), () => {
    assertLaw(
      equivalent(
        ([x, a]: [X, number]) => [O.mean(x, { axis: a }), O.argmax(x, { axis: a })],
        ([x, a]: [X, number]) => [O.sum(x, { axis: a }), O.sum(x, { axis: a })],
        withEmptyDim,
      ),
    );
  });
  // Core bug: the max/min kernel (src/primitives/reduce.ts) throws "cannot reduce an empty axis" for any
  // tensor with no elements, even when the reduced axis is not empty: max(zeros("0 3"), { axis: 1 }) should
  // be an empty [0] tensor (as sum and argmax give, and NumPy does). softmax and logsumexp inherit it, so
  // a batch of zero examples cannot go through a classifier. Remove `.fails` once fixed.
  it(lawTitle("max, min, logsumexp and softmax over a non-empty axis of a tensor with an empty dim give an empty result"), () => {
    assertLaw(
      equivalent(
        ([x, a]: [X, number]) => [O.max(x, { axis: a }), O.min(x, { axis: a }), O.logsumexp(x, { axis: a }), O.softmax(x, a)],
        ([x, a]: [X, number]) => [O.sum(x, { axis: a }), O.sum(x, { axis: a }), O.sum(x, { axis: a }), x],
        withEmptyDim,
      ),
    );
  });
});

describe("matrix products", () => {
  it(lawTitle("matmul is associative within float tolerance"), () => {
    const arb = arbTensors({ a: "M K", b: "K N", c: "N P" }, { dtype: "float64", maxDim: 4 });
    assertLaw(
      equivalent(({ a, b, c }: { a: X; b: X; c: X }) => O.matmul(O.matmul(a, b), c), ({ a, b, c }: { a: X; b: X; c: X }) => O.matmul(a, O.matmul(b, c)), arb, { rtol: 1e-12, atol: 1e-9 }),
    );
  });
  it(lawTitle("batched matmul broadcasts its batch dims like stacking matmuls"), () => {
    const arb = arbTensors({ a: "B 1 M K", b: "C K N" }, { dtype: "float64", maxDim: 3 });
    assertLaw(
      equivalent(
        ({ a, b }: { a: X; b: X }) => O.matmul(a, b),
        ({ a, b }: { a: X; b: X }) =>
          O.stack(Array.from({ length: a.shape[0]! }, (_, i) => O.stack(Array.from({ length: b.shape[0]! }, (_, j) => O.matmul(indexAxis(indexAxis(a, 0, i), 0, 0), indexAxis(b, 0, j)))))),
        arb,
        { rtol: 1e-12, atol: 1e-12 },
      ),
    );
  });
  it(lawTitle("einsum agrees with matmul, transpose and sum"), () => {
    const ab = arbTensors({ a: "M K", b: "K N" }, { dtype: "float64", maxDim: 4 });
    assertLaw(equivalent(({ a, b }: { a: X; b: X }) => O.einsum("ij,jk->ik", a, b), ({ a, b }: { a: X; b: X }) => O.matmul(a, b), ab, { rtol: 1e-12, atol: 1e-12 }));
    assertLaw(equivalent(({ a, b }: { a: X; b: X }) => O.einsum("ij,jk", a, b), ({ a, b }: { a: X; b: X }) => O.matmul(a, b), ab, { rtol: 1e-12, atol: 1e-12 }));
    const batched = arbTensors({ a: "B M K", b: "B K N" }, { dtype: "float64", maxDim: 3 });
    assertLaw(equivalent(({ a, b }: { a: X; b: X }) => O.einsum("bij,bjk->bik", a, b), ({ a, b }: { a: X; b: X }) => O.matmul(a, b), batched, { rtol: 1e-12, atol: 1e-12 }));
    const abT = arbTensors({ a: "M K", b: "N K" }, { dtype: "float64", maxDim: 4 });
    assertLaw(equivalent(({ a, b }: { a: X; b: X }) => O.einsum("ik,jk->ij", a, b), ({ a, b }: { a: X; b: X }) => O.matmul(a, O.transpose(b)), abT, { rtol: 1e-12, atol: 1e-12 }));
    assertLaw(equivalent(({ a }: { a: X; b: X }) => O.einsum("ij->ji", a), ({ a }: { a: X; b: X }) => O.transpose(a), abT, exact));
    assertLaw(equivalent(({ a }: { a: X; b: X }) => O.einsum("ij->", a), ({ a }: { a: X; b: X }) => O.sum(a), abT, { rtol: 1e-12, atol: 1e-12 }));
  });
});

describe("immutability: no op writes into its inputs", () => {
  const unary: [string, (x: X) => unknown][] = [
    ["neg", O.neg], ["exp", O.exp], ["log", (x) => O.log(O.abs(x))], ["sqrt", (x) => O.sqrt(O.abs(x))], ["abs", O.abs], ["sign", O.sign],
    ["square", O.square], ["relu", O.relu], ["sigmoid", O.sigmoid], ["tanh", O.tanh], ["sin", O.sin], ["erf", O.erf], ["floor", O.floor],
    ["cast", (x) => O.cast(x, "float32")], ["clamp", (x) => O.clamp(x, -1, 1)], ["sum", O.sum], ["mean", O.mean], ["max", O.max],
    ["argmax", O.argmax], ["logsumexp", O.logsumexp], ["softmax", (x) => (x.rank > 0 ? O.softmax(x) : x)], ["reshape", (x) => O.reshape(x, String(x.size))],
    ["flatten", O.flatten], ["permute", (x) => O.permute(x, x.shape.map((_, i) => x.rank - 1 - i))], ["expandDims", (x) => O.expandDims(x, 0)],
    ["concat", (x) => (x.rank > 0 ? O.concat([x, x], 0) : x)], ["stack", (x) => O.stack([x, x])], ["slice", (x) => (x.rank > 0 ? O.slice(x, 0, 1) : x)],
    ["broadcastTo", (x) => O.broadcastTo(x, ["2", ...x.shape].join(" "))], ["stopGradient", O.stopGradient],
    ["matmul", (x) => (x.rank >= 2 ? O.matmul(x, O.transpose(x)) : x)], ["grad", (x) => O.grad((y: X) => O.sum(O.mul(y, y)))(x)],
    ["jvp", (x) => O.jvp((y: X) => O.sin(y), [x], [x])], ["vmap", (x) => (x.rank > 0 ? O.vmap(O.exp)(x) : x)],
  ];
  for (const [name, f] of unary)
    it(lawTitle(`${name} does not mutate its input`), () => {
      assertLaw(doesNotMutate(f, anyTensor));
    });
  it(lawTitle("binary ops and where do not mutate their inputs"), () => {
    for (const op of [O.add, O.sub, O.mul, O.div, O.pow, O.maximum, O.minimum, O.less])
      assertLaw(doesNotMutate(([a, b]: [X, X]) => op(a, b), pairs));
    assertLaw(doesNotMutate(([c, a, b]: [X, X, X]) => O.where(O.greater(c, 0), a, b), triples));
  });
});
