/**
 * The usual optimizers as chains of the building blocks, each matching its torch.optim namesake step
 * for step (same defaults, same order of weight decay, momentum and scaling).
 */
import type { GradientTransformation, LearningRate } from "./types.js";
import {
  addDecayedWeights, chain, clipByGlobalNorm, identity, scaleByAdam, scaleByLearningRate, scaleByRms, trace,
  type AdamOptions, type CountState, type EmptyState, type RmsOptions, type TraceState,
} from "./transforms.js";

/** A transformation whose state is either of two (chosen once, at construction). */
const widen = <A, B>(t: GradientTransformation<A> | GradientTransformation<B>): GradientTransformation<A | B> =>
  t as unknown as GradientTransformation<A | B>;

/** Options of {@link sgd}, torch.optim.SGD's. */
export interface SgdOptions {
  /** Momentum factor (default 0: plain SGD). */
  readonly momentum?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient: g + weightDecay · p (default 0). */
  readonly weightDecay?: number;
  /** Dampening of new gradients in the momentum buffer (default 0). */
  readonly dampening?: number;
}

/** A chain of three transformations (weight decay, direction, learning rate): the state of the optimizers below. */
export type OptimizerState<Dir> = readonly [EmptyState, Dir, CountState];

/**
 * Stochastic gradient descent with optional momentum, Nesterov and weight decay: torch.optim.SGD.
 *
 * @example
 * ```ts
 * const opt = optim.sgd(0.1, { momentum: 0.9 });
 * const params = { w: ones("3") };
 * const state = opt.init(params);
 * const [updates, next] = opt.update({ w: ones("3") }, state); // updates.w = [-0.1, -0.1, -0.1]
 * const stepped = optim.applyUpdates(params, updates); // w = [0.9, 0.9, 0.9]
 * ```
 */
export function sgd(lr: LearningRate, opts: SgdOptions = {}): GradientTransformation<OptimizerState<TraceState | EmptyState>> {
  const { momentum = 0, nesterov = false, weightDecay = 0, dampening = 0 } = opts;
  if (momentum < 0) throw new RangeError(`sgd: momentum must be ≥ 0, got ${momentum}`);
  if (nesterov && (momentum <= 0 || dampening !== 0)) throw new RangeError("sgd: Nesterov momentum requires a momentum > 0 and zero dampening");
  const dir = widen<EmptyState, TraceState>(momentum === 0 ? identity() : trace({ decay: momentum, dampening, nesterov }));
  return chain(addDecayedWeights(weightDecay), dir, scaleByLearningRate(lr));
}

/** Options of {@link adam}. */
export interface AdamOptimizerOptions extends AdamOptions {
  /** L2 penalty added to the gradient before the moments (torch.optim.Adam's `weight_decay`, default 0). */
  readonly weightDecay?: number;
}

/**
 * Adam (torch.optim.Adam), with L2 weight decay coupled into the gradient when `weightDecay` is set.
 *
 * @example
 * ```ts
 * const opt = optim.adam(1e-3, { b1: 0.9, b2: 0.999 });
 * const params = { w: ones("3") };
 * const [updates] = opt.update({ w: tensor([1, -2, 3]) }, opt.init(params)); // first step: −lr · sign(g)
 * ```
 */
export function adam(lr: LearningRate, opts: AdamOptimizerOptions = {}): GradientTransformation<OptimizerState<StateOfAdam>> {
  return chain(addDecayedWeights(opts.weightDecay ?? 0), scaleByAdam(opts), scaleByLearningRate(lr));
}

type StateOfAdam = ReturnType<ReturnType<typeof scaleByAdam>["init"]>;

/** Options of {@link adamw}. */
export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay (default 0.01, as in torch.optim.AdamW). */
  readonly weightDecay?: number;
}

/** State of {@link adamw}: Adam's moments, then the decay, then the learning-rate counter. */
export type AdamWState = readonly [StateOfAdam, EmptyState, CountState];

/**
 * AdamW (torch.optim.AdamW): Adam plus decay decoupled from the moments, `p ← p − lr·(wd·p + m̂/(√v̂+ε))`;
 * with a schedule, the decay is scaled by the same scheduled learning rate.
 *
 * @example
 * ```ts
 * const opt = optim.adamw(1e-3, { weightDecay: 0.01 });
 * const params = { w: ones("3") };
 * const [updates] = opt.update({ w: ones("3") }, opt.init(params), params); // weight decay needs the params
 * ```
 */
export function adamw(lr: LearningRate, opts: AdamWOptions = {}): GradientTransformation<AdamWState> {
  return chain(scaleByAdam(opts), addDecayedWeights(opts.weightDecay ?? 0.01), scaleByLearningRate(lr));
}

/** Options of {@link rmsprop}, torch.optim.RMSprop's. */
export interface RmspropOptions extends RmsOptions {
  /** Momentum on the scaled gradient (default 0). */
  readonly momentum?: number;
  /** L2 penalty added to the gradient (default 0). */
  readonly weightDecay?: number;
}

/** State of {@link rmsprop}: decay, RMS averages, momentum buffer (or empty), learning-rate counter. */
export type RmspropState = readonly [EmptyState, StateOfRms, TraceState | EmptyState, CountState];
type StateOfRms = ReturnType<ReturnType<typeof scaleByRms>["init"]>;

/**
 * RMSprop (torch.optim.RMSprop): `alpha` 0.99, `eps` 1e-8 added outside the root, optional centering and momentum.
 *
 * @example
 * ```ts
 * const opt = optim.rmsprop(0.01);
 * const [updates] = opt.update({ w: ones("2") }, opt.init({ w: ones("2") }));
 * ```
 */
export function rmsprop(lr: LearningRate, opts: RmspropOptions = {}): GradientTransformation<RmspropState> {
  const { momentum = 0, weightDecay = 0 } = opts;
  // torch's buffer starts at 0 and adds g/avg, which equals trace's "buf ← g first" convention without dampening.
  const mom = widen<EmptyState, TraceState>(momentum === 0 ? identity() : trace({ decay: momentum }));
  return chain(addDecayedWeights(weightDecay), scaleByRms(opts), mom, scaleByLearningRate(lr));
}

/**
 * A transformation followed by gradient clipping first: `chain(clipByGlobalNorm(maxNorm), opt)`.
 *
 * @example
 * ```ts
 * const opt = optim.withClipping(1, optim.sgd(0.1));
 * const [updates] = opt.update({ w: tensor([30, 40]) }, opt.init({ w: zeros("2") })); // norm 50 clipped to 1: [-0.06, -0.08]
 * ```
 */
export const withClipping = <S>(maxNorm: number, opt: GradientTransformation<S>): GradientTransformation<readonly [EmptyState, S]> =>
  chain(clipByGlobalNorm(maxNorm), opt);
