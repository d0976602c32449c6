/** Slices of literal bounds keep literal lengths in the type; other bounds give `number`. */
import { expectTypeOf } from "vitest";
import { type Tensor, slice, zeros } from "../../src/index.js";

expectTypeOf(slice(zeros("2 5"), 1, 0, 1)).toEqualTypeOf<Tensor<[2, 1]>>();
expectTypeOf(slice(zeros("2 5"), 1, 2, 5)).toEqualTypeOf<Tensor<[2, 3]>>();
expectTypeOf(slice(zeros("2 5"), 1, -1)).toEqualTypeOf<Tensor<[2, number]>>();
declare const n: number;
expectTypeOf(slice(zeros("2 5"), 0, 0, n)).toEqualTypeOf<Tensor<[number, 5]>>();

// Reductions with and without keepdims (the options object keeps its literal types).
import { mean, sum } from "../../src/index.js";
const m = zeros("B 10", { B: 4 });
expectTypeOf(sum(m)).toEqualTypeOf<Tensor<[]>>();
expectTypeOf(sum(m, { axis: 1 })).toEqualTypeOf<Tensor<["B"]>>();
expectTypeOf(sum(m, { axis: -1, keepdims: true })).toEqualTypeOf<Tensor<["B", 1]>>();
expectTypeOf(mean(m, { axis: [0, 1] })).toEqualTypeOf<Tensor<[]>>();
// @ts-expect-error — axis 2 is out of range for rank 2
sum(m, { axis: 2 });
