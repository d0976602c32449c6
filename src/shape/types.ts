/**
 * Type-level shapes — interim version: correct result shapes, few compile-time errors.
 * (The full shape calculus with readable errors replaces this file.)
 */

/** A dim: a size literal, a name, or `number` when the size is only known at run time. */
export type Dim = number | string;

/** A shape: a tuple of dims. */
export type Shape = readonly Dim[];

/** `[E] extends [never] ? T : E` — the parameter type that carries an error message. */
export type ErrorIf<E, T> = [E] extends [never] ? T : E;

/** Identity of two types that survives type parameters. */
export type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
type ParseDim<T extends string> = T extends `${infer N extends number}` ? (`${N}` extends T ? N : T) : T;
type Tokens<S extends string, Acc extends string[] = []> = S extends ` ${infer R}`
  ? Tokens<R, Acc>
  : S extends `${infer H} ${infer R}`
    ? Tokens<R, [...Acc, H]>
    : S extends ""
      ? Acc
      : [...Acc, S];

/** Parses `"B 784"` into `["B", 784]`. */
export type ParseShape<S extends string> = ParseAll<Tokens<S>>;
type ParseAll<T extends string[]> = T extends [infer H extends string, ...infer R extends string[]] ? [ParseDim<H>, ...ParseAll<R>] : [];
/** The parsed shape of a spec. */
export type ShapeOf<S extends string> = ParseShape<S> extends infer R extends Shape ? R : never;
/** Never if the spec parses, else a message. */
export type ShapeSpecError<S extends string> = never;
/** The named dims of a shape. */
export type DimNames<S extends Shape> = Extract<S[number], string>;
/** Rest-parameter type for named sizes: required when the shape has names. */
export type SizesArg<S extends Shape> = [DimNames<S>] extends [never] ? [] : [sizes: { readonly [K in DimNames<S>]: number }];

type BDim<A, B> = A extends 1 ? B : B extends 1 ? A : A extends B ? A : number;
type Bcast<A extends Shape, B extends Shape> = A extends readonly [...infer AR extends Shape, infer AL extends Dim]
  ? B extends readonly [...infer BR extends Shape, infer BL extends Dim]
    ? [...Bcast<AR, BR>, BDim<AL, BL>]
    : A
  : B;
/** NumPy broadcasting of two shapes. */
export type BroadcastShape<A extends Shape, B extends Shape> = Bcast<A, B>;
/** Never, or why two shapes do not broadcast. */
export type BroadcastError<A extends Shape, B extends Shape> = never;

type Last2<S extends Shape> = S extends readonly [...infer R extends Shape, infer M extends Dim, infer N extends Dim] ? [R, M, N] : never;
/** NumPy matmul result shape. */
export type MatmulShape<A extends Shape, B extends Shape> = A extends readonly [infer K]
  ? B extends readonly [Dim]
    ? []
    : Last2<B> extends [infer R extends Shape, Dim, infer N extends Dim] ? [...R, N] : Shape
  : B extends readonly [Dim]
    ? A extends readonly [...infer R extends Shape, Dim] ? R : Shape
    : Last2<A> extends [infer RA extends Shape, infer M extends Dim, Dim]
      ? Last2<B> extends [infer RB extends Shape, Dim, infer N extends Dim]
        ? [...Bcast<RA, RB>, M, N]
        : Shape
      : Shape;
/** Never, or why two shapes cannot be multiplied. */
export type MatmulError<A extends Shape, B extends Shape> = never;
/** Never, or why a reshape is impossible. */
export type ReshapeError<From extends Shape, To extends Shape> = never;

type Norm<S extends Shape, A extends number> = `${A}` extends `-${infer P extends number}` ? Sub<S["length"], P> : A;
type Sub<N extends number, P extends number, Acc extends unknown[] = []> = BuildLen<N> extends [...BuildLen<P>, ...infer R] ? R["length"] : never;
type BuildLen<N extends number, Acc extends unknown[] = []> = number extends N ? unknown[] : Acc["length"] extends N ? Acc : BuildLen<N, [...Acc, unknown]>;
type AxesList<S extends Shape, Ax> = Ax extends undefined ? number : Ax extends number ? Norm<S, Ax> : Ax extends readonly number[] ? { [K in keyof Ax]: Norm<S, Ax[K] & number> }[number] : never;
type Reduce<S extends Shape, Axes, K extends boolean, I extends unknown[] = [], Acc extends Shape = []> = S extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? I["length"] extends Axes
    ? Reduce<R, Axes, K, [...I, unknown], K extends true ? [...Acc, 1] : Acc>
    : Reduce<R, Axes, K, [...I, unknown], [...Acc, H]>
  : Acc;
