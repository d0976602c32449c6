/** Optimizers as pure gradient transformations (optax-style), their building blocks and learning-rate schedules. */
export type { GradientTransformation, StateOf, Count, Schedule, LearningRate } from "./types.js";
export { countOf, increment, asFloat64 } from "./count.js";
export { applyUpdates, globalNorm, zerosLikeTree, scalarFor, leafWhere } from "./tree.js";
export {
  identity, chain, scale, scaleByLearningRate, addDecayedWeights, trace, scaleByAdam, scaleByRms, clipByGlobalNorm, lrAt,
} from "./transforms.js";
export type { EmptyState, CountState, TraceOptions, TraceState, AdamOptions, AdamState, RmsOptions, RmsState } from "./transforms.js";
export { sgd, adam, adamw, rmsprop, withClipping } from "./optimizers.js";
export type { SgdOptions, AdamOptimizerOptions, AdamWOptions, RmspropOptions, OptimizerState, AdamWState, RmspropState } from "./optimizers.js";
export {
  constantSchedule, stepDecay, exponentialDecay, cosineDecay, linearSchedule, linearWarmup, joinSchedules, warmupCosine,
} from "./schedules.js";
export type { WarmupCosineOptions } from "./schedules.js";
