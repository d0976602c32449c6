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
import { add, jit } from "../../src/index.js";
import {
  asFloat64, constantSchedule, cosineDecay, countOf, exponentialDecay, joinSchedules, linearSchedule, linearWarmup, lrAt, stepDecay,
  warmupCosine, type Count, type Schedule,
} from "../../src/optim/index.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** The rates of the first `n` updates. */
const rates = (s: Schedule, n: number): number[] => range(n).map((i) => lrAt(s, i).item());
const close = (got: readonly number[], want: readonly number[], tol = 1e-15): void => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tol));
};

describe("schedules", () => {
  it("stepDecay is StepLR", () => {
    const torch = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125];
    close(rates(stepDecay(0.1, 3, 0.5), 10), torch);
  });

  it("cosineDecay is CosineAnnealingLR up to T_max, then stays at the floor", () => {
    const torch = [0.1, 0.0962320368593087, 0.0855017856687341, 0.06944282990207196, 0.0505, 0.03155717009792806, 0.0154982143312659, 0.004767963140691306, 0.001];
    const s = cosineDecay(0.1, 8, 0.01);
    close(rates(s, 9), torch, 1e-15);
    expect(lrAt(s, 20).item()).toBeCloseTo(0.001, 15);
  });

  it("exponentialDecay is ExponentialLR", () => {
    close(rates(exponentialDecay(0.1, 0.9), 5), [0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002], 1e-16);
  });

  it("constant, linear and warm-up", () => {
    expect(rates(constantSchedule(0.3), 3)).toEqual([0.3, 0.3, 0.3]);
    close(rates(linearSchedule(1, 0, 4), 6), [1, 0.75, 0.5, 0.25, 0, 0]);
    close(rates(linearWarmup(0.2, 2), 4), [0, 0.1, 0.2, 0.2]);
    expect(rates(linearSchedule(1, 0.5, 0), 2)).toEqual([0.5, 0.5]);
  });

  it("joinSchedules restarts the step count at each boundary (optax.join_schedules)", () => {
    const s = joinSchedules([constantSchedule(1), linearSchedule(2, 0, 2), (t) => add(asFloat64(t), 10)], [3, 5]);
    expect(rates(s, 8)).toEqual([1, 1, 1, 2, 1, 10, 11, 12]);
    expect(() => joinSchedules([constantSchedule(1)], [3])).toThrow(RangeError);
    expect(() => joinSchedules([constantSchedule(1), constantSchedule(2)], [2.5])).toThrow(/\(integers\), got 2.5/);
  });

  it("joinSchedules rejects decreasing boundaries and skips a schedule between equal ones", () => {
    const c = [constantSchedule(0), constantSchedule(1), constantSchedule(2)];
    expect(() => joinSchedules(c, [5, 3])).toThrow(/must not decrease, got 5 then 3/);
    expect(rates(joinSchedules(c, [2, 2]), 4)).toEqual([0, 0, 2, 2]);
  });

  it("warmupCosine is optax.warmup_cosine_decay_schedule", () => {
    // optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=2, decay_steps=6, end_value=0.1)
    const s = warmupCosine({ peak: 1, warmupSteps: 2, decaySteps: 6, end: 0.1 });
    const cos = (t: number) => 0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * t) / 4));
    close(rates(s, 8), [0, 0.5, 1, cos(1), cos(2), cos(3), 0.1, 0.1], 1e-15);
  });

  it("schedules give float64 scalars, from a count tensor or a plain count", () => {
    const r = cosineDecay(0.1, 8)(countOf(2));
    expect([r.shape, r.dtype]).toEqual([[], "float64"]);
    expect(lrAt(0.25, countOf(7)).item()).toBe(0.25);
    expect(lrAt(0.25, 7).dtype).toBe("float64");
    expect(() => lrAt(stepDecay(0.1, 2), -1)).toThrow(RangeError);
    expect(() => lrAt(stepDecay(0.1, 2), 1.5)).toThrow(/integer/);
  });

  it("every built-in schedule stages once and replays the eager rates bit for bit", () => {
    const all: readonly Schedule[] = [
      constantSchedule(0.3), stepDecay(0.1, 3, 0.5), exponentialDecay(0.1, 0.9), cosineDecay(0.1, 8, 0.01), linearSchedule(0.013, 0.37, 7),
      linearWarmup(0.2, 2), warmupCosine({ peak: 1, warmupSteps: 2, decaySteps: 6, end: 0.1 }),
      joinSchedules([constantSchedule(1), linearSchedule(2, 0, 2), exponentialDecay(0.5, 0.7)], [3, 5]),
    ];
    for (const s of all) {
      let traces = 0;
      const staged = jit((c: Count) => {
        traces++;
        return s(c);
      });
      const got = range(12).map((i) => staged(countOf(i)).item());
      expect(traces).toBe(1);
      got.forEach((g, i) => expect(Object.is(g, lrAt(s, i).item())).toBe(true));
    }
  });
});
