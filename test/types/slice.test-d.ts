/** Slices of literal bounds keep literal lengths in the type; other bounds give `number`. */
import { expectTypeOf } from "vitest";
import { type Tensor, slice, zeros } from "../../src/index.js";

expectTypeOf(slice(zeros("2 5"), 1, 0, 1)).toEqualTypeOf<Tensor<[2, 1]>>();
expectTypeOf(slice(zeros("2 5"), 1, 2, 5)).toEqualTypeOf<Tensor<[2, 3]>>();
expectTypeOf(slice(zeros("2 5"), 1, -1)).toEqualTypeOf<Tensor<[2, number]>>();
declare const n: number;
expectTypeOf(slice(zeros("2 5"), 0, 0, n)).toEqualTypeOf<Tensor<[number, 5]>>();
