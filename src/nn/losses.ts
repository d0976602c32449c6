/**
 * Loss functions with PyTorch's semantics and numbers (`torch.nn.functional`): the same defaults, the
 * same `reduction`s, the same weighting, `ignoreIndex` and label-smoothing rules. Each loss is a plain
 * call `crossEntropy(logits, y, opts?)` or curried on its target for `pipe(logits, crossEntropy(y))`.
 *
 * All are composed from primitives, so `grad` differentiates them; the few places that guard a
 * logarithm against 0 or ∞ say why. `binaryCrossEntropy` alone carries custom derivative rules: PyTorch's,
 * which differ from the derivative of its clamped value at probabilities of exactly 0 and 1.
 */
import { sameShape } from "../shape/runtime.js";
import { ShapeError, DTypeError } from "../errors.js";
import type { Dim, ErrorIf, Shape, ShapesDiffer, ShapeText } from "../shape/types.js";
import { isFloat, type DType, type FloatDType } from "../tensor/dtype.js";
import { impl, isTensor, typed, type Tensor, type TensorImpl } from "../tensor/tensor.js";
import * as E from "../primitives/elementwise.js";
import * as R from "../primitives/reduce.js";
import * as S from "../primitives/structure.js";
import { constant } from "../primitives/util.js";
import { logSoftmaxRaw } from "../ops/activations.js";
import { takeAlongAxis } from "../ops/structure.js";
import { customJvp, customVjp } from "../transforms/custom.js";

type T = TensorImpl;

/** How per-element losses are combined: kept (`none`), averaged (`mean`, the default) or summed. */
export type Reduction = "none" | "mean" | "sum";

/** The result type of a loss: the unreduced shape for `none`, a scalar otherwise. */
export type Reduced<Sh extends Shape, D extends DType, Rd> = Rd extends "none" ? Tensor<Sh, D> : Tensor<[], D>;

