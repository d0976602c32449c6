/**
 * The building blocks optimizers are chained from (optax's vocabulary): each is a pure
 * {@link GradientTransformation}, and {@link chain} composes them left to right.
 */
import { mapTree, type Leaf } from "../core/pytree.js";
import { equal, neg, pow, sqrt, sub } from "../ops/elementwise.js";
import { scalar } from "../ops/create.js";
import type { FloatDType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Count, GradientTransformation, LearningRate, StateOf } from "./types.js";
import { asFloat64, countOf, increment, toCount } from "./count.js";
import {
  globalNorm, leafAdd, leafDiv, leafMin, leafMul, leafSqrt, leafSquare, leafSub, leafWhere, scalarFor, scaleTree, zerosLikeTree,
} from "./tree.js";

/** Empty state of stateless transformations. */
export type EmptyState = Readonly<Record<string, never>>;
const EMPTY: EmptyState = Object.freeze({});

/** A step counter: the number of updates applied so far, a 0-d int32 tensor. */
export interface CountState {
  readonly count: Count;
}

/**
 * Leaves the gradients unchanged.
 *
 * @example
 * ```ts
 * const [updates] = optim.identity().update({ w: ones("2") }, optim.identity().init({})); // the gradients unchanged
 * ```
 */
export function identity(): GradientTransformation<EmptyState> {
  return { init: () => EMPTY, update: (g, s) => [g, s] };
}

/**
 * Composes transformations left to right: each sees the previous one's output. The state is the tuple of
 * their states. Associative, with {@link identity} as unit (up to the nesting of states).
 *
 * @example
 * ```ts
 * // SGD with gradient clipping and weight decay, composed from transformations as in optax.
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.addDecayedWeights(1e-4), optim.scaleByLearningRate(0.1));
 * const params = { w: ones("2") };
 * const [updates, state] = opt.update({ w: ones("2") }, opt.init(params), params);
 * ```
 */
export function chain<const Ts extends readonly GradientTransformation<any>[]>(
  ...ts: Ts
): GradientTransformation<{ readonly [K in keyof Ts]: StateOf<Ts[K]> }> {
  type S = { readonly [K in keyof Ts]: StateOf<Ts[K]> };
  return {
    init: (params) => ts.map((t) => t.init(params)) as unknown as S,
    update: (grads, state, params) => {
      const states = state as readonly unknown[];
      let u = grads;
      const next = ts.map((t, i) => {
        const [u2, s2] = t.update(u, states[i], params);
        u = u2;
        return s2;
      });
      return [u, next as unknown as S];
    },
  };
}

/**
 * Multiplies every gradient by a constant.
 *
 * @example
 * ```ts
 * const [updates] = optim.scale(-0.5).update({ w: ones("2") }, optim.scale(-0.5).init({})); // w: [-0.5, -0.5]
 * ```
 */
export function scale(factor: number): GradientTransformation<EmptyState> {
  return { init: () => EMPTY, update: (g, s) => [scaleTree(g, factor), s] };
}

/**
 * The learning rate for the update that follows `count` applied updates, as a scalar tensor (float64 for a
 * fixed rate and the built-in schedules); `count` may be given as a plain number.
 *
 * @example
 * ```ts
 * optim.lrAt(optim.stepDecay(0.1, 3, 0.5), 3).item(); // 0.05
 * optim.lrAt(0.1, 50); // 0.1
 * optim.lrAt(optim.exponentialDecay(0.1, 0.5), 2); // 0.025
 * ```
 */
export const lrAt = (lr: LearningRate, count: Count | number): Tensor<[], FloatDType> =>
  typeof lr === "number" ? scalar(lr, "float64") : lr(toCount(count));

/**
 * Scales by −lr (a descent step), with `lr` fixed or a {@link Schedule} of the update count: the first
 * update uses `lr(0)`, like a PyTorch scheduler stepped after every `optimizer.step()`. A scheduled rate
 * is computed from the count with tensor ops, so the update stages once for all steps.
 *
 * @example
 * ```ts
 * optim.scaleByLearningRate(optim.cosineDecay(0.1, 100)).init({ w: ones("2") }); // { count: tensor(0, shape=[], dtype=int32) }
 * const opt = optim.scaleByLearningRate(optim.stepDecay(0.1, 100));
 * const [updates] = opt.update({ w: ones("2") }, opt.init({})); // −0.1 · g at step 0
 * ```
 */
