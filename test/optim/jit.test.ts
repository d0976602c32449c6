/**
 * With the optimizer state all tensors (counters as 0-d int32 tensors, schedules and bias corrections
 * computed from them with tensor ops), `jit` of an update is one program at every step: traced once,
 * replayed, and bit for bit the eager update. Float32 leaves of 512 elements and more take the SIMD
 * kernels in both modes, smaller ones and float64 leaves the scalar loops.
 */
import { describe, expect, it } from "vitest";
import { fromArray, jit, type AnyTensor } from "../../src/index.js";
import {
  adam, adamw, applyUpdates, chain, clipByGlobalNorm, constantSchedule, cosineDecay, countOf, exponentialDecay, increment, joinSchedules,
  linearWarmup, rmsprop, sgd, stepDecay, warmupCosine, type GradientTransformation,
} from "../../src/optim/index.js";
import { assertLaw, lawTitle, rng, snapshot, snapshotDiff, stagedUpdateMatchesEager, type StepTransformation } from "../../src/testing/index.js";

type Params = { readonly b: AnyTensor; readonly v: AnyTensor; readonly w: AnyTensor };

// Keys in sorted (pytree) order, the order `applyUpdates` rebuilds records in: jit's signature (today)
// tells records with the same keys in another order apart.
const params = (next: () => number): Params => {
  const b = fromArray(Array.from({ length: 16 }, () => next() - 0.5), "c", { c: 16 });
  const v = fromArray(Array.from({ length: 5 }, () => next() - 0.5), "n", { n: 5 }, "float64");
  const w = fromArray(Array.from({ length: 48 * 16 }, () => next() - 0.5), "r c", { r: 48, c: 16 });
  return { b, v, w };
};

const schedule = warmupCosine({ peak: 0.05, warmupSteps: 2, decaySteps: 5, end: 0.001 });
const CASES: readonly [string, GradientTransformation<unknown>][] = [
  ["sgd", sgd(schedule)],
  ["sgd with momentum and dampening", sgd(stepDecay(0.1, 2, 0.5), { momentum: 0.9, dampening: 0.3 })],
  ["sgd with Nesterov momentum and weight decay", sgd(exponentialDecay(0.1, 0.9), { momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["adam", adam(cosineDecay(0.01, 4, 0.1), { b1: 0.8, b2: 0.99 })],
  ["adamw", adamw(schedule, { weightDecay: 0.1 })],
  ["rmsprop, centered, with momentum", rmsprop(linearWarmup(0.01, 3), { momentum: 0.9, centered: true, weightDecay: 0.1 })],
  ["clipped adam", chain(clipByGlobalNorm(0.5), adam(joinSchedules([constantSchedule(0.01), constantSchedule(0.001)], [3])))],
] as unknown as readonly [string, GradientTransformation<unknown>][];

describe("jit of an optimizer update", () => {
  for (const [name, opt] of CASES)
    it(`${name}: traced once, replayed for 5 steps on its own results, bit for bit the eager update`, () => {
      const next = rng(7);
      let traces = 0;
      const staged = jit((g: Params, s: unknown, p: Params) => {
        traces++;
        return opt.update(g, s, p);
      });
      // Two runs side by side: one eager, one staged and fed its own results.
      let p = params(next);
      let s = opt.init(p);
      let [pj, sj] = [p, s];
      for (let step = 0; step < 5; step++) {
        const g = params(next);
        const eager = opt.update(g, s, p);
        const replayed = staged(g, sj, pj);
        expect(snapshotDiff(snapshot(eager), snapshot(replayed), "[updates, state]")).toBeNull();
        [p, s] = [applyUpdates(p, eager[0]), eager[1]];
        [pj, sj] = [applyUpdates(pj, replayed[0]), replayed[1]];
      }
      expect(traces).toBe(1);
      // The state's counters are int32 scalars that counted the 5 updates.
      const counts = snapshot(s).paths.filter((q) => q.endsWith("count"));
      expect(counts.length).toBeGreaterThan(0);
      for (const q of counts) {
        const i = snapshot(s).paths.indexOf(q);
        expect([snapshot(s).dtypes[i], snapshot(s).shapes[i], snapshot(s).values[i]]).toEqual(["int32", [], [5]]);
      }
    });

  it("a staged training loop of plain jit (update applied inside) compiles once over 5 steps", () => {
    const opt = adam(cosineDecay(0.01, 5));
    type S = ReturnType<typeof opt.init>;
    let traces = 0;
    const step = jit((p: Params, s: S, g: Params) => {
      traces++;
      const [u, s2] = opt.update(g, s, p);
      return [applyUpdates(p, u), s2] as const;
    });
    const next = rng(3);
    let pj = params(next);
    let sj = opt.init(pj);
    let [pe, se] = [pj, sj];
    for (let k = 0; k < 5; k++) {
      const g = params(next);
      [pj, sj] = step(pj, sj, g);
      const [u, s2] = opt.update(g, se, pe);
      [pe, se] = [applyUpdates(pe, u), s2];
    }
    expect(traces).toBe(1);
    expect(snapshotDiff(snapshot([pe, se]), snapshot([pj, sj]), "[params, state]")).toBeNull();
  });
});

describe("counters", () => {
  it("countOf and increment build and advance int32 scalars, saturating at the int32 maximum", () => {
    expect([countOf().item(), countOf().dtype, countOf().shape]).toEqual([0, "int32", []]);
    expect(increment(countOf(41)).item()).toBe(42);
    expect(increment(countOf(2 ** 31 - 1)).item()).toBe(2 ** 31 - 1);
    expect(() => countOf(-1)).toThrow(RangeError);
    expect(() => countOf(0.5)).toThrow(/integer in \[0, 2147483647\], got 0.5/);
  });
});

describe("law kit: stagedUpdateMatchesEager", () => {
  it(lawTitle("holds for adam with a schedule"), () => {
    assertLaw(stagedUpdateMatchesEager(adam(cosineDecay(0.01, 4)) as StepTransformation<unknown, unknown>, { params: { numRuns: 5 } }));
  });

  it("fails for an optimizer whose counter is a JavaScript number", () => {
    const numberCount: StepTransformation<unknown, { readonly count: number }> = {
      init: () => ({ count: 0 }),
      update: (g, s) => [g, { count: s.count + 1 }],
    };
    expect(() => assertLaw(stagedUpdateMatchesEager(numberCount, { params: { numRuns: 3 } }))).toThrow(/traced 2 times, not once/);
  });
});
