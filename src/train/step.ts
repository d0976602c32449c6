/**
 * The training step: a pure function `(state, batch) => state`, so that training is a fold of it over
 * batches. The state is plain data (parameters, optimizer state, step count, last batch loss).
 */
import type { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../tensor/dtype.js";
import { valueAndGradWithAux } from "../transforms/grad.js";
import { jit } from "../transforms/jit.js";
import { TransformError } from "../errors.js";
import { applyUpdates } from "../optim/tree.js";
import type { GradientTransformation } from "../optim/types.js";

/** A supervised minibatch: inputs and targets. */
export interface Batch<X, Y> {
  readonly x: X;
  readonly y: Y;
}

/** A model: pure function of parameters and inputs, returning outputs (logits). */
export type Model<P, X, L> = (params: P, x: X) => L;

/** A scalar loss tensor. */
export type ScalarLoss = Tensor<[], FloatDType>;

/** A loss: outputs and targets to a float scalar tensor. */
export type LossFn<L, Y> = (output: L, target: Y) => ScalarLoss;

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
}

/** The state before the first step. */
export const initTrainState = <P, O>(params: P, optimizer: GradientTransformation<O>): TrainState<P, O> => ({
  params,
  optState: optimizer.init(params),
  step: 0,
  loss: Number.NaN,
});

/**
 * A step that also returns the model's outputs on the batch (computed in the same forward pass as the
 * gradient, before the update), for training metrics: `(state, batch) => [state', outputs]`.
 */
export function trainStepWithOutput<P, X, Y, L, O>(
  model: Model<P, X, L>, loss: LossFn<L, Y>, optimizer: GradientTransformation<O>, opts: StepOptions = {},
): (state: TrainState<P, O>, batch: Batch<X, Y>) => [TrainState<P, O>, L] {
  // Loss, outputs and gradient of one batch; staged once by `jit` (per batch shape) unless that is
  // turned off or the model cannot be staged (value-dependent control flow), then run eagerly.
  const eager = (params: P, x: X, y: Y): [[ScalarLoss, L], P] => {
    const objective = (p: P): readonly [ScalarLoss, L] => {
      const out = model(p, x);
      return [loss(out, y), out];
    };
    return valueAndGradWithAux(objective as never as (p: P) => readonly [Tensor<[], "float32">, L])(params) as never;
  };
  const staged = jit(eager);
  let useJit = opts.jit ?? true;
  const gradients = (params: P, x: X, y: Y): [[ScalarLoss, L], P] => {
    if (!useJit) return eager(params, x, y);
    try {
      return staged(params, x, y);
    } catch (e) {
      if (!(e instanceof TransformError && e.op === "jit")) throw e;
      useJit = false;
      return eager(params, x, y);
    }
  };
  return (state, batch) => {
    const [[value, out], grads] = gradients(state.params, batch.x, batch.y);
    const [updates, optState] = optimizer.update(grads, state.optState, state.params);
    const next: TrainState<P, O> = { params: applyUpdates(state.params, updates), optState, step: state.step + 1, loss: value.item() };
    return [next, out];
  };
}

/** Options of the training step. */
export interface StepOptions {
  /** Stage the loss and gradient computation with `jit` (default true; falls back to eager if it cannot). */
  readonly jit?: boolean;
}

/**
 * The pure training step `(state, batch) => state`: loss and gradient by `valueAndGrad`, then one
 * optimizer update. Training on batches `bs` is `bs.reduce(trainStep(model, loss, opt), initTrainState(p, opt))`.
 */
export function trainStep<P, X, Y, L, O>(
  model: Model<P, X, L>, loss: LossFn<L, Y>, optimizer: GradientTransformation<O>, opts: StepOptions = {},
): (state: TrainState<P, O>, batch: Batch<X, Y>) => TrainState<P, O> {
  const step = trainStepWithOutput(model, loss, optimizer, opts);
  return (state, batch) => step(state, batch)[0];
}
