import { describe, expect, it } from "vitest";
import { escapeXml, formatTick, lineChartSvg, niceStep, niceTicks } from "../../src/cli/chart.js";
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
