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

/** A prepared run: the events of `fit`, and the sizes needed to render them. */
export interface Run {
  /** `fit`'s events, step by step (pulled lazily: training happens as they are consumed). */
  readonly events: Generator<FitEvent<unknown, unknown>, TrainState<unknown, unknown>, undefined>;
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
  const events = train.fit({
    model: (p: P, x: Images) => layer.apply(p, x),
    loss: meanCrossEntropy,
    optimizer: optim.sgd(settings.lr),
    params: layer.init(initKey),
    epochs: settings.epochs,
    train: (epoch) => train.batches(random.foldIn(dataKey, 1 + epoch), trainData, settings.batchSize),
    test: () => train.batches(null, testData, EVAL_BATCH),
    metric: train.accuracyMetric,
  });
  return { events, trainSize, testSize: testData.y.shape[0], stepsPerEpoch: train.numBatches(trainSize, settings.batchSize) };
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
