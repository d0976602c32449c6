/**
 * Type-level shape rules: each rule has accepted and rejected cases. Rejected calls use `@ts-expect-error`
 * on stubs whose parameters carry the message (ErrorIf), and the message itself is asserted exactly.
 */
import { expectTypeOf } from "vitest";
import type {
  AxesError, BroadcastError, BroadcastShape, ConcatError, ConcatShape, Dim, DimNames, EinsumError, EinsumShape, ErrorIf,
  ExpandDimsShape, FlattenShape, MatmulError, MatmulShape, NestedShape, OneHotShape, ParseShape, PermuteError, PermuteShape,
  ReduceShape, ReshapeError, Same, Shape, ShapeOf, ShapeSpecError, SizesArg, SliceShape, SqueezeError, SqueezeShape, StackError,
  ShapesDiffer, StackShape, TakeShape, TransposeError, TransposeShape,
} from "../../src/shape/types.js";
import type { NestedInput } from "../../src/ops/create.js";

declare const shapeBrand: unique symbol;
interface T<S extends Shape> { readonly [shapeBrand]: S }
declare function t<S extends Shape>(): T<S>;

declare function matmul<A extends Shape, B extends Shape>(a: T<A>, b: ErrorIf<MatmulError<A, B>, T<B>>): T<MatmulShape<A, B>>;
declare function add<A extends Shape, B extends Shape>(a: T<A>, b: ErrorIf<BroadcastError<A, B>, T<B>>): T<BroadcastShape<A, B>>;
declare function reshape<S extends Shape, const To extends string>(x: T<S>, spec: ErrorIf<ReshapeError<S, ShapeOf<To>>, To>): T<ShapeOf<To>>;
declare function zeros<const S extends string>(spec: ErrorIf<ShapeSpecError<S>, S>, ...sizes: SizesArg<ShapeOf<S>>): T<ShapeOf<S>>;
declare function sum<S extends Shape, const Ax extends number | readonly number[] | undefined = undefined, const K extends boolean = false>(
  x: T<S>, axis?: ErrorIf<AxesError<S, Ax, "sum">, Ax>, keepdims?: K): T<ReduceShape<S, Ax, K>>;
declare function permute<S extends Shape, const P extends readonly number[]>(x: T<S>, perm: ErrorIf<PermuteError<S, P>, P>): T<PermuteShape<S, P>>;
declare function transpose<S extends Shape>(x: ErrorIf<TransposeError<S>, T<S>>): T<TransposeShape<S>>;
declare function squeeze<S extends Shape, const A extends number | undefined = undefined>(x: T<S>, axis?: ErrorIf<SqueezeError<S, A>, A>): T<SqueezeShape<S, A>>;
type ShapesOf<Ts extends readonly T<any>[]> = { readonly [K in keyof Ts]: Ts[K] extends T<infer S> ? S : never };
declare function concat<const Ts extends readonly T<any>[], const A extends number = 0>(xs: ErrorIf<ConcatError<ShapesOf<Ts>, A>, Ts>, axis?: A): T<ConcatShape<ShapesOf<Ts>, A>>;
declare function stack<const Ts extends readonly T<any>[], const A extends number = 0>(xs: ErrorIf<StackError<ShapesOf<Ts>, A>, Ts>, axis?: A): T<StackShape<ShapesOf<Ts>, A>>;
declare function einsum<const Spec extends string, const Ops extends readonly T<any>[]>(spec: ErrorIf<EinsumError<Spec, ShapesOf<Ops>>, Spec>, ...ops: Ops): T<EinsumShape<Spec, ShapesOf<Ops>>>;

