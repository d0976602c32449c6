/**
 * Neural-network building blocks: initializers (`init`), layers as pure `{ init, apply }` pairs,
 * PyTorch-compatible losses, and metrics whose accumulators are fp-ts Monoids.
 */
export * as init from "./init.js";
export type { Initializer, InitFactory, Fans, KaimingOptions, Nonlinearity } from "./init.js";
export {
  linear, sequential, mlp, activation, relu, leakyRelu, leakyReluWith, sigmoid, tanh, gelu, softmax, logSoftmax, identity, flatten, dropout,
} from "./layers.js";
export type {
  Layer, ShapePreservingLayer, AnyLayer, ApplyOptions, LinearParams, LinearOptions, MlpParams, MlpOptions, Activation, ParamsOf,
  Sequential, ChainIn, ChainOut, ChainParams,
} from "./layers.js";
export {
  crossEntropy, nllLoss, mse, l1, huber, smoothL1, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv, entropy,
} from "./losses.js";
export type {
  Reduction, Reduced, ReductionOptions, ClassificationOptions, CrossEntropyFn, NllLossFn, PointwiseLoss, HuberOptions, SmoothL1Options,
  BceOptions, BceWithLogitsOptions, KlReduction, KlDivOptions, KlDivFn, EntropyOptions, EntropyFn,
} from "./losses.js";
export {
  accuracy, correctCount, confusionMatrix, accuracyMonoid, accuracyAcc, accuracyOf, meanMonoid, meanAcc, meanOf, confusionMonoid,
  evalMonoid, evalAcc, evalSummary,
} from "./metrics.js";
export type { AccuracyAcc, MeanAcc, EvalAcc } from "./metrics.js";
