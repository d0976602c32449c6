/** Randomness through explicit, splittable PRNG keys (JAX's threefry). */
export { key, split, foldIn, isKey } from "./key.js";
export type { Key } from "./key.js";
export { normal, uniform, bernoulli, permutation, categorical } from "./sample.js";