// ---- parsing
expectTypeOf<ParseShape<"B 784">>().toEqualTypeOf<["B", 784]>();
expectTypeOf<ParseShape<"">>().toEqualTypeOf<[]>();
expectTypeOf<ParseShape<"  B   28 28 ">>().toEqualTypeOf<["B", 28, 28]>();
expectTypeOf<ParseShape<"0 1 batch_size x2">>().toEqualTypeOf<[0, 1, "batch_size", "x2"]>();
expectTypeOf<ParseShape<`${number} 8`>>().toEqualTypeOf<[number, 8]>();
expectTypeOf<ParseShape<"7x">>().toEqualTypeOf<"shape: '7x' in '7x' is neither a size nor a dim name">();
expectTypeOf<ParseShape<"B 01">>().toEqualTypeOf<"shape: '01' in 'B 01' is neither a size nor a dim name">();
expectTypeOf<ParseShape<"1 2 3 4 5 6 7 8 9">>().toEqualTypeOf<"shape: rank 9 exceeds the maximum rank 8 in '1 2 3 4 5 6 7 8 9'">();
expectTypeOf<ParseShape<"1 2 3 4 5 6 7 8">>().toEqualTypeOf<[1, 2, 3, 4, 5, 6, 7, 8]>();
expectTypeOf<ShapeOf<"7x">>().toEqualTypeOf<never>();
expectTypeOf<ShapeSpecError<"B 784">>().toEqualTypeOf<never>();
expectTypeOf<ShapeSpecError<"B -1">>().toEqualTypeOf<"shape: '-1' in 'B -1' is neither a size nor a dim name">();
expectTypeOf<DimNames<["B", 784, "T"]>>().toEqualTypeOf<"B" | "T">();
expectTypeOf<DimNames<[3, 784]>>().toEqualTypeOf<never>();
expectTypeOf<SizesArg<[3, 4]>>().toEqualTypeOf<[]>();
expectTypeOf(zeros("B 784", { B: 32 })).toEqualTypeOf<T<["B", 784]>>();
expectTypeOf(zeros("3 4")).toEqualTypeOf<T<[3, 4]>>();
// @ts-expect-error B needs a size
zeros("B 784");
// @ts-expect-error bad token
zeros("7x 3");
// @ts-expect-error leading zero
zeros("01");
// @ts-expect-error rank 9
zeros("1 1 1 1 1 1 1 1 1");

// ---- broadcasting
expectTypeOf<BroadcastShape<[2, 3], [3]>>().toEqualTypeOf<[2, 3]>();
expectTypeOf<BroadcastShape<["B", 1], [1, 10]>>().toEqualTypeOf<["B", 10]>();
expectTypeOf<BroadcastShape<["B", 10], [4, "B", 1]>>().toEqualTypeOf<[4, "B", 10]>();
expectTypeOf<BroadcastShape<["B"], [5]>>().toEqualTypeOf<[5]>();
expectTypeOf<BroadcastShape<["B"], ["C"]>>().toEqualTypeOf<[number]>();
expectTypeOf<BroadcastShape<[number], [3]>>().toEqualTypeOf<[3]>();
expectTypeOf<BroadcastShape<[], [2, 2]>>().toEqualTypeOf<[2, 2]>();
expectTypeOf<BroadcastError<["B", 3], ["C", 3]>>().toEqualTypeOf<never>();
expectTypeOf<BroadcastError<[2, 3], [4]>>().toEqualTypeOf<"broadcast: dims 3 and 4 at axis -1 are incompatible">();
expectTypeOf<BroadcastError<[2, 3], [5, 3]>>().toEqualTypeOf<"broadcast: dims 2 and 5 at axis -2 are incompatible">();
expectTypeOf(add(t<["B", 10]>(), t<[10]>())).toEqualTypeOf<T<["B", 10]>>();
// @ts-expect-error 3 vs 4
add(t<[2, 3]>(), t<[4]>());

