/** Type-check cost guard: many rank-6 matmuls and big-dim reshapes (the whole repo must check in < 30 s). */
import { expectTypeOf } from "vitest";
import type { ErrorIf, MatmulError, MatmulShape, ReshapeError, Shape, ShapeOf, BroadcastError, BroadcastShape } from "../../src/shape/types.js";

declare const brand: unique symbol;
interface T<S extends Shape> { readonly [brand]: S }
declare function t<S extends Shape>(): T<S>;
declare function matmul<A extends Shape, B extends Shape>(a: T<A>, b: ErrorIf<MatmulError<A, B>, T<B>>): T<MatmulShape<A, B>>;
declare function add<A extends Shape, B extends Shape>(a: T<A>, b: ErrorIf<BroadcastError<A, B>, T<B>>): T<BroadcastShape<A, B>>;
declare function reshape<S extends Shape, const To extends string>(x: T<S>, spec: ErrorIf<ReshapeError<S, ShapeOf<To>>, To>): T<ShapeOf<To>>;

type A6 = [2, 3, 4, 5, 64, 128];
type B6 = [2, 1, 4, 1, 128, 256];
const a = t<A6>();
const b = t<B6>();
expectTypeOf(matmul(a, b)).toEqualTypeOf<T<[2, 3, 4, 5, 64, 256]>>();
export const m = [
  matmul(a, b), matmul(a, b), matmul(a, b), matmul(a, b), matmul(a, b), matmul(a, b), matmul(a, b), matmul(a, b), matmul(a, b), matmul(a, b),
  matmul(t<["B", 7, 1, 9, 64, 32]>(), t<[7, 8, 9, 32, 16]>()), matmul(t<[1, 2, 3, 4, 5, 6]>(), t<[1, 2, 3, 4, 6, 7]>()),
  matmul(t<[9, 8, 7, 6, 5, 4]>(), t<[9, 8, 7, 6, 4, 3]>()), matmul(t<[11, 12, 13, 14, 15, 16]>(), t<[1, 12, 1, 14, 16, 17]>()),
  matmul(t<[21, 22, 23, 24, 25, 26]>(), t<[21, 22, 23, 24, 26, 27]>()), matmul(t<[31, 32, 33, 34, 35, 36]>(), t<[31, 32, 33, 34, 36, 37]>()),
  matmul(t<[41, 42, 43, 44, 45, 46]>(), t<[41, 42, 43, 44, 46, 47]>()), matmul(t<[51, 52, 53, 54, 55, 56]>(), t<[51, 52, 53, 54, 56, 57]>()),
  matmul(t<[61, 62, 63, 64, 65, 66]>(), t<[61, 62, 63, 64, 66, 67]>()), matmul(t<[71, 72, 73, 74, 75, 76]>(), t<[71, 72, 73, 74, 76, 77]>()),
  matmul(t<[81, 82, 83, 84, 85, 86]>(), t<[81, 82, 83, 84, 86, 87]>()), matmul(t<[91, 92, 93, 94, 95, 96]>(), t<[91, 92, 93, 94, 96, 97]>()),
  matmul(t<["N", 2, 3, 4, 5, 6]>(), t<["N", 2, 3, 4, 6, 7]>()), matmul(t<["N", "C", 3, 4, 5, 6]>(), t<[1, "C", 3, 4, 6, 7]>()),
  matmul(t<[2, 2, 2, 2, 2, 2]>(), t<[2, 2, 2, 2, 2, 2]>()), matmul(t<[3, 3, 3, 3, 3, 3]>(), t<[3, 3, 3, 3, 3, 3]>()),
  matmul(t<[4, 4, 4, 4, 4, 4]>(), t<[4, 4, 4, 4, 4, 4]>()), matmul(t<[5, 5, 5, 5, 5, 5]>(), t<[5, 5, 5, 5, 5, 5]>()),
  matmul(t<[6, 6, 6, 6, 6, 6]>(), t<[6, 6, 6, 6, 6, 6]>()), matmul(t<[7, 7, 7, 7, 7, 7]>(), t<[7, 7, 7, 7, 7, 7]>()),
  matmul(t<[8, 8, 8, 8, 8, 8]>(), t<[8, 8, 8, 8, 8, 8]>()), matmul(t<[9, 9, 9, 9, 9, 9]>(), t<[9, 9, 9, 9, 9, 9]>()),
  matmul(t<[10, 10, 10, 10, 10, 10]>(), t<[10, 10, 10, 10, 10, 10]>()), matmul(t<[12, 12, 12, 12, 12, 12]>(), t<[12, 12, 12, 12, 12, 12]>()),
  matmul(t<[13, 1, 13, 1, 13, 13]>(), t<[1, 13, 1, 13, 13, 13]>()), matmul(t<[14, 1, 14, 1, 14, 14]>(), t<[1, 14, 1, 14, 14, 14]>()),
  matmul(t<[15, 1, 15, 1, 15, 15]>(), t<[1, 15, 1, 15, 15, 15]>()), matmul(t<[16, 1, 16, 1, 16, 16]>(), t<[1, 16, 1, 16, 16, 16]>()),
  matmul(t<[17, 1, 17, 1, 17, 17]>(), t<[1, 17, 1, 17, 17, 17]>()), matmul(t<[18, 1, 18, 1, 18, 18]>(), t<[1, 18, 1, 18, 18, 18]>()),
  matmul(t<[19, 1, 19, 1, 19, 19]>(), t<[1, 19, 1, 19, 19, 19]>()), matmul(t<[20, 1, 20, 1, 20, 20]>(), t<[1, 20, 1, 20, 20, 20]>()),
];
export const r = [
  reshape(t<[999999, 999998, 999997, 999996, 999995, 999994]>(), "999994 999995 999996 999997 999998 999999"),
  reshape(t<[123456, 234567, 345678, 456789, 567890, 678901]>(), "678901 567890 456789 345678 234567 123456"),
  reshape(t<[1000000, 1000000, 3]>(), "3000000 1000000"),
  reshape(t<[999999, 999999, 999999, 999999, 999999, 999999]>(), "999999 999999 999999 999999 999999 999999"),
  reshape(t<[524288, 524288, 2]>(), "1048576 262144 2"),
  reshape(t<[98304, 65536, 3]>(), "589824 32768 1"),
  reshape(t<["B", 999999, 999998]>(), "B 999998 999999"),
  reshape(t<["B", 28, 28]>(), "B 784"),
  reshape(t<["B", 3, 224, 224]>(), "B 150528"),
  reshape(t<[64, 3, 224, 224]>(), "64 150528"),
  reshape(t<[999983, 999979, 999961, 999959]>(), "999959 999961 999979 999983"),
  reshape(t<[250000, 4, 1000000]>(), "1000000 1000000"),
];
let chain = t<["B", 64, 64]>();
for (let i = 0; i < 3; i++) chain = add(add(add(add(add(add(add(add(chain, t<[64]>()), t<[1, 64]>()), t<["B", 1, 64]>()), chain), t<[64, 1]>()), chain), t<[]>()), chain);
// @ts-expect-error exact big products
reshape(t<[999999, 999999, 999999, 999999, 999999, 999999]>(), "999999 999999 999999 999999 999998 1000000");
// @ts-expect-error exact big products
reshape(t<[1000000, 1000000, 3]>(), "3000001 1000000");