export function scaleByLearningRate(lr: LearningRate): GradientTransformation<CountState> {
  return {
    init: () => ({ count: countOf(0) }),
    update: (g, s) => [scaleTree(g, typeof lr === "number" ? -lr : neg(lr(s.count))), { count: increment(s.count) }],
  };
}

/**
 * Adds `weightDecay · params` to the gradients: L2 regularisation when placed before the optimizer's
 * scaling (torch's `weight_decay` in SGD, Adam, RMSprop), decoupled decay when placed after (AdamW).
 *
 * @example
 * ```ts
 * const params = { w: tensor([1, 2]) };
 * const opt = optim.addDecayedWeights(0.1);
 * const [updates] = opt.update({ w: zeros("2") }, opt.init(params), params); // g + 0.1 · w = [0.1, 0.2]
 * ```
 */
export function addDecayedWeights(weightDecay: number): GradientTransformation<EmptyState> {
  return {
    init: () => EMPTY,
    update: (g, s, params) => {
      if (weightDecay === 0) return [g, s];
      if (params === undefined) throw new Error("addDecayedWeights: update needs the params (pass them as the third argument)");
      return [mapTree((gi: Leaf, p: Leaf) => leafAdd(gi, leafMul(p, weightDecay)), g, params), s];
    },
  };
}

/** Options of {@link trace}. */
export interface TraceOptions {
  /** Momentum factor (torch's `momentum`). */
  readonly decay: number;
  /** Dampening of the new gradient in the buffer, torch's `dampening` (default 0). */
  readonly dampening?: number;
  /** Nesterov momentum: the update is `g + decay · buf` instead of `buf`. */
  readonly nesterov?: boolean;
}

/** State of {@link trace}: the momentum buffer and the update count. */
export interface TraceState {
  readonly count: Count;
  readonly momentum: unknown;
}

/**
 * Momentum with PyTorch's convention: `buf ← decay·buf + (1 − dampening)·g`, except `buf ← g` on the
 * first update (chosen with `where` on the count, so the update stages once); the update is `buf`, or
 * `g + decay·buf` with Nesterov.
 *
 * @example
 * ```ts
 * const momentum = optim.chain(optim.trace({ decay: 0.9 }), optim.scaleByLearningRate(0.1)); // optim.sgd(0.1, { momentum: 0.9 })
 * const opt = optim.trace({ decay: 0.9, nesterov: true });
 * const [updates] = opt.update({ w: ones("2") }, opt.init({ w: zeros("2") }));
 * ```
 */
export function trace(opts: TraceOptions): GradientTransformation<TraceState> {
  const { decay, dampening = 0, nesterov = false } = opts;
  return {
    init: (params) => ({ count: countOf(0), momentum: zerosLikeTree(params) }),
    update: (g, s) => {
      const first = equal(s.count, 0);
      const buf = mapTree(
        (b: Leaf, gi: Leaf) => leafWhere(first, gi, leafAdd(leafMul(b, decay), dampening === 0 ? gi : leafMul(gi, 1 - dampening))),
        s.momentum as typeof g, g,
      );
      const u = nesterov ? mapTree((gi: Leaf, b: Leaf) => leafAdd(gi, leafMul(b, decay)), g, buf) : buf;
      return [u, { count: increment(s.count), momentum: buf }];
    },
  };
}

/** Options of {@link scaleByAdam}. */
export interface AdamOptions {
  /** Decay of the first moment (torch's `betas[0]`, default 0.9). */
  readonly b1?: number;
  /** Decay of the second moment (torch's `betas[1]`, default 0.999). */
  readonly b2?: number;
  /** Added to the denominator after bias correction, as in torch (default 1e-8). */
  readonly eps?: number;
}

/** State of {@link scaleByAdam}: first and second moment trees and the update count. */
export interface AdamState {
  readonly count: Count;
  readonly mu: unknown;
  readonly nu: unknown;
}

/**
 * Adam's direction `m̂ / (√v̂ + ε)` with bias-corrected moments m̂ = m/(1−b1ᵗ), v̂ = v/(1−b2ᵗ)
 * (torch computes the same quantity as `m / (√v/√(1−b2ᵗ) + ε) / (1−b1ᵗ)`). The corrections are computed
 * from the count tensor in float64, as torch computes them on the host, then cast to each leaf's dtype.
 *
 * @example
 * ```ts
 * const adam = optim.chain(optim.scaleByAdam({ b1: 0.9 }), optim.scaleByLearningRate(1e-3)); // optim.adam(1e-3)
 * const opt = optim.chain(optim.scaleByAdam({ b1: 0.9 }), optim.scale(-1e-3)); // = optim.adam(1e-3)
 * ```
 */
