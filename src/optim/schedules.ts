/**
 * Learning-rate schedules: pure functions from the number of updates already applied (0 for the first
 * update) to a learning rate, after optax's `*_schedule` and PyTorch's `lr_scheduler` stepped once per update.
 */
import type { Schedule } from "./types.js";

/**
 * The same learning rate at every step.
 *
 * @example
 * ```ts
 * optim.constantSchedule(0.1)(1000); // 0.1
 * ```
 */
export const constantSchedule =
  (lr: number): Schedule =>
  () =>
    lr;

/**
 * StepLR: `lr · gamma^⌊step / stepSize⌋`.
 *
 * @example
 * ```ts
 * const lr = optim.stepDecay(0.1, 30, 0.1);
 * [lr(0), lr(30), lr(60)]; // [0.1, 0.01, 0.001]
 * ```
 */
export const stepDecay =
  (lr: number, stepSize: number, gamma = 0.1): Schedule =>
  (step) =>
    lr * gamma ** Math.floor(step / stepSize);

/**
 * ExponentialLR: `lr · gamma^step`.
 *
 * @example
 * ```ts
 * optim.exponentialDecay(1, 0.5)(3); // 0.125
 * ```
 */
export const exponentialDecay =
  (lr: number, gamma: number): Schedule =>
  (step) =>
    lr * gamma ** step;

/**
 * Cosine annealing from `lr` to `alpha · lr` over `decaySteps`, then constant (optax's cosine_decay_schedule;
 * PyTorch's CosineAnnealingLR with `T_max = decaySteps`, `eta_min = alpha · lr`, up to `T_max`).
 *
 * @example
 * ```ts
 * const lr = optim.cosineDecay(0.1, 100);
 * [lr(0), lr(50), lr(100), lr(200)]; // [0.1, 0.05, 0, 0]
 * ```
 */
export const cosineDecay =
  (lr: number, decaySteps: number, alpha = 0): Schedule =>
  (step) => {
    const t = Math.min(Math.max(step, 0), decaySteps);
    const cosine = 0.5 * (1 + Math.cos((Math.PI * t) / decaySteps));
    return lr * ((1 - alpha) * cosine + alpha);
  };

/**
 * Linear interpolation from `init` to `end` over `steps`, then constant at `end` (optax's linear_schedule).
 *
 * @example
 * ```ts
 * optim.linearSchedule(0, 1, 10)(5); // 0.5
 * ```
 */
export const linearSchedule =
  (init: number, end: number, steps: number): Schedule =>
  (step) =>
    steps <= 0 ? end : init + ((end - init) * Math.min(Math.max(step, 0), steps)) / steps;

/**
 * Linear warm-up from `init` (default 0) to `peak` over `warmupSteps`, then constant at `peak`.
 *
 * @example
 * ```ts
 * const lr = optim.linearWarmup(0.1, 10);
 * [lr(0), lr(5), lr(20)]; // [0, 0.05, 0.1]
 * ```
 */
export const linearWarmup = (peak: number, warmupSteps: number, init = 0): Schedule => linearSchedule(init, peak, warmupSteps);

/**
 * Runs `schedules[i]` from `boundaries[i - 1]` on, with the step counted from that boundary
 * (optax's join_schedules): `boundaries.length` must be `schedules.length − 1`.
 *
 * @example
 * ```ts
 * const lr = optim.joinSchedules([optim.linearWarmup(0.1, 10), optim.cosineDecay(0.1, 90)], [10]);
 * lr(10); // 0.1: the second schedule starts again from its step 0
 * ```
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (schedules.length !== boundaries.length + 1)
    throw new RangeError(`joinSchedules: ${schedules.length} schedules need ${schedules.length - 1} boundaries, got ${boundaries.length}`);
  return (step) => {
    let i = 0;
    while (i < boundaries.length && step >= boundaries[i]!) i++;
    return schedules[i]!(i === 0 ? step : step - boundaries[i - 1]!);
  };
}

/** Options of {@link warmupCosine}. */
export interface WarmupCosineOptions {
  /** Learning rate reached at the end of warm-up. */
  readonly peak: number;
  /** Steps of linear warm-up. */
  readonly warmupSteps: number;
  /** Total steps, warm-up included, after which the rate stays at `end`. */
  readonly decaySteps: number;
  /** Rate at step 0 (default 0). */
  readonly init?: number;
  /** Final rate (default 0). */
  readonly end?: number;
}

/**
 * Linear warm-up to `peak`, then cosine decay to `end` (optax's warmup_cosine_decay_schedule).
 *
 * @example
 * ```ts
 * const lr = optim.warmupCosine({ peak: 0.1, warmupSteps: 10, decaySteps: 100 });
 * const sgd = optim.sgd(lr);
 * ```
 */
export function warmupCosine(opts: WarmupCosineOptions): Schedule {
  const { peak, warmupSteps, decaySteps, init = 0, end = 0 } = opts;
  const alpha = peak === 0 ? 0 : end / peak;
  return joinSchedules([linearSchedule(init, peak, warmupSteps), cosineDecay(peak, decaySteps - warmupSteps, alpha)], [warmupSteps]);
}
