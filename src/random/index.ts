/** Randomness through explicit, splittable PRNG keys (JAX's threefry): keys are int32 tensors of shape [2]. */
export { key, split, splitPartitionable, splitStacked, foldIn, isKey, keyData } from "./key.js";
export type { Key } from "./key.js";
export { normal, uniform, bits, bernoulli, permutation, categorical } from "./sample.js";
