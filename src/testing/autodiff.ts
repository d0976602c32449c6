/**
 * Laws of derivatives, for any user function of a parameter tree: reverse mode agrees with central
 * finite differences, forward and reverse mode are adjoint, forward mode is linear in the tangent,
 * Hessians are symmetric, forward and reverse Jacobians agree. All run in float64: float inputs are
 * cast before `f` sees them. Random directions are derived from the drawn input itself, so a
 * counterexample is just the input and replays exactly.
 */
import type fc from "fast-check";
import { flatten, type Leaf } from "../core/pytree.js";
import { isFloat } from "../tensor/dtype.js";
import type { AnyTensor, Tensor } from "../tensor/tensor.js";
import { grad } from "../transforms/grad.js";
import { jvp } from "../transforms/jvp.js";
import { vjp } from "../transforms/vjp.js";
import { hessian, jacfwd, jacrev } from "../transforms/jacobian.js";
import { assertClose, close, law, violated, type LawOptions, type LawResult, type Tolerance } from "./law.js";
import {
  concreteOf, fromFlat, isDifferentiable, isTensor, pathLeaves, randomLike, rng, shapeOf, showIndex, showPath, showShape, toFloat64,
  valuesOf,
} from "./tree.js";

/**
 * A seed derived from the values of a tree (FNV-1a over their bits): reproducible directions.
 *
 * @example
 * ```ts
 * seedOf(tensor([1, 2])) === seedOf(tensor([1, 2])); // true: the same input gives the same seed
 * ```
 */
