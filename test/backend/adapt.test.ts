import { describe, expect, it } from "vitest";
import { wayChooser } from "../../src/backend/adapt.js";

/** Runs `jobs` jobs through a chooser whose ways cost `alone` and `shared` ms; returns how many were shared. */
function simulate(jobs: number, cost: (shared: boolean, job: number) => number): { shared: number; total: number; ways: boolean[] } {
  const c = wayChooser();
  let shared = 0;
  let total = 0;
  const ways: boolean[] = [];
  for (let j = 0; j < jobs; j++) {
    const s = c.share();
    ways.push(s);
    const ms = cost(s, j);
    c.record(s, ms);
    if (s) shared++;
    total += ms;
  }
  return { shared, total, ways };
}

describe("wayChooser", () => {
  it("shares first, then measures alone", () => {
    const { ways } = simulate(4, (s) => (s ? 1 : 2));
    expect(ways).toEqual([true, true, false, false]);
  });

  it("keeps sharing when sharing is faster, trying alone less and less often", () => {
    const { shared, total } = simulate(2000, (s) => (s ? 1 : 1.9));
    const alone = 2000 - shared;
    // The first two measurements, then tries after 8, 16, 32, 64, 128 jobs and every 256 after that.
    expect(alone).toBeLessThanOrEqual(2 + 5 + Math.ceil(2000 / 256));
    expect(total / 2000).toBeLessThan(1.01);
  });

  it("works alone when sharing is slower (a busy machine), within a few percent of one thread", () => {
    const { shared, total } = simulate(2000, (s) => (s ? 3 : 1));
    expect(shared).toBeLessThanOrEqual(2 + 5 + Math.ceil(2000 / 256));
    expect(total / 2000).toBeLessThan(1.02);
  });

  it("follows a change: from a free core to a busy one and back", () => {
    const busy = (j: number): boolean => j >= 500 && j < 1500;
    const { ways, total } = simulate(2000, (s, j) => (s ? (busy(j) ? 3 : 1) : 1.9));
    // Best possible: 1 ms per job while the core is free, 1.9 while it is busy.
    const best = 1000 * 1 + 1000 * 1.9;
    expect(total / best).toBeLessThan(1.1);
    expect(ways.slice(1400, 1500).filter(Boolean).length).toBeLessThanOrEqual(2);
    expect(ways.slice(1900).filter(Boolean).length).toBeGreaterThanOrEqual(95);
  });

  it("is not thrown by one slow measurement", () => {
    const { ways } = simulate(200, (s, j) => (s ? (j === 40 ? 50 : 1) : 1.9));
    expect(ways.slice(60).filter((w) => !w).length).toBeLessThanOrEqual(3);
  });
});
