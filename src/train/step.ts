/**
 * The training step: a pure function `(state, batch) => state`, so that training is a fold of it over
 * batches. The state is plain data (parameters, optimizer state, step count, last batch loss).
 */
import type { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../tensor/dtype.js";
import { valueAndGradWithAux } from "../transforms/grad.js";
import { jitCall } from "../transforms/jit.js";
import { unwireGathers, wireGathers } from "./gather.js";
import { split, type Key } from "../random/key.js";
import { TransformError } from "../errors.js";
import { applyUpdates } from "../optim/tree.js";
import type { GradientTransformation } from "../optim/types.js";

/** A supervised minibatch: inputs and targets. */
export interface Batch<X, Y> {
  readonly x: X;
  readonly y: Y;
}

/**
 * How a model is run: in training, with a PRNG key for its stochastic layers (dropout); in evaluation,
 * with neither (the `apply` options of `nn` layers).
 */
export interface ModelOptions {
  readonly key?: Key;
  readonly training?: boolean;
}

/**
 * A model: pure function of parameters and inputs, returning outputs (logits). A stochastic model reads
 * its key from the options (`nn.sequential(…, nn.dropout(0.5), …).apply` does).
 */
export type Model<P, X, L> = (params: P, x: X, opts?: ModelOptions) => L;

/** A scalar loss tensor. */
export type ScalarLoss = Tensor<[], FloatDType>;

/** A loss: outputs and targets to a float scalar tensor. */
export type LossFn<L, Y> = (output: L, target: Y) => ScalarLoss;

/**
 * Where a run stands in its data, so that `fit` can resume it exactly: the epoch in progress, how many of
 * its batches have been trained on, and the key that orders the data (handed to `fit`'s `train`).
 */
export interface TrainPosition {
  /** The epoch in progress (from 0); after a whole epoch, the next one. */
  readonly epoch: number;
  /** Batches of that epoch already trained on. */
  readonly batch: number;
  /** The key that orders the data (shuffling), or `null` for data in a fixed order. */
  readonly dataKey: Key | null;
}

/** Everything a training run carries from one step to the next. */
export interface TrainState<P, O> {
  /** The parameter tree. */
  readonly params: P;
  /** The optimizer's state. */
  readonly optState: O;
  /** Number of steps taken. */
  readonly step: number;
  /** Loss on the batch of the last step, measured before its update (NaN before the first step). */
  readonly loss: number;
  /**
   * The key of the model's randomness (dropout), for models that use one: each step splits it, runs the
   * model in training with one half and keeps the other for the next step — inside the staged step.
   */
  readonly key?: Key;
  /** The run's position in its data, set by `fit` (absent: the start, in a fixed data order). */
  readonly position?: TrainPosition;
}

/**
 * The state before the first step, at epoch 0, batch 0, with the data ordered by `dataKey` (default none).
 *
 * @example
 * ```ts
 * const state = train.initTrainState({ w: zeros("3 1") }, optim.sgd(0.1)); // { params, optState, step: 0 }
 * const shuffled = train.initTrainState({ w: zeros("3 1") }, optim.sgd(0.1), random.key(0)); // batches ordered by the key
 * ```
 */
export const initTrainState = <P, O>(params: P, optimizer: GradientTransformation<O>, dataKey: Key | null = null): TrainState<P, O> => ({
  params,
  optState: optimizer.init(params),
  step: 0,
  loss: Number.NaN,
  position: { epoch: 0, batch: 0, dataKey },
});

/**
 * A step that also returns the model's outputs on the batch (computed in the same forward pass as the
 * gradient, before the update), for training metrics: `(state, batch) => [state', outputs]`.
 *
 * @example
 * ```ts
 * const model = (p: { w: Tensor<[2, 1]> }, x: Tensor<[number, 2]>) => matmul(x, p.w);
 * const loss = (out: Tensor<[number, 1]>, y: Tensor<[number, 1]>) => nn.mse(out, y);
 * const step = train.trainStepWithOutput(model, loss, optim.sgd(0.1));
 * const [state, outputs] = step(train.initTrainState({ w: zeros("2 1") }, optim.sgd(0.1)), { x: ones("4 2"), y: ones("4 1") });
 * // outputs: the model's [4, 1] predictions of this batch, before the update
 * ```
 */
export function trainStepWithOutput<P, X, Y, L, O>(
  model: Model<P, X, L>, loss: LossFn<L, Y>, optimizer: GradientTransformation<O>, opts: StepOptions = {},
): (state: TrainState<P, O>, batch: Batch<X, Y>) => [TrainState<P, O>, L] {
  const step = trainStepDonating(model, loss, optimizer, opts);
  return (state, batch) => step(state, batch, false);
}

/**
 * @internal {@link trainStepWithOutput} for a caller that may hand over the incoming state: with `donate`
 * true, and `state` the very state this step function returned last, the new state's tensors may be
 * written into the buffers of `state`'s (only buffers an earlier run of the staged step returned, never a
 * caller's own tensors such as initial parameters), which saves allocating fresh memory at every step.
 * Only for a caller that never shows `state` to anyone else and never reads it again (`fit`, inside an epoch).
 */
export function trainStepDonating<P, X, Y, L, O>(
  model: Model<P, X, L>, loss: LossFn<L, Y>, optimizer: GradientTransformation<O>, opts: StepOptions = {},
): (state: TrainState<P, O>, batch: Batch<X, Y>, donate: boolean) => [TrainState<P, O>, L] {
  // Loss, outputs and gradient of one batch, then the optimizer's update: one pure function. The optimizer
  // state is tensors (its counters too), so `jit` stages it once per batch shape and replays it.
  const whole = (params: P, optState: O, key: Key | null, x: X, y: Y) => {
    const [stepKey, nextKey] = key === null ? [undefined, null] : split(key);
    const objective = (p: P): readonly [ScalarLoss, L] => {
      const out = stepKey === undefined ? model(p, x) : model(p, x, { key: stepKey, training: true });
      return [loss(out, y), out];
    };
    const [[value, out], grads] = valueAndGradWithAux(objective as never as (p: P) => readonly [Tensor<[], "float32">, L])(params) as [[ScalarLoss, L], P];
    const [updates, nextOpt] = optimizer.update(grads, optState, params);
    return [applyUpdates(params, updates), nextOpt, value, out, nextKey] as const;
  };
  // Deferred minibatch gathers enter the program as their operands (see gather.ts).
  const staged = jitCall(
    (p: P, o: O, k: Key | null, x: unknown, y: unknown) => whole(p, o, k, unwireGathers(x) as X, unwireGathers(y) as Y),
    { donateArgnums: [0, 1, 2], cacheSize: 8 },
  );
  // If the step cannot be staged (value-dependent control flow in the model), it runs eagerly from then on.
  let staging = opts.jit ?? true;
  let last: TrainState<P, O> | undefined;
  return (state, batch, donate) => {
    let result: readonly [P, O, ScalarLoss, L, Key | null] | undefined;
    const key = state.key ?? null;
    if (staging)
      try {
        result = staged([state.params, state.optState, key, wireGathers(batch.x), wireGathers(batch.y)], donate && last === state) as readonly [P, O, ScalarLoss, L, Key | null];
      } catch (e) {
        if (!(e instanceof TransformError && e.op === "jit")) throw e;
        staging = false;
      }
    result ??= whole(state.params, state.optState, key, batch.x, batch.y);
    const next: TrainState<P, O> = {
      ...state, params: result[0], optState: result[1], step: state.step + 1, loss: result[2].item() as number, ...(result[4] === null ? {} : { key: result[4] }),
    };
    last = next;
    return [next, result[3]];
  };
}

/** Options of the training step. */
export interface StepOptions {
  /**
   * Stage the step, gradient and optimizer update together as one `jit` program (default true); a step
   * that cannot be staged (value-dependent control flow) runs eagerly.
   */
  readonly jit?: boolean;
}

/**
 * The pure training step `(state, batch) => state`: loss and gradient by `valueAndGrad`, then one
 * optimizer update. Training on batches `bs` is `bs.reduce(trainStep(model, loss, opt), initTrainState(p, opt))`.
 *
 * @example
 * ```ts
 * const model = (p: { w: Tensor<[3, 1]> }, x: Tensor<[number, 3]>) => matmul(x, p.w);
 * const loss = (out: Tensor<[number, 1]>, y: Tensor<[number, 1]>) => nn.mse(out, y);
 * const step = train.trainStep(model, loss, optim.sgd(0.1)); // (state, batch) => state, pure
 * const batch = { x: tensor([[1, 2, 3]]), y: tensor([[1]]) };
 * const after = [batch, batch, batch].reduce(step, train.initTrainState({ w: zeros("3 1") }, optim.sgd(0.1)));
 * after.step; // 3
 * ```
 */
export function trainStep<P, X, Y, L, O>(
  model: Model<P, X, L>, loss: LossFn<L, Y>, optimizer: GradientTransformation<O>, opts: StepOptions = {},
): (state: TrainState<P, O>, batch: Batch<X, Y>) => TrainState<P, O> {
  const step = trainStepWithOutput(model, loss, optimizer, opts);
  return (state, batch) => step(state, batch)[0];
}