/** The `reduction` option shared by every loss. */
export interface ReductionOptions<Rd extends string = Reduction> {
  readonly reduction?: Rd;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const c = (v: number, like: T): T => constant(v, isFloat(like.dtype) ? like.dtype : "float32");

function checkFloat(op: string, what: string, x: T): void {
  if (!isFloat(x.dtype)) throw new DTypeError(op, `${what} must be float32 or float64, got ${x.dtype} (shape [${x.shape.join(", ")}])`);
}

function checkSame(op: string, input: T, target: T): void {
  if (!sameShape(input.shape, target.shape))
    throw new ShapeError(op, "input and target must have the same shape", [input.shape, target.shape]);
}

function reduce(op: string, x: T, reduction: Reduction | undefined): T {
  switch (reduction ?? "mean") {
    case "none":
      return x;
    case "sum":
      return R.sum(x, x.shape.map((_, i) => i), false);
    case "mean":
      return E.div(R.sum(x, x.shape.map((_, i) => i), false), c(x.size, x));
    default:
      throw new RangeError(`${op}: unknown reduction '${String(reduction)}' (expected "none", "mean" or "sum")`);
  }
}

const sumAll = (x: T): T => R.sum(x, x.shape.map((_, i) => i), false);

/** Moves the class axis of `x` last and flattens the rest: `[N, C, d…] → [M, C]`. */
function rowsOf(x: T, classAxis: number): T {
  const r = x.shape.length;
  const perm = [...x.shape.map((_, i) => i).filter((i) => i !== classAxis), classAxis];
  const moved = classAxis === r - 1 ? x : S.transpose(x, perm);
  return S.reshape(moved, [x.size / x.shape[classAxis]!, x.shape[classAxis]!]);
}

/** A loss usable directly, `loss(input, target, opts)`, or curried on its target, `loss(target, opts)(input)`. */
function curried(f: (input: Tensor<any, any>, target: Tensor<any, any>, opts?: any) => unknown): any {
  return (a: Tensor<any, any>, b?: unknown, o?: unknown) =>
    isTensor(b) ? f(a, b, o) : (input: Tensor<any, any>) => f(input, a, b);
}

// ---------------------------------------------------------------------------------------------
// Classification

/** Options of {@link nllLoss} and {@link crossEntropy}. */
export interface ClassificationOptions<Rd extends Reduction = Reduction> extends ReductionOptions<Rd> {
  /** A rescaling weight per class, shape `[C]`. */
  readonly weight?: Tensor<[Dim], FloatDType>;
  /** A class-index target value that contributes neither loss nor weight (default −100, as PyTorch). */
  readonly ignoreIndex?: number;
  /** Label smoothing ε ∈ [0, 1]: the target becomes (1−ε)·target + ε/C (cross-entropy only). */
  readonly labelSmoothing?: number;
}

interface Picked {
  /** Per-element loss −w[y]·logp[y] (0 where ignored), shape [M]. */
  readonly loss: T;
  /** Per-element weight w[y] (0 where ignored), shape [M]. */
  readonly w: T;
  /** Non-ignored mask, shape [M]. */
  readonly mask: T;
  readonly rows: T;
  readonly weight: T | undefined;
}

function classAxisOf(x: T): number {
  return x.shape.length >= 2 ? 1 : 0;
}

/** Checks class-index targets against log-probabilities and picks −w[y]·logp[y]. */
function pick(op: string, logp: T, targetIn: T, opts: ClassificationOptions): Picked {
  let target = targetIn;
  const ax = classAxisOf(logp);
  const nC = logp.shape[ax];
  if (nC === undefined) throw new ShapeError(op, "input must have rank ≥ 1 (classes on dim 1, or dim 0 when unbatched)", [logp.shape, target.shape]);
  const want = logp.shape.filter((_, i) => i !== ax);
  if (target.dtype !== "int32")
    throw new ShapeError(op, `class-index targets must be int32 of shape [${want.join(", ")}], got ${target.dtype}`, [logp.shape, target.shape]);
  if (!sameShape(target.shape, want))
    throw new ShapeError(op, `class-index target must have the input's shape without the class dim ${ax}: [${want.join(", ")}]`, [logp.shape, target.shape]);
  const ignore = opts.ignoreIndex ?? -100;
  // Range check as a primitive, so it also runs inside programs staged by `jit`.
  target = S.checkIndex(target, op, 0, nC, ignore);
  let weight: T | undefined;
  if (opts.weight !== undefined) {
    weight = impl(opts.weight);
    checkFloat(op, "weight", weight);
    if (!sameShape(weight.shape, [nC])) throw new ShapeError(op, `weight must have shape [${nC}] (one per class)`, [logp.shape, weight.shape]);
  }
  const rows = rowsOf(logp, ax);
  const m = rows.shape[0]!;
  const t = S.reshape(target, [m]);
  const mask = E.ne(t, constant(ignore, "int32"));
  const safe = E.where(mask, t, constant(0, "int32"));
  const lp = S.reshape(impl(takeAlongAxis(typed(rows), typed<[Dim, Dim], "int32">(S.reshape(safe, [m, 1])), 1)), [m]);
  const zero = c(0, rows);
  const w = weight === undefined ? E.cast(mask, rows.dtype) : E.where(mask, S.take(E.cast(weight, rows.dtype), safe, 0), zero);
  // A `where` (not a product with w = 0) so an ignored row whose picked log-prob is −∞ gives 0, not NaN.
  const loss = E.where(mask, E.neg(weight === undefined ? lp : E.mul(w, lp)), zero);
  return { loss, w, mask, rows, weight };
}

/** Reduces per-element class losses: PyTorch's weighted mean divides by the total weight of non-ignored targets. */
function reduceClass(op: string, loss: T, w: T, targetShape: readonly number[], reduction: Reduction | undefined): T {
  switch (reduction ?? "mean") {
    case "none":
      return S.reshape(loss, targetShape);
    case "sum":
      return sumAll(loss);
    case "mean":
      return E.div(sumAll(loss), sumAll(w));
    default:
      throw new RangeError(`${op}: unknown reduction '${String(reduction)}' (expected "none", "mean" or "sum")`);
  }
}

function nllRaw(op: string, logp: T, target: T, opts: ClassificationOptions): T {
  checkFloat(op, "input", logp);
  const p = pick(op, logp, target, opts);
  return reduceClass(op, p.loss, p.w, target.shape, opts.reduction);
}

function crossEntropyRaw(logits: T, target: T, opts: ClassificationOptions): T {
  const op = "crossEntropy";
  checkFloat(op, "logits", logits);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const ax = classAxisOf(logits);
  if (logits.shape.length === 0) throw new ShapeError(op, "logits must have rank ≥ 1", [logits.shape, target.shape]);
  const nC = logits.shape[ax]!;
  const logp = logSoftmaxRaw(logits, ax);
  if (isFloat(target.dtype)) return crossEntropyProbs(logp, target, opts, ax, nC, eps);
  const p = pick(op, logp, target, opts);
  const nll = reduceClass(op, p.loss, p.w, target.shape, opts.reduction);
  if (eps === 0) return nll;
  // PyTorch: smooth_i = −Σ_c w_c·logp_ic (0 where ignored), reduced like the NLL term (its mean uses
  // the same denominator: the total weight, or count, of non-ignored targets), then mixed (1−ε)·nll + ε/C·smooth.
  const wRow = p.weight === undefined ? undefined : S.reshape(E.cast(p.weight, p.rows.dtype), [1, nC]);
  const perRow = R.sum(wRow === undefined ? p.rows : E.mul(p.rows, wRow), [1], false);
  const smooth = E.where(p.mask, E.neg(perRow), c(0, p.rows));
  const red = reduceClass(op, smooth, p.w, target.shape, opts.reduction);
  return E.add(E.mul(c(1 - eps, nll), nll), E.mul(c(eps / nC, red), red));
}

function crossEntropyProbs(logp: T, target: T, opts: ClassificationOptions, ax: number, nC: number, eps: number): T {
  const op = "crossEntropy";
  if (!sameShape(logp.shape, target.shape))
    throw new ShapeError(op, "probability targets must have the logits' shape (class-index targets must be int32)", [logp.shape, target.shape]);
  if (opts.ignoreIndex !== undefined) throw new TypeError(`${op}: ignoreIndex is not supported for probability (float) targets`);
  let tgt = E.cast(target, logp.dtype);
  if (eps > 0) tgt = E.add(E.mul(tgt, c(1 - eps, logp)), c(eps / nC, logp));
  let prod = E.mul(logp, tgt);
  if (opts.weight !== undefined) {
    const w = impl(opts.weight);
    checkFloat(op, "weight", w);
    if (!sameShape(w.shape, [nC])) throw new ShapeError(op, `weight must have shape [${nC}] (one per class)`, [logp.shape, w.shape]);
    prod = E.mul(prod, S.reshape(E.cast(w, logp.dtype), logp.shape.map((d, i) => (i === ax ? d : 1))));
  }
  const per = E.neg(R.sum(prod, [ax], false));
  switch (opts.reduction ?? "mean") {
    case "none":
      return per;
    case "sum":
      return sumAll(per);
    case "mean":
      // PyTorch divides by the number of distributions (numel / C), not by any weights.
      return E.div(sumAll(per), c(logp.size / nC, logp));
    default:
      throw new RangeError(`${op}: unknown reduction '${String(opts.reduction)}'`);
  }
}

/**
 * `never`, or why `labels` cannot be {@link crossEntropy}'s target: int32 labels are class indices, float labels
 * class probabilities of the logits' shape; the message names the labels' dtype and shape.
 */
export type CrossEntropyLabelsError<Sh extends Shape, Tg extends Shape, TD extends DType> = [TD] extends ["int32"]
  ? never
  : [TD] extends [FloatDType]
    ? ShapesDiffer<Sh, Tg> extends true
      ? `crossEntropy: labels of dtype ${TD} are read as class probabilities and need the logits' shape ${ShapeText<Sh>}, got ${ShapeText<Tg>} (class indices must be int32)`
      : never
    : [TD] extends ["bool"] ? "crossEntropy: labels of dtype bool must be int32 class indices or float class probabilities" : never;

/** The loss's type: per target element for class indices, per row for probabilities of `[N, C]` logits. */
export type CrossEntropyResult<Sh extends Shape, Tg extends Shape, TD extends DType, D extends DType, Rd> = [TD] extends ["int32"]
  ? Reduced<Tg, D, Rd>
  : Sh extends readonly [infer N extends Dim, Dim] ? Reduced<[N], D, Rd> : Reduced<Shape, D, Rd>;

/** Cross-entropy loss, typed by target kind. */
export interface CrossEntropyFn {
  /** Curried on the target: `pipe(logits, crossEntropy(y))`. */
  <Tg extends Shape, const Rd extends Reduction = "mean">(
    target: Tensor<Tg, "int32">, opts?: ClassificationOptions<Rd>,
  ): <Sh extends Shape, D extends FloatDType>(logits: Tensor<Sh, D>) => Reduced<Tg, D, Rd>;
  /**
   * Logits `[N, C]` (or `[N, C, d…]`, or unbatched `[C]`) with int32 class indices `[N]` (`[N, d…]`, `[]`), or
   * with float class probabilities of the logits' shape. Last, so TypeScript 7 (which prints only the last
   * overload's error) prints its message.
   */
  <Sh extends Shape, D extends FloatDType, Tg extends Shape, TD extends DType, const Rd extends Reduction = "mean">(
    logits: Tensor<Sh, D>, target: ErrorIf<CrossEntropyLabelsError<Sh, Tg, TD>, Tensor<Tg, TD>>, opts?: ClassificationOptions<Rd>,
  ): CrossEntropyResult<Sh, Tg, TD, D, Rd>;
}

/**
 * Cross-entropy of logits against class indices (int32) or class probabilities (float), as
 * `torch.nn.functional.cross_entropy`: `crossEntropy(o, y)` equals `nllLoss(logSoftmax(o), y)`, computed
 * with the log-sum-exp trick so logits of ±1e4 give a finite loss and gradient.
 *
 * @function
 * @example
 * ```ts
 * const logits = tensor([[2, 0.5, -1], [0, 0, 3]]);
 * const labels = tensor([0, 2], "int32");
 * const loss: Tensor<[]> = nn.crossEntropy(logits, labels); // mean over the batch
 * const each: Tensor<[2]> = nn.crossEntropy(logits, labels, { reduction: "none" });
 * const smoothed = nn.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
 * const piped: Tensor<[]> = pipe(logits, nn.crossEntropy(labels));
 * ```
 */
export const crossEntropy: CrossEntropyFn = curried((logits, target, opts?: ClassificationOptions) =>
  typed(crossEntropyRaw(impl(logits), impl(target), opts ?? {})),
);

/** Negative log-likelihood loss, typed like {@link crossEntropy}'s class-index form. */
export interface NllLossFn {
  <Sh extends Shape, Tg extends Shape, D extends FloatDType, const Rd extends Reduction = "mean">(
    logProbs: Tensor<Sh, D>, target: Tensor<Tg, "int32">, opts?: ClassificationOptions<Rd>,
  ): Reduced<Tg, D, Rd>;
  <Tg extends Shape, const Rd extends Reduction = "mean">(
    target: Tensor<Tg, "int32">, opts?: ClassificationOptions<Rd>,
  ): <Sh extends Shape, D extends FloatDType>(logProbs: Tensor<Sh, D>) => Reduced<Tg, D, Rd>;
}

/**
 * Negative log-likelihood of log-probabilities at class indices, as `torch.nn.functional.nll_loss`:
 * `−weight[y]·logp[y]` per element; the mean divides by the sum of the weights of non-ignored targets.
 *
 * @function
 * @example
 * ```ts
 * const logProbs = logSoftmax(tensor([[2, 0.5, -1], [0, 0, 3]]));
 * const loss: Tensor<[]> = nn.nllLoss(logProbs, tensor([0, 2], "int32")); // = crossEntropy of the logits
 * ```
 */
export const nllLoss: NllLossFn = curried((logProbs, target, opts?: ClassificationOptions) => {
  if ((opts?.labelSmoothing ?? 0) !== 0) throw new TypeError("nllLoss: labelSmoothing applies to crossEntropy only");
  return typed(nllRaw("nllLoss", impl(logProbs), impl(target), opts ?? {}));
});

// ---------------------------------------------------------------------------------------------
// Regression

/** A loss comparing a float input with a same-shaped target, elementwise. */
export interface PointwiseLoss<O extends object = ReductionOptions> {
  <Sh extends Shape, D extends FloatDType, const Rd extends Reduction = "mean">(
    input: Tensor<Sh, D>, target: Tensor<Sh, D>, opts?: O & ReductionOptions<Rd>,
  ): Reduced<Sh, D, Rd>;
  <Sh extends Shape, D extends FloatDType, const Rd extends Reduction = "mean">(
    target: Tensor<Sh, D>, opts?: O & ReductionOptions<Rd>,
  ): (input: Tensor<Sh, D>) => Reduced<Sh, D, Rd>;
}

function pointwise<O extends object>(op: string, f: (x: T, y: T, opts: O) => T): PointwiseLoss<O> {
  return curried((input, target, opts?: O & ReductionOptions) => {
    const x = impl(input);
    const y = impl(target);
    checkFloat(op, "input", x);
    checkSame(op, x, y);
    return typed(reduce(op, f(x, E.cast(y, x.dtype), opts ?? ({} as O)), opts?.reduction));
  }) as PointwiseLoss<O>;
}

/**
 * Mean squared error (x − y)².
 *
 * @function
 * @example
 * ```ts
 * const loss: Tensor<[]> = nn.mse(tensor([1, 2, 3]), tensor([1, 2, 5])); // (0 + 0 + 4) / 3 = 1.3333
 * const each: Tensor<[3]> = nn.mse(tensor([1, 2, 3]), tensor([1, 2, 5]), { reduction: "none" }); // [0, 0, 4]
 * ```
 */
export const mse: PointwiseLoss = pointwise("mse", (x, y) => {
  const d = E.sub(x, y);
  return E.mul(d, d);
});

/**
 * Mean absolute error |x − y|.
 *
 * @function
 * @example
 * ```ts
 * const loss: Tensor<[]> = nn.l1(tensor([1, 2, 3]), tensor([1, 2, 5])); // 2 / 3
 * ```
 */
export const l1: PointwiseLoss = pointwise("l1", (x, y) => E.abs(E.sub(x, y)));

/** Options of {@link huber}. */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  readonly delta?: number;
}

