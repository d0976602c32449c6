/**
 * `fit`: training as a fold of epochs, each a fold of the pure step over batches drawn lazily from a
 * factory. Progress is reported as values — a synchronous generator of events the caller may render,
 * log or ignore — so nothing inside the step has side effects.
 *
 * A run can stop and resume anywhere: the state carries its position (epoch, batch within the epoch, the
 * data order's key), `fit({ state })` continues from it — mid-epoch included — and so gives bit for bit
 * the parameters of the uninterrupted run. A loss (optionally a parameter) that stops being finite ends
 * the run with a {@link DivergenceError} naming the epoch and step, or with a {@link DivergedEvent}.
 */
import type { GradientTransformation } from "../optim/types.js";
import { keyData, type Key } from "../random/key.js";
import { InputError } from "../errors.js";
import { flatten, leafPaths } from "../core/pytree.js";
import { impl } from "../tensor/tensor.js";
import { initTrainState, trainStepDonating, type Batch, type LossFn, type Model, type TrainPosition, type TrainState } from "./step.js";
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
  /** Steps taken in this epoch by this call of `fit` (an epoch resumed mid-way counts only the rest). */
  readonly steps: number;
  /** Mean training loss over the examples of those steps (each batch loss weighted by its batch size). */
  readonly trainLoss: number;
  /** The metric on the training batches, from the outputs of the training forward passes. */
  readonly trainMetric?: number;
  /** The metric on the test batches with the parameters at the end of the epoch. */
  readonly testMetric?: number;
  /** Wall-clock seconds spent training in this epoch (evaluation excluded). */
  readonly seconds: number;
  /** The state at the end of the epoch, positioned at the start of the next (for checkpoints or early stopping). */
  readonly state: TrainState<P, O>;
}

/** What stopped being finite, where: the step's loss, or a parameter (by its path in the tree). */
export interface NonFinite {
  /** Epoch index, from 0. */
  readonly epoch: number;
  /** Batch index within the epoch, from 0. */
  readonly batch: number;
  /** Steps taken since the start of training, the offending one included. */
  readonly step: number;
  /** The step's loss (measured before its update). */
  readonly loss: number;
  /** `"loss"`, or `"params"` for a finite loss whose update made a parameter non-finite. */
  readonly what: "loss" | "params";
  /** With `what: "params"`: the first non-finite parameter's path (`"layers.0.w"`), and the value. */
  readonly param?: { readonly path: string; readonly value: number };
}

/** Reported, instead of a thrown {@link DivergenceError}, when `onNonFinite: "event"`; the run ends after it. */
export interface DivergedEvent<P, O> extends NonFinite {
  readonly kind: "diverged";
  /** The state after the offending step, positioned after its batch. */
  readonly state: TrainState<P, O>;
}

/** A progress report of {@link fit}. */
export type FitEvent<P, O> = StepEvent | EpochEvent<P, O> | DivergedEvent<P, O>;

/**
 * Training stopped because a loss or a parameter became NaN or ±∞; names the epoch, batch and step.
 *
 * @example
 * ```ts
 * const ds = { x: tensor([[1e30, 1e30]]), y: tensor([[0]]) };
 * try {
 *   train.drain(
 *     train.fit({
 *       model: (p: { w: Tensor<[2, 1]> }, x: Tensor<[number, 2]>) => matmul(x, p.w),
 *       loss: (out: Tensor<[number, 1]>, y: Tensor<[number, 1]>) => nn.mse(out, y),
 *       optimizer: optim.sgd(1e30),
 *       params: { w: ones("2 1") },
 *       epochs: 3,
 *       train: () => [ds],
 *     }),
 *   );
 * } catch (e) {
 *   if (e instanceof train.DivergenceError) console.log(e.epoch, e.step, e.what); // 0 1 "loss": (1e30·2)² is +∞ in float32
 * }
 * ```
 */