// ---- matmul
expectTypeOf<MatmulShape<[2, 3], [3, 4]>>().toEqualTypeOf<[2, 4]>();
expectTypeOf<MatmulShape<["B", 784], [784, 10]>>().toEqualTypeOf<["B", 10]>();
expectTypeOf<MatmulShape<[3], [3, 4]>>().toEqualTypeOf<[4]>();
expectTypeOf<MatmulShape<[2, 3], [3]>>().toEqualTypeOf<[2]>();
expectTypeOf<MatmulShape<[3], [3]>>().toEqualTypeOf<[]>();
expectTypeOf<MatmulShape<[5, 1, 2, 3], [4, 3, 7]>>().toEqualTypeOf<[5, 4, 2, 7]>();
expectTypeOf<MatmulError<["B", "K"], [784, 10]>>().toEqualTypeOf<never>();
expectTypeOf<MatmulError<["B", 784], [785, 10]>>().toEqualTypeOf<"matmul: inner dimensions 784 and 785 differ">();
expectTypeOf<MatmulError<[], [3]>>().toEqualTypeOf<"matmul: operands must have rank ≥ 1">();
expectTypeOf<MatmulError<[2, 2, 3], [3, 3, 4]>>().toEqualTypeOf<"matmul: batch dims 2 and 3 at axis -1 are incompatible">();
expectTypeOf(matmul(t<["B", 784]>(), t<[784, 10]>())).toEqualTypeOf<T<["B", 10]>>();
// @ts-expect-error inner dims differ
matmul(t<["B", 784]>(), t<[785, 10]>());
// @ts-expect-error scalar operand
matmul(t<[]>(), t<[3]>());

// Helpers generic in dims type-check.
function layer<B extends Dim>(x: T<[B, 784]>, w: T<[784, 10]>): T<[B, 10]> {
  return matmul(x, w);
}
function residual<B extends Dim>(x: T<[B, 10]>, y: T<[B, 10]>, b: T<[10]>): T<[B, 10]> {
  return add(add(x, y), b);
}
function flat<B extends Dim>(x: T<[B, 28, 28]>): T<[B, 784]> {
  return reshape(x, "B 784") as unknown as T<[B, 784]>;
}
function reduceRows<N extends Dim>(x: T<[N, 10]>): T<[N]> {
  return sum(x, 1);
}
void layer; void residual; void flat; void reduceRows;
expectTypeOf<Same<[1], [1]>>().toEqualTypeOf<true>();
expectTypeOf<Same<1, number>>().toEqualTypeOf<false>();

// ---- reshape
expectTypeOf<ReshapeError<[28, 28], [784]>>().toEqualTypeOf<never>();
expectTypeOf<ReshapeError<[28, 28], [785]>>().toEqualTypeOf<"reshape: cannot reshape [28, 28] (784 elements) into [785] (785 elements)">();
expectTypeOf<ReshapeError<["B", 28, 28], ["B", 784]>>().toEqualTypeOf<never>();
expectTypeOf<ReshapeError<["B", 28, 28], ["B", 785]>>().toEqualTypeOf<"reshape: cannot reshape [B, 28, 28] (B×784 elements) into [B, 785] (B×785 elements)">();
expectTypeOf<ReshapeError<["B", 28, 28], [784, "C"]>>().toEqualTypeOf<never>();
expectTypeOf<ReshapeError<[1000000, 1000000, 3], [3000000, 1000000]>>().toEqualTypeOf<never>();
expectTypeOf<ReshapeError<[1000000, 1000000, 3], [3000001, 1000000]>>().toEqualTypeOf<"reshape: cannot reshape [1000000, 1000000, 3] (3000000000000 elements) into [3000001, 1000000] (3000001000000 elements)">();
expectTypeOf<ReshapeError<[999999, 999999, 999999, 999999, 999999, 999999], [999999, 999999, 999999, 999999, 999998, 1000000]>>().toEqualTypeOf<
  "reshape: cannot reshape [999999, 999999, 999999, 999999, 999999, 999999] (999994000014999980000014999994000001 elements) into [999999, 999999, 999999, 999999, 999998, 1000000] (999994000013999984000008999998000000 elements)"
>();
expectTypeOf<ReshapeError<[123456, 654321, 7, 11, 13, 999983], [999983, 13, 77, 654321, 123456]>>().toEqualTypeOf<never>();
expectTypeOf<ReshapeError<[0, 5], [0]>>().toEqualTypeOf<never>();
expectTypeOf<ReshapeError<[0, 5], [3]>>().toEqualTypeOf<"reshape: cannot reshape [0, 5] (0 elements) into [3] (3 elements)">();
expectTypeOf(reshape(t<[28, 28]>(), "784")).toEqualTypeOf<T<[784]>>();
// @ts-expect-error 784 ≠ 785
reshape(t<[28, 28]>(), "785");
// @ts-expect-error exact above 2^53
reshape(t<[1000000, 1000000, 3]>(), "3000001 1000000");