export function scaleByAdam(opts: AdamOptions = {}): GradientTransformation<AdamState> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = opts;
  return {
    init: (params) => ({ count: countOf(0), mu: zerosLikeTree(params), nu: zerosLikeTree(params) }),
    update: (g, s) => {
      const count = increment(s.count);
      const t = asFloat64(count);
      const mu = mapTree((m: Leaf, gi: Leaf) => leafAdd(leafMul(m, b1), leafMul(gi, 1 - b1)), s.mu as typeof g, g);
      const nu = mapTree((v: Leaf, gi: Leaf) => leafAdd(leafMul(v, b2), leafMul(leafSquare(gi), 1 - b2)), s.nu as typeof g, g);
      const bc1 = sub(1, pow(scalar(b1, "float64"), t));
      const sqrtBc2 = sqrt(sub(1, pow(scalar(b2, "float64"), t)));
      const u = mapTree(
        (m: Leaf, v: Leaf) => leafDiv(leafDiv(m, leafAdd(leafDiv(leafSqrt(v), scalarFor(sqrtBc2, v)), eps)), scalarFor(bc1, m)),
        mu, nu,
      );
      return [u, { count, mu, nu }];
    },
  };
}

/** Options of {@link scaleByRms}. */
export interface RmsOptions {
  /** Decay of the squared-gradient average (torch's `alpha`, default 0.99). */
  readonly alpha?: number;
  /** Added to the root mean square (default 1e-8). */
  readonly eps?: number;
  /** Divide by the standard deviation (the mean gradient is tracked too) instead of the RMS. */
  readonly centered?: boolean;
}

/** State of {@link scaleByRms}: running averages of g² (and of g when centered). */
export interface RmsState {
  readonly mu: unknown;
  readonly nu: unknown;
}

/**
 * RMSprop's scaling `g / (√(E[g²] − E[g]²?) + ε)` with torch's conventions (averages start at 0).
 *
 * @example
 * ```ts
 * const opt = optim.chain(optim.scaleByRms({ alpha: 0.99 }), optim.scale(-0.01)); // = optim.rmsprop(0.01)
 * ```
 */
export function scaleByRms(opts: RmsOptions = {}): GradientTransformation<RmsState> {
  const { alpha = 0.99, eps = 1e-8, centered = false } = opts;
  return {
    // Keys in sorted order, as jit rebuilds records: a staged loop then sees one state signature.
    init: (params) => ({ mu: centered ? zerosLikeTree(params) : null, nu: zerosLikeTree(params) }),
    update: (g, s) => {
      const nu = mapTree((v: Leaf, gi: Leaf) => leafAdd(leafMul(v, alpha), leafMul(leafSquare(gi), 1 - alpha)), s.nu as typeof g, g);
      const mu = centered ? mapTree((m: Leaf, gi: Leaf) => leafAdd(leafMul(m, alpha), leafMul(gi, 1 - alpha)), s.mu as typeof g, g) : null;
      const u = centered
        ? mapTree((gi: Leaf, v: Leaf, m: Leaf) => leafDiv(gi, leafAdd(leafSqrt(leafSub(v, leafSquare(m))), eps)), g, nu, mu)
        : mapTree((gi: Leaf, v: Leaf) => leafDiv(gi, leafAdd(leafSqrt(v), eps)), g, nu);
      return [u, { mu, nu }];
    },
  };
}

/**
 * Rescales the gradients so their global L2 norm is at most `maxNorm`, exactly like
 * `torch.nn.utils.clip_grad_norm_`: every leaf is multiplied by `min(1, maxNorm / (‖g‖ + 1e-6))`.
 *
 * @example
 * ```ts
 * const [clipped] = optim.clipByGlobalNorm(1).update({ a: tensor([3]), b: tensor([4]) }, optim.clipByGlobalNorm(1).init({})); // a 0.6, b 0.8
 * ```
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  return {
    init: () => EMPTY,
    update: (g, s) => {
      const norm = globalNorm(g);
      const coef = leafMin(leafDiv(maxNorm, leafAdd(norm, 1e-6)), 1);
      return [scaleTree(g, coef), s];
    },
  };
}
