/**
 * The training step: a pure function `(state, batch) => state`, so that training is a fold of it over
 * batches. The state is plain data (parameters, optimizer state, step count, last batch loss).
 */
import type { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../tensor/dtype.js";
import { valueAndGradWithAux } from "../transforms/grad.js";
import { argsSignature, jit, traceFunction, type CompiledFunction } from "../transforms/jit.js";
import { Concrete } from "../tensor/tensor.js";
import type { Storage } from "../tensor/dtype.js";
import { flatten as flattenTree } from "../core/pytree.js";
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

/**
 * The state before the first step.
 *
 * @example
 * ```ts
 * const state = train.initTrainState({ w: zeros("3 1") }, optim.sgd(0.1)); // { params, optState, step: 0 }
 * ```
 */
export const initTrainState = <P, O>(params: P, optimizer: GradientTransformation<O>): TrainState<P, O> => ({
  params,
  optState: optimizer.init(params),
  step: 0,
  loss: Number.NaN,
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
 * written into the buffers that the last staged run wrote `state`'s tensors into (never buffers it merely
 * passed through, such as the caller's parameters kept in an optimizer state), which saves allocating
 * fresh memory at every step. Only for a caller that never shows `state` to anyone else and never reads it
 * again (`fit`, inside an epoch).
 */
export function trainStepDonating<P, X, Y, L, O>(
  model: Model<P, X, L>, loss: LossFn<L, Y>, optimizer: GradientTransformation<O>, opts: StepOptions = {},
): (state: TrainState<P, O>, batch: Batch<X, Y>, donate: boolean) => [TrainState<P, O>, L] {
  // Loss, outputs and gradient of one batch.
  const gradients = (params: P, x: X, y: Y): [[ScalarLoss, L], P] => {
    const objective = (p: P): readonly [ScalarLoss, L] => {
      const out = model(p, x);
      return [loss(out, y), out];
    };
    return valueAndGradWithAux(objective as never as (p: P) => readonly [Tensor<[], "float32">, L])(params) as never;
  };
  // The optimizer's update applied to the parameters.
  const update = (grads: P, optState: O, params: P): readonly [P, O] => {
    const [updates, next] = optimizer.update(grads, optState, params);
    return [applyUpdates(params, updates), next];
  };
  const whole = (params: P, optState: O, x: X, y: Y) => {
    const [[value, out], grads] = gradients(params, x, y);
    const [nextParams, nextOpt] = update(grads, optState, params);
    return [nextParams, nextOpt, value, out] as const;
  };
  // The step with the update run eagerly, the gradient staged (mode "gradients") or not.
  const splitStep = (state: TrainState<P, O>, batch: Batch<X, Y>): [TrainState<P, O>, L] => {
    const [[value, out], grads] = mode === "gradients" ? stagedGradients(state.params, batch.x, batch.y) : gradients(state.params, batch.x, batch.y);
    const [params, optState] = update(grads, state.optState, state.params);
    return [{ params, optState, step: state.step + 1, loss: value.item() as number }, out];
  };

  // Staging, by default the whole step (gradient and update in one program: gradients never leave it).
  // The optimizer state holds numbers (a step counter), which `jit` would treat as static and so restage
  // at every step; instead the update alone is traced (cheap, nothing runs), and the whole step is
  // recompiled only when that trace differs from the one it was compiled with: a constant learning rate
  // never changes it, a schedule does at every step, momentum once. The new state's numbers come from
  // that fresh trace. If the step cannot be staged (value-dependent control flow) it runs the gradient
  // staged and the update eagerly, else everything eagerly.
  let mode: "whole" | "gradients" | "eager" = (opts.jit ?? true) ? "whole" : "eager";
  const stagedGradients = jit(gradients);
  // Compiled steps by the update's structure (constants aside) and the arguments' signature. The update's
  // constants (learning rate, Adam's bias corrections, …) come from each step's trace: they are the last
  // constants of the whole program, replaced before it runs.
  const programs = new Map<string, { run: CompiledFunction; dynamic: boolean; fingerprint: string }>();
  // The state the last staged run returned, and the buffers that run wrote its results into.
  let last: { readonly state: TrainState<P, O>; readonly written: ReadonlySet<Storage> } | undefined;
  const fallback = (e: unknown): void => {
    if (!(e instanceof TransformError && e.op === "jit")) throw e;
    mode = mode === "whole" ? "gradients" : "eager";
  };
  return (state, batch, donate) => {
    while (mode === "whole") {
      try {
        const traced = traceFunction(update as (...a: any[]) => unknown, [state.params, state.optState, state.params]);
        // The optimizer state's numbers only reach the update, whose trace stands for them here.
        const sig = `${argsSignature([state.params, batch.x, batch.y])}#${argsSignature([state.optState], false)}`;
        const key = `${traced.structure}#${sig}`;
        let entry = programs.get(key);
        // A program whose update constants could not be located among its own is reused on an exact match only.
        if (entry !== undefined && !entry.dynamic && entry.fingerprint !== traced.fingerprint) entry = undefined;
        if (entry === undefined) {
          const compiled = traceFunction(whole as (...a: any[]) => unknown, [state.params, state.optState, batch.x, batch.y]).compile();
          const tail = compiled.consts.slice(compiled.consts.length - traced.consts.length);
          const dynamic = tail.length === traced.consts.length && tail.every((c, i) => sameConstant(c, traced.consts[i]!));
          entry = { run: compiled, dynamic, fingerprint: traced.fingerprint };
          programs.delete(key);
          if (programs.size >= PROGRAM_CACHE) programs.delete(programs.keys().next().value as string);
        } else programs.delete(key);
        programs.set(key, entry);
        if (entry.dynamic) entry.run.replaceLastConsts(traced.consts);
        const args = [state.params, state.optState, batch.x, batch.y];
        const donated = donate && last?.state === state ? writtenBuffers([state.params, state.optState], last.written) : [];
        const run = entry.run.runDonating(args, donated);
        const result = run.result as readonly [P, O, ScalarLoss, L];
        // Number leaves of (params, optState) as of this step's trace, not the program's staging.
        const flat = flattenTree([result[0], result[1]]);
        const leaves = flat.leaves.map((l, i) => traced.numbers[i] ?? l);
        const [params, optState] = flat.unflatten(leaves) as [P, O];
        const next = { params, optState, step: state.step + 1, loss: result[2].item() as number };
        last = { state: next, written: run.written };
        return [next, result[3]];
      } catch (e) {
        fallback(e);
      }
    }
    if (mode === "gradients") {
      try {
        return splitStep(state, batch);
      } catch (e) {
        fallback(e);
      }
    }
    return splitStep(state, batch);
  };
}

/** The buffers of a tree's tensors that a run wrote (the only ones a later run may reuse). */
function writtenBuffers(tree: unknown, written: ReadonlySet<Storage>): Storage[] {
  return flattenTree(tree).leaves.flatMap((l) => (l instanceof Concrete && written.has(l.data) ? [l.data] : []));
}

/** Same dtype, shape and bits. */
function sameConstant(a: Concrete, b: Concrete): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const PROGRAM_CACHE = 8;

/** Options of the training step. */
export interface StepOptions {
  /**
   * Stage the step, gradient and optimizer update together (default true); a step that cannot be staged
   * falls back to a staged gradient with an eager update, then to running eagerly.
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