// ---- reductions
expectTypeOf<ReduceShape<[2, 3, 4], 1, false>>().toEqualTypeOf<[2, 4]>();
expectTypeOf<ReduceShape<[2, 3, 4], -1, true>>().toEqualTypeOf<[2, 3, 1]>();
expectTypeOf<ReduceShape<[2, 3, 4], [0, 2], false>>().toEqualTypeOf<[3]>();
expectTypeOf<ReduceShape<[2, 3, 4], undefined, false>>().toEqualTypeOf<[]>();
expectTypeOf<ReduceShape<[2, 3, 4], undefined, true>>().toEqualTypeOf<[1, 1, 1]>();
expectTypeOf<AxesError<[2, 3], [0, -1], "sum">>().toEqualTypeOf<never>();
expectTypeOf<AxesError<[2, 3], 2, "sum">>().toEqualTypeOf<"sum: axis 2 is out of range for rank 2">();
expectTypeOf<AxesError<[2, 3], -3, "mean">>().toEqualTypeOf<"mean: axis -3 is out of range for rank 2">();
expectTypeOf<AxesError<[2, 3], [1, -1], "sum">>().toEqualTypeOf<"sum: axis -1 is repeated">();
expectTypeOf(sum(t<["B", 10]>(), 1, true)).toEqualTypeOf<T<["B", 1]>>();
expectTypeOf(sum(t<["B", 10]>(), 0)).toEqualTypeOf<T<[10]>>();
// @ts-expect-error axis out of range
sum(t<["B", 10]>(), 2);

// ---- permute / transpose
expectTypeOf<PermuteShape<["B", 3, 4], [2, 0, 1]>>().toEqualTypeOf<[4, "B", 3]>();
expectTypeOf<PermuteShape<[2, 3], [-1, 0]>>().toEqualTypeOf<[3, 2]>();
expectTypeOf<PermuteError<[2, 3], [1, 0]>>().toEqualTypeOf<never>();
expectTypeOf<PermuteError<[2, 3], [0]>>().toEqualTypeOf<"permute: got 1 axes for rank 2">();
expectTypeOf<PermuteError<[2, 3], [1, 1]>>().toEqualTypeOf<"permute: axis 1 appears twice">();
expectTypeOf<PermuteError<[2, 3], [0, 2]>>().toEqualTypeOf<"permute: axis 2 is out of range for rank 2">();
expectTypeOf(permute(t<[2, 3, 4]>(), [2, 1, 0])).toEqualTypeOf<T<[4, 3, 2]>>();
// @ts-expect-error not a permutation
permute(t<[2, 3, 4]>(), [0, 0, 1]);
expectTypeOf<TransposeShape<["B", 2, 3]>>().toEqualTypeOf<["B", 3, 2]>();
expectTypeOf<TransposeError<[3]>>().toEqualTypeOf<"transpose: needs rank ≥ 2, got rank 1">();
expectTypeOf(transpose(t<[2, 3]>())).toEqualTypeOf<T<[3, 2]>>();
// @ts-expect-error rank 1
transpose(t<[3]>());

// ---- squeeze / expandDims
expectTypeOf<SqueezeShape<[1, "B", 1, 3], undefined>>().toEqualTypeOf<["B", 3]>();
expectTypeOf<SqueezeShape<[1, "B", 1, 3], -2>>().toEqualTypeOf<[1, "B", 3]>();
expectTypeOf<SqueezeError<["B", 3], 0>>().toEqualTypeOf<never>();
expectTypeOf<SqueezeError<["B", 3], 1>>().toEqualTypeOf<"squeeze: dim 1 has size 3, not 1">();
expectTypeOf<SqueezeError<["B", 3], 2>>().toEqualTypeOf<"squeeze: axis 2 is out of range for rank 2">();
expectTypeOf(squeeze(t<[1, 5]>(), 0)).toEqualTypeOf<T<[5]>>();
// @ts-expect-error dim 1 is 5
squeeze(t<[1, 5]>(), 1);
expectTypeOf<ExpandDimsShape<[2, 3], 0>>().toEqualTypeOf<[1, 2, 3]>();
expectTypeOf<ExpandDimsShape<[2, 3], -1>>().toEqualTypeOf<[2, 3, 1]>();
expectTypeOf<ExpandDimsShape<[2, 3], 1>>().toEqualTypeOf<[2, 1, 3]>();

