/** The real exported ops carry the shape rules: accepted calls give exact result types, wrong shapes do not compile. */
import { expectTypeOf } from "vitest";
import { add, einsum, matmul, permute, reshape, stack, concat, squeeze, tensor, transpose, zeros, type Dim, type Tensor } from "../../src/index.js";

declare const x: Tensor<["B", 784]>;
declare const w: Tensor<[784, 10]>;
declare const w2: Tensor<[785, 10]>;
declare const img: Tensor<[28, 28]>;

expectTypeOf(matmul(x, w)).toEqualTypeOf<Tensor<["B", 10], "float32">>();
// @ts-expect-error matmul: inner dimensions 784 and 785 differ
matmul(x, w2);
expectTypeOf(add(matmul(x, w), zeros("10"))).toEqualTypeOf<Tensor<["B", 10], "float32">>();
// @ts-expect-error broadcast: dims 10 and 11 at axis -1 are incompatible
add(matmul(x, w), zeros("11"));
expectTypeOf(reshape(img, "784")).toEqualTypeOf<Tensor<[784], "float32">>();
// @ts-expect-error 784 elements into 785
reshape(img, "785");
expectTypeOf(einsum("bi,ij->bj", x, w)).toEqualTypeOf<Tensor<["B", 10], "float32">>();
// @ts-expect-error einsum: index 'i' is 784 in an earlier operand but 785 in operand 1
einsum("bi,ij->bj", x, w2);
expectTypeOf(zeros("B 784", { B: 32 })).toEqualTypeOf<Tensor<["B", 784], "float32">>();
// @ts-expect-error B needs a size
zeros("B 784");
expectTypeOf(tensor([[1, 2, 3], [4, 5, 6]])).toEqualTypeOf<Tensor<[2, 3], "float32">>();
expectTypeOf(permute(img, [1, 0])).toEqualTypeOf<Tensor<[28, 28], "float32">>();
// @ts-expect-error not a permutation
permute(img, [0, 0]);
expectTypeOf(transpose(w)).toEqualTypeOf<Tensor<[10, 784], "float32">>();
expectTypeOf(squeeze(zeros("1 5"), 0)).toEqualTypeOf<Tensor<[5], "float32">>();
expectTypeOf(concat([img, img], 1)).toEqualTypeOf<Tensor<[28, 56], "float32">>();
expectTypeOf(stack([img, img])).toEqualTypeOf<Tensor<[2, 28, 28], "float32">>();

// A helper generic in its batch dim type-checks against the real signatures.
function layer<B extends Dim>(input: Tensor<[B, 784]>, weights: Tensor<[784, 10]>, bias: Tensor<[10]>): Tensor<[B, 10]> {
  return add(matmul(input, weights), bias);
}
void layer;