export function seedOf(tree: unknown): number {
  let h = 0x811c9dc5;
  const buf = new DataView(new ArrayBuffer(8));
  for (const { leaf } of pathLeaves(tree)) {
    for (const v of valuesOf(leaf)) {
      buf.setFloat64(0, v);
      for (let i = 0; i < 8; i++) h = Math.imul(h ^ buf.getUint8(i), 0x01000193);
    }
    h = Math.imul(h ^ shapeOf(leaf).length, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The fixed weight of output element `i` when a non-scalar output is contracted to a scalar: in [1, 2).
 *
 * @example
 * ```ts
 * outputWeight(0); // 1: fixed weights in [1, 2) contract non-scalar outputs
 * ```
 */
export const outputWeight = (i: number): number => 1 + ((i * 0.6180339887498949) % 1);

/** A tree shaped like `y` holding the contraction weights (zeros on non-float leaves). */
function weightsLike(y: unknown): unknown {
  const { leaves, unflatten } = flatten(y);
  let offset = 0;
  return unflatten(
    leaves.map((l) => {
      if (typeof l === "number") return outputWeight(offset++);
      const c = concreteOf(l);
      const w = Array.from({ length: c.size }, (_, i) => (isFloat(c.dtype) ? outputWeight(offset + i) : 0));
      offset += c.size;
      return fromFlat(c.shape, c.dtype, w);
    }),
  );
}

/** Σ weights · values over the float leaves of an output tree. */
function contract(y: unknown): number {
  let offset = 0;
  let s = 0;
  for (const { leaf } of pathLeaves(y)) {
    const vals = valuesOf(leaf);
    if (isDifferentiable(leaf)) vals.forEach((v, i) => (s += outputWeight(offset + i) * v));
    offset += vals.length;
  }
  return s;
}

/** `tree` with element `k` of leaf `j` replaced by `value`. */
function withElement<X>(tree: X, j: number, k: number, value: number): X {
  const { leaves, unflatten } = flatten(tree);
  const l = leaves[j]!;
  const out = leaves.slice() as unknown[];
  if (typeof l === "number") out[j] = value;
  else {
    const c = concreteOf(l);
    const vals = Array.from(c.data);
    vals[k] = value;
    out[j] = fromFlat(c.shape, c.dtype, vals, c.names);
  }
  return unflatten(out) as X;
}

/** Dot product of two trees of the same structure, over their differentiable leaves, with the sum of |products|. */
function dot(a: unknown, b: unknown): { value: number; scale: number } {
  const la = pathLeaves(a);
  const lb = pathLeaves(b);
  let value = 0;
  let scale = 0;
  la.forEach(({ leaf }, i) => {
    const other = lb[i]?.leaf;
    if (other === undefined || !isDifferentiable(leaf)) return;
    const va = valuesOf(leaf);
    const vb = valuesOf(other);
    va.forEach((v, k) => {
      value += v * vb[k]!;
      scale += Math.abs(v * vb[k]!);
    });
  });
  return { value, scale };
}

/** Options of {@link gradMatchesFiniteDifferences}. */
export interface FiniteDifferenceOptions<X> extends LawOptions<X>, Tolerance {
  /** Relative step: h = eps · max(1, |xᵢ|) (default 1e−5). */
  readonly eps?: number;
}

/**
 * Reverse-mode derivatives of `f` agree with central differences (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h,
 * element by element of every float leaf of the input tree, in float64. A scalar output is checked
 * through `grad(f)`; any other output (a tensor or a tree) is contracted with fixed weights
 * wᵢ ∈ [1, 2) and checked through `vjp`. Keep inputs small: it costs two calls of `f` per element.
 * Defaults: eps 1e−5, rtol 1e−4, atol 1e−6.
 *
 * @example
 * ```ts
 * assertLaw(gradMatchesFiniteDifferences((x: Tensor<any>) => sum(mul(x, x)), arbTensor("N", { min: -2, max: 2 })));
 * ```
 */
export function gradMatchesFiniteDifferences<X>(f: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: FiniteDifferenceOptions<X> = {}): LawResult<X> {
  const eps = opts.eps ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  const atol = opts.atol ?? 1e-6;
  return law(
    "gradMatchesFiniteDifferences",
    arb,
    (x0) => {
      const x = toFloat64(x0);
      const y = f(x);
      const outs = pathLeaves(y);
      const scalar = outs.length === 1 && shapeOf(outs[0]!.leaf).length === 0 && isDifferentiable(outs[0]!.leaf);
      let g: unknown;
      if (scalar && isTensor(outs[0]!.leaf)) g = grad(f as (x: unknown) => Tensor<[], "float64">)(x);
      else {
        const [, pull] = vjp(f, x);
        g = pull(weightsLike(y))[0];
      }
      const how = scalar
        ? "f"
        : `Σᵢ wᵢ·f(x)ᵢ (f's output ${outs.map((o) => showShape(shapeOf(o.leaf))).join(", ")} contracted with weights wᵢ ∈ [1, 2))`;
      const ins = pathLeaves(x);
      const gs = pathLeaves(g);
      ins.forEach(({ path, leaf }, j) => {
        if (!isDifferentiable(leaf)) return;
        const gl = gs[j]?.leaf;
        if (gl === undefined) violated(`the gradient has no leaf for ${showPath("x", path)}`);
        const gshape = shapeOf(gl);
        const shape = shapeOf(leaf);
        if (gshape.join(",") !== shape.join(","))
          violated(`the gradient for ${showPath("x", path)} has shape ${showShape(gshape)} but the input has shape ${showShape(shape)}`);
        const ad = valuesOf(gl);
        const vals = valuesOf(leaf);
        vals.forEach((v, k) => {
          const h = eps * Math.max(1, Math.abs(v));
          const up = v + h;
          const down = v - h;
          const fd = (contract(f(withElement(x, j, k, up))) - contract(f(withElement(x, j, k, down)))) / (up - down);
          if (!close(ad[k]!, fd, rtol, atol))
            violated(
              `∂/∂${showPath("x", path)}${showIndex(k, shape)} of ${how}: autodiff gives ${ad[k]} but central differences give ${fd} ` +
                `(|diff| ${Math.abs(ad[k]! - fd).toExponential(3)} > atol ${atol} + rtol ${rtol}·max; h = ${h})`,
            );
        });
      });
    },
    opts.params,
  );
}

/** Options of the forward/reverse laws. */
export interface DerivativeLawOptions<X> extends LawOptions<X>, Tolerance {}

/**
 * The adjoint identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ between `jvp` and `vjp` of `f` at a drawn input, for random
 * directions v (like the input) and u (like the output), in float64. Catches a JVP rule and a VJP rule
 * that disagree. Defaults: rtol 1e−9, atol 1e−9 (relative to Σ|terms|).
 *
 * @example
 * ```ts
 * assertLaw(jvpVjpAdjoint((x: Tensor<any>) => tanh(x), arbTensor("B N")));
 * ```
 */
export function jvpVjpAdjoint<X>(f: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: DerivativeLawOptions<X> = {}): LawResult<X> {
  const rtol = opts.rtol ?? 1e-9;
  const atol = opts.atol ?? 1e-9;
  return law(
    "jvpVjpAdjoint",
    arb,
    (x0) => {
      const x = toFloat64(x0);
      const next = rng(seedOf(x));
      const v = randomLike(x, next);
      const [y, jv] = jvp(f, [x], [v]);
      const u = randomLike(y, next);
      const [, pull] = vjp(f, x);
      const [jtu] = pull(u);
      const l = dot(u, jv);
      const r = dot(jtu, v);
      const scale = l.scale + r.scale;
      if (!(Math.abs(l.value - r.value) <= atol + rtol * scale))
        violated(
          `⟨u, J·v⟩ = ${l.value} (forward mode) but ⟨Jᵀ·u, v⟩ = ${r.value} (reverse mode); |diff| ${Math.abs(l.value - r.value).toExponential(3)}, ` +
            `scale Σ|terms| ${scale.toExponential(3)}\n  v = ${showDirections(v)}\n  u = ${showDirections(u)}`,
        );
    },
    opts.params,
  );
}

/** Short text of a direction tree for messages. */
function showDirections(t: unknown): string {
  return pathLeaves(t)
    .map(({ path, leaf }) => `${path === "" ? "" : `${path}: `}[${valuesOf(leaf).map((v) => v.toFixed(3)).join(", ")}]`)
    .join("; ");
}

/** α·a + β·b over the leaves of two trees of the same structure (plain data, no ops). */
function combine(alpha: number, a: unknown, beta: number, b: unknown): unknown {
  const fa = flatten(a);
  const lb = flatten(b).leaves;
  return fa.unflatten(
    fa.leaves.map((l, i) => {
      const m = lb[i]!;
      if (typeof l === "number") return alpha * l + beta * (m as number);
      const c = concreteOf(l);
      const vb = valuesOf(m as Leaf);
      return fromFlat(c.shape, c.dtype, Array.from(c.data, (v, k) => alpha * v + beta * vb[k]!), c.names);
    }),
  );
}

/**
 * Forward mode is linear in the tangent: jvp(f, x, α·v₁ + β·v₂) = α·jvp(f, x, v₁) + β·jvp(f, x, v₂)
 * for random v₁, v₂, α, β, in float64. Defaults: rtol 1e−9, atol 1e−9.
 *
 * @example
 * ```ts
 * assertLaw(jvpLinear((x: Tensor<any>) => sin(x), arbTensor("N")));
 * ```
 */
export function jvpLinear<X>(f: (x: X) => unknown, arb: fc.Arbitrary<X>, opts: DerivativeLawOptions<X> = {}): LawResult<X> {
  return law(
    "jvpLinear",
    arb,
    (x0) => {
      const x = toFloat64(x0);
      const next = rng(seedOf(x));
      const v1 = randomLike(x, next);
      const v2 = randomLike(x, next);
      const alpha = 4 * next() - 2;
      const beta = 4 * next() - 2;
      const t1 = jvp(f, [x], [v1])[1];
      const t2 = jvp(f, [x], [v2])[1];
      const t12 = jvp(f, [x], [combine(alpha, v1, beta, v2) as X])[1];
      assertClose(t12, combine(alpha, t1, beta, t2), { rtol: opts.rtol ?? 1e-9, atol: opts.atol ?? 1e-9 }, {
        actual: `jvp(α·v₁ + β·v₂) [α = ${alpha.toFixed(4)}, β = ${beta.toFixed(4)}]`,
        expected: "α·jvp(v₁) + β·jvp(v₂)",
      });
    },
    opts.params,
  );
}

/**
 * The Hessian of a scalar function of one tensor is symmetric: H[i, j] = H[j, i] (float64).
 * Defaults: rtol 1e−9, atol 1e−9.
 *
 * @example
 * ```ts
 * assertLaw(hessianSymmetric((x: Tensor<any>) => sum(mul(x, mul(x, x))), arbTensor("3")));
 * ```
 */
export function hessianSymmetric<T extends AnyTensor>(f: (x: T) => AnyTensor, arb: fc.Arbitrary<T>, opts: DerivativeLawOptions<T> = {}): LawResult<T> {
  const rtol = opts.rtol ?? 1e-9;
  const atol = opts.atol ?? 1e-9;
  return law(
    "hessianSymmetric",
    arb,
    (x0) => {
      const x = toFloat64(x0);
      const h = hessian(f as never)(x as never) as AnyTensor;
      const n = x.size;
      const shape = shapeOf(x);
      const vals = valuesOf(h);
      if (vals.length !== n * n) violated(`the Hessian has ${vals.length} entries, expected ${n}² = ${n * n} (shape ${showShape(shapeOf(h))})`);
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++)
          if (!close(vals[i * n + j]!, vals[j * n + i]!, rtol, atol))
            violated(
              `H[${showIndex(i, shape)}, ${showIndex(j, shape)}] = ${vals[i * n + j]} but H[${showIndex(j, shape)}, ${showIndex(i, shape)}] = ${vals[j * n + i]}\n  H = ${h.toString()}`,
            );
    },
    opts.params,
  );
}

/**
 * Forward- and reverse-mode Jacobians of a function of one tensor agree: jacfwd(f)(x) = jacrev(f)(x) (float64).
 *
 * @example
 * ```ts
 * assertLaw(jacobiansAgree((x: Tensor<any>) => exp(x), arbTensor("3")));
 * ```
 */
export function jacobiansAgree<T extends AnyTensor>(f: (x: T) => AnyTensor, arb: fc.Arbitrary<T>, opts: DerivativeLawOptions<T> = {}): LawResult<T> {
  return law(
    "jacobiansAgree",
    arb,
    (x0) => {
      const x = toFloat64(x0);
      const jf = jacfwd(f as never)(x as never) as AnyTensor;
      const jr = jacrev(f as never)(x as never) as AnyTensor;
      assertClose(jf, jr, { rtol: opts.rtol ?? 1e-9, atol: opts.atol ?? 1e-9 }, { actual: "jacfwd(f)(x)", expected: "jacrev(f)(x)" });
    },
    opts.params,
  );
}