// ---- flatten
expectTypeOf<FlattenShape<["B", 28, 28], 1, -1>>().toEqualTypeOf<["B", 784]>();
expectTypeOf<FlattenShape<[2, 3, 4], 0, -1>>().toEqualTypeOf<[24]>();
expectTypeOf<FlattenShape<["B", 3, 4], 0, 1>>().toEqualTypeOf<[number, 4]>();
expectTypeOf<FlattenShape<["B", 3], 0, 0>>().toEqualTypeOf<["B", 3]>();
expectTypeOf<FlattenShape<[1000000, 1000000], 0, 1>>().toEqualTypeOf<[1000000000000]>();
expectTypeOf<FlattenShape<[], 0, -1>>().toEqualTypeOf<[1]>();

// ---- concat / stack
expectTypeOf<ConcatShape<[[2, 3], [4, 3]], 0>>().toEqualTypeOf<[6, 3]>();
expectTypeOf<ConcatShape<[["B", 3], ["B", 5]], -1>>().toEqualTypeOf<["B", 8]>();
expectTypeOf<ConcatShape<[["B", 3], [2, 3]], 0>>().toEqualTypeOf<[number, 3]>();
expectTypeOf<ConcatError<[[2, 3], [2, 4]], 0>>().toEqualTypeOf<"concat: dim 1 is 3 in operand 0 but 4 in operand 1">();
expectTypeOf<ConcatError<[[2, 3], [2, 3, 1]], 0>>().toEqualTypeOf<"concat: operand 1 has rank 3 but operand 0 has rank 2">();
expectTypeOf<ConcatError<[[2, 3]], 2>>().toEqualTypeOf<"concat: axis 2 is out of range for rank 2">();
expectTypeOf(concat([t<[2, 3]>(), t<[2, 4]>()], 1)).toEqualTypeOf<T<[2, 7]>>();
// @ts-expect-error dims differ off the axis
concat([t<[2, 3]>(), t<[2, 4]>()], 0);
expectTypeOf<StackShape<[[2, 3], [2, 3], [2, 3]], 0>>().toEqualTypeOf<[3, 2, 3]>();
expectTypeOf<StackShape<[["B", 3], ["B", 3]], -1>>().toEqualTypeOf<["B", 3, 2]>();
expectTypeOf<StackError<[[2, 3], [2, 4]], 0>>().toEqualTypeOf<"stack: dim 1 is 3 in operand 0 but 4 in operand 1">();
expectTypeOf(stack([t<[2, 3]>(), t<[2, 3]>()], 1)).toEqualTypeOf<T<[2, 2, 3]>>();
// @ts-expect-error shapes differ
stack([t<[2, 3]>(), t<[3, 3]>()]);

// ---- take / slice / oneHot / nested
expectTypeOf<TakeShape<[10, 4], ["B"], 0>>().toEqualTypeOf<["B", 4]>();
expectTypeOf<TakeShape<[10, 4, 5], [2, 3], -2>>().toEqualTypeOf<[10, 2, 3, 5]>();
expectTypeOf<SliceShape<[10, 4], 0, number>>().toEqualTypeOf<[number, 4]>();
expectTypeOf<OneHotShape<["B"], 10>>().toEqualTypeOf<["B", 10]>();
expectTypeOf<NestedShape<[[1, 2, 3], [4, 5, 6]]>>().toEqualTypeOf<[2, 3]>();
expectTypeOf<NestedShape<number[]>>().toEqualTypeOf<[number]>();
expectTypeOf<NestedShape<5>>().toEqualTypeOf<[]>();

