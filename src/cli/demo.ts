/**
 * `npm run demo`: trains softmax regression (or an MLP) on Fashion-MNIST as in d2l, printing the
 * training loss and the train and test accuracy per epoch, then writes the curves as an SVG chart.
 *
 * This file only does the I/O: it parses the flags (`args.ts`), loads the data, pulls the events of
 * the pure training run (`experiment.ts`), renders them (`report.ts`, a progress bar on stderr) and
 * writes the chart. Exit codes: 0 success, 1 failure while running, 2 bad flags or inputs.
 *
 *   npm run demo -- --model mlp --epochs 5 --json
 */
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { InputError } from "../errors.js";
import { loadFashionMnist, type Dataset } from "../data/index.js";
import { drain, type FitEvent, type StepEvent } from "../train/index.js";
import { parseDemoArgs, type DemoConfig } from "./args.js";
import { MODEL_DESCRIPTIONS, prepareRun } from "./experiment.js";
import { curvesSvg, formatEpoch, recordOf, summarize, summaryJson, type EpochRecord } from "./report.js";

/** Where the demo writes: its output streams (the process's by default). */
interface DemoIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

/** A failure with the exit code to report and a one-line message. */
class Exit extends Error {
  constructor(readonly code: 1 | 2, message: string) {
    super(message);
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

/** Checks the paths given by flags before any work: the data directory exists, the chart can be written. */
function checkPaths(config: DemoConfig): void {
  if (config.dataDir !== undefined && !(existsSync(config.dataDir) && statSync(config.dataDir).isDirectory()))
    throw new Exit(2, `--data-dir: no such directory: ${config.dataDir}`);
  const chart = resolve(config.chart);
  if (existsSync(chart) && statSync(chart).isDirectory()) throw new Exit(2, `--chart: ${config.chart} is a directory, expected a file path`);
  try {
    mkdirSync(dirname(chart), { recursive: true });
    accessSync(dirname(chart), constants.W_OK);
  } catch (e) {
    throw new Exit(2, `--chart: cannot write to ${dirname(config.chart)} (${messageOf(e)})`);
  }
}

/** Loads Fashion-MNIST; a directory without the IDX files is a bad flag value (exit 2). */
async function loadData(config: DemoConfig, io: DemoIO): Promise<Dataset> {
  try {
    return await loadFashionMnist({
      ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
      onCache: (e) => {
        if (e.kind === "write-failed") io.stderr.write(`demo: warning: could not write the dataset cache ${e.path}: ${e.error}\n`);
      },
    });
  } catch (e) {
    if (e instanceof InputError) throw new Exit(config.dataDir === undefined ? 1 : 2, `cannot load Fashion-MNIST: ${messageOf(e)}`);
    throw e;
  }
}

/** A progress bar over each epoch's steps on stderr, or nothing when disabled. */
function progressBar(enabled: boolean, io: DemoIO, epochs: number, steps: number) {
  if (!enabled) return { step: (_e: StepEvent) => {}, done: () => {} };
  const bar = new SingleBar({
    stream: io.stderr,
    format: `epoch {epoch}/${epochs} [{bar}] {value}/{total} batches | loss {loss} | {duration}s elapsed, eta {eta}s`,
    barsize: 30,
    clearOnComplete: true,
    hideCursor: false,
    fps: 10,
  });
  let active = false;
  return {
    step: (e: StepEvent) => {
      if (!active) {
        bar.start(steps, 0, { epoch: e.epoch + 1, loss: "—" });
        active = true;
      }
      bar.update(e.batch + 1, { loss: e.loss.toFixed(4) });
    },
    done: () => {
      if (active) bar.stop();
      active = false;
    },
  };
}

/** Runs the demo with the user's arguments; resolves to the exit code. */
async function main(argv: readonly string[], io: DemoIO = process): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if (parsed.kind === "exit") {
    io.stdout.write(parsed.output);
    return 0;
  }
  if (parsed.kind === "error") {
    io.stderr.write(`demo: ${parsed.message} (see --help)\n`);
    return 2;
  }
  const config = parsed.config;
  try {
    checkPaths(config);
    const dataset = await loadData(config, io);
    const run = prepareRun(config, dataset);
    const progress = progressBar(config.progress && io.stderr.isTTY === true, io, config.epochs, run.stepsPerEpoch);
    io.stdout.write(
      `Fashion-MNIST: ${run.trainSize} train / ${run.testSize} test examples; ${MODEL_DESCRIPTIONS[config.model]}; ` +
        `SGD lr ${config.lr}, batch ${config.batchSize}, ${config.epochs} epoch${config.epochs === 1 ? "" : "s"}, seed ${config.seed}\n`,
    );
    const records: EpochRecord[] = [];
    const onEvent = (e: FitEvent<unknown, unknown>): void => {
      if (e.kind === "step") return progress.step(e);
      if (e.kind === "diverged") return; // fit throws instead (onNonFinite "throw")
      progress.done();
      const r = recordOf(e);
      records.push(r);
      io.stdout.write(formatEpoch(r, config.epochs) + "\n");
    };
    try {
      drain(run.events, onEvent);
    } finally {
      progress.done();
    }
    const title = `Fashion-MNIST, ${config.model === "softmax" ? "softmax regression" : "MLP 784-200-200-10"}`;
    writeFileSync(config.chart, curvesSvg(title, records));
    io.stdout.write(`chart: ${config.chart}\n`);
    if (config.json) io.stdout.write(summaryJson(summarize(config.model, records)) + "\n");
    return 0;
  } catch (e) {
    if (e instanceof Exit) {
      io.stderr.write(`demo: ${e.message}\n`);
      return e.code;
    }
    io.stderr.write(`demo: error: ${messageOf(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
