/**
 * tenfold: a functional, immutable, shape-typed tensor DSL with JAX-style automatic differentiation.
 * This module only re-exports the public surface. It is the platform-neutral entry (browsers, workers,
 * any host with WebAssembly): nothing here imports `node:*`. Node resolves `tenfold` to `./node.ts`,
 * which adds the file-based parts of `data`.
 */
export type { Tensor, AnyTensor, Sizes } from "./tensor/tensor.js";
export { isTensor } from "./tensor/tensor.js";
export type { DType, FloatDType } from "./tensor/dtype.js";
export type { Nested } from "./tensor/format.js";
export type * from "./shape/types.js";
export { ShapeError, DTypeError, TransformError, InputError, AllocationError } from "./errors.js";
export { parseShape, broadcastShapes } from "./shape/runtime.js";
// fp-ts's composition helpers, so `pipe(x, matmul(w), add(b), relu)` needs no second import (fp-ts 2 has no
// exports map, so a consumer's own `import "fp-ts/function"` fails under Node's ESM loader).
export { pipe, flow } from "./ops/compose.js";

export { tensor, fromArray, zeros, ones, full, arange, linspace, eye, scalar, zerosLike, onesLike } from "./ops/create.js";
export {
  neg, exp, log, log1p, expm1, sqrt, abs, sign, square, reciprocal, relu, sigmoid, tanh, sin, cos, erf, floor, logicalNot,
  add, sub, mul, div, pow, maximum, minimum, equal, notEqual, less, lessEqual, greater, greaterEqual, logicalAnd, logicalOr,
  where, clamp, cast,
} from "./ops/elementwise.js";
export type { UnaryOp, BinaryOp } from "./ops/elementwise.js";
export { sum, mean, variance, std, max, min, argmax, argmin, logsumexp } from "./ops/reduce.js";
export type { ReduceOp, ReduceOptions, ReduceDType, VarianceOptions } from "./ops/reduce.js";
export { cumsum } from "./ops/scan.js";
export type { CumsumDType } from "./ops/scan.js";
export {
  reshape, flatten, transpose, permute, expandDims, squeeze, concat, stack, slice, take, takeAlongAxis, gather, oneHot, assertShape,
  broadcastTo, stopGradient,
} from "./ops/structure.js";
export { matmul, einsum } from "./ops/linalg.js";
export { softmax, logSoftmax, leakyRelu, gelu, softplus, logSigmoid } from "./ops/activations.js";

export { flatten as treeFlatten, mapTree, leavesOf, leafPaths } from "./core/pytree.js";
export type { Tree, Leaf } from "./core/pytree.js";
export { jvp } from "./transforms/jvp.js";
export { vjp } from "./transforms/vjp.js";
export type { GradOptions } from "./transforms/vjp.js";
export { grad, valueAndGrad, valueAndGradWithAux } from "./transforms/grad.js";
export { vmap } from "./transforms/vmap.js";
export type { VmapOptions, Batched, BatchedArgs } from "./transforms/vmap.js";
export { jacfwd, jacrev, hessian } from "./transforms/jacobian.js";
export { customJvp, customVjp } from "./transforms/custom.js";
export { jit, makeProgram } from "./transforms/jit.js";
export { Program } from "./core/program.js";
export { scan, whileLoop, cond } from "./transforms/control.js";
export type { ScanOptions } from "./transforms/control.js";
export type { JitOptions } from "./transforms/jit.js";

export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export type { GradientTransformation, Schedule, LearningRate } from "./optim/index.js";
export * as train from "./train/index.js";
export type { TrainState, FitEvent, EpochEvent, StepEvent } from "./train/index.js";
export * as random from "./random/index.js";
export type { Key } from "./random/key.js";
export * as data from "./data/bytes.js";
export { configure, backendConfig } from "./backend/runtime.js";
export type { BackendConfig, BackendMode } from "./backend/runtime.js";
export { backendInfo, warmupBackend } from "./backend/gemm.js";