// ---- einsum
expectTypeOf<EinsumShape<"bi,ij->bj", [["B", 784], [784, 10]]>>().toEqualTypeOf<["B", 10]>();
expectTypeOf<EinsumShape<"bi,jk->bk", [["B", 3], [4, 5]]>>().toEqualTypeOf<["B", 5]>();
expectTypeOf<EinsumShape<"ij,jk", [[2, 3], [3, 4]]>>().toEqualTypeOf<[2, 4]>();
expectTypeOf<EinsumShape<"ba", [[2, 3]]>>().toEqualTypeOf<[3, 2]>();
expectTypeOf<EinsumShape<"i,i->", [[3], [3]]>>().toEqualTypeOf<[]>();
expectTypeOf<EinsumError<"bi,ij->bj", [["B", 784], [785, 10]]>>().toEqualTypeOf<"einsum: index 'i' is 784 in an earlier operand but 785 in operand 1">();
expectTypeOf<EinsumError<"bij,jk->bk", [[2, 3], [3, 4]]>>().toEqualTypeOf<"einsum: subscripts 'bij' have 3 letters but operand 0 has rank 2">();
expectTypeOf<EinsumError<"bi,ij->bz", [[2, 3], [3, 4]]>>().toEqualTypeOf<"einsum: output index 'z' does not appear in any input">();
expectTypeOf<EinsumError<"bi,ij->bj", [[2, 3]]>>().toEqualTypeOf<"einsum: spec \"bi,ij->bj\" has 2 operands but 1 were given">();
expectTypeOf(einsum("bi,ij->bj", t<["B", 784]>(), t<[784, 10]>())).toEqualTypeOf<T<["B", 10]>>();
// @ts-expect-error dim mismatch
einsum("bi,ij->bj", t<["B", 784]>(), t<[785, 10]>());
// @ts-expect-error rank mismatch
einsum("bij,jk->bk", t<[2, 3]>(), t<[3, 4]>());

// Nested data whose type says nothing about its depth: a shape known only at run time, never TS2589.
expectTypeOf<NestedShape<any>>().toEqualTypeOf<Dim[]>();
expectTypeOf<NestedShape<number[][]>>().toEqualTypeOf<[number, number]>();
expectTypeOf<NestedShape<[[1, 2], [3, 4]]>>().toEqualTypeOf<[2, 2]>();
expectTypeOf<NestedShape<NestedInput>>().toEqualTypeOf<Dim[]>();
expectTypeOf<NestedShape<[[[[[[[[[1]]]]]]]]]>>().toEqualTypeOf<Dim[]>();
expectTypeOf<NestedShape<7>>().toEqualTypeOf<[]>();
// Spec errors name the op, as the run-time parser does.
expectTypeOf<ShapeSpecError<"7x 3", "zeros">>().toEqualTypeOf<"zeros: '7x' in '7x 3' is neither a size nor a dim name">();
expectTypeOf<ShapeSpecError<"B 3", "zeros">>().toEqualTypeOf<never>();
expectTypeOf<ShapeSpecError<string, "zeros">>().toEqualTypeOf<never>();
expectTypeOf<ShapeOf<"7x 3">>().toEqualTypeOf<never>();
// Shape comparison for messages.
expectTypeOf<ShapesDiffer<[3, 10], [3]>>().toEqualTypeOf<true>();
expectTypeOf<ShapesDiffer<[3, 10], [3, 11]>>().toEqualTypeOf<true>();
expectTypeOf<ShapesDiffer<[3, 10], ["N", 10]>>().toEqualTypeOf<false>();
expectTypeOf<ShapesDiffer<[3, 10], Dim[]>>().toEqualTypeOf<false>();
// A scalar shape broadcasts to the other side even when that side is a type parameter.
export const scalarBroadcast = <S extends Shape>(): [BroadcastShape<S, []>, BroadcastShape<[], S>, BroadcastError<S, []>] => null!;
expectTypeOf(scalarBroadcast<[2, 3]>()).toEqualTypeOf<[[2, 3], [2, 3], never]>();