/** Shape after reducing axes (all when undefined). */
export type ReduceShape<S extends Shape, Axes extends number | readonly number[] | undefined, KeepDims extends boolean> = number extends S["length"]
  ? Shape
  : Reduce<S, AxesList<S, Axes>, KeepDims>;
/** Never, or why the axes are out of range. */
export type AxesError<S extends Shape, Axes extends number | readonly number[] | undefined, Op extends string> = never;
/** Shape after permuting dims. */
export type PermuteShape<S extends Shape, Perm extends readonly number[]> = { -readonly [K in keyof Perm]: S[Perm[K] & number] };
/** Never, or why the permutation is invalid. */
export type PermuteError<S extends Shape, Perm extends readonly number[]> = never;
/** Shape with the last two dims swapped. */
export type TransposeShape<S extends Shape> = Last2<S> extends [infer R extends Shape, infer M extends Dim, infer N extends Dim] ? [...R, N, M] : Shape;
/** Never, or why the transpose is impossible. */
export type TransposeError<S extends Shape> = never;
type DropOnes<S extends Shape> = S extends readonly [infer H extends Dim, ...infer R extends Shape] ? (H extends 1 ? DropOnes<R> : [H, ...DropOnes<R>]) : [];
type DropAt<S extends Shape, A, I extends unknown[] = []> = S extends readonly [infer H extends Dim, ...infer R extends Shape] ? (I["length"] extends A ? DropAt<R, A, [...I, unknown]> : [H, ...DropAt<R, A, [...I, unknown]>]) : [];
/** Shape after squeezing. */
export type SqueezeShape<S extends Shape, Axis extends number | undefined> = number extends S["length"] ? Shape : Axis extends number ? DropAt<S, Norm<S, Axis>> : DropOnes<S>;
/** Never, or why the squeeze is impossible. */
export type SqueezeError<S extends Shape, Axis extends number | undefined> = never;
type InsertAt<S extends Shape, A, X, I extends unknown[] = []> = I["length"] extends A ? [X, ...S] : S extends readonly [infer H extends Dim, ...infer R extends Shape] ? [H, ...InsertAt<R, A, X, [...I, unknown]>] : [X];
/** Shape with a 1 inserted. */
export type ExpandDimsShape<S extends Shape, Axis extends number> = number extends S["length"] ? Shape : InsertAt<S, `${Axis}` extends `-${infer P extends number}` ? Sub<[...BuildLen<S["length"]>, unknown]["length"] & number, P> : Axis, 1>;
/** Shape after flattening dims start..end. */
export type FlattenShape<S extends Shape, Start extends number, End extends number> = Shape;
/** Shape after concatenating. */
export type ConcatShape<Shapes extends readonly Shape[], Axis extends number> = Shape;
/** Never, or why the concat is impossible. */
export type ConcatError<Shapes extends readonly Shape[], Axis extends number> = never;
/** Shape after stacking. */
export type StackShape<Shapes extends readonly Shape[], Axis extends number> = Shape;
/** Never, or why the stack is impossible. */
export type StackError<Shapes extends readonly Shape[], Axis extends number> = never;
/** Shape of a gather along an axis. */
export type TakeShape<S extends Shape, I extends Shape, Axis extends number> = Shape;
/** Shape after slicing an axis. */
export type SliceShape<S extends Shape, Axis extends number, Len extends number> = Shape;
/** Shape of a one-hot encoding. */
export type OneHotShape<S extends Shape, N extends number> = [...S, N];
/** Result shape of an einsum. */
export type EinsumShape<Spec extends string, Ops extends readonly Shape[]> = Shape;
/** Never, or why an einsum spec does not fit. */
export type EinsumError<Spec extends string, Ops extends readonly Shape[]> = never;
/** Shape of a nested array literal. */
export type NestedShape<T> = T extends readonly unknown[] ? [T["length"], ...NestedShape<T[0]>] : [];
export type { Digit };