export class DivergenceError extends Error {
  override readonly name = "DivergenceError";
  constructor(readonly op: string, at: NonFinite) {
    super(`${op}: training diverged: ${describeNonFinite(at)}`);
    Object.assign(this, at);
  }
}
// The error carries the fields of what it reports (`e.epoch`, `e.step`, …).
export interface DivergenceError extends NonFinite {}

/**
 * What went non-finite and where, in words (epoch and batch counted from 0, as in the events).
 *
 * @example
 * ```ts
 * train.describeNonFinite({ epoch: 0, batch: 3, step: 4, loss: NaN, what: "loss" }); // "the loss is NaN at step 4 (epoch 0, batch 3)"
 * ```
 */
export const describeNonFinite = (at: NonFinite): string =>
  `${at.what === "loss" || at.param === undefined ? `the loss is ${at.loss}` : `parameter "${at.param.path}" holds ${at.param.value}`} ` +
  `at step ${at.step} (epoch ${at.epoch}, batch ${at.batch})`;

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
  /** A state to resume from (its position included) instead of `initTrainState(params, optimizer, key)`. */
  readonly state?: TrainState<P, O>;
  /** The run's total number of epochs: a resumed state trains on from its epoch up to this one. */
  readonly epochs: number;
  /** Stop once this many steps have been taken in all (mid-epoch too), returning the positioned state. */
  readonly maxSteps?: number;
  /**
   * The key that orders the data, kept in the state and handed to `train` (with `state`, it must be the
   * state's own, or left out).
   */
  readonly key?: Key;
  /**
   * The training batches of an epoch, drawn lazily, given the epoch and the run's data key (e.g.
   * `(e, k) => batches(foldIn(k!, e), train, 256)`). Resuming mid-epoch pulls and skips the batches
   * already trained on, so the same epoch and key must give the same batches.
   */
  readonly train: (epoch: number, key: Key | null) => Iterable<Batch<X, Y>>;
  /** Test batches, evaluated with `metric` after each epoch. */
  readonly test?: (epoch: number) => Iterable<Batch<X, Y>>;
  /** A metric reported on training and test batches (e.g. `accuracyMetric`). */
  readonly metric?: Metric<L, Y, M>;
  /** Whether to report each step (default true). */
  readonly stepEvents?: boolean;
  /**
   * What must stay finite after each step: the loss (default), the loss and every parameter (`"params"`,
   * a pass over the parameters per step), or nothing (`"off"`).
   */
  readonly checkFinite?: "loss" | "params" | "off";
  /** On a non-finite value: throw a {@link DivergenceError} (default), or yield a {@link DivergedEvent} and end. */
  readonly onNonFinite?: "throw" | "event";
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
 * Trains up to epoch `opts.epochs` (or `opts.maxSteps` steps), yielding a {@link StepEvent} per step and
 * an {@link EpochEvent} per epoch, and returning the final state with its position. Batches are pulled
 * one at a time from `opts.train(epoch, key)`.
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
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new InputError("fit", `epochs must be a non-negative integer, got ${epochs}`);
  const maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY;
  if (opts.maxSteps !== undefined && !(Number.isSafeInteger(maxSteps) && maxSteps >= 0))
    throw new InputError("fit", `maxSteps must be a non-negative integer, got ${opts.maxSteps}`);
  const clock = opts.clock ?? (() => performance.now());
  const check = opts.checkFinite ?? "loss";
  const step = trainStepDonating(model, loss, optimizer);
  // One epoch's reducer: the pure step plus monoidal bookkeeping of loss and metric. A state made by an
  // earlier step of the same epoch has been seen by no one (step events carry no state; what the caller
  // sees is a positioned copy), so the step may write the next state into its buffers; the epoch's first
  // state (the caller's, or the one the last epoch event showed) is never handed over.
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
  const start = startState(opts);
  const { dataKey } = start.position;
  const at = (s: TrainState<P, O>, epoch: number, batch: number): TrainState<P, O> => ({ ...s, position: { epoch, batch, dataKey } });
  let state: TrainState<P, O> = start;
  if (state.step >= maxSteps) return state;
  for (let epoch = start.position.epoch; epoch < epochs; epoch++) {
    const skip = epoch === start.position.epoch ? start.position.batch : 0;
    const batches = opts.train(epoch, dataKey)[Symbol.iterator]();
    try {
      for (let i = 0; i < skip; i++)
        if (batches.next().done === true) throw new InputError("fit", `the state is at batch ${skip} of epoch ${epoch}, but that epoch has only ${i} batches (not the data or batch size of the run it comes from?)`);
      const t0 = clock();
      let acc: EpochAcc<P, O, M> = { state, loss: meanMonoid.empty, metric: metric?.monoid.empty, steps: 0 };
      for (let next = batches.next(); next.done !== true; next = batches.next()) {
        if (acc.state.step >= maxSteps) return at(acc.state, epoch, skip + acc.steps);
        acc = reduce(acc, next.value);
        const batch = skip + acc.steps - 1;
        const bad = check === "off" ? undefined : nonFinite(acc.state, check === "params");
        if (bad !== undefined) {
          const where: NonFinite = { epoch, batch, step: acc.state.step, loss: acc.state.loss, ...bad };
          if (opts.onNonFinite !== "event") throw new DivergenceError("fit", where);
          const diverged = at(acc.state, epoch, batch + 1);
          yield { kind: "diverged", ...where, state: diverged };
          return diverged;
        }
        if (opts.stepEvents ?? true) yield { kind: "step", epoch, batch, step: acc.state.step, loss: acc.state.loss };
      }
      if (acc.steps === 0)
        throw new InputError("fit", skip === 0 ? `epoch ${epoch} has no training batches (an empty training set?)` : `the state is at batch ${skip} of epoch ${epoch}, the end of its ${skip} batches`);
      const seconds = (clock() - t0) / 1000;
      state = at(acc.state, epoch + 1, 0);
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
    } finally {
      batches.return?.();
    }
    if (state.step >= maxSteps) return state;
  }
  return state;
}

