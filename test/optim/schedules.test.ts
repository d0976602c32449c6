/**
 * Schedules against PyTorch's lr_scheduler (stepped once per optimizer step) and optax's formulas.
 *
 * ```python
 * def lrs(mk, n):
 *     p = [torch.zeros(1, requires_grad=True)]; o = torch.optim.SGD(p, lr=0.1); s = mk(o); out = []
 *     for _ in range(n): out.append(o.param_groups[0]["lr"]); o.step(); s.step()
 *     return out
 * lrs(lambda o: StepLR(o, step_size=3, gamma=0.5), 10)
 * lrs(lambda o: CosineAnnealingLR(o, T_max=8, eta_min=0.001), 9)
 * lrs(lambda o: ExponentialLR(o, gamma=0.9), 5)
 * ```
 */
import { describe, expect, it } from "vitest";
import {
  constantSchedule, cosineDecay, exponentialDecay, joinSchedules, linearSchedule, linearWarmup, stepDecay, warmupCosine,
} from "../../src/optim/index.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const close = (got: readonly number[], want: readonly number[], tol = 1e-15): void => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tol));
};

describe("schedules", () => {
  it("stepDecay is StepLR", () => {
    const torch = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125];
    close(range(10).map(stepDecay(0.1, 3, 0.5)), torch);
  });

  it("cosineDecay is CosineAnnealingLR up to T_max, then stays at the floor", () => {
    const torch = [0.1, 0.0962320368593087, 0.0855017856687341, 0.06944282990207196, 0.0505, 0.03155717009792806, 0.0154982143312659, 0.004767963140691306, 0.001];
    const s = cosineDecay(0.1, 8, 0.01);
    close(range(9).map(s), torch, 1e-15);
    expect(s(20)).toBeCloseTo(0.001, 15);
  });

  it("exponentialDecay is ExponentialLR", () => {
    close(range(5).map(exponentialDecay(0.1, 0.9)), [0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002], 1e-16);
  });

  it("constant, linear and warm-up", () => {
    expect(range(3).map(constantSchedule(0.3))).toEqual([0.3, 0.3, 0.3]);
    close(range(6).map(linearSchedule(1, 0, 4)), [1, 0.75, 0.5, 0.25, 0, 0]);
    close(range(4).map(linearWarmup(0.2, 2)), [0, 0.1, 0.2, 0.2]);
  });

  it("joinSchedules restarts the step count at each boundary (optax.join_schedules)", () => {
    const s = joinSchedules([constantSchedule(1), linearSchedule(2, 0, 2), (t) => 10 + t], [3, 5]);
    expect(range(8).map(s)).toEqual([1, 1, 1, 2, 1, 10, 11, 12]);
    expect(() => joinSchedules([constantSchedule(1)], [3])).toThrow(RangeError);
  });

  it("warmupCosine is optax.warmup_cosine_decay_schedule", () => {
    // optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=2, decay_steps=6, end_value=0.1)
    const s = warmupCosine({ peak: 1, warmupSteps: 2, decaySteps: 6, end: 0.1 });
    const cos = (t: number) => 0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * t) / 4));
    close(range(8).map(s), [0, 0.5, 1, cos(1), cos(2), cos(3), 0.1, 0.1], 1e-15);
  });
});
