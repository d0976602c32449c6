/**
 * Learning-rate schedules: pure functions from the number of updates already applied (a 0-d int32
 * tensor, 0 for the first update) to a learning rate (a float64 scalar tensor), after optax's
 * `*_schedule` and PyTorch's `lr_scheduler` stepped once per update. They are written with tensor ops,
 * so a scheduled optimizer stages as one program for every step; the arithmetic is float64 and in the
 * order PyTorch's schedulers use on the host, so the rates equal theirs.
 */
import { add, cos, div, floor, less, maximum, minimum, mul, pow, sub, where } from "../ops/elementwise.js";
import { scalar } from "../ops/create.js";
import type { Tensor } from "../tensor/tensor.js";
import { asFloat64 } from "./count.js";
import type { Count, Schedule } from "./types.js";

type F64 = Tensor<[], "float64">;

/** The count clamped into [0, hi], as a float64. */
const clampedSteps = (count: Count, hi: number): F64 => minimum(maximum(asFloat64(count), 0), hi);

/**
 * The same learning rate at every step.
 *
 * @example
 * ```ts
 * optim.constantSchedule(0.1)(optim.countOf(5)).item(); // 0.1
 * ```
 */
export const constantSchedule =
  (lr: number): Schedule =>
  () =>
    scalar(lr, "float64");

/**
 * StepLR: `lr · gamma^⌊step / stepSize⌋`.
 *
 * @example
 * ```ts
 * const lr = optim.stepDecay(0.1, 3, 0.5);
 * [0, 3, 6].map((n) => lr(optim.countOf(n)).item()); // [0.1, 0.05, 0.025]
 * ```
 */
export const stepDecay =
  (lr: number, stepSize: number, gamma = 0.1): Schedule =>
  (count) =>
    mul(pow(scalar(gamma, "float64"), floor(div(asFloat64(count), stepSize))), lr);

/**
 * ExponentialLR: `lr · gamma^step`.
 *
 * @example
 * ```ts
 * optim.exponentialDecay(0.1, 0.9)(optim.countOf(2)).item(); // 0.08100000000000002
 * ```
 */
export const exponentialDecay =
  (lr: number, gamma: number): Schedule =>
  (count) =>
    mul(pow(scalar(gamma, "float64"), asFloat64(count)), lr);

/**
 * Cosine annealing from `lr` to `alpha · lr` over `decaySteps`, then constant (optax's cosine_decay_schedule;
 * PyTorch's CosineAnnealingLR with `T_max = decaySteps`, `eta_min = alpha · lr`, up to `T_max`).
 *
 * @example
 * ```ts
 * optim.cosineDecay(0.1, 8, 0.01)(optim.countOf(4)).item(); // 0.0505
 * optim.cosineDecay(0.1, 8, 0.01)(optim.countOf(20)).item(); // 0.001 (alpha · lr) from step 8 on
 * ```
 */
export const cosineDecay =
  (lr: number, decaySteps: number, alpha = 0): Schedule =>
  (count) => {
    const t = clampedSteps(count, decaySteps);
    const cosine = mul(add(cos(div(mul(t, Math.PI), decaySteps)), 1), 0.5);
    return mul(add(mul(cosine, 1 - alpha), alpha), lr);
  };

/**
 * Linear interpolation from `init` to `end` over `steps`, then constant at `end` (optax's linear_schedule).
 *
 * @example
 * ```ts
 * optim.linearSchedule(1, 0, 4)(optim.countOf(1)).item(); // 0.75
 * ```
 */
export const linearSchedule =
  (init: number, end: number, steps: number): Schedule =>
  (count) =>
    steps <= 0 ? scalar(end, "float64") : add(div(mul(clampedSteps(count, steps), end - init), steps), init);

/**
 * Linear warm-up from `init` (default 0) to `peak` over `warmupSteps`, then constant at `peak`.
 *
 * @example
 * ```ts
 * const lr = optim.linearWarmup(0.2, 2);
 * [0, 1, 2, 10].map((n) => lr(optim.countOf(n)).item()); // [0, 0.1, 0.2, 0.2]
 * ```
 */
export const linearWarmup = (peak: number, warmupSteps: number, init = 0): Schedule => linearSchedule(init, peak, warmupSteps);

/**
 * Runs `schedules[i]` from `boundaries[i - 1]` on, with the step counted from that boundary
 * (optax's join_schedules): `boundaries.length` must be `schedules.length − 1`, the boundaries integers in
 * non-decreasing order. Every schedule is
 * evaluated and the current one selected with `where`, so the choice stages.
 *
 * @example
 * ```ts
 * const lr = optim.joinSchedules([optim.constantSchedule(1), optim.constantSchedule(2)], [3]);
 * [2, 3].map((n) => lr(optim.countOf(n)).item()); // [1, 2]: the second schedule from step 3 on
 * ```
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (schedules.length !== boundaries.length + 1)
    throw new RangeError(`joinSchedules: ${schedules.length} schedules need ${schedules.length - 1} boundaries, got ${boundaries.length}`);
  const bad = boundaries.find((b) => !Number.isInteger(b));
  if (bad !== undefined) throw new RangeError(`joinSchedules: boundaries are step counts (integers), got ${bad}`);
  const down = boundaries.findIndex((b, i) => i > 0 && b < boundaries[i - 1]!);
  if (down > 0) throw new RangeError(`joinSchedules: boundaries must not decrease, got ${boundaries[down - 1]} then ${boundaries[down]}`);
  return (count) => {
    // Built from the last schedule back: the first boundary still ahead of the count picks its schedule.
    const since = (i: number): Count => (i === 0 ? count : sub(count, boundaries[i - 1]!));
    let out: Tensor<[], "float32" | "float64"> = schedules[boundaries.length]!(since(boundaries.length));
    for (let i = boundaries.length - 1; i >= 0; i--) out = where(less(count, boundaries[i]!), schedules[i]!(since(i)), out);
    return out;
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
 * optim.warmupCosine({ peak: 1, warmupSteps: 2, decaySteps: 6 })(optim.countOf(2)).item(); // 1
 * const sgd = optim.sgd(optim.warmupCosine({ peak: 0.1, warmupSteps: 10, decaySteps: 100 }));
 * ```
 */
export function warmupCosine(opts: WarmupCosineOptions): Schedule {
  const { peak, warmupSteps, decaySteps, init = 0, end = 0 } = opts;
  const alpha = peak === 0 ? 0 : end / peak;
  return joinSchedules([linearSchedule(init, peak, warmupSteps), cosineDecay(peak, decaySteps - warmupSteps, alpha)], [warmupSteps]);
}
