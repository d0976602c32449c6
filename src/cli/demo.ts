/**
 * `npm run demo`: trains softmax regression (or an MLP) on Fashion-MNIST as in d2l, printing the
 * training loss and the train and test accuracy per epoch, then writes the curves as an SVG chart.
 *
 * This file only does the I/O: it parses the flags (`args.ts`), loads the data, pulls the events of
 * the pure training run (`experiment.ts`), renders them (`report.ts`, a progress bar on stderr) and
 * writes the chart. Every output path is tried before training; a write that still fails later is
 * reported after the results (the `--json` summary too). `--checkpoint` saves the whole training state
 * after every epoch, `--resume` continues it exactly. Exit codes: 0 success, 1 failure while running
 * (a diverging loss, a late write), 2 bad flags or inputs (files included).
 *
 *   npm run demo -- --model mlp --epochs 5 --json --checkpoint out/mlp.ckpt
 */
import { writeFileSync } from "node:fs";
import { isLeft } from "fp-ts/lib/Either.js";
import { SingleBar } from "cli-progress";
import { InputError } from "../errors.js";
import { loadCheckpoint, loadFashionMnist, type Dataset } from "../data/index.js";
import { DivergenceError, drain, loadTrainState, saveTrainState, type FitEvent, type StepEvent, type TrainState } from "../train/node.js";
import { parseDemoArgs, type DemoConfig } from "./args.js";
import { checkPaths, messageOf } from "./paths.js";
import { MODEL_DESCRIPTIONS, checkpointExtra, prepareRun, resumedRecords, settingsProblem, type Run } from "./experiment.js";
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
    // The loaders' errors name the file (and the index and value for bad contents); a bad file given by
    // --data-dir is bad input, one from the package a broken install.
    throw new Exit(config.dataDir !== undefined && e instanceof InputError ? 2 : 1, `cannot load Fashion-MNIST: ${messageOf(e)}`);
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

/** Where a run starts: a fresh state, or the state and history of `--resume`'s checkpoint. */
function startOf(config: DemoConfig, run: Run): { readonly state: TrainState<unknown, unknown>; readonly records: EpochRecord[] } {
  if (config.resume === undefined) return { state: run.initial, records: [] };
  const oneLine = (m: string) => m.replace(/:\n\s*/, ": ").replace(/\n\s*/g, "; ");
  // The settings first: another --model is "trained with --model softmax", not a list of missing tensors.
  const raw = loadCheckpoint(config.resume);
  if (isLeft(raw)) throw new Exit(2, `--resume: ${oneLine(raw.left)}`);
  const problem = settingsProblem((raw.right as { extra?: unknown } | null)?.extra, config);
  if (problem !== undefined) throw new Exit(2, `--resume: cannot resume ${config.resume}: ${problem}`);
  const loaded = loadTrainState(config.resume, run.initial);
  if (isLeft(loaded)) throw new Exit(2, `--resume: ${oneLine(loaded.left)}`);
  const { state, extra } = loaded.right;
  const records = resumedRecords(extra, config, state.position!.epoch);
  if ("error" in records) throw new Exit(2, `--resume: cannot resume ${config.resume}: ${records.error}`);
  return { state, records };
}

/** Saves the state and the history to `--checkpoint`'s file (atomically); a failure is a one-line message. */
function saveCheckpointFile(config: DemoConfig, state: TrainState<unknown, unknown>, records: readonly EpochRecord[]): string | undefined {
  try {
    saveTrainState(config.checkpoint!, state, checkpointExtra(config, records));
    return undefined;
  } catch (e) {
    return `--checkpoint: cannot write ${config.checkpoint} (${messageOf(e)})`;
  }
}

/** The one line for a diverged run. */
const divergedLine = (config: DemoConfig, run: Run, e: DivergenceError, saved: number): string =>
  `training diverged: the loss is ${e.loss} at epoch ${e.epoch + 1}/${config.epochs}, batch ${e.batch + 1}/${run.stepsPerEpoch} (step ${e.step}); ` +
  `try a smaller --lr (now ${config.lr})${config.checkpoint === undefined || saved === 0 ? "" : `; ${config.checkpoint} holds epoch ${saved}`}`;

/** Thrown out of the event loop to stop training when a checkpoint cannot be saved. */
class StopTraining extends Error {}

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
    const badPath = checkPaths(config);
    if (badPath !== undefined) throw new Exit(2, badPath);
    const dataset = await loadData(config, io);
    const run = prepareRun(config, dataset);
    const where = config.dataDir === undefined ? "Fashion-MNIST" : `--data-dir ${config.dataDir}`;
    if (run.trainSize === 0) throw new Exit(2, `${where}: the training set has no examples`);
    if (run.testSize === 0) throw new Exit(2, `${where}: the test set has no examples`);
    const start = startOf(config, run);
    // The first save is also the last check of the checkpoint path: the real writer, a file of the real size.
    if (config.checkpoint !== undefined) {
      const failed = saveCheckpointFile(config, start.state, start.records);
      if (failed !== undefined) throw new Exit(2, failed);
    }
    const progress = progressBar(config.progress && io.stderr.isTTY === true, io, config.epochs, run.stepsPerEpoch);
    io.stdout.write(
      `Fashion-MNIST: ${run.trainSize} train / ${run.testSize} test examples; ${MODEL_DESCRIPTIONS[config.model]}; ` +
        `SGD lr ${config.lr}, batch ${config.batchSize}, ${config.epochs} epoch${config.epochs === 1 ? "" : "s"}, seed ${config.seed}\n`,
    );
    if (config.resume !== undefined) io.stdout.write(`resuming ${config.resume} after epoch ${start.records.length}\n`);
    const records: EpochRecord[] = [...start.records];
    // Writes that fail after training has started: reported after the results, never instead of them.
    const late: string[] = [];
    const onEvent = (e: FitEvent<unknown, unknown>): void => {
      if (e.kind === "step") return progress.step(e);
      if (e.kind === "diverged") return; // fit throws instead (onNonFinite "throw")
      progress.done();
      const r = recordOf(e);
      records.push(r);
      io.stdout.write(formatEpoch(r, config.epochs) + "\n");
      if (config.checkpoint === undefined) return;
      const failed = saveCheckpointFile(config, e.state, records);
      if (failed === undefined) return;
      late.push(`${failed}; stopped after epoch ${r.epoch} (the file still holds ${r.epoch > 1 ? `epoch ${r.epoch - 1}` : "the state before epoch 1"})`);
      throw new StopTraining();
    };
    try {
      drain(run.events(start.state), onEvent);
    } catch (e) {
      if (e instanceof DivergenceError) throw new Exit(1, divergedLine(config, run, e, records.length));
      if (!(e instanceof StopTraining)) throw e;
    } finally {
      progress.done();
    }
    const title = `Fashion-MNIST, ${config.model === "softmax" ? "softmax regression" : "MLP 784-200-200-10"}`;
    try {
      writeFileSync(config.chart, curvesSvg(title, records));
      io.stdout.write(`chart: ${config.chart}\n`);
    } catch (e) {
      late.push(`--chart: cannot write ${config.chart} (${messageOf(e)})`);
    }
    if (config.json) io.stdout.write(summaryJson(summarize(config.model, records)) + "\n");
    for (const m of late) io.stderr.write(`demo: ${m}\n`);
    return late.length === 0 ? 0 : 1;
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