/** The state a run starts from, with its position: the given state's (checked), or a fresh one. */
function startState<P, X, Y, L, O, M>(opts: FitOptions<P, X, Y, L, O, M>): TrainState<P, O> & { readonly position: TrainPosition } {
  const given = opts.state;
  if (given === undefined) return { ...initTrainState(opts.params, opts.optimizer), position: { epoch: 0, batch: 0, dataKey: opts.key ?? null } };
  const position = given.position ?? { epoch: 0, batch: 0, dataKey: opts.key ?? null };
  const positioned = given.position === undefined ? { ...given, position } : (given as TrainState<P, O> & { readonly position: TrainPosition });
  for (const k of ["epoch", "batch"] as const)
    if (!Number.isSafeInteger(position[k]) || position[k] < 0) throw new InputError("fit", `the state's position.${k} must be a non-negative integer, got ${position[k]}`);
  const theirs = position.dataKey;
  if (opts.key !== undefined && (theirs === null || keyData(theirs).join() !== keyData(opts.key).join()))
    throw new InputError("fit", `the state's data key ${showKey(theirs)} is not opts.key ${showKey(opts.key)} (resume with the run's own key, or leave key out)`);
  return positioned;
}

const showKey = (k: Key | null): string => (k === null ? "(none: a fixed order)" : `[${keyData(k).join(", ")}]`);

/** The first non-finite value of a state after a step: its loss, else (with `params`) a parameter. */
function nonFinite(state: TrainState<unknown, unknown>, params: boolean): Pick<NonFinite, "what" | "param"> | undefined {
  if (!Number.isFinite(state.loss)) return { what: "loss" };
  if (!params) return undefined;
  const leaves = flatten(state.params).leaves;
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    const data = typeof leaf === "number" ? [leaf] : impl(leaf).concrete().data;
    for (let j = 0; j < data.length; j++) {
      const v = Number(data[j]);
      if (!Number.isFinite(v)) return { what: "params", param: { path: leafPaths(state.params)[i] ?? "", value: v } };
    }
  }
  return undefined;
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
