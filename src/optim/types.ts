/**
 * The optimizer interface, after optax: a gradient transformation is a pure pair `(init, update)`.
 * Its state is plain data (trees of tensors and step counters) that `update` takes and returns; nothing
 * is mutated, so a training run is a fold and any intermediate state can be kept, compared or replayed.
 */

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

/** A learning-rate schedule: a pure function of the number of updates already applied (0 for the first). */
export type Schedule = (step: number) => number;

/** A fixed learning rate or a schedule. */
export type LearningRate = number | Schedule;
