/**
 * The demo's training run, without any I/O: the model and its initialization, the loss, the optimizer,
 * the PRNG keys and the batches, handed to `train.fit`. The result is `fit`'s generator of events; the
 * CLI only renders them.
 *
 * Keys: `key(seed)` is split into an initialization key and a data key; the data key, folded with 0,
 * orders the subset taken by `limit`, and folded with `1 + epoch`, shuffles that epoch's batches.
 */
import { take, slice, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import * as optim from "../optim/index.js";
import * as random from "../random/index.js";
import * as train from "../train/index.js";
import type { Dataset } from "../data/index.js";
import type { Layer } from "../nn/index.js";
import type { FitEvent, TrainState } from "../train/index.js";
import type { DemoConfig, ModelName } from "./args.js";
import { historyTensor, recordsOfHistory, type EpochRecord } from "./report.js";

/** Flattened 28×28 images, a batch of them. */
export type Images = Tensor<[number, 784], "float32">;

/** Class labels 0–9, a batch of them. */
export type Labels = Tensor<[number], "int32">;

/** The settings that decide a run (the rest of the CLI's flags only change how it is shown). */
export type RunSettings = Pick<DemoConfig, "model" | "epochs" | "batchSize" | "lr" | "seed" | "limit">;

/** Batch size for evaluating the test set (any size gives the same accuracy; larger is faster). */
export const EVAL_BATCH = 1000;

/** Softmax regression as in d2l: one dense layer 784 → 10, weights 𝒩(0, 0.01²), bias 0. */
export const softmaxRegression = nn.linear(784, 10, { init: nn.init.normal(0.01) });

/** The MLP 784-200-200-10 with ReLU, Kaiming-normal weights (fan-in, ReLU gain √2) and zero biases. */
export const mlpClassifier = nn.mlp([784, 200, 200, 10], {
  activation: nn.relu,
  init: nn.init.kaimingNormal({ mode: "fanIn", nonlinearity: "relu" }),
});

/** A one-line description of each model. */
export const MODEL_DESCRIPTIONS: Readonly<Record<ModelName, string>> = {
  softmax: "softmax regression 784→10, weights N(0, 0.01²), bias 0",
  mlp: "MLP 784-200-200-10 (ReLU), Kaiming-normal weights, bias 0",
};

/** Mean cross-entropy of logits against class labels. */
export const meanCrossEntropy = (logits: Tensor<[number, 10], "float32">, labels: Labels): Tensor<[], "float32"> =>
  nn.crossEntropy(logits, labels);

/** A prepared run: the state it starts from, `fit`'s events from a state, and the sizes needed to render them. */
export interface Run {
  /** The state before the first step (also what a checkpoint of this run is checked against). */
  readonly initial: TrainState<unknown, unknown>;
  /** `fit`'s events from `state` (default `initial`) on, step by step (pulled lazily: training happens as they are consumed). */
  readonly events: (state?: TrainState<unknown, unknown>) => Generator<FitEvent<unknown, unknown>, TrainState<unknown, unknown>, undefined>;
  /** Number of training examples used. */
  readonly trainSize: number;
  /** Number of test examples. */
  readonly testSize: number;
  /** Steps per epoch. */
  readonly stepsPerEpoch: number;
}

/** The first `limit` training examples in an order drawn from `key` (all of them, in order, without a limit). */
export function trainSubset(split: Dataset["train"], key: random.Key, limit: number | undefined): { x: Images; y: Labels } {
  const n = split.labels.shape[0];
  if (limit === undefined || limit >= n) return { x: split.images, y: split.labels };
  const idx = slice(random.permutation(key, n), 0, 0, limit) as Tensor<[number], "int32">;
  return { x: take(split.images, idx, 0) as Images, y: take(split.labels, idx, 0) as Labels };
}

/** `fit` for one layer mapping `[784]` to `[10]`: SGD on mean cross-entropy, train and test accuracy per epoch. */
function fitLayer<P>(layer: Layer<P, [784], [10]>, settings: RunSettings, dataset: Dataset): Run {
  const [initKey, dataKey] = random.split(random.key(settings.seed), 2) as [random.Key, random.Key];
  const trainData = trainSubset(dataset.train, random.foldIn(dataKey, 0), settings.limit);
  const testData = { x: dataset.test.images, y: dataset.test.labels };
  const trainSize = trainData.y.shape[0];
  const optimizer = optim.sgd(settings.lr);
  type O = ReturnType<typeof optimizer.init>;
  const initial = train.initTrainState(layer.init(initKey), optimizer, dataKey);
  const events = (state: TrainState<unknown, unknown> = initial) =>
    train.fit({
      model: (p: P, x: Images) => layer.apply(p, x),
      loss: meanCrossEntropy,
      optimizer,
      params: initial.params,
      state: state as TrainState<P, O>,
      epochs: settings.epochs,
      key: dataKey,
      train: (epoch, k) => train.batches(random.foldIn(k!, 1 + epoch), trainData, settings.batchSize),
      test: () => train.batches(null, testData, EVAL_BATCH),
      metric: train.accuracyMetric,
    }) as ReturnType<Run["events"]>;
  return { initial, events, trainSize, testSize: testData.y.shape[0], stepsPerEpoch: train.numBatches(trainSize, settings.batchSize) };
}

/** The run the settings describe, on a loaded dataset. */
export function prepareRun(settings: RunSettings, dataset: Dataset): Run {
  switch (settings.model) {
    case "softmax":
      return fitLayer(softmaxRegression, settings, dataset);
    case "mlp":
      return fitLayer(mlpClassifier, settings, dataset);
  }
}

/** The settings of a run kept in its checkpoint, to check a resumed run against. */
export type SavedSettings = Required<Omit<RunSettings, "epochs" | "limit">> & { readonly limit: number | null };

/**
 * What a checkpoint of the demo keeps besides the training state: the settings that decide the run and
 * the per-epoch history (as {@link historyTensor}'s tensor).
 * @example checkpointExtra(settings, records)
 */
export const checkpointExtra = (settings: RunSettings, records: readonly EpochRecord[]) => ({
  settings: { model: settings.model, batchSize: settings.batchSize, lr: settings.lr, seed: settings.seed, limit: settings.limit ?? null } satisfies SavedSettings,
  history: historyTensor(records),
});

/** The flag that sets each saved setting. */
const SETTING_FLAGS: Readonly<Record<keyof SavedSettings, string>> = { model: "--model", batchSize: "--batch-size", lr: "--lr", seed: "--seed", limit: "--limit" };

/**
 * Why a checkpoint whose extra tree is `extra` cannot continue a run with `settings`: it holds no demo
 * settings, or other ones (named by their flags); `undefined` when they agree.
 * @example settingsProblem(tree.extra, settings) // "it was trained with --lr 0.1, this run has --lr 0.2"
 */
export function settingsProblem(extra: unknown, settings: RunSettings): string | undefined {
  const e = (extra ?? {}) as { settings?: Partial<Record<keyof SavedSettings, unknown>>; history?: unknown };
  if (e.settings === undefined || e.history === undefined) return "it holds no demo settings and history (not written by --checkpoint?)";
  const want = checkpointExtra(settings, []).settings;
  for (const k of Object.keys(SETTING_FLAGS) as (keyof SavedSettings)[]) {
    const saved = e.settings[k];
    if (saved === want[k]) continue;
    const flag = SETTING_FLAGS[k];
    return saved === null ? `it was trained without ${flag}, this run has ${flag} ${want[k]}` : `it was trained with ${flag} ${String(saved)}, this run has ${want[k] === null ? `no ${flag}` : `${flag} ${want[k]}`}`;
  }
  return undefined;
}

/**
 * The history of a checkpoint to resume with `settings` at `epoch`, or what stands in the way: other
 * settings than the checkpoint's, no epochs left to train, a damaged history.
 * @example resumedRecords(loaded.extra, settings, loaded.state.position.epoch)
 */
export function resumedRecords(extra: unknown, settings: RunSettings, epoch: number): EpochRecord[] | { readonly error: string } {
  const problem = settingsProblem(extra, settings);
  if (problem !== undefined) return { error: problem };
  if (epoch >= settings.epochs) return { error: `it has trained ${epoch} epoch${epoch === 1 ? "" : "s"} already; --epochs counts the whole run (now ${settings.epochs})` };
  return recordsOfHistory((extra as { history: unknown }).history, epoch);
}