/**
 * Huber loss (PyTorch `huber_loss`): ½d² for |d| < δ, else δ(|d| − ½δ).
 *
 * @function
 * @example
 * ```ts
 * const loss: Tensor<[]> = nn.huber(tensor([0, 0]), tensor([0.5, 3]), { delta: 1 }); // (0.125 + 2.5) / 2 = 1.3125
 * ```
 */
export const huber: PointwiseLoss<HuberOptions> = pointwise("huber", (x, y, o) => {
  const delta = o.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huber: delta must be positive, got ${delta}`);
  const d = E.sub(x, y);
  const a = E.abs(d);
  return E.where(E.lt(a, c(delta, x)), E.mul(c(0.5, x), E.mul(d, d)), E.mul(c(delta, x), E.sub(a, c(0.5 * delta, x))));
});

/** Options of {@link smoothL1}. */
export interface SmoothL1Options {
  /** Where the loss turns from quadratic to linear (default 1; 0 gives l1). */
  readonly beta?: number;
}

/**
 * Smooth L1 (PyTorch `smooth_l1_loss`): ½d²/β for |d| < β, else |d| − ½β. Equals huber/δ for β = δ.
 *
 * @function
 * @example
 * ```ts
 * const loss: Tensor<[]> = nn.smoothL1(tensor([0, 0]), tensor([0.5, 3]), { beta: 1 }); // (0.125 + 2.5) / 2 = 1.3125
 * ```
 */
export const smoothL1: PointwiseLoss<SmoothL1Options> = pointwise("smoothL1", (x, y, o) => {
  const beta = o.beta ?? 1;
  if (!(beta >= 0)) throw new RangeError(`smoothL1: beta must be non-negative, got ${beta}`);
  const d = E.sub(x, y);
  const a = E.abs(d);
  if (beta === 0) return a;
  return E.where(E.lt(a, c(beta, x)), E.div(E.mul(c(0.5, x), E.mul(d, d)), c(beta, x)), E.sub(a, c(0.5 * beta, x)));
});

// ---------------------------------------------------------------------------------------------
// Binary classification

/** Options of {@link binaryCrossEntropy}. */
export interface BceOptions {
  /** A rescaling weight broadcast against the input. */
  readonly weight?: Tensor<Shape, FloatDType>;
}

/** log(x) clamped to ≥ −100 as PyTorch does; the inner `where` keeps the gradient finite (0) at x = 0. */
function clampedLog(x: T): T {
  const pos = E.gt(x, c(0, x));
  const l = E.log(E.where(pos, x, c(1, x)));
  return E.where(pos, E.maximum(l, c(-100, x)), c(-100, x));
}

/** −(y·log x + (1−y)·log(1−x)) per element, each log clamped to ≥ −100. */
function bceValue(x: T, y: T): T {
  const one = c(1, x);
  return E.neg(E.add(E.mul(y, clampedLog(x)), E.mul(E.sub(one, y), clampedLog(E.sub(one, x)))));
}

/** PyTorch's guard against 1/0 in the BCE gradient: the float 1e−12, also for float64 inputs. */
const BCE_EPS = Math.fround(1e-12);

/** PyTorch's ∂/∂x of the clamped loss, times `g`: g·(x − y) / max((1 − x)·x, ε), which is ±1e12·g at x ∈ {0, 1}. */
const bceGradInput = (g: T, x: T, y: T): T => E.div(E.mul(g, E.sub(x, y)), E.maximum(E.mul(E.sub(c(1, x), x), x), c(BCE_EPS, x)));

/** PyTorch's ∂/∂y of the clamped loss: −logit(x) = −log(x / (1 − x)), ±∞ at x ∈ {0, 1}. */
const bceGradTarget = (x: T): T => E.neg(E.log(E.div(x, E.sub(c(1, x), x))));

type Prob = Tensor<Shape, FloatDType>;

/** The elementwise loss with PyTorch's forward-mode rule (used by `jvp`, `jacfwd`). */
const bceJvp = customJvp(
  (x: Prob, y: Prob): Prob => typed(bceValue(impl(x), impl(y))),
  ([x, y], [tx, ty]) => {
    const xi = impl(x);
    const ti = impl(ty);
    // A zero target tangent (a constant target) adds 0, not 0·∞ = NaN at x ∈ {0, 1} (where PyTorch's own
    // forward mode gives NaN); the inner `where` keeps the ∞ away from any derivative of this rule too.
    const still = E.eq(ti, c(0, ti));
    const dy = E.where(still, c(0, xi), E.mul(ti, bceGradTarget(E.where(still, c(0.5, xi), xi))));
    return typed(E.add(bceGradInput(impl(tx), xi, impl(y)), dy));
  },
);

/**
 * The elementwise loss with PyTorch's reverse-mode rule. The clamp makes the loss flat where log x < −100,
 * so its own derivative there is 0; PyTorch instead differentiates the unclamped formula, guarded against
 * 1/0, and a model that outputs exactly 0 or 1 still receives a (huge) gradient pushing it back.
 */
const bceElementwise = customVjp(
  bceJvp,
  (x: Prob, y: Prob): [Prob, [T, T]] => [bceJvp(x, y), [impl(x), impl(y)]],
  ([x, y], ct): [Prob, Prob] => {
    const g = impl(ct);
    return [typed(bceGradInput(g, x, y)), typed(E.mul(g, bceGradTarget(x)))];
  },
);

/**
 * Binary cross-entropy of probabilities (PyTorch `binary_cross_entropy`):
 * −w·(y·log x + (1−y)·log(1−x)), each log clamped to ≥ −100 so x ∈ {0, 1} gives a finite loss (100).
 * Gradients are PyTorch's: (x − y) / max((1 − x)·x, 1e−12) for the input (±1e12 at x ∈ {0, 1}, not the
 * clamp's 0) and −logit(x) for the target; `weight` receives the per-element loss.
 *
 * @function
 * @example
 * ```ts
 * const loss: Tensor<[]> = nn.binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])); // −(log 0.9 + log 0.8) / 2 = 0.1643
 * ```
 */
export const binaryCrossEntropy: PointwiseLoss<BceOptions> = pointwise("binaryCrossEntropy", (x, y, o) => {
  const l = impl(bceElementwise(typed(x), typed(y)));
  return o.weight === undefined ? l : E.mul(l, E.cast(impl(o.weight), x.dtype));
});

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast along the last (class) dim. */
  readonly posWeight?: Tensor<Shape, FloatDType>;
}

/**
 * Binary cross-entropy of logits (PyTorch `binary_cross_entropy_with_logits`), stable for any logit:
 * (1−y)·softplus(x) + p·y·softplus(−x), with `p` the positive weight. This is PyTorch's
 * (1−y)·x + (1 + (p−1)·y)·softplus(−x) regrouped so that no term cancels another: there, x + softplus(−x)
 * for a very negative x rounds log(1 + eˣ) away (x = −30, y = 0 gives 0 instead of 9.4e−14).
 *
 * @function
 * @example
 * ```ts
 * const loss: Tensor<[]> = nn.binaryCrossEntropyWithLogits(tensor([100, -100]), tensor([1, 0])); // 0, without overflow
 * ```
 */
export const binaryCrossEntropyWithLogits: PointwiseLoss<BceWithLogitsOptions> = pointwise("binaryCrossEntropyWithLogits", (x, y, o) => {
  const tail = E.log1p(E.exp(E.neg(E.abs(x))));
  // softplus(x) as x + max(−x, 0) + log1p(e^−|x|): the same number as max(x, 0) + …, except NaN at x = −∞,
  // where PyTorch's (1−y)·x + … is NaN too (∞ − ∞, or 0·∞ when y = 1).
  const spPos = E.add(E.add(x, E.maximum(E.neg(x), c(0, x))), tail);
  const spNeg = E.add(E.maximum(E.neg(x), c(0, x)), tail);
  const py = o.posWeight === undefined ? y : E.mul(E.cast(impl(o.posWeight), x.dtype), y);
  const l = E.add(E.mul(E.sub(c(1, x), y), spPos), E.mul(py, spNeg));
  return o.weight === undefined ? l : E.mul(l, E.cast(impl(o.weight), x.dtype));
});

// ---------------------------------------------------------------------------------------------
// Divergences and information

/** Reductions of {@link klDiv}: PyTorch's, plus `batchmean` (sum / batch size, the true KL divergence). */
export type KlReduction = Reduction | "batchmean";

/** Options of {@link klDiv}. */
export interface KlDivOptions<Rd extends KlReduction = KlReduction> extends ReductionOptions<Rd> {
  /** Whether the target is given as log-probabilities (default false). */
  readonly logTarget?: boolean;
}

/** KL divergence, typed by reduction. */
export interface KlDivFn {
  <Sh extends Shape, D extends FloatDType, const Rd extends KlReduction = "mean">(
    input: Tensor<Sh, D>, target: Tensor<Sh, D>, opts?: KlDivOptions<Rd>,
  ): Reduced<Sh, D, Rd>;
  <Sh extends Shape, D extends FloatDType, const Rd extends KlReduction = "mean">(
    target: Tensor<Sh, D>, opts?: KlDivOptions<Rd>,
  ): (input: Tensor<Sh, D>) => Reduced<Sh, D, Rd>;
}

/** x·log x as `torch.xlogy(x, x)`: 0 at x = 0 (with a gradient of 0 there), NaN for x < 0 or NaN. */
function xlogx(x: T): T {
  const zero = E.eq(x, c(0, x));
  return E.where(zero, c(0, x), E.mul(x, E.log(E.where(zero, c(1, x), x))));
}

/**
 * −x·log x as `torch.special.entr`: 0 at x = 0 (with a gradient of 0 there, not entr's +∞, so a
 * probability that underflowed to 0 does not turn the gradient into NaN), −∞ for x < 0, NaN for NaN.
 */
function entr(x: T): T {
  const pos = E.gt(x, c(0, x));
  const neg = E.lt(x, c(0, x));
  // x·0 is 0 for x = 0 and NaN for NaN: the two values left once the signs are decided.
  return E.where(pos, E.neg(E.mul(x, E.log(E.where(pos, x, c(1, x))))), E.where(neg, c(-Infinity, x), E.mul(x, c(0, x))));
}

/**
 * KL(target ‖ exp(input)) with `input` given as log-probabilities, as `torch.nn.functional.kl_div`:
 * pointwise `y·(log y − x)` (0 where y = 0), or `eʸ·(y − x)` with `logTarget`. The default reduction
 * is PyTorch's `mean` over all elements; `batchmean` (sum / input.shape[0]) is the mathematical KL.
 *
 * @function
 * @example
 * ```ts
 * const p = tensor([[0.5, 0.5]]);
 * const loss = nn.klDiv(log(p), p, { reduction: "batchmean" }); // 0: the same distribution
 * ```
 */
export const klDiv: KlDivFn = curried((input, target, opts?: KlDivOptions) => {
  const op = "klDiv";
  const x = impl(input);
  const y0 = impl(target);
  checkFloat(op, "input", x);
  checkSame(op, x, y0);
  const y = E.cast(y0, x.dtype);
  const pw = opts?.logTarget === true ? E.mul(E.exp(y), E.sub(y, x)) : E.sub(xlogx(y), E.mul(y, x));
  const rd = opts?.reduction ?? "mean";
  if (rd === "batchmean") {
    const n = x.shape.length === 0 ? 1 : x.shape[0]!;
    return typed(E.div(sumAll(pw), c(n, x)));
  }
  return typed(reduce(op, pw, rd));
});

/** Options of {@link entropy}. */
export interface EntropyOptions<Rd extends Reduction = Reduction> extends ReductionOptions<Rd> {
  /** The logarithm's base: e (nats, the default) or 2 (bits), or any other positive number. */
  readonly base?: number;
  /** The axis holding each distribution (default −1). */
  readonly axis?: number;
}

/** Entropy of probability vectors, typed by reduction (default `none`: one entropy per distribution). */
export interface EntropyFn {
  <N extends Dim, C extends Dim, D extends FloatDType, const Rd extends Reduction = "none">(p: Tensor<[N, C], D>, opts?: EntropyOptions<Rd>): Reduced<[N], D, Rd>;
  <Sh extends Shape, D extends FloatDType, const Rd extends Reduction = "none">(p: Tensor<Sh, D>, opts?: EntropyOptions<Rd>): Reduced<Shape, D, Rd>;
}

/**
 * Shannon entropy −Σ p·log p along `axis` (0·log 0 = 0; a negative p gives −∞ and NaN stays NaN, as
 * `torch.special.entr`), in nats or, with `base: 2`, bits:
 * `entropy(tensor([0.25, 0.25, 0.25, 0.25]), { base: 2 })` is 2.
 *
 * @function
 * @example
 * ```ts
 * const bits: Tensor<[2]> = nn.entropy(tensor([[0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]]), { base: 2 }); // [2, 0]
 * ```
 */
export const entropy: EntropyFn = ((p: Tensor<any, any>, opts?: EntropyOptions) => {
  const op = "entropy";
  const x = impl(p);
  checkFloat(op, "p", x);
  if (x.shape.length === 0) throw new ShapeError(op, "p must have rank ≥ 1 (a distribution along an axis)", [x.shape]);
  const r = x.shape.length;
  const ax0 = opts?.axis ?? -1;
  const ax = ax0 < 0 ? ax0 + r : ax0;
  if (!Number.isInteger(ax0) || ax < 0 || ax >= r) throw new ShapeError(op, `axis ${ax0} is out of range for rank ${r}`, [x.shape]);
  const base = opts?.base ?? Math.E;
  if (!(base > 0 && base !== 1)) throw new RangeError(`${op}: base must be positive and not 1, got ${base}`);
  let h = R.sum(entr(x), [ax], false);
  if (base !== Math.E) h = E.div(h, c(Math.log(base), x));
  return typed(reduce(op, h, opts?.reduction ?? "none"));
}) as EntropyFn;

