/**
 * The optimizer interface, after optax: a gradient transformation is a pure pair `(init, update)`.
 * Its state is plain data (trees of tensors, step counters as 0-d int32 tensors) that `update` takes and
 * returns; nothing is mutated, so a training run is a fold and any intermediate state can be kept,
 * compared or replayed. Because no part of the state is a JavaScript number, `jit` of an update is one
 * program at every step.
 */
import type { Tensor } from "../tensor/tensor.js";
import type { FloatDType } from "../tensor/dtype.js";

/**
 * A pure gradient transformation: `init(params)` builds the state, `update(grads, state, params)` turns a
 * gradient tree into an update tree of the same type (to be added with `applyUpdates`) and the next state.
 */
export interface GradientTransformation<State> {
  /** The initial state for a parameter tree. */
  readonly init: (params: unknown) => State;
  /** Updates (same tree type as the gradients) and the next state; `params` is needed only by weight decay. */
  readonly update: <G>(grads: G, state: State, params?: G) => [updates: G, state: State];
}

/** The state type of a gradient transformation. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never;

/** A number of updates applied: a 0-d int32 tensor (optax's `count = jnp.zeros([], jnp.int32)`). */
export type Count = Tensor<[], "int32">;

/**
 * A learning-rate schedule: a pure function from the number of updates already applied (0 for the first)
 * to the learning rate, written with tensor ops so that it stages. The built-in schedules compute in
 * float64, as PyTorch's schedulers do on the host.
 */
export type Schedule = (count: Count) => Tensor<[], FloatDType>;

/** A fixed learning rate or a schedule. */
export type LearningRate = number | Schedule;
