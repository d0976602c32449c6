import { describe, expect, it } from "vitest";
import { wayChooser } from "../../src/backend/adapt.js";
import { key, uniform } from "../../src/random/index.js";

/** Runs `jobs` jobs through a chooser, each costing `cost(shared, job)` ms; the total and the ways taken. */
function simulate(jobs: number, cost: (shared: boolean, job: number) => number): { total: number; ways: boolean[] } {
  const c = wayChooser();
  let total = 0;
  const ways: boolean[] = [];
  for (let j = 0; j < jobs; j++) {
    const s = c.share();
    ways.push(s);
    const ms = cost(s, j);
    c.record(ms);
    total += ms;
  }
  return { total, ways };
}

const shares = (ways: readonly boolean[]): number => ways.filter(Boolean).length;

describe("wayChooser", () => {
  it("shares first, then tries a block alone", () => {
    const { ways } = simulate(16, (s) => (s ? 1 : 2));
    expect(ways).toEqual([...Array(8).fill(true), ...Array(8).fill(false)]);
  });

  it("keeps sharing when sharing is faster, trying alone less and less often", () => {
    const { total, ways } = simulate(20_000, (s) => (s ? 1 : 1.9));
    // Blocks of 8 alone after 8 shared jobs, then after 64, 128, 256, 512, then every 1024.
    const tries = 6 + Math.ceil(20_000 / 1024);
    expect(20_000 - shares(ways)).toBeLessThanOrEqual(8 * tries);
    expect(total / 20_000).toBeLessThan(1.01);
  });

  it("works alone when sharing is slower, within a few percent of one thread", () => {
    const { total, ways } = simulate(20_000, (s) => (s ? 3 : 1));
    expect(shares(ways)).toBeLessThanOrEqual(8 + 8 * (6 + Math.ceil(20_000 / 1024)));
    expect(total / 20_000).toBeLessThan(1.02);
  });

  it("sees rare long waits: mostly fast shared jobs, one in ten delayed by a time slice", () => {
    // Typical shared job 0.06 ms, alone 0.1 ms; but 10 % of shared jobs wait 3 ms for the helper.
    const u = uniform(key(1), "20000").toFlat();
    const { total } = simulate(20_000, (s, j) => (s ? (u[j]! < 0.1 ? 3.06 : 0.06) : 0.1));
    expect(total / 20_000).toBeLessThan(0.1 * 1.08);
  });

  it("follows a change: from a free core to a busy one and back", () => {
    const busy = (j: number): boolean => j >= 5000 && j < 15_000;
    const { total, ways } = simulate(20_000, (s, j) => (s ? (busy(j) ? 3 : 1) : 1.9));
    const best = 10_000 * 1 + 10_000 * 1.9;
    // A change is seen at the next try, at most 1024 jobs on.
    expect(total / best).toBeLessThan(1.08);
    expect(shares(ways.slice(14_000, 15_000))).toBeLessThanOrEqual(16);
    expect(shares(ways.slice(19_000))).toBeGreaterThanOrEqual(950);
  });
});
