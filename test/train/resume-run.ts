/**
 * The run that test/train/resume.test.ts interrupts: a 4-16-3 MLP on shuffled minibatches, cross-entropy,
 * one of three optimizers. Shared by the test and the child processes it starts, so that both sides build
 * the very same run.
 */
import { fromArray, type AnyTensor, type Tensor } from "../../src/index.js";
import { flatten } from "../../src/core/pytree.js";
import * as nn from "../../src/nn/index.js";
import { adam, sgd, warmupCosine, type GradientTransformation } from "../../src/optim/index.js";
import { foldIn, key, type Key } from "../../src/random/key.js";
import { batches } from "../../src/train/batches.js";
import { drain, fit } from "../../src/train/fit.js";
import { initTrainState, type TrainState } from "../../src/train/step.js";

export const OPTIMIZERS: Readonly<Record<string, GradientTransformation<unknown>>> = {
  momentum: sgd(0.1, { momentum: 0.9 }) as GradientTransformation<unknown>,
  adam: adam(0.01) as GradientTransformation<unknown>,
  schedule: adam(warmupCosine({ peak: 0.02, warmupSteps: 5, decaySteps: 21, end: 0.001 })) as GradientTransformation<unknown>,
};

/** 64 examples in batches of 10: 7 batches an epoch (the last of 4); 3 epochs, 21 steps. */
export const EPOCHS = 3;
const n = 64;
const layer = nn.mlp([4, 16, 3], { activation: nn.relu });
const data = {
  x: fromArray(Array.from({ length: 4 * n }, (_, i) => Math.sin(i * 1.7) * 2), "n 4", { n }) as unknown as Tensor<[number, 4]>,
  y: fromArray(Array.from({ length: n }, (_, i) => (i * 5) % 3), "n", { n }, "int32") as unknown as Tensor<[number], "int32">,
};
const dataKey = key(11);
const params = layer.init(key(3));

const options = (optimizer: GradientTransformation<unknown>) => ({
  model: (p: typeof params, x: Tensor<[number, 4]>) => layer.apply(p, x),
  loss: (logits: Tensor<[number, 3]>, y: Tensor<[number], "int32">) => nn.crossEntropy(logits, y),
  optimizer,
  params,
  epochs: EPOCHS,
  key: dataKey,
  train: (e: number, k: Key | null) => batches(foldIn(k!, e), data, 10),
  stepEvents: false,
});

/** The run with `optimizer`, from `state` (or the start), stopped after `maxSteps` steps in all if given. */
export const run = (optimizer: GradientTransformation<unknown>, state?: TrainState<unknown, unknown>, maxSteps?: number): TrainState<unknown, unknown> =>
  drain(fit({ ...options(optimizer), ...(state === undefined ? {} : { state: state as TrainState<typeof params, unknown> }), ...(maxSteps === undefined ? {} : { maxSteps }) }));

/** The state a checkpoint of this run is checked against. */
export const like = (optimizer: GradientTransformation<unknown>): TrainState<unknown, unknown> => initTrainState(params, optimizer, dataKey);

/** The parameters' float32 bits, leaf by leaf in tree order. */
export const paramBits = (state: TrainState<unknown, unknown>): number[] =>
  flatten(state.params).leaves.flatMap((t) => Array.from(new Uint32Array(Float32Array.from((t as AnyTensor).toFlat()).buffer)));
