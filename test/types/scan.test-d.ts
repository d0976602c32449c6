/** cumsum keeps its input's shape in the type, checks its axis at compile time, and counts bool as int32. */
import { pipe } from "fp-ts/function";
import { expectTypeOf } from "vitest";
import { cumsum, tensor, zeros, type Tensor } from "../../src/index.js";

const m = zeros("B 10", { B: 4 });
const d = tensor([[1, 2], [3, 4]], "float64");
const i = tensor([1, 2, 3], "int32");

// cumsum keeps the shape; bool counts as int32.
expectTypeOf(cumsum(m, 1)).toEqualTypeOf<Tensor<["B", 10]>>();
expectTypeOf(cumsum(d, -2)).toEqualTypeOf<Tensor<[2, 2], "float64">>();
expectTypeOf(pipe(m, cumsum(-1))).toEqualTypeOf<Tensor<["B", 10]>>();
expectTypeOf(cumsum(i, 0)).toEqualTypeOf<Tensor<[3], "int32">>();
expectTypeOf(cumsum(tensor([true, false]), 0)).toEqualTypeOf<Tensor<[2], "int32">>();
// @ts-expect-error — cumsum: axis 2 is out of range for rank 2
cumsum(m, 2);
// @ts-expect-error — cumsum: axis -3 is out of range for rank 2 (curried)
pipe(m, cumsum(-3));
