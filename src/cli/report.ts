/**
 * Rendering a run's results as text, JSON and a chart: pure functions of the per-epoch records.
 */
import type { EpochEvent } from "../train/index.js";
import type { ModelName } from "./args.js";
import { lineChartSvg } from "./chart.js";

/** What the demo keeps of each epoch. */
export interface EpochRecord {
  /** Epoch number, from 1. */
  readonly epoch: number;
  /** Mean training loss over the epoch's examples. */
  readonly trainLoss: number;
  /** Training accuracy, accumulated over the epoch's batches (as d2l does). */
  readonly trainAcc: number;
  /** Test accuracy with the parameters at the end of the epoch. */
  readonly testAcc: number;
  /** Wall-clock seconds spent training in the epoch (evaluation excluded). */
  readonly seconds: number;
}

/** The JSON summary printed with `--json`: the final epoch's values and the mean seconds per epoch. */
export interface Summary {
  readonly model: ModelName;
  readonly epochs: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
  readonly secondsPerEpoch: number;
}

/** The record of an epoch event of `fit` (missing metrics become NaN). */
export const recordOf = (e: EpochEvent<unknown, unknown>): EpochRecord => ({
  epoch: e.epoch + 1,
  trainLoss: e.trainLoss,
  trainAcc: e.trainMetric ?? Number.NaN,
  testAcc: e.testMetric ?? Number.NaN,
  seconds: e.seconds,
});

/** One line per epoch: `epoch  3/10  train loss 0.5699  train acc 0.811  test acc 0.803  4.12 s`. */
export function formatEpoch(r: EpochRecord, epochs: number): string {
  const w = String(epochs).length;
  return (
    `epoch ${String(r.epoch).padStart(w)}/${epochs}  train loss ${r.trainLoss.toFixed(4)}  ` +
    `train acc ${r.trainAcc.toFixed(3)}  test acc ${r.testAcc.toFixed(3)}  ${r.seconds.toFixed(2)} s`
  );
}

/** The summary of a run from its records (NaN fields when there are none). */
export function summarize(model: ModelName, records: readonly EpochRecord[]): Summary {
  const last = records[records.length - 1];
  const seconds = records.reduce((s, r) => s + r.seconds, 0);
  return {
    model,
    epochs: records.length,
    trainLoss: last?.trainLoss ?? Number.NaN,
    trainAcc: last?.trainAcc ?? Number.NaN,
    testAcc: last?.testAcc ?? Number.NaN,
    secondsPerEpoch: records.length === 0 ? Number.NaN : seconds / records.length,
  };
}

/** The `--json` line: the summary with numbers rounded for reading (non-finite numbers become null). */
export const summaryJson = (s: Summary): string =>
  JSON.stringify(s, (_k, v: unknown) => (typeof v === "number" ? (Number.isFinite(v) ? Number(v.toPrecision(6)) : null) : v));

/** The d2l-style chart (train loss, train acc, test acc against epoch) as an SVG document. */
export function curvesSvg(title: string, records: readonly EpochRecord[]): string {
  const series = (name: string, pick: (r: EpochRecord) => number) => ({
    name,
    points: records.map((r) => [r.epoch, pick(r)] as const),
  });
  return lineChartSvg([series("train loss", (r) => r.trainLoss), series("train acc", (r) => r.trainAcc), series("test acc", (r) => r.testAcc)], {
    title,
    xLabel: "epoch",
    yLabel: "loss, accuracy",
    integerX: true,
    ...(records.length > 1 ? { xDomain: [1, records.length] as const } : {}),
  });
}
