/** variance and std type their results like the other reductions: shapes from the axes, float results for integer means. */
import { pipe } from "fp-ts/function";
import { expectTypeOf } from "vitest";
import { mean, std, tensor, variance, zeros, type Tensor } from "../../src/index.js";

const m = zeros("B 10", { B: 4 });
const d = tensor([[1, 2], [3, 4]], "float64");
const i = tensor([1, 2, 3], "int32");

// variance / std reduce like sum and mean, with or without keepdims, and curry for pipe.
expectTypeOf(variance(m)).toEqualTypeOf<Tensor<[]>>();
expectTypeOf(variance(m, { axis: 1, correction: 0 })).toEqualTypeOf<Tensor<["B"]>>();
expectTypeOf(variance(m, { axis: [0, 1], keepdims: true })).toEqualTypeOf<Tensor<[1, 1]>>();
expectTypeOf(std(m, { axis: -1, keepdims: true })).toEqualTypeOf<Tensor<["B", 1]>>();
expectTypeOf(pipe(m, std({ axis: 0, correction: 2 }))).toEqualTypeOf<Tensor<[10]>>();
// float64 stays float64; integers give float32, for mean too.
expectTypeOf(std(d, { axis: 0 })).toEqualTypeOf<Tensor<[2], "float64">>();
expectTypeOf(variance(i)).toEqualTypeOf<Tensor<[], "float32">>();
expectTypeOf(mean(i)).toEqualTypeOf<Tensor<[], "float32">>();
expectTypeOf(mean(d, { axis: 1 })).toEqualTypeOf<Tensor<[2], "float64">>();
// @ts-expect-error — variance: axis 2 is out of range for rank 2
variance(m, { axis: 2 });
// @ts-expect-error — std: axis -3 is out of range for rank 2 (curried)
pipe(m, std({ axis: -3 }));
// @ts-expect-error — correction is a number
std(m, { correction: "1" });

