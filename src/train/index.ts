/** Training: a pure step folded over lazy batches, metrics as Monoids, evaluation and k-fold cross-validation. */
export { initTrainState, trainStep, trainStepWithOutput } from "./step.js";
export type { Batch, Model, ModelOptions, LossFn, ScalarLoss, TrainState, TrainPosition, StepOptions } from "./step.js";
export { foldIterable, foldMapIterable, evaluate } from "./fold.js";
export { accuracyMetric, batchSize, evaluateModel } from "./metric.js";
export type { Metric } from "./metric.js";
export { fit, drain, DivergenceError, describeNonFinite } from "./fit.js";
export type { FitEvent, StepEvent, EpochEvent, DivergedEvent, NonFinite, FitOptions } from "./fit.js";
export { batches, numBatches } from "./batches.js";
export type { BatchesOptions } from "./batches.js";
export { numExamples } from "./columns.js";
export type { Batched, BatchShape, Columns } from "./columns.js";
export { kFold, kFoldSplit, kFoldValidate } from "./kfold.js";
export type { Split, KFoldResult } from "./kfold.js";
export { serializeTrainState, deserializeTrainState, TRAIN_STATE_FORMAT, TRAIN_STATE_VERSION } from "./checkpoint-format.js";
export type { LoadedTrainState } from "./checkpoint-format.js";
