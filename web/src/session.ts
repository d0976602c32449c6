/**
 * The page's training run, with no DOM: the models of the two example files, SGD on mean cross-entropy,
 * and `train.fit`'s generator of events. The page pulls the events one at a time (pausing is not pulling);
 * `test/web` runs the same function in Node to compare epoch times.
 */
import { argmax, slice, valueAndGrad, type Tensor, nn, optim, random, train } from "tenfold";

/** Flattened 28×28 images in [0, 1], a batch of them. */
export type Images = Tensor<[number, 784], "float32">;
/** Class labels 0–9, a batch of them. */
export type Labels = Tensor<[number], "int32">;

/** A split of the data set: images and their labels. */
export interface Examples {
  readonly images: Images;
  readonly labels: Labels;
}

/** The models a learner can pick, as in `examples/softmax-concise.ts` and `examples/mlp-mnist.ts`. */
export const MODELS = {
  softmax: nn.sequential(nn.flatten, nn.linear(784, 10, { init: nn.init.normal(0.01) })),
  mlp: nn.mlp([784, 200, 200, 10], { activation: nn.relu, init: nn.init.kaimingNormal({ nonlinearity: "relu" }) }),
} as const;

/** A model's name. */
export type ModelName = keyof typeof MODELS;

/** What a learner chooses. */
export interface Settings {
  readonly model: ModelName;
  readonly lr: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
}

/** The summary the page shows (and `data-testid="epoch-summary"` holds) for an epoch, numbered from 1. */
export interface EpochSummary {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly testAcc: number;
  readonly seconds: number;
}

/** A training batch. */
export interface Batch {
  readonly x: Images;
  readonly y: Labels;
}

/** A prepared run: `fit`'s events, the model's predictions for any parameters, and its training step. */
export interface Session {
  readonly events: Generator<train.FitEvent<unknown, unknown>, train.TrainState<unknown, unknown>, undefined>;
  readonly stepsPerEpoch: number;
  readonly predict: (params: unknown, images: Images) => Int32Array;
  /**
   * One training step as a pure function of tensors, as `fit`'s step stages it: the loss and its
   * gradient, then the optimizer's update: `(params, optState, x, y) => [params', optState', loss]`.
   */
  readonly step: (params: unknown, optState: unknown, x: Images, y: Labels) => readonly [unknown, unknown, Tensor<[], "float32">];
  /** The initial parameters and optimizer state, and the first batch of the training set (in stored order). */
  readonly initialParams: unknown;
  readonly initialOptState: unknown;
  readonly firstBatch: Batch;
}

/** Mean cross-entropy of logits against labels. */
const loss = (logits: Tensor<[number, 10]>, labels: Labels): Tensor<[], "float32"> => nn.crossEntropy(logits, labels);

/**
 * Starts a run: keys from `seed` (one for the initial parameters, one per epoch for the shuffle, as
 * the examples fold them), `clock` timing the epochs (the page passes one that runs only while it trains).
 */
export function startSession(settings: Settings, trainSet: Examples, testSet: Examples, clock?: () => number): Session {
  const seed = random.key(settings.seed);
  const layer = MODELS[settings.model] as unknown as {
    init(key: random.Key): unknown;
    apply(params: unknown, x: Images): Tensor<[number, 10]>;
  };
  const params = layer.init(random.foldIn(seed, 3));
  const model = (p: unknown, x: Images): Tensor<[number, 10]> => layer.apply(p, x);
  const n = trainSet.labels.shape[0];
  const optimizer = optim.sgd(settings.lr);
  const events = train.fit({
    model,
    loss,
    optimizer,
    params,
    epochs: settings.epochs,
    train: (epoch) => train.batches(random.foldIn(seed, 100 + epoch), { x: trainSet.images, y: trainSet.labels }, settings.batchSize),
    test: () => train.batches(null, { x: testSet.images, y: testSet.labels }, 1000),
    metric: train.accuracyMetric,
    ...(clock === undefined ? {} : { clock }),
  });
  return {
    events,
    stepsPerEpoch: Math.ceil(n / settings.batchSize),
    predict: (p, images) => Int32Array.from(argmax(model(p, images), { axis: 1 }).toFlat()),
    step: (p, o, x, y) => {
      const [value, grads] = valueAndGrad((q: unknown) => loss(model(q, x), y))(p);
      const [updates, next] = optimizer.update(grads, o as never, p);
      return [optim.applyUpdates(p, updates), next, value] as const;
    },
    initialParams: params,
    initialOptState: optimizer.init(params),
    firstBatch: {
      x: slice(trainSet.images, 0, 0, Math.min(n, settings.batchSize)) as Images,
      y: slice(trainSet.labels, 0, 0, Math.min(n, settings.batchSize)) as Labels,
    },
  };
}

/** An epoch event as the page reports it. */
export function summarize(e: train.EpochEvent<unknown, unknown>): EpochSummary {
  return { epoch: e.epoch + 1, trainLoss: e.trainLoss, trainAcc: e.trainMetric ?? Number.NaN, testAcc: e.testMetric ?? Number.NaN, seconds: e.seconds };
}
