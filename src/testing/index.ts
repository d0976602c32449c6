/**
 * tenfold/testing — the law kit: fast-check arbitraries for tensors, shapes, parameter trees and keys,
 * and reusable property-based laws (gradients against finite differences, jvp/vjp adjointness, vmap
 * against a loop, purity, optimizer and PRNG laws). Each law returns fast-check's `RunDetails` with a
 * readable counterexample; `assertLaw` throws it as an Error inside any test runner.
 *
 * ```ts
 * import { arbTensor, assertLaw, gradMatchesFiniteDifferences, lawTitle } from "tenfold/testing";
 * it(lawTitle("my op's gradient"), () => assertLaw(gradMatchesFiniteDifferences((x) => sum(myOp(x)), arbTensor("B 3"))));
 * ```
 */
export {
  arbTensor, arbTensors, arbDims, arbValue, arbValues, arbShape, arbBroadcastShapes, arbBroadcastPair, arbKey, arbParams,
} from "./arbitraries.js";
export type { DimArb, DimOptions, ValueOptions, TensorArbOptions, TensorSpec, TensorsOf, ShapeOptions, BroadcastOptions } from "./arbitraries.js";
export {
  law, assertLaw, lawReport, lawParams, lawTitle, violated, LawViolation, assertClose, close, defaultTolerance, DEFAULT_RUNS,
} from "./law.js";
export type { LawResult, LawOptions, LawParameters, Tolerance } from "./law.js";
export { gradMatchesFiniteDifferences, jvpVjpAdjoint, jvpLinear, hessianSymmetric, jacobiansAgree, seedOf, outputWeight } from "./autodiff.js";
export type { FiniteDifferenceOptions, DerivativeLawOptions } from "./autodiff.js";
export {
  equivalent, commutative, associative, roundTrips, preservesShape, doesNotMutate, batchPermutationInvariant, batchPermutationEquivariant,
} from "./algebra.js";
export type { CloseOptions, PreservesShapeOptions, BatchPermutationOptions } from "./algebra.js";
export { vmapMatchesLoop } from "./batching.js";
export type { VmapLawOptions } from "./batching.js";
export { optimizerStepLaws, stagedUpdateMatchesEager, arbParamTree } from "./optim.js";
export type { StepTransformation, OptimizerLawOptions, ParamTree } from "./optim.js";
export { deterministicUnderKey } from "./random.js";
export type { KeyLawOptions } from "./random.js";
export {
  toFloat64, fromFlat, tileTo, indexAxis, stackAxis, permuteAxis, showTree, snapshot, snapshotDiff, randomLike, rng, randomPermutation,
} from "./tree.js";
export type { Snapshot } from "./tree.js";
