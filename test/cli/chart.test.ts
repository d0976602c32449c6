import { describe, expect, it } from "vitest";
import { axisTicks, escapeXml, formatTick, lineChartSvg, niceStep, niceTicks } from "../../src/cli/chart.js";
import { curvesSvg, formatEpoch, summarize, summaryJson, type EpochRecord } from "../../src/cli/report.js";
import { svgProblems } from "./svg.js";

describe("chart: ticks", () => {
  it("picks 1-2-5 steps", () => {
    expect(niceStep(1, 5)).toBeCloseTo(0.2);
    expect(niceStep(9, 8)).toBe(2);
    expect(niceStep(0.33, 6)).toBeCloseTo(0.1);
  });
  it("covers the range with nice ticks", () => {
    expect(niceTicks(0.42, 0.86, 6)).toEqual([0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(niceTicks(1, 10, 8, true)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(1, 1, 8, true)).toEqual([0, 1, 2]);
    expect(formatTick(0.5, [0.4, 0.5])).toBe("0.5");
    expect(formatTick(4, [0, 2, 4])).toBe("4");
  });
  it("labels both ends of an integer axis (the first and last epoch), dropping a nice tick that would collide", () => {
    expect(axisTicks(1, 10, 8, true)).toEqual([1, 2, 4, 6, 8, 10]);
    expect(axisTicks(1, 5, 8, true)).toEqual([1, 2, 3, 4, 5]);
    expect(axisTicks(1, 30, 8, true)).toEqual([1, 5, 10, 15, 20, 25, 30]);
    expect(axisTicks(1, 31, 8, true)).toEqual([1, 5, 10, 15, 20, 25, 31]); // 30 is within half a step of 31
    expect(axisTicks(3, 3, 8, true)).toEqual([3]);
    // A continuous axis keeps its nice ticks only.
    expect(axisTicks(0.42, 0.86, 6)).toEqual([0.5, 0.6, 0.7, 0.8]);
  });
});

describe("chart: SVG", () => {
  it("draws a well-formed SVG with a legend entry per series", () => {
    const svg = lineChartSvg(
      [
        { name: "a <b> & c", points: [[1, 0.5], [2, 0.7], [3, Number.NaN], [4, 0.8]] },
        { name: "second", points: [[1, 0.2]] },
      ],
      { title: "t & t", xLabel: "epoch", yLabel: "value", integerX: true },
    );
    expect(svgProblems(svg)).toEqual([]);
    expect(svg).toContain("a &lt;b&gt; &amp; c");
    expect(svg.match(/<polyline /g)).toHaveLength(1); // the NaN splits the first series; a single point is only a marker
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(escapeXml(`"'`)).toBe("&quot;&apos;");
  });
  it("draws the d2l curves from epoch records", () => {
    const records: EpochRecord[] = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch, trainAcc: 0.7 + epoch / 100, testAcc: 0.69 + epoch / 100, seconds: 1 }));
    const svg = curvesSvg("Fashion-MNIST", records);
    expect(svgProblems(svg)).toEqual([]);
    for (const name of ["train loss", "train acc", "test acc"]) expect(svg).toContain(`>${name}</text>`);
    expect(svgProblems(curvesSvg("empty", []))).toEqual([]);
  });
  it("the demo's chart has a y label, a tick at epoch 1, and whole markers at the first and last epoch", () => {
    const records: EpochRecord[] = Array.from({ length: 10 }, (_, i) => ({ epoch: i + 1, trainLoss: 0.8 - i / 40, trainAcc: 0.75 + i / 100, testAcc: 0.78 + i / 100, seconds: 0.2 }));
    const svg = curvesSvg("Fashion-MNIST", records);
    expect(svg).toMatch(/<text [^>]*transform="rotate\(-90[^>]*>loss, accuracy<\/text>/);
    const xLabels = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">(\d+)<\/text>/g)].map((m) => [Number(m[1]), m[2]] as const);
    expect(xLabels.map(([, t]) => t)).toEqual(["1", "2", "4", "6", "8", "10"]);
    // Every marker lies wholly inside the clip rectangle.
    const clip = svg.match(/<clipPath id="plot-area"><rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"\/>/)!;
    const [cx, cy, cw, ch] = clip.slice(1).map(Number) as [number, number, number, number];
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"/g)].map((m) => m.slice(1).map(Number) as [number, number, number]);
    expect(circles).toHaveLength(30);
    for (const [x, y, r] of circles) {
      expect(x - r).toBeGreaterThanOrEqual(cx);
      expect(x + r).toBeLessThanOrEqual(cx + cw);
      expect(y - r).toBeGreaterThanOrEqual(cy);
      expect(y + r).toBeLessThanOrEqual(cy + ch);
    }
    // The first epoch's markers sit on the left edge of the frame: the old clip (the frame) cut them in half.
    const frame = svg.match(/<g class="axes"[^>]*>\n<rect x="([\d.]+)"/)!;
    expect(Math.min(...circles.map(([x]) => x))).toBe(Number(frame[1]));
  });
});

describe("report", () => {
  const records: EpochRecord[] = [
    { epoch: 1, trainLoss: 0.8, trainAcc: 0.74, testAcc: 0.8, seconds: 3 },
    { epoch: 2, trainLoss: 0.57, trainAcc: 0.81, testAcc: 0.81, seconds: 5 },
  ];
  it("summarizes the final epoch and the mean time", () => {
    expect(summarize("softmax", records)).toEqual({ model: "softmax", epochs: 2, trainLoss: 0.57, trainAcc: 0.81, testAcc: 0.81, secondsPerEpoch: 4 });
    expect(JSON.parse(summaryJson(summarize("mlp", [])))).toEqual({ model: "mlp", epochs: 0, trainLoss: null, trainAcc: null, testAcc: null, secondsPerEpoch: null });
  });
  it("formats an epoch line", () => {
    expect(formatEpoch(records[1]!, 10)).toBe("epoch  2/10  train loss 0.5700  train acc 0.810  test acc 0.810  5.00 s");
  });
});
