/**
 * `fit`: training as a fold of epochs, each a fold of the pure step over batches drawn lazily from a
 * factory. Progress is reported as values — a synchronous generator of events the caller may render,
 * log or ignore — so nothing inside the step has side effects.
 */
import type { GradientTransformation } from "../optim/types.js";
import { initTrainState, trainStepDonating, type Batch, type LossFn, type Model, type TrainState } from "./step.js";
import { batchSize, evaluateModel, type Metric } from "./metric.js";
import { meanMonoid, meanOf, type MeanAcc } from "../nn/metrics.js";

/** Reported after every step. */
export interface StepEvent {
  readonly kind: "step";
  /** Epoch index, from 0. */
  readonly epoch: number;
  /** Batch index within the epoch, from 0. */
  readonly batch: number;
  /** Steps taken since the start of training (this one included). */
  readonly step: number;
  /** Loss on this batch, before the update. */
  readonly loss: number;
}

/** Reported after every epoch. */
export interface EpochEvent<P, O> {
  readonly kind: "epoch";
  /** Epoch index, from 0. */
  readonly epoch: number;
  /** Steps in this epoch. */
  readonly steps: number;
  /** Mean training loss over the epoch's examples (each batch loss weighted by its batch size). */
  readonly trainLoss: number;
  /** The metric on the training batches, from the outputs of the training forward passes. */
  readonly trainMetric?: number;
  /** The metric on the test batches with the parameters at the end of the epoch. */
  readonly testMetric?: number;
  /** Wall-clock seconds spent training in this epoch (evaluation excluded). */
  readonly seconds: number;
  /** The state at the end of the epoch (for checkpoints or early stopping). */
  readonly state: TrainState<P, O>;
}

/** A progress report of {@link fit}. */
export type FitEvent<P, O> = StepEvent | EpochEvent<P, O>;

/** What {@link fit} trains and on what. */
export interface FitOptions<P, X, Y, L, O, M> {
  /** The model, `(params, x) => outputs`. */
  readonly model: Model<P, X, L>;
  /** The loss, `(outputs, y) => scalar`. */
  readonly loss: LossFn<L, Y>;
  /** The gradient transformation applied at each step. */
  readonly optimizer: GradientTransformation<O>;
  /** Initial parameters (ignored when `state` is given). */
  readonly params: P;
  /** A state to resume from instead of `initTrainState(params, optimizer)`. */
  readonly state?: TrainState<P, O>;
  /** Number of epochs. */
  readonly epochs: number;
  /** The training batches of an epoch, drawn lazily (e.g. `(e) => batches(foldIn(k, e), train, 256)`). */
  readonly train: (epoch: number) => Iterable<Batch<X, Y>>;
  /** Test batches, evaluated with `metric` after each epoch. */
  readonly test?: (epoch: number) => Iterable<Batch<X, Y>>;
  /** A metric reported on training and test batches (e.g. `accuracyMetric`). */
  readonly metric?: Metric<L, Y, M>;
  /** Whether to report each step (default true). */
  readonly stepEvents?: boolean;
  /** Milliseconds clock (default `performance.now`); pass a fake one for reproducible reports. */
  readonly clock?: () => number;
}

/** What an epoch accumulates: the state and monoidal sums of losses and of the metric. */
interface EpochAcc<P, O, M> {
  readonly state: TrainState<P, O>;
  readonly loss: MeanAcc;
  readonly metric: M | undefined;
  readonly steps: number;
}

/**
 * Trains for `opts.epochs` epochs, yielding a {@link StepEvent} per step and an {@link EpochEvent} per
 * epoch, and returning the final state. Batches are pulled one at a time from `opts.train(epoch)`.
 *
 * @example
 * ```ts
 * const ds = { x: random.normal(random.key(1), "64 3"), y: random.normal(random.key(2), "64 1") };
 * const final = train.drain(
 *   train.fit({
 *     model: (p: { w: Tensor<[3, 1]> }, x: Tensor<[number, 3]>) => matmul(x, p.w),
 *     loss: (out: Tensor<[number, 1]>, y: Tensor<[number, 1]>) => nn.mse(out, y),
 *     optimizer: optim.sgd(0.05),
 *     params: { w: zeros("3 1") },
 *     epochs: 2,
 *     train: (epoch) => train.batches(random.foldIn(random.key(0), epoch), ds, 16),
 *   }),
 *   (e) => {
 *     if (e.kind === "epoch") console.log(`epoch ${e.epoch + 1}: loss ${e.trainLoss.toFixed(4)}`);
 *   },
 * );
 * final.step; // 8: 2 epochs of 4 batches
 * ```
 */
export function* fit<P, X, Y, L, O, M = never>(opts: FitOptions<P, X, Y, L, O, M>): Generator<FitEvent<P, O>, TrainState<P, O>, undefined> {
  const { model, loss, optimizer, metric, epochs } = opts;
  const clock = opts.clock ?? (() => performance.now());
  const step = trainStepDonating(model, loss, optimizer);
  // One epoch's reducer: the pure step plus monoidal bookkeeping of loss and metric. A state made by an
  // earlier step of the same epoch has been seen by no one (step events carry no state), so the step may
  // write the next state into its buffers; the epoch's first state (the caller's, or the one the last
  // epoch event showed) is never handed over.
  const reduce = (acc: EpochAcc<P, O, M>, batch: Batch<X, Y>): EpochAcc<P, O, M> => {
    const [state, out] = step(acc.state, batch, acc.steps > 0);
    const n = batchSize(batch);
    return {
      state,
      loss: meanMonoid.concat(acc.loss, { sum: state.loss * n, count: n }),
      metric: metric === undefined ? undefined : metric.monoid.concat(acc.metric as M, metric.measure(out, batch.y)),
      steps: acc.steps + 1,
    };
  };
  const evaluateOn = metric === undefined ? undefined : evaluateModel(model, metric);
  let state = opts.state ?? initTrainState(opts.params, optimizer);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const t0 = clock();
    let acc: EpochAcc<P, O, M> = { state, loss: meanMonoid.empty, metric: metric?.monoid.empty, steps: 0 };
    for (const batch of opts.train(epoch)) {
      acc = reduce(acc, batch);
      if (opts.stepEvents ?? true) yield { kind: "step", epoch, batch: acc.steps - 1, step: acc.state.step, loss: acc.state.loss };
    }
    const seconds = (clock() - t0) / 1000;
    state = acc.state;
    const trainMetric = metric === undefined ? undefined : metric.value(acc.metric as M);
    const testMetric = evaluateOn === undefined || opts.test === undefined ? undefined : evaluateOn(state.params, opts.test(epoch));
    yield {
      kind: "epoch",
      epoch,
      steps: acc.steps,
      trainLoss: meanOf(acc.loss),
      ...(trainMetric === undefined ? {} : { trainMetric }),
      ...(testMetric === undefined ? {} : { testMetric }),
      seconds,
      state,
    };
  }
  return state;
}

/**
 * Runs a generator to its end, handing each yielded event to `onEvent`, and returns its result.
 *
 * @example
 * ```ts
 * function* count() {
 *   yield 1;
 *   yield 2;
 *   return "done";
 * }
 * train.drain(count(), (n) => console.log(n)); // logs 1 and 2, returns "done"
 * ```
 */
export function drain<E, R>(events: Generator<E, R, undefined>, onEvent?: (event: E) => void): R {
  for (;;) {
    const r = events.next();
    if (r.done === true) return r.value;
    onEvent?.(r.value);
  }
}
