/**
 * Every op's compile-time shape message, as users see it. Each `@ts-expect-error` is followed by the message the
 * compiler must print for the next line, verbatim: `npm run typecheck` checks that each line fails, and
 * `compilers.test.ts` compiles this file without the directives on TypeScript 5.9, 6.0 and 7.0 and checks that
 * each failing line's diagnostic contains its message (and that no other line fails).
 */
import {
  add, assertShape, broadcastTo, concat, cumsum, div, einsum, equal, fromArray, full, greater, matmul, max, maximum, mean, minimum, mul,
  nn, ones, permute, pow, reshape, squeeze, stack, sub, sum, tensor, transpose, where, zeros,
  type Dim, type Same, type Tensor,
} from "../../src/index.js";

declare const x: Tensor<["B", 784]>;
declare const w: Tensor<[784, 10]>;
declare const w2: Tensor<[785, 10]>;
declare const a83: Tensor<[8, 3]>;
declare const a4: Tensor<[4]>;
declare const logits: Tensor<[3, 10]>;

// ## matmul and einsum

// @ts-expect-error matmul: inner dimensions 784 and 785 differ
matmul(x, w2);
// @ts-expect-error matmul: inner dimensions 784 and 785 differ
matmul(w2)(x);
// @ts-expect-error einsum: index 'i' is 784 in an earlier operand but 785 in operand 1
einsum("bi,ij->bj", x, w2);
// @ts-expect-error einsum: subscripts 'bij' have 3 letters but operand 0 has rank 2
einsum("bij,jk->bk", x, w);
// @ts-expect-error einsum: output index 'z' does not appear in any input
einsum("bi,ij->bz", x, w);

// ## Broadcasting: every binary op, direct and curried, and where / broadcastTo

// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
add(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
sub(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
mul(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
div(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
pow(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
maximum(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
minimum(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
equal(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
greater(a83, a4);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
add(a4)(a83);
// @ts-expect-error broadcast: dims 10 and 11 at axis -1 are incompatible
add(matmul(x, w), zeros("11"));
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
where(zeros("3", "bool"), a4, 0);
// @ts-expect-error broadcast: dims 3 and 4 at axis -1 are incompatible
broadcastTo(zeros("3"), "4");

// ## reshape, direct and curried

// @ts-expect-error reshape: cannot reshape [2, 3, 4] (24 elements) into [5, 5] (25 elements)
reshape(zeros("2 3 4"), "5 5");
// @ts-expect-error reshape: cannot reshape [28, 28] (784 elements) into [785] (785 elements)
reshape("785")(zeros("28 28"));
// @ts-expect-error reshape: '7x' in '7x 3' is neither a size nor a dim name
reshape(zeros("21"), "7x 3");

// ## Shape specs of constructors

// @ts-expect-error zeros: '7x' in '7x 3' is neither a size nor a dim name
zeros("7x 3");
// @ts-expect-error zeros: '03' in '03 3' is neither a size nor a dim name
zeros("03 3");
// @ts-expect-error zeros: '-1' in '-1 3' is neither a size nor a dim name
zeros("-1 3", "int32");
// @ts-expect-error ones: rank 9 exceeds the maximum rank 8 in '1 2 3 4 5 6 7 8 9'
ones("1 2 3 4 5 6 7 8 9");
// @ts-expect-error full: 'B!' in 'B! 3' is neither a size nor a dim name
full("B! 3", 1);
// @ts-expect-error fromArray: '3.5' in '3.5' is neither a size nor a dim name
fromArray([1, 2, 3], "3.5");
// @ts-expect-error assertShape: '7x' in '7x' is neither a size nor a dim name
assertShape(a4, "7x");

// ## Axes, permutations, joins

// @ts-expect-error sum: axis 2 is out of range for rank 2
sum(zeros("2 3"), { axis: 2 });
// @ts-expect-error mean: axis -3 is out of range for rank 2
mean(zeros("2 3"), { axis: -3 });
// @ts-expect-error max: axis 2 is out of range for rank 2
max({ axis: 2 })(zeros("2 3"));
// @ts-expect-error cumsum: axis 2 is out of range for rank 2
cumsum(zeros("2 3"), 2);
// @ts-expect-error squeeze: dim 0 has size 2, not 1
squeeze(zeros("2 3"), 0);
// @ts-expect-error permute: axis 0 appears twice
permute(zeros("2 3"), [0, 0]);
// @ts-expect-error permute: got 3 axes for rank 2
permute([0, 1, 2])(zeros("2 3"));
// @ts-expect-error concat: dim 0 is 2 in operand 0 but 3 in operand 1
concat([zeros("2 3"), zeros("3 3")], 1);
// @ts-expect-error stack: dim 0 is 2 in operand 0 but 3 in operand 1
stack([zeros("2 3"), zeros("3 3")]);
// @ts-expect-error transpose: needs rank ≥ 2, got rank 1
transpose(zeros("3"));

// ## Losses: the message names the labels' dtype

// @ts-expect-error crossEntropy: labels of dtype float32 are read as class probabilities and need the logits' shape [3, 10], got [3] (class indices must be int32)
nn.crossEntropy(logits, zeros("3"));
// @ts-expect-error crossEntropy: labels of dtype bool must be int32 class indices or float class probabilities
nn.crossEntropy(logits, zeros("3", "bool"));

// ## What compiles

const h = add(matmul(x, w), zeros("10"));
const scaled = mul(2, sub(h, 1));
const parsed = tensor(JSON.parse("[[1, 2, 3]]"));
assertShape(parsed, "B 3");
const labels = zeros("3", "int32");
const probs = nn.crossEntropy(logits, zeros("3 10"));
export const ok = {
  h: true satisfies Same<typeof h, Tensor<["B", 10], "float32">>,
  scaled: true satisfies Same<typeof scaled, Tensor<["B", 10], "float32">>,
  any: true satisfies Same<ReturnType<typeof tensor<any>>, Tensor<Dim[], "float32">>,
  asserted: true satisfies Same<typeof parsed, Tensor<["B", 3], "float32">>,
  ce: true satisfies Same<ReturnType<typeof nn.crossEntropy<[3, 10], "float32", [3], "int32", "none">>, Tensor<[3], "float32">>,
  ceInt: nn.crossEntropy(logits, labels),
  ceProbs: true satisfies Same<typeof probs, Tensor<[], "float32">>,
};
