/**
 * Shapes in the type system.
 *
 * A dim is a number literal (a size), a string literal (a name such as `"B"`), or `number` (a size known only
 * at run time). Every check is three-valued: two dims are provably equal (identical types), provably different
 * (two different size literals), or unknown (a name against a size, two different names, `number`). Only a
 * provable difference is a compile error; unknown cases compile and are checked by the op at run time.
 *
 * Errors are plain string literal types (`"matmul: inner dimensions 784 and 785 differ"`). Ops put them in a
 * parameter's type with {@link ErrorIf}, so the compiler prints the message as the expected type.
 *
 * Helpers generic over single dims (`<B extends Dim>(x: Tensor<[B, 784]>) => …`) type-check as long as a
 * dim that is a type parameter is only compared with itself (or not compared at all): a type parameter
 * compared with a different dim leaves the check deferred. Helpers generic over a whole shape
 * (`<S extends Shape>`) defer every check: write helpers generic in dims.
 *
 * Recursion: every loop is tail-recursive or bounded by the rank (≤ 8). Reshape and flatten multiply sizes as
 * little-endian decimal strings with lookup tables, so products are exact for any size.
 */

/** A dim: a size literal, a name, or `number` when the size is only known at run time. */
export type Dim = number | string;

/** A shape: a tuple of dims. */
export type Shape = readonly Dim[];

/** `[E] extends [never] ? T : E` — the parameter type that carries an error message. */
export type ErrorIf<E, T> = [E] extends [never] ? T : E;

/**
 * `unknown`, or the message: for an options-object parameter write `opts?: Options<Ax, K> & ErrorCheck<E>`
 * (an intersection keeps the object literal's contextual type, so `const` literals such as `axis: 1` and
 * `keepdims: true` are inferred; through {@link ErrorIf} they widen to `number` and `boolean`).
 */
export type ErrorCheck<E> = [E] extends [never] ? unknown : E;

/** Identity of two types that survives type parameters (`Same<B, B>` is `true` for a type parameter `B`). */
export type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** True for `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;
/** True when S is a tuple of known length. */
type IsTuple<S extends readonly unknown[]> = number extends S["length"] ? false : true;
/** True when X is a single number literal (not `number`, not a union). */
type IsLit<X> = [X] extends [number] ? (number extends X ? false : IsUnion<X> extends true ? false : true) : false;
type IsUnion<X, C = X> = X extends unknown ? ([C] extends [X] ? false : true) : never;
/** Three-valued comparison of two dims: "eq" (provably equal), "ne" (provably different), "?" (run time). */
type Cmp<X, Y> = Same<X, Y> extends true ? "eq" : IsLit<X> extends true ? (IsLit<Y> extends true ? "ne" : "?") : "?";
/** The more informative of two dims not provably different: a literal wins, equal dims stay, else `number`. */
type Unify<X, Y> = Same<X, Y> extends true ? X : IsLit<X> extends true ? X : IsLit<Y> extends true ? Y : number;

/** A dim as text for messages. */
type DimStr<X> = AsString<X extends string ? (string extends X ? "string" : X) : X extends number ? (number extends X ? "number" : `${X}`) : "?">;
/** `T` as a string, written so that message templates using it need no evaluation of `T` to be checked. */
type AsString<T> = [T] extends [infer R extends string] ? R : never;
/** A shape as text: `[B, 28, 28]`. */
type ShapeStr<S extends Shape> = IsTuple<S> extends true ? (JoinDims<S> extends infer J extends string ? `[${J}]` : never) : "[...]";
type JoinDims<S extends Shape, Acc extends string = ""> = S extends readonly [infer H, ...infer R extends Shape]
  ? (Acc extends "" ? DimStr<H> : `${Acc}, ${DimStr<H>}`) extends infer A extends string ? JoinDims<R, A> : never
  : Acc;

/**
 * `T` as a shape, written so that a checker reading the declarations (a consumer without `skipLibCheck`) finds its
 * constraint, `Shape`, without evaluating `T`'s conditional types for generic arguments.
 */
type AsShape<T> = [T] extends [infer R extends Shape] ? R : never;
/** A shape as text for messages: `[B, 28, 28]` (`[...]` when the rank is unknown). */
export type ShapeText<S extends Shape> = ShapeStr<S>;
/** True when two shapes provably differ (known ranks that differ, or two different size literals at one axis). */
export type ShapesDiffer<A extends Shape, B extends Shape> = IsTuple<A> extends true ? (IsTuple<B> extends true ? (A["length"] extends B["length"] ? DimsDiffer<A, B> : true) : false) : false;
type DimsDiffer<A extends Shape, B extends Shape> = A extends readonly [infer X, ...infer AR extends Shape]
  ? B extends readonly [infer Y, ...infer BR extends Shape] ? (Cmp<X, Y> extends "ne" ? true : DimsDiffer<AR, BR>) : false
  : false;

/** A tuple of N unknowns (N ≤ a few dozen: ranks and axes only; `never` while a call is being inferred gives `[]`). */
type Tup<N extends number, Acc extends unknown[] = []> = [N] extends [never] ? [] : Acc["length"] extends N ? Acc : Tup<N, [...Acc, unknown]>;
/** Normalizes an axis for rank R: `{ ok: a }` with 0 ≤ a < R, or `{ bad: true }`. */
type NormAxis<A extends number, R extends number> = number extends A
  ? { wide: true }
  : `${A}` extends `-${infer P extends number}`
    ? Tup<R> extends [...Tup<P>, ...infer Rest] ? { ok: Rest["length"] } : { bad: true }
    : Tup<R> extends [...Tup<A>, unknown, ...unknown[]] ? { ok: A } : { bad: true };
type AxisRangeMsg<Op extends string, A extends number, R extends number> = `${Op}: axis ${A} is out of range for rank ${R}`;

/** The dims of S with index I replaced by X (X = never drops it). Tail-recursive. */
type ReplaceAt<S extends Shape, I extends number, X extends readonly unknown[], Acc extends unknown[] = []> = S extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? Acc["length"] extends I ? [...Acc, ...X, ...R] : ReplaceAt<R, I, X, [...Acc, H]>
  : Acc;
/** Inserts X before index I (I = rank appends). */
type InsertAt<S extends Shape, I extends number, X extends readonly unknown[], Acc extends unknown[] = []> = Acc["length"] extends I
  ? [...Acc, ...X, ...S]
  : S extends readonly [infer H extends Dim, ...infer R extends Shape] ? InsertAt<R, I, X, [...Acc, H]> : [...Acc, ...X];
/** A mutable copy of a tuple. */
type Mut<S extends Shape> = { -readonly [K in keyof S]: S[K] };

// ---------------------------------------------------------------------------------------------
// Parsing "B 784"

/** The largest rank a spec may have. */
type MaxRank = 8;
type RankOk = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
type DigitChar = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
type Lower = "a" | "b" | "c" | "d" | "e" | "f" | "g" | "h" | "i" | "j" | "k" | "l" | "m" | "n" | "o" | "p" | "q" | "r" | "s" | "t" | "u" | "v" | "w" | "x" | "y" | "z";
type Letter = Lower | Uppercase<Lower>;
type NameStart = Letter | "_";
type NameChar = NameStart | DigitChar;
type AllDigits<T extends string> = T extends `${DigitChar}${infer R}` ? (R extends "" ? true : AllDigits<R>) : false;
type AllNameChars<T extends string> = T extends "" ? true : T extends `${NameChar}${infer R}` ? AllNameChars<R> : false;
/** One token: a size literal (no leading zeros), a name, or `{ bad: token }`. */
type ParseToken<T extends string> = AllDigits<T> extends true
  ? T extends `0${string}` ? (T extends "0" ? 0 : { bad: T }) : T extends `${infer N extends number}` ? (`${N}` extends T ? N : { bad: T }) : { bad: T }
  : T extends `${NameStart}${infer R}` ? (AllNameChars<R> extends true ? T : { bad: T }) : { bad: T };
type WS = " " | "\t" | "\n";
/** Splits on spaces (template specs such as `${number} 8` included: a `${number}` token is the dim `number`). */
type Parse<S extends string, Acc extends Dim[] = []> = S extends ` ${infer R}`
  ? Parse<R, Acc>
  : S extends `${infer H} ${infer R}`
    ? ParseTok<H> extends infer D ? (D extends Dim ? Parse<R, [...Acc, D]> : D) : never
    : S extends "" ? Acc : ParseTok<S> extends infer D ? (D extends Dim ? [...Acc, D] : D) : never;
type ParseTok<T extends string> = `${number}` extends T ? number : ParseToken<T>;
/** The parse of a spec, `{ bad: token }`, or `{ rank: n }` above the cap (the run-time parser's messages, see `parseShape`). */
type ParseR<S extends string> = Parse<S> extends infer P ? (P extends Dim[] ? (P["length"] extends RankOk ? P : { rank: P["length"] }) : P) : never;
type SpecMsg<S extends string, Op extends string, P> = P extends { bad: infer T extends string }
  ? `${Op}: '${T}' in '${S}' is neither a size nor a dim name`
  : P extends { rank: infer N extends number } ? `${Op}: rank ${N} exceeds the maximum rank ${MaxRank} in '${S}'` : never;

/**
 * Parses `"B 784"` into `["B", 784]` (`""` is `[]`); when a token is bad or the rank exceeds 8, the message
 * the run-time parser throws: `zeros: '7x' in '7x 3' is neither a size nor a dim name`.
 */
export type ParseShape<S extends string, Op extends string = "shape"> = string extends S ? Dim[] : ParseR<S> extends infer P ? (P extends Dim[] ? P : SpecMsg<S, Op, P>) : never;
/** The parsed shape of a spec (`never` when the spec does not parse). */
export type ShapeOf<S extends string> = string extends S ? Dim[] : ParseR<S> extends infer R extends Shape ? R : never;
/** `never` if the spec parses, else the message naming `Op`. */
export type ShapeSpecError<S extends string, Op extends string = "shape"> = string extends S ? never : SpecMsg<S, Op, ParseR<S>>;
/** A shape-spec parameter: the spec itself, or the message when it does not parse. */
export type SpecArg<S extends string, Op extends string> = ErrorIf<ShapeSpecError<S, Op>, S>;
/** The names among a shape's dims (`never` when there are none). */
export type DimNames<S extends Shape> = S[number] extends infer D ? (D extends string ? (string extends D ? never : D) : never) : never;
/** Rest-parameter type giving sizes to named dims: `[]` without names, else `[sizes: { B: number, … }]`. */
export type SizesArg<S extends Shape> = [DimNames<S>] extends [never] ? [] : [sizes: { readonly [K in DimNames<S>]: number }];

// ---------------------------------------------------------------------------------------------
// Broadcasting

/** The broadcast of two dims, or `{ err }`. */
type BDim<X, Y> = Same<X, Y> extends true
  ? { d: X }
  : Same<X, 1> extends true ? { d: Y }
  : Same<Y, 1> extends true ? { d: X }
  : IsLit<X> extends true ? (IsLit<Y> extends true ? { err: true } : { d: X })
  : IsLit<Y> extends true ? { d: Y }
  : { d: number };
/** Right-aligned broadcasting, walking from the last dim: `{ ok: shape }` or `{ err: message }`. */
type Bcast<A extends Shape, B extends Shape, P extends string, Acc extends Dim[] = [], I extends unknown[] = [unknown]> = A extends readonly [...infer AR extends Shape, infer X]
  ? B extends readonly [...infer BR extends Shape, infer Y]
    ? BDim<X, Y> extends { d: infer D extends Dim }
      ? Bcast<AR, BR, P, [D, ...Acc], [...I, unknown]>
      : { err: `${P} ${DimStr<X>} and ${DimStr<Y>} at axis -${I["length"]} are incompatible` }
    : { ok: [...A, ...Acc] }
  : { ok: [...B, ...Acc] };
type BcastR<A extends Shape, B extends Shape, P extends string> = IsTuple<A> extends true ? (IsTuple<B> extends true ? Bcast<A, B, P> : { ok: Dim[] }) : { ok: Dim[] };

/**
 * NumPy broadcasting of two shapes (a name against 1 gives the name, against a size > 1 the size). A scalar
 * shape `[]` on either side gives the other shape even when that one is a type parameter, so a helper generic
 * over a whole shape can still add a number.
 */
export type BroadcastShape<A extends Shape, B extends Shape> = [B] extends [readonly []]
  ? (IsAny<B> extends true ? any : A)
  : [A] extends [readonly []] ? (IsAny<A> extends true ? any : B)
  : IsAny<A | B> extends true ? any : BcastR<A, B, "broadcast: dims"> extends { ok: infer S extends Shape } ? S : Dim[];
/** `never`, or why two shapes do not broadcast: `broadcast: dims 3 and 4 at axis -1 are incompatible`. */
export type BroadcastError<A extends Shape, B extends Shape> = [A] extends [readonly []]
  ? never
  : [B] extends [readonly []] ? never : BcastR<A, B, "broadcast: dims"> extends { err: infer M } ? M : never;

// ---------------------------------------------------------------------------------------------
// Matmul

type MatmulR<A extends Shape, B extends Shape> = IsTuple<A> extends false
  ? { ok: Dim[] }
  : IsTuple<B> extends false ? { ok: Dim[] }
  : A extends readonly [] ? { err: "matmul: operands must have rank ≥ 1" }
  : B extends readonly [] ? { err: "matmul: operands must have rank ≥ 1" }
  : A extends readonly [...infer AB extends Shape, infer K1]
    ? B extends readonly [infer K2]
      ? Cmp<K1, K2> extends "ne" ? InnerMsg<K1, K2> : { ok: Mut<AB> }
      : B extends readonly [...infer BB extends Shape, infer K2, infer N extends Dim]
        ? Cmp<K1, K2> extends "ne"
          ? InnerMsg<K1, K2>
          : AB extends readonly [...infer AB2 extends Shape, infer M extends Dim]
            ? Bcast<AB2, BB, "matmul: batch dims"> extends infer R
              ? R extends { ok: infer S extends Shape } ? { ok: [...S, M, N] } : R
              : never
            : { ok: [...Mut<BB>, N] }
        : never
    : never;
type InnerMsg<X, Y> = { err: `matmul: inner dimensions ${DimStr<X>} and ${DimStr<Y>} differ` };

/** NumPy matmul's result shape (rank ≥ 1 each; rank-1 operands lose their dim; batch dims broadcast). */
export type MatmulShape<A extends Shape, B extends Shape> = IsAny<A | B> extends true ? any : MatmulR<A, B> extends { ok: infer S extends Shape } ? S : Dim[];
/** `never`, or why two shapes cannot be multiplied: `matmul: inner dimensions 784 and 785 differ`. */
export type MatmulError<A extends Shape, B extends Shape> = MatmulR<A, B> extends { err: infer M } ? M : never;

// ---------------------------------------------------------------------------------------------
// Exact decimal arithmetic on little-endian digit strings ("487" is 784), every loop tail-recursive.

type Rev<S extends string, Acc extends string = ""> = S extends `${infer H}${infer R}` ? Rev<R, `${H}${Acc}`> : Acc;
/** The little-endian digits of a size literal. */
type Digits<N extends number> = Rev<`${N}`>;
/** A · d for one digit d. */
type MulDigit<A extends string, D extends string, C extends string = "0", Out extends string = ""> = A extends `${infer H}${infer R}`
  ? `${H}${D}${C}` extends infer Key extends keyof MulTab ? MulTab[Key] extends [infer Dg extends string, infer Cy extends string] ? MulDigit<R, D, Cy, `${Out}${Dg}`> : never : never
  : C extends "0" ? Out : `${Out}${C}`;
/** A + B. */
type AddS<A extends string, B extends string, C extends string = "0", Out extends string = ""> = A extends `${infer a}${infer ar}`
  ? B extends `${infer b}${infer br}`
    ? `${a}${b}${C}` extends infer Key extends keyof AddTab ? AddTab[Key] extends [infer Dg extends string, infer Cy extends string] ? AddS<ar, br, Cy, `${Out}${Dg}`> : never : never
    : `${a}0${C}` extends infer Key extends keyof AddTab ? AddTab[Key] extends [infer Dg extends string, infer Cy extends string] ? AddS<ar, "", Cy, `${Out}${Dg}`> : never : never
  : B extends `${infer b}${infer br}`
    ? `0${b}${C}` extends infer Key extends keyof AddTab ? AddTab[Key] extends [infer Dg extends string, infer Cy extends string] ? AddS<"", br, Cy, `${Out}${Dg}`> : never : never
    : C extends "1" ? `${Out}1` : Out;
/** A · B (A, B without high zeros; "0" for zero). */
type MulS<A extends string, B extends string> = A extends "0" ? "0" : B extends "0" ? "0" : MulLoop<A, B, "", "">;
type MulLoop<A extends string, B extends string, Shift extends string, Acc extends string> = B extends `${infer b}${infer br}`
  ? b extends "0" ? MulLoop<A, br, `${Shift}0`, Acc> : MulDigit<A, b> extends infer P extends string ? (AddS<Acc, `${Shift}${P}`> extends infer Q extends string ? MulLoop<A, br, `${Shift}0`, Q> : never) : never
  : Acc;
/** The product of a tuple of size literals, little-endian. */
type ProdS<S extends readonly number[], Acc extends string = "1"> = S extends readonly [infer H extends number, ...infer R extends readonly number[]]
  ? Digits<H> extends infer D extends string ? (MulS<Acc, D> extends infer P extends string ? ProdS<R, P> : never) : never
  : Acc;
/** The sum of a tuple of size literals, little-endian. */
type SumS<S extends readonly number[], Acc extends string = "0"> = S extends readonly [infer H extends number, ...infer R extends readonly number[]]
  ? Digits<H> extends infer D extends string ? (AddS<Acc, D> extends infer P extends string ? SumS<R, P> : never) : never
  : Acc;
/** A little-endian digit string as a number literal when exactly representable, else `number`. */
type ToNum<S extends string> = Rev<S> extends infer F extends string ? (F extends `${infer N extends number}` ? (`${N}` extends F ? N : number) : number) : never;

// ---------------------------------------------------------------------------------------------
// Reshape

/** Removes the first dim of S identical to X: `{ hit: rest }` or `{ miss: true }`. */
type RemoveSame<S extends Shape, X, Acc extends Dim[] = []> = S extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? Same<H, X> extends true ? { hit: [...Acc, ...R] } : RemoveSame<R, X, [...Acc, H]>
  : { miss: true };
/** Cancels dims common to both sides (equal sizes, equal names): [fromRest, toRest]. Common leading and
 * trailing dims go first, so a generic dim kept in place is never compared with anything but itself. */
type Cancel<F extends Shape, T extends Shape> = TrimEnds<F, T> extends [infer F2 extends Shape, infer T2 extends Shape] ? CancelAny<F2, T2> : never;
type TrimEnds<F extends Shape, T extends Shape> = F extends readonly [infer a, ...infer fr extends Shape]
  ? T extends readonly [infer b, ...infer tr extends Shape] ? (Same<a, b> extends true ? TrimEnds<fr, tr> : TrimTail<F, T>) : [F, T]
  : [F, T];
type TrimTail<F extends Shape, T extends Shape> = F extends readonly [...infer fr extends Shape, infer a]
  ? T extends readonly [...infer tr extends Shape, infer b] ? (Same<a, b> extends true ? TrimTail<fr, tr> : [F, T]) : [F, T]
  : [F, T];
type CancelAny<F extends Shape, T extends Shape, FAcc extends Dim[] = []> = F extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? RemoveSame<T, H> extends { hit: infer T2 extends Shape } ? CancelAny<R, T2, FAcc> : CancelAny<R, T, [...FAcc, H]>
  : [FAcc, T];
/** True when a dim is the literal 0 (cancelling common dims is then not enough: 0 absorbs everything). */
type HasZero<S extends Shape> = S extends readonly [infer H, ...infer R extends Shape] ? (Same<H, 0> extends true ? true : HasZero<R>) : false;
type ZeroCase<F extends Shape, T extends Shape> = [F, T] extends [infer FN extends readonly number[], infer TN extends readonly number[]]
  ? AllLit<F> extends true ? AllLit<T> extends true ? ProdS<FN> extends ProdS<TN> ? never
    : `reshape: cannot reshape ${ShapeStr<F>} (${ElemStr<F>}) into ${ShapeStr<T>} (${ElemStr<T>})` : never : never
  : never;
/** True when every dim is a size literal. */
type AllLit<S extends Shape> = S extends readonly [infer H, ...infer R extends Shape] ? (IsLit<H> extends true ? AllLit<R> : false) : true;
/** Literal and other dims of a shape. */
type Lits<S extends Shape, Acc extends number[] = []> = S extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? (IsLit<H> extends true ? [...Acc, H & number] : Acc) extends infer A extends number[] ? Lits<R, A> : never
  : Acc;
type NonLits<S extends Shape, Acc extends string = ""> = S extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? (IsLit<H> extends true ? Acc : DimStr<H> extends infer T extends string ? `${Acc}${T}×` : never) extends infer A extends string ? NonLits<R, A> : never
  : Acc;
/** "784 elements", or "B×784 elements" when names are involved. */
type ElemStr<S extends Shape> = AsString<ElemStrR<S>>;
type ElemStrR<S extends Shape> = Lits<S> extends infer Ls extends number[] ? ProdS<Ls> extends infer P extends string ? (Rev<P> extends infer N extends string ? (NonLits<S> extends infer L extends string ? `${L}${N} elements` : never) : never) : never : never;
type ReshapeR<F extends Shape, T extends Shape> = Cancel<F, T> extends [infer FR extends Shape, infer TR extends Shape]
  ? AllLit<FR> extends true
    ? AllLit<TR> extends true
      ? [FR, TR] extends [infer FN extends readonly number[], infer TN extends readonly number[]]
        ? ProdS<FN> extends ProdS<TN> ? never : HasZero<F> extends true ? ZeroCase<F, T> : HasZero<T> extends true ? ZeroCase<F, T> : `reshape: cannot reshape ${ShapeStr<F>} (${ElemStr<F>}) into ${ShapeStr<T>} (${ElemStr<T>})`
        : never
      : never
    : never
  : never;

/**
 * `never`, or why `From` cannot be reshaped into `To`:
 * `reshape: cannot reshape [28, 28] (784 elements) into [785] (785 elements)`. Provable only when the dims
 * left after cancelling those common to both sides are all literal sizes; products are exact.
 */
export type ReshapeError<From extends Shape, To extends Shape> = IsTuple<From> extends true ? (IsTuple<To> extends true ? ReshapeR<From, To> : never) : never;
/** `a·d + c` for digits a, d and carry c (key "adc") → [digit, carry]. */
type MulTab = {
  "000":["0","0"]; "001":["1","0"]; "002":["2","0"]; "003":["3","0"]; "004":["4","0"]; "005":["5","0"]; "006":["6","0"]; "007":["7","0"]; "008":["8","0"]; "009":["9","0"];
  "010":["0","0"]; "011":["1","0"]; "012":["2","0"]; "013":["3","0"]; "014":["4","0"]; "015":["5","0"]; "016":["6","0"]; "017":["7","0"]; "018":["8","0"]; "019":["9","0"];
  "020":["0","0"]; "021":["1","0"]; "022":["2","0"]; "023":["3","0"]; "024":["4","0"]; "025":["5","0"]; "026":["6","0"]; "027":["7","0"]; "028":["8","0"]; "029":["9","0"];
  "030":["0","0"]; "031":["1","0"]; "032":["2","0"]; "033":["3","0"]; "034":["4","0"]; "035":["5","0"]; "036":["6","0"]; "037":["7","0"]; "038":["8","0"]; "039":["9","0"];
  "040":["0","0"]; "041":["1","0"]; "042":["2","0"]; "043":["3","0"]; "044":["4","0"]; "045":["5","0"]; "046":["6","0"]; "047":["7","0"]; "048":["8","0"]; "049":["9","0"];
  "050":["0","0"]; "051":["1","0"]; "052":["2","0"]; "053":["3","0"]; "054":["4","0"]; "055":["5","0"]; "056":["6","0"]; "057":["7","0"]; "058":["8","0"]; "059":["9","0"];
  "060":["0","0"]; "061":["1","0"]; "062":["2","0"]; "063":["3","0"]; "064":["4","0"]; "065":["5","0"]; "066":["6","0"]; "067":["7","0"]; "068":["8","0"]; "069":["9","0"];
  "070":["0","0"]; "071":["1","0"]; "072":["2","0"]; "073":["3","0"]; "074":["4","0"]; "075":["5","0"]; "076":["6","0"]; "077":["7","0"]; "078":["8","0"]; "079":["9","0"];
  "080":["0","0"]; "081":["1","0"]; "082":["2","0"]; "083":["3","0"]; "084":["4","0"]; "085":["5","0"]; "086":["6","0"]; "087":["7","0"]; "088":["8","0"]; "089":["9","0"];
  "090":["0","0"]; "091":["1","0"]; "092":["2","0"]; "093":["3","0"]; "094":["4","0"]; "095":["5","0"]; "096":["6","0"]; "097":["7","0"]; "098":["8","0"]; "099":["9","0"];
  "100":["0","0"]; "101":["1","0"]; "102":["2","0"]; "103":["3","0"]; "104":["4","0"]; "105":["5","0"]; "106":["6","0"]; "107":["7","0"]; "108":["8","0"]; "109":["9","0"];
  "110":["1","0"]; "111":["2","0"]; "112":["3","0"]; "113":["4","0"]; "114":["5","0"]; "115":["6","0"]; "116":["7","0"]; "117":["8","0"]; "118":["9","0"]; "119":["0","1"];
  "120":["2","0"]; "121":["3","0"]; "122":["4","0"]; "123":["5","0"]; "124":["6","0"]; "125":["7","0"]; "126":["8","0"]; "127":["9","0"]; "128":["0","1"]; "129":["1","1"];
  "130":["3","0"]; "131":["4","0"]; "132":["5","0"]; "133":["6","0"]; "134":["7","0"]; "135":["8","0"]; "136":["9","0"]; "137":["0","1"]; "138":["1","1"]; "139":["2","1"];
  "140":["4","0"]; "141":["5","0"]; "142":["6","0"]; "143":["7","0"]; "144":["8","0"]; "145":["9","0"]; "146":["0","1"]; "147":["1","1"]; "148":["2","1"]; "149":["3","1"];
  "150":["5","0"]; "151":["6","0"]; "152":["7","0"]; "153":["8","0"]; "154":["9","0"]; "155":["0","1"]; "156":["1","1"]; "157":["2","1"]; "158":["3","1"]; "159":["4","1"];
  "160":["6","0"]; "161":["7","0"]; "162":["8","0"]; "163":["9","0"]; "164":["0","1"]; "165":["1","1"]; "166":["2","1"]; "167":["3","1"]; "168":["4","1"]; "169":["5","1"];
  "170":["7","0"]; "171":["8","0"]; "172":["9","0"]; "173":["0","1"]; "174":["1","1"]; "175":["2","1"]; "176":["3","1"]; "177":["4","1"]; "178":["5","1"]; "179":["6","1"];
  "180":["8","0"]; "181":["9","0"]; "182":["0","1"]; "183":["1","1"]; "184":["2","1"]; "185":["3","1"]; "186":["4","1"]; "187":["5","1"]; "188":["6","1"]; "189":["7","1"];
  "190":["9","0"]; "191":["0","1"]; "192":["1","1"]; "193":["2","1"]; "194":["3","1"]; "195":["4","1"]; "196":["5","1"]; "197":["6","1"]; "198":["7","1"]; "199":["8","1"];
  "200":["0","0"]; "201":["1","0"]; "202":["2","0"]; "203":["3","0"]; "204":["4","0"]; "205":["5","0"]; "206":["6","0"]; "207":["7","0"]; "208":["8","0"]; "209":["9","0"];
  "210":["2","0"]; "211":["3","0"]; "212":["4","0"]; "213":["5","0"]; "214":["6","0"]; "215":["7","0"]; "216":["8","0"]; "217":["9","0"]; "218":["0","1"]; "219":["1","1"];
  "220":["4","0"]; "221":["5","0"]; "222":["6","0"]; "223":["7","0"]; "224":["8","0"]; "225":["9","0"]; "226":["0","1"]; "227":["1","1"]; "228":["2","1"]; "229":["3","1"];
  "230":["6","0"]; "231":["7","0"]; "232":["8","0"]; "233":["9","0"]; "234":["0","1"]; "235":["1","1"]; "236":["2","1"]; "237":["3","1"]; "238":["4","1"]; "239":["5","1"];
  "240":["8","0"]; "241":["9","0"]; "242":["0","1"]; "243":["1","1"]; "244":["2","1"]; "245":["3","1"]; "246":["4","1"]; "247":["5","1"]; "248":["6","1"]; "249":["7","1"];
  "250":["0","1"]; "251":["1","1"]; "252":["2","1"]; "253":["3","1"]; "254":["4","1"]; "255":["5","1"]; "256":["6","1"]; "257":["7","1"]; "258":["8","1"]; "259":["9","1"];
  "260":["2","1"]; "261":["3","1"]; "262":["4","1"]; "263":["5","1"]; "264":["6","1"]; "265":["7","1"]; "266":["8","1"]; "267":["9","1"]; "268":["0","2"]; "269":["1","2"];
  "270":["4","1"]; "271":["5","1"]; "272":["6","1"]; "273":["7","1"]; "274":["8","1"]; "275":["9","1"]; "276":["0","2"]; "277":["1","2"]; "278":["2","2"]; "279":["3","2"];
  "280":["6","1"]; "281":["7","1"]; "282":["8","1"]; "283":["9","1"]; "284":["0","2"]; "285":["1","2"]; "286":["2","2"]; "287":["3","2"]; "288":["4","2"]; "289":["5","2"];
  "290":["8","1"]; "291":["9","1"]; "292":["0","2"]; "293":["1","2"]; "294":["2","2"]; "295":["3","2"]; "296":["4","2"]; "297":["5","2"]; "298":["6","2"]; "299":["7","2"];
  "300":["0","0"]; "301":["1","0"]; "302":["2","0"]; "303":["3","0"]; "304":["4","0"]; "305":["5","0"]; "306":["6","0"]; "307":["7","0"]; "308":["8","0"]; "309":["9","0"];
  "310":["3","0"]; "311":["4","0"]; "312":["5","0"]; "313":["6","0"]; "314":["7","0"]; "315":["8","0"]; "316":["9","0"]; "317":["0","1"]; "318":["1","1"]; "319":["2","1"];
  "320":["6","0"]; "321":["7","0"]; "322":["8","0"]; "323":["9","0"]; "324":["0","1"]; "325":["1","1"]; "326":["2","1"]; "327":["3","1"]; "328":["4","1"]; "329":["5","1"];
  "330":["9","0"]; "331":["0","1"]; "332":["1","1"]; "333":["2","1"]; "334":["3","1"]; "335":["4","1"]; "336":["5","1"]; "337":["6","1"]; "338":["7","1"]; "339":["8","1"];
  "340":["2","1"]; "341":["3","1"]; "342":["4","1"]; "343":["5","1"]; "344":["6","1"]; "345":["7","1"]; "346":["8","1"]; "347":["9","1"]; "348":["0","2"]; "349":["1","2"];
  "350":["5","1"]; "351":["6","1"]; "352":["7","1"]; "353":["8","1"]; "354":["9","1"]; "355":["0","2"]; "356":["1","2"]; "357":["2","2"]; "358":["3","2"]; "359":["4","2"];
  "360":["8","1"]; "361":["9","1"]; "362":["0","2"]; "363":["1","2"]; "364":["2","2"]; "365":["3","2"]; "366":["4","2"]; "367":["5","2"]; "368":["6","2"]; "369":["7","2"];
  "370":["1","2"]; "371":["2","2"]; "372":["3","2"]; "373":["4","2"]; "374":["5","2"]; "375":["6","2"]; "376":["7","2"]; "377":["8","2"]; "378":["9","2"]; "379":["0","3"];
  "380":["4","2"]; "381":["5","2"]; "382":["6","2"]; "383":["7","2"]; "384":["8","2"]; "385":["9","2"]; "386":["0","3"]; "387":["1","3"]; "388":["2","3"]; "389":["3","3"];
  "390":["7","2"]; "391":["8","2"]; "392":["9","2"]; "393":["0","3"]; "394":["1","3"]; "395":["2","3"]; "396":["3","3"]; "397":["4","3"]; "398":["5","3"]; "399":["6","3"];
  "400":["0","0"]; "401":["1","0"]; "402":["2","0"]; "403":["3","0"]; "404":["4","0"]; "405":["5","0"]; "406":["6","0"]; "407":["7","0"]; "408":["8","0"]; "409":["9","0"];
  "410":["4","0"]; "411":["5","0"]; "412":["6","0"]; "413":["7","0"]; "414":["8","0"]; "415":["9","0"]; "416":["0","1"]; "417":["1","1"]; "418":["2","1"]; "419":["3","1"];
  "420":["8","0"]; "421":["9","0"]; "422":["0","1"]; "423":["1","1"]; "424":["2","1"]; "425":["3","1"]; "426":["4","1"]; "427":["5","1"]; "428":["6","1"]; "429":["7","1"];
  "430":["2","1"]; "431":["3","1"]; "432":["4","1"]; "433":["5","1"]; "434":["6","1"]; "435":["7","1"]; "436":["8","1"]; "437":["9","1"]; "438":["0","2"]; "439":["1","2"];
  "440":["6","1"]; "441":["7","1"]; "442":["8","1"]; "443":["9","1"]; "444":["0","2"]; "445":["1","2"]; "446":["2","2"]; "447":["3","2"]; "448":["4","2"]; "449":["5","2"];
  "450":["0","2"]; "451":["1","2"]; "452":["2","2"]; "453":["3","2"]; "454":["4","2"]; "455":["5","2"]; "456":["6","2"]; "457":["7","2"]; "458":["8","2"]; "459":["9","2"];
  "460":["4","2"]; "461":["5","2"]; "462":["6","2"]; "463":["7","2"]; "464":["8","2"]; "465":["9","2"]; "466":["0","3"]; "467":["1","3"]; "468":["2","3"]; "469":["3","3"];
  "470":["8","2"]; "471":["9","2"]; "472":["0","3"]; "473":["1","3"]; "474":["2","3"]; "475":["3","3"]; "476":["4","3"]; "477":["5","3"]; "478":["6","3"]; "479":["7","3"];
  "480":["2","3"]; "481":["3","3"]; "482":["4","3"]; "483":["5","3"]; "484":["6","3"]; "485":["7","3"]; "486":["8","3"]; "487":["9","3"]; "488":["0","4"]; "489":["1","4"];
  "490":["6","3"]; "491":["7","3"]; "492":["8","3"]; "493":["9","3"]; "494":["0","4"]; "495":["1","4"]; "496":["2","4"]; "497":["3","4"]; "498":["4","4"]; "499":["5","4"];
  "500":["0","0"]; "501":["1","0"]; "502":["2","0"]; "503":["3","0"]; "504":["4","0"]; "505":["5","0"]; "506":["6","0"]; "507":["7","0"]; "508":["8","0"]; "509":["9","0"];
  "510":["5","0"]; "511":["6","0"]; "512":["7","0"]; "513":["8","0"]; "514":["9","0"]; "515":["0","1"]; "516":["1","1"]; "517":["2","1"]; "518":["3","1"]; "519":["4","1"];
  "520":["0","1"]; "521":["1","1"]; "522":["2","1"]; "523":["3","1"]; "524":["4","1"]; "525":["5","1"]; "526":["6","1"]; "527":["7","1"]; "528":["8","1"]; "529":["9","1"];
  "530":["5","1"]; "531":["6","1"]; "532":["7","1"]; "533":["8","1"]; "534":["9","1"]; "535":["0","2"]; "536":["1","2"]; "537":["2","2"]; "538":["3","2"]; "539":["4","2"];
  "540":["0","2"]; "541":["1","2"]; "542":["2","2"]; "543":["3","2"]; "544":["4","2"]; "545":["5","2"]; "546":["6","2"]; "547":["7","2"]; "548":["8","2"]; "549":["9","2"];
  "550":["5","2"]; "551":["6","2"]; "552":["7","2"]; "553":["8","2"]; "554":["9","2"]; "555":["0","3"]; "556":["1","3"]; "557":["2","3"]; "558":["3","3"]; "559":["4","3"];
  "560":["0","3"]; "561":["1","3"]; "562":["2","3"]; "563":["3","3"]; "564":["4","3"]; "565":["5","3"]; "566":["6","3"]; "567":["7","3"]; "568":["8","3"]; "569":["9","3"];
  "570":["5","3"]; "571":["6","3"]; "572":["7","3"]; "573":["8","3"]; "574":["9","3"]; "575":["0","4"]; "576":["1","4"]; "577":["2","4"]; "578":["3","4"]; "579":["4","4"];
  "580":["0","4"]; "581":["1","4"]; "582":["2","4"]; "583":["3","4"]; "584":["4","4"]; "585":["5","4"]; "586":["6","4"]; "587":["7","4"]; "588":["8","4"]; "589":["9","4"];
  "590":["5","4"]; "591":["6","4"]; "592":["7","4"]; "593":["8","4"]; "594":["9","4"]; "595":["0","5"]; "596":["1","5"]; "597":["2","5"]; "598":["3","5"]; "599":["4","5"];
  "600":["0","0"]; "601":["1","0"]; "602":["2","0"]; "603":["3","0"]; "604":["4","0"]; "605":["5","0"]; "606":["6","0"]; "607":["7","0"]; "608":["8","0"]; "609":["9","0"];
  "610":["6","0"]; "611":["7","0"]; "612":["8","0"]; "613":["9","0"]; "614":["0","1"]; "615":["1","1"]; "616":["2","1"]; "617":["3","1"]; "618":["4","1"]; "619":["5","1"];
  "620":["2","1"]; "621":["3","1"]; "622":["4","1"]; "623":["5","1"]; "624":["6","1"]; "625":["7","1"]; "626":["8","1"]; "627":["9","1"]; "628":["0","2"]; "629":["1","2"];
  "630":["8","1"]; "631":["9","1"]; "632":["0","2"]; "633":["1","2"]; "634":["2","2"]; "635":["3","2"]; "636":["4","2"]; "637":["5","2"]; "638":["6","2"]; "639":["7","2"];
  "640":["4","2"]; "641":["5","2"]; "642":["6","2"]; "643":["7","2"]; "644":["8","2"]; "645":["9","2"]; "646":["0","3"]; "647":["1","3"]; "648":["2","3"]; "649":["3","3"];
  "650":["0","3"]; "651":["1","3"]; "652":["2","3"]; "653":["3","3"]; "654":["4","3"]; "655":["5","3"]; "656":["6","3"]; "657":["7","3"]; "658":["8","3"]; "659":["9","3"];
  "660":["6","3"]; "661":["7","3"]; "662":["8","3"]; "663":["9","3"]; "664":["0","4"]; "665":["1","4"]; "666":["2","4"]; "667":["3","4"]; "668":["4","4"]; "669":["5","4"];
  "670":["2","4"]; "671":["3","4"]; "672":["4","4"]; "673":["5","4"]; "674":["6","4"]; "675":["7","4"]; "676":["8","4"]; "677":["9","4"]; "678":["0","5"]; "679":["1","5"];
  "680":["8","4"]; "681":["9","4"]; "682":["0","5"]; "683":["1","5"]; "684":["2","5"]; "685":["3","5"]; "686":["4","5"]; "687":["5","5"]; "688":["6","5"]; "689":["7","5"];
  "690":["4","5"]; "691":["5","5"]; "692":["6","5"]; "693":["7","5"]; "694":["8","5"]; "695":["9","5"]; "696":["0","6"]; "697":["1","6"]; "698":["2","6"]; "699":["3","6"];
  "700":["0","0"]; "701":["1","0"]; "702":["2","0"]; "703":["3","0"]; "704":["4","0"]; "705":["5","0"]; "706":["6","0"]; "707":["7","0"]; "708":["8","0"]; "709":["9","0"];
  "710":["7","0"]; "711":["8","0"]; "712":["9","0"]; "713":["0","1"]; "714":["1","1"]; "715":["2","1"]; "716":["3","1"]; "717":["4","1"]; "718":["5","1"]; "719":["6","1"];
  "720":["4","1"]; "721":["5","1"]; "722":["6","1"]; "723":["7","1"]; "724":["8","1"]; "725":["9","1"]; "726":["0","2"]; "727":["1","2"]; "728":["2","2"]; "729":["3","2"];
  "730":["1","2"]; "731":["2","2"]; "732":["3","2"]; "733":["4","2"]; "734":["5","2"]; "735":["6","2"]; "736":["7","2"]; "737":["8","2"]; "738":["9","2"]; "739":["0","3"];
  "740":["8","2"]; "741":["9","2"]; "742":["0","3"]; "743":["1","3"]; "744":["2","3"]; "745":["3","3"]; "746":["4","3"]; "747":["5","3"]; "748":["6","3"]; "749":["7","3"];
  "750":["5","3"]; "751":["6","3"]; "752":["7","3"]; "753":["8","3"]; "754":["9","3"]; "755":["0","4"]; "756":["1","4"]; "757":["2","4"]; "758":["3","4"]; "759":["4","4"];
  "760":["2","4"]; "761":["3","4"]; "762":["4","4"]; "763":["5","4"]; "764":["6","4"]; "765":["7","4"]; "766":["8","4"]; "767":["9","4"]; "768":["0","5"]; "769":["1","5"];
  "770":["9","4"]; "771":["0","5"]; "772":["1","5"]; "773":["2","5"]; "774":["3","5"]; "775":["4","5"]; "776":["5","5"]; "777":["6","5"]; "778":["7","5"]; "779":["8","5"];
  "780":["6","5"]; "781":["7","5"]; "782":["8","5"]; "783":["9","5"]; "784":["0","6"]; "785":["1","6"]; "786":["2","6"]; "787":["3","6"]; "788":["4","6"]; "789":["5","6"];
  "790":["3","6"]; "791":["4","6"]; "792":["5","6"]; "793":["6","6"]; "794":["7","6"]; "795":["8","6"]; "796":["9","6"]; "797":["0","7"]; "798":["1","7"]; "799":["2","7"];
  "800":["0","0"]; "801":["1","0"]; "802":["2","0"]; "803":["3","0"]; "804":["4","0"]; "805":["5","0"]; "806":["6","0"]; "807":["7","0"]; "808":["8","0"]; "809":["9","0"];
  "810":["8","0"]; "811":["9","0"]; "812":["0","1"]; "813":["1","1"]; "814":["2","1"]; "815":["3","1"]; "816":["4","1"]; "817":["5","1"]; "818":["6","1"]; "819":["7","1"];
  "820":["6","1"]; "821":["7","1"]; "822":["8","1"]; "823":["9","1"]; "824":["0","2"]; "825":["1","2"]; "826":["2","2"]; "827":["3","2"]; "828":["4","2"]; "829":["5","2"];
  "830":["4","2"]; "831":["5","2"]; "832":["6","2"]; "833":["7","2"]; "834":["8","2"]; "835":["9","2"]; "836":["0","3"]; "837":["1","3"]; "838":["2","3"]; "839":["3","3"];
  "840":["2","3"]; "841":["3","3"]; "842":["4","3"]; "843":["5","3"]; "844":["6","3"]; "845":["7","3"]; "846":["8","3"]; "847":["9","3"]; "848":["0","4"]; "849":["1","4"];
  "850":["0","4"]; "851":["1","4"]; "852":["2","4"]; "853":["3","4"]; "854":["4","4"]; "855":["5","4"]; "856":["6","4"]; "857":["7","4"]; "858":["8","4"]; "859":["9","4"];
  "860":["8","4"]; "861":["9","4"]; "862":["0","5"]; "863":["1","5"]; "864":["2","5"]; "865":["3","5"]; "866":["4","5"]; "867":["5","5"]; "868":["6","5"]; "869":["7","5"];
  "870":["6","5"]; "871":["7","5"]; "872":["8","5"]; "873":["9","5"]; "874":["0","6"]; "875":["1","6"]; "876":["2","6"]; "877":["3","6"]; "878":["4","6"]; "879":["5","6"];
  "880":["4","6"]; "881":["5","6"]; "882":["6","6"]; "883":["7","6"]; "884":["8","6"]; "885":["9","6"]; "886":["0","7"]; "887":["1","7"]; "888":["2","7"]; "889":["3","7"];
  "890":["2","7"]; "891":["3","7"]; "892":["4","7"]; "893":["5","7"]; "894":["6","7"]; "895":["7","7"]; "896":["8","7"]; "897":["9","7"]; "898":["0","8"]; "899":["1","8"];
  "900":["0","0"]; "901":["1","0"]; "902":["2","0"]; "903":["3","0"]; "904":["4","0"]; "905":["5","0"]; "906":["6","0"]; "907":["7","0"]; "908":["8","0"]; "909":["9","0"];
  "910":["9","0"]; "911":["0","1"]; "912":["1","1"]; "913":["2","1"]; "914":["3","1"]; "915":["4","1"]; "916":["5","1"]; "917":["6","1"]; "918":["7","1"]; "919":["8","1"];
  "920":["8","1"]; "921":["9","1"]; "922":["0","2"]; "923":["1","2"]; "924":["2","2"]; "925":["3","2"]; "926":["4","2"]; "927":["5","2"]; "928":["6","2"]; "929":["7","2"];
  "930":["7","2"]; "931":["8","2"]; "932":["9","2"]; "933":["0","3"]; "934":["1","3"]; "935":["2","3"]; "936":["3","3"]; "937":["4","3"]; "938":["5","3"]; "939":["6","3"];
  "940":["6","3"]; "941":["7","3"]; "942":["8","3"]; "943":["9","3"]; "944":["0","4"]; "945":["1","4"]; "946":["2","4"]; "947":["3","4"]; "948":["4","4"]; "949":["5","4"];
  "950":["5","4"]; "951":["6","4"]; "952":["7","4"]; "953":["8","4"]; "954":["9","4"]; "955":["0","5"]; "956":["1","5"]; "957":["2","5"]; "958":["3","5"]; "959":["4","5"];
  "960":["4","5"]; "961":["5","5"]; "962":["6","5"]; "963":["7","5"]; "964":["8","5"]; "965":["9","5"]; "966":["0","6"]; "967":["1","6"]; "968":["2","6"]; "969":["3","6"];
  "970":["3","6"]; "971":["4","6"]; "972":["5","6"]; "973":["6","6"]; "974":["7","6"]; "975":["8","6"]; "976":["9","6"]; "977":["0","7"]; "978":["1","7"]; "979":["2","7"];
  "980":["2","7"]; "981":["3","7"]; "982":["4","7"]; "983":["5","7"]; "984":["6","7"]; "985":["7","7"]; "986":["8","7"]; "987":["9","7"]; "988":["0","8"]; "989":["1","8"];
  "990":["1","8"]; "991":["2","8"]; "992":["3","8"]; "993":["4","8"]; "994":["5","8"]; "995":["6","8"]; "996":["7","8"]; "997":["8","8"]; "998":["9","8"];
};
/** `a + b + c` for digits a, b and carry c ∈ {0, 1} (key "abc") → [digit, carry]. */
type AddTab = {
  "000":["0","0"]; "001":["1","0"]; "010":["1","0"]; "011":["2","0"]; "020":["2","0"]; "021":["3","0"]; "030":["3","0"]; "031":["4","0"]; "040":["4","0"]; "041":["5","0"];
  "050":["5","0"]; "051":["6","0"]; "060":["6","0"]; "061":["7","0"]; "070":["7","0"]; "071":["8","0"]; "080":["8","0"]; "081":["9","0"]; "090":["9","0"]; "091":["0","1"];
  "100":["1","0"]; "101":["2","0"]; "110":["2","0"]; "111":["3","0"]; "120":["3","0"]; "121":["4","0"]; "130":["4","0"]; "131":["5","0"]; "140":["5","0"]; "141":["6","0"];
  "150":["6","0"]; "151":["7","0"]; "160":["7","0"]; "161":["8","0"]; "170":["8","0"]; "171":["9","0"]; "180":["9","0"]; "181":["0","1"]; "190":["0","1"]; "191":["1","1"];
  "200":["2","0"]; "201":["3","0"]; "210":["3","0"]; "211":["4","0"]; "220":["4","0"]; "221":["5","0"]; "230":["5","0"]; "231":["6","0"]; "240":["6","0"]; "241":["7","0"];
  "250":["7","0"]; "251":["8","0"]; "260":["8","0"]; "261":["9","0"]; "270":["9","0"]; "271":["0","1"]; "280":["0","1"]; "281":["1","1"]; "290":["1","1"]; "291":["2","1"];
  "300":["3","0"]; "301":["4","0"]; "310":["4","0"]; "311":["5","0"]; "320":["5","0"]; "321":["6","0"]; "330":["6","0"]; "331":["7","0"]; "340":["7","0"]; "341":["8","0"];
  "350":["8","0"]; "351":["9","0"]; "360":["9","0"]; "361":["0","1"]; "370":["0","1"]; "371":["1","1"]; "380":["1","1"]; "381":["2","1"]; "390":["2","1"]; "391":["3","1"];
  "400":["4","0"]; "401":["5","0"]; "410":["5","0"]; "411":["6","0"]; "420":["6","0"]; "421":["7","0"]; "430":["7","0"]; "431":["8","0"]; "440":["8","0"]; "441":["9","0"];
  "450":["9","0"]; "451":["0","1"]; "460":["0","1"]; "461":["1","1"]; "470":["1","1"]; "471":["2","1"]; "480":["2","1"]; "481":["3","1"]; "490":["3","1"]; "491":["4","1"];
  "500":["5","0"]; "501":["6","0"]; "510":["6","0"]; "511":["7","0"]; "520":["7","0"]; "521":["8","0"]; "530":["8","0"]; "531":["9","0"]; "540":["9","0"]; "541":["0","1"];
  "550":["0","1"]; "551":["1","1"]; "560":["1","1"]; "561":["2","1"]; "570":["2","1"]; "571":["3","1"]; "580":["3","1"]; "581":["4","1"]; "590":["4","1"]; "591":["5","1"];
  "600":["6","0"]; "601":["7","0"]; "610":["7","0"]; "611":["8","0"]; "620":["8","0"]; "621":["9","0"]; "630":["9","0"]; "631":["0","1"]; "640":["0","1"]; "641":["1","1"];
  "650":["1","1"]; "651":["2","1"]; "660":["2","1"]; "661":["3","1"]; "670":["3","1"]; "671":["4","1"]; "680":["4","1"]; "681":["5","1"]; "690":["5","1"]; "691":["6","1"];
  "700":["7","0"]; "701":["8","0"]; "710":["8","0"]; "711":["9","0"]; "720":["9","0"]; "721":["0","1"]; "730":["0","1"]; "731":["1","1"]; "740":["1","1"]; "741":["2","1"];
  "750":["2","1"]; "751":["3","1"]; "760":["3","1"]; "761":["4","1"]; "770":["4","1"]; "771":["5","1"]; "780":["5","1"]; "781":["6","1"]; "790":["6","1"]; "791":["7","1"];
  "800":["8","0"]; "801":["9","0"]; "810":["9","0"]; "811":["0","1"]; "820":["0","1"]; "821":["1","1"]; "830":["1","1"]; "831":["2","1"]; "840":["2","1"]; "841":["3","1"];
  "850":["3","1"]; "851":["4","1"]; "860":["4","1"]; "861":["5","1"]; "870":["5","1"]; "871":["6","1"]; "880":["6","1"]; "881":["7","1"]; "890":["7","1"]; "891":["8","1"];
  "900":["9","0"]; "901":["0","1"]; "910":["0","1"]; "911":["1","1"]; "920":["1","1"]; "921":["2","1"]; "930":["2","1"]; "931":["3","1"]; "940":["3","1"]; "941":["4","1"];
  "950":["4","1"]; "951":["5","1"]; "960":["5","1"]; "961":["6","1"]; "970":["6","1"]; "971":["7","1"]; "980":["7","1"]; "981":["8","1"]; "990":["8","1"]; "991":["9","1"];
};

// ---------------------------------------------------------------------------------------------
// Reductions and axes

type AxesTuple<Ax> = Ax extends readonly number[] ? Ax : Ax extends number ? [Ax] : [];
/** Normalized axes: `{ ok: union of indices }`, `{ err: message }` or `{ wide: true }` when not known. */
type NormAxes<Ax extends readonly number[], R extends number, Op extends string, Seen = never> = Ax extends readonly [infer A extends number, ...infer Rest extends readonly number[]]
  ? NormAxis<A, R> extends infer N
    ? N extends { ok: infer I extends number }
      ? [I] extends [Seen] ? { err: `${Op}: axis ${A} is repeated` } : NormAxes<Rest, R, Op, Seen | I>
      : N extends { bad: true } ? { err: AxisRangeMsg<Op, A, R> } : { wide: true }
    : never
  : IsTuple<Ax> extends true ? { ok: Seen } : { wide: true };
type AxesR<S extends Shape, Ax, Op extends string> = IsTuple<S> extends false
  ? { wide: true }
  : Ax extends undefined ? { ok: number } : NormAxes<AxesTuple<Ax>, S["length"], Op>;
/** Shape after reducing `Axes` (all when undefined, negative allowed); `keepDims` leaves 1 in place. */
export type ReduceShape<S extends Shape, Axes extends number | readonly number[] | undefined, KeepDims extends boolean> = IsAny<S> extends true ? any : boolean extends KeepDims
  ? Dim[]
  : AxesR<S, Axes, "reduce"> extends { ok: infer I } ? Reduce<S, I, KeepDims> : Dim[];
type Reduce<S extends Shape, I, K extends boolean, Acc extends Dim[] = [], N extends unknown[] = []> = S extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? N["length"] extends I
    ? (K extends true ? [...Acc, 1] : Acc) extends infer A extends Dim[] ? Reduce<R, I, K, A, [...N, unknown]> : never
    : Reduce<R, I, K, [...Acc, H], [...N, unknown]>
  : Acc;
/** `never`, or `${Op}: axis 2 is out of range for rank 2` (also repeated axes). */
export type AxesError<S extends Shape, Axes extends number | readonly number[] | undefined, Op extends string> = AxesR<S, Axes, Op> extends { err: infer M } ? M : never;

// ---------------------------------------------------------------------------------------------
// Permute, transpose, squeeze, expandDims, flatten

type PermR<S extends Shape, P extends readonly number[]> = IsTuple<S> extends false
  ? { wide: true }
  : IsTuple<P> extends false ? { wide: true }
  : P["length"] extends S["length"]
    ? NormAxes<P, S["length"], "permute"> extends infer N
      ? N extends { err: infer M extends string } ? { err: M extends `${string}is repeated` ? M extends `permute: axis ${infer A} is repeated` ? `permute: axis ${A} appears twice` : M : M } : N
      : never
    : { err: `permute: got ${P["length"]} axes for rank ${S["length"]}` };
type PickDims<S extends Shape, P extends readonly number[], R extends number, Acc extends Dim[] = []> = P extends readonly [infer A extends number, ...infer Rest extends readonly number[]]
  ? NormAxis<A, R> extends { ok: infer I extends number } ? PickDims<S, Rest, R, [...Acc, S[I]]> : PickDims<S, Rest, R, [...Acc, number]>
  : Acc;
/** Shape after permuting dims: output dim i is input dim `Perm[i]` (negative allowed). */
export type PermuteShape<S extends Shape, Perm extends readonly number[]> = AsShape<PermuteShapeR<S, Perm>>;
type PermuteShapeR<S extends Shape, Perm extends readonly number[]> = PermR<S, Perm> extends { ok: unknown } ? PickDims<S, Perm, S["length"]> : Dim[];
/** `never`, or why `Perm` is not a permutation of S's axes. */
export type PermuteError<S extends Shape, Perm extends readonly number[]> = PermR<S, Perm> extends { err: infer M } ? M : never;

/** Shape with the last two dims swapped. */
export type TransposeShape<S extends Shape> = AsShape<TransposeShapeR<S>>;
type TransposeShapeR<S extends Shape> = S extends readonly [...infer R extends Shape, infer M extends Dim, infer N extends Dim] ? [...R, N, M] : Dim[];
/** `never`, or `transpose: needs rank ≥ 2, got rank 1`. */
export type TransposeError<S extends Shape> = IsTuple<S> extends false ? never : S extends readonly [Dim, Dim, ...Dim[]] ? never : `transpose: needs rank ≥ 2, got rank ${S["length"]}`;

type DropLitOnes<S extends Shape, Acc extends Dim[] = []> = S extends readonly [infer H extends Dim, ...infer R extends Shape]
  ? (Same<H, 1> extends true ? Acc : [...Acc, H]) extends infer A extends Dim[] ? DropLitOnes<R, A> : never
  : Acc;
type SqueezeR<S extends Shape, A> = IsTuple<S> extends false
  ? { wide: true }
  : [A] extends [undefined] ? { ok: DropLitOnes<S> }
  : A extends number
    ? NormAxis<A, S["length"]> extends infer N
      ? N extends { ok: infer I extends number }
        ? Cmp<S[I], 1> extends "ne" ? { err: `squeeze: dim ${I} has size ${DimStr<S[I]>}, not 1` } : { ok: ReplaceAt<S, I, []> }
        : N extends { bad: true } ? { err: AxisRangeMsg<"squeeze", A, S["length"]> } : { wide: true }
      : never
    : { wide: true };
/** Shape after squeezing the dim at `Axis`, or all literal-1 dims when undefined. */
export type SqueezeShape<S extends Shape, Axis extends number | undefined> = SqueezeR<S, Axis> extends { ok: infer R extends Shape } ? R : Dim[];
/** `never`, or why the squeeze is impossible (the dim is provably not 1, or the axis is out of range). */
export type SqueezeError<S extends Shape, Axis extends number | undefined> = SqueezeR<S, Axis> extends { err: infer M } ? M : never;

/** Shape with a 1 inserted at `Axis` of the result (negative counts from the end: -1 appends). */
export type ExpandDimsShape<S extends Shape, Axis extends number> = AsShape<ExpandDimsShapeR<S, Axis>>;
type ExpandDimsShapeR<S extends Shape, Axis extends number> = IsTuple<S> extends false
  ? Dim[]
  : NormAxis<Axis, [...S, 1]["length"]> extends { ok: infer I extends number } ? InsertAt<S, I, [1]> : Dim[];

/** Product of dims as a dim: exact literal when all are sizes, the dim itself when alone, else `number`. */
type ProdDim<S extends Shape> = S extends readonly [infer X extends Dim] ? X : AllLit<S> extends true ? (S extends readonly number[] ? (ProdS<S> extends infer P extends string ? ToNum<P> : never) : number) : number;
type SplitAt<S extends Shape, I extends number, Acc extends Dim[] = []> = Acc["length"] extends I
  ? [Acc, S]
  : S extends readonly [infer H extends Dim, ...infer R extends Shape] ? SplitAt<R, I, [...Acc, H]> : [Acc, []];
/** Shape after merging dims `Start..End` (inclusive, negative from the end) into one. */
export type FlattenShape<S extends Shape, Start extends number, End extends number> = AsShape<FlattenShapeR<S, Start, End>>;
type FlattenShapeR<S extends Shape, Start extends number, End extends number> = IsTuple<S> extends false
  ? Dim[]
  : S extends readonly [] ? [1]
  : NormAxis<Start, S["length"]> extends { ok: infer A extends number }
    ? NormAxis<End, S["length"]> extends { ok: infer E extends number }
      ? SplitAt<S, [...Tup<E>, unknown]["length"] & number> extends [infer Upto extends Shape, infer Post extends Shape]
        ? SplitAt<Upto, A> extends [infer Pre extends Shape, infer Mid extends Shape]
          ? Mid extends readonly [] ? Dim[] : [...Pre, ProdDim<Mid>, ...Post]
          : never
        : never
      : Dim[]
    : Dim[];

// ---------------------------------------------------------------------------------------------
// Concat, stack, take, slice, oneHot

/** Compares S with the first shape dim by dim (skipping axis Skip): unified dims or an error. */
type MatchDims<F extends Shape, S extends Shape, Skip extends number, Op extends string, K extends number, Acc extends Dim[] = []> = F extends readonly [infer X extends Dim, ...infer FR extends Shape]
  ? S extends readonly [infer Y extends Dim, ...infer SR extends Shape]
    ? Acc["length"] extends Skip
      ? MatchDims<FR, SR, Skip, Op, K, [...Acc, X]>
      : Cmp<X, Y> extends "ne"
        ? { err: `${Op}: dim ${Acc["length"]} is ${DimStr<X>} in operand 0 but ${DimStr<Y>} in operand ${K}` }
        : MatchDims<FR, SR, Skip, Op, K, [...Acc, Unify<X, Y>]>
    : never
  : { ok: Acc };
/** Walks the operands: `{ ok: unified first shape, along: dims at the axis }` or `{ err }`. */
type JoinR<Ss extends readonly Shape[], Skip extends number, Op extends string, First extends Shape, Along extends Dim[] = [], K extends unknown[] = []> = Ss extends readonly [infer S extends Shape, ...infer R extends readonly Shape[]]
  ? IsTuple<S> extends false
    ? { wide: true }
    : S["length"] extends First["length"]
      ? MatchDims<First, S, Skip, Op, K["length"]> extends infer M
        ? M extends { ok: infer U extends Shape } ? JoinR<R, Skip, Op, U, [...Along, S[Skip]], [...K, unknown]> : M
        : never
      : { err: `${Op}: operand ${K["length"]} has rank ${S["length"]} but operand 0 has rank ${First["length"]}` }
  : { ok: First; along: Along };
type ConcatR<Ss extends readonly Shape[], A extends number> = IsTuple<Ss> extends false
  ? { wide: true }
  : Ss extends readonly [infer F extends Shape, ...readonly Shape[]]
    ? IsTuple<F> extends false
      ? { wide: true }
      : F extends readonly [] ? { err: "concat: operands must have rank ≥ 1" }
      : NormAxis<A, F["length"]> extends infer N
        ? N extends { ok: infer I extends number }
          ? JoinR<Ss, I, "concat", F> extends infer J
            ? J extends { ok: infer U extends Shape; along: infer L extends Shape } ? { ok: ReplaceAt<U, I, [SumDim<L>]> } : J
            : never
          : N extends { bad: true } ? { err: AxisRangeMsg<"concat", A, F["length"]> } : { wide: true }
        : never
    : { err: "concat: needs at least one tensor" };
type SumDim<L extends Shape> = L extends readonly [infer X extends Dim] ? X : AllLit<L> extends true ? (L extends readonly number[] ? (SumS<L> extends infer P extends string ? ToNum<P> : never) : number) : number;

/** Shape after concatenating along `Axis`: sizes add up when all are literals, else `number`. */
export type ConcatShape<Shapes extends readonly Shape[], Axis extends number> = ConcatR<Shapes, Axis> extends { ok: infer S extends Shape } ? S : Dim[];
/** `never`, or why the shapes cannot be concatenated (ranks differ, other dims provably differ, bad axis). */
export type ConcatError<Shapes extends readonly Shape[], Axis extends number> = ConcatR<Shapes, Axis> extends { err: infer M } ? M : never;

type StackR<Ss extends readonly Shape[], A extends number> = IsTuple<Ss> extends false
  ? { wide: true }
  : Ss extends readonly [infer F extends Shape, ...readonly Shape[]]
    ? IsTuple<F> extends false
      ? { wide: true }
      : NormAxis<A, [...F, 1]["length"]> extends infer N
        ? N extends { ok: infer I extends number }
          ? JoinR<Ss, -1, "stack", F> extends infer J
            ? J extends { ok: infer U extends Shape } ? { ok: InsertAt<U, I, [Ss["length"]]> } : J
            : never
          : N extends { bad: true } ? { err: AxisRangeMsg<"stack", A, [...F, 1]["length"]> } : { wide: true }
        : never
    : { err: "stack: needs at least one tensor" };
/** Shape after stacking equal shapes along a new axis `Axis`. */
export type StackShape<Shapes extends readonly Shape[], Axis extends number> = StackR<Shapes, Axis> extends { ok: infer S extends Shape } ? S : Dim[];
/** `never`, or why the shapes cannot be stacked. */
export type StackError<Shapes extends readonly Shape[], Axis extends number> = StackR<Shapes, Axis> extends { err: infer M } ? M : never;

/** Gather along `Axis`: `S[:axis] ++ I ++ S[axis+1:]`. */
export type TakeShape<S extends Shape, I extends Shape, Axis extends number> = AsShape<TakeShapeR<S, I, Axis>>;
type TakeShapeR<S extends Shape, I extends Shape, Axis extends number> = IsTuple<S> extends false
  ? Dim[]
  : IsTuple<I> extends false ? Dim[]
  : NormAxis<Axis, S["length"]> extends { ok: infer A extends number } ? ReplaceAt<S, A, I> : Dim[];
/** The dim at `Axis` replaced with `Len`. */
export type SliceShape<S extends Shape, Axis extends number, Len extends number> = AsShape<SliceShapeR<S, Axis, Len>>;
type SliceShapeR<S extends Shape, Axis extends number, Len extends number> = IsTuple<S> extends false
  ? Dim[]
  : NormAxis<Axis, S["length"]> extends { ok: infer A extends number } ? ReplaceAt<S, A, [Len]> : Dim[];
/** Shape of a one-hot encoding: `[...S, N]`. */
export type OneHotShape<S extends Shape, N extends number> = [...S, N];

// ---------------------------------------------------------------------------------------------
// Einsum

type StripWS<S extends string, Acc extends string = ""> = S extends `${infer C}${infer R}` ? StripWS<R, C extends WS ? Acc : `${Acc}${C}`> : Acc;
type SplitComma<S extends string, Acc extends string[] = []> = S extends `${infer H},${infer R}` ? SplitComma<R, [...Acc, H]> : [...Acc, S];
type Chars<S extends string, Acc extends string[] = []> = S extends `${infer C}${infer R}` ? Chars<R, [...Acc, C]> : Acc;
/** Environment: letter → { d: dim, n: count of operands using it }. Kept as an object type. */
type Env = { readonly [L in string]?: { d: Dim; n: unknown[] } };
type Bind<E extends Env, L extends string, D extends Dim, K extends number> = E[L] extends { d: infer P extends Dim; n: infer C extends unknown[] }
  ? Cmp<P, D> extends "ne"
    ? { err: `einsum: index '${L}' is ${DimStr<P>} in an earlier operand but ${DimStr<D>} in operand ${K}` }
    : { ok: Omit<E, L> & { [_ in L]: { d: Unify<P, D>; n: [...C, unknown] } } }
  : { ok: E & { [_ in L]: { d: D; n: [unknown] } } };
type BindOperand<E extends Env, Ls extends string[], S extends Shape, K extends number, Seen extends string = never> = Ls extends [infer L extends string, ...infer R extends string[]]
  ? S extends readonly [infer D extends Dim, ...infer SR extends Shape]
    ? [L] extends [Seen]
      ? Join<Ls> extends infer J extends string ? { err: `einsum: repeated index within operand ${K} ('${J}') is not supported` } : never
      : Bind<E, L, D, K> extends infer B ? (B extends { ok: infer E2 extends Env } ? (Flat<E2> extends infer F extends Env ? BindOperand<F, R, SR, K, Seen | L> : never) : B) : never
    : never
  : { ok: E };
type Join<Ls extends string[], Acc extends string = ""> = Ls extends [infer H extends string, ...infer R extends string[]] ? Join<R, `${Acc}${H}`> : Acc;
type Flat<E> = { [K in keyof E]: E[K] };
type BindAll<Subs extends string[], Ops extends readonly Shape[], E extends Env = {}, K extends unknown[] = []> = Subs extends [infer Sub extends string, ...infer R extends string[]]
  ? Ops extends readonly [infer S extends Shape, ...infer OR extends readonly Shape[]]
    ? IsTuple<S> extends false
      ? { wide: true }
      : Chars<Sub> extends infer Ls extends string[]
        ? CheckLetters<Ls> extends false
          ? { err: `einsum: subscripts '${Sub}' must be letters` }
          : Ls["length"] extends S["length"]
            ? BindOperand<E, Ls, S, K["length"]> extends infer B ? (B extends { ok: infer E2 extends Env } ? BindAll<R, OR, E2, [...K, unknown]> : B) : never
            : { err: `einsum: subscripts '${Sub}' have ${Ls["length"]} letters but operand ${K["length"]} has rank ${S["length"]}` }
        : never
    : never
  : { ok: E };
type CheckLetters<Ls extends string[]> = Ls extends [infer H, ...infer R extends string[]] ? (H extends Letter ? CheckLetters<R> : false) : true;
/** The letters in ASCII order, written out (splitting a 52-letter string costs every checker of the declarations). */
type Alphabet = [
  "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
  "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
];
/** numpy's implicit output: letters used once, in sorted (ASCII) order. */
type Implicit<E extends Env, A extends string[] = Alphabet, Acc extends string[] = []> = A extends [infer L extends string, ...infer R extends string[]]
  ? (E[L] extends { n: [unknown] } ? [...Acc, L] : Acc) extends infer A extends string[] ? Implicit<E, R, A> : never
  : Acc;
type OutDims<E extends Env, Out extends string[], Acc extends Dim[] = [], Seen extends string = never> = Out extends [infer L extends string, ...infer R extends string[]]
  ? [L] extends [Seen]
    ? Join<Out> extends infer J extends string ? { err: `einsum: output '${J}' repeats an index` } : never
    : E[L] extends { d: infer D extends Dim } ? OutDims<E, R, [...Acc, D], Seen | L> : { err: `einsum: output index '${L}' does not appear in any input` }
  : { ok: Acc };
type EinsumR<Spec extends string, Ops extends readonly Shape[]> = string extends Spec
  ? { wide: true }
  : IsTuple<Ops> extends false ? { wide: true }
  : StripWS<Spec> extends infer Sp extends string
    ? (Sp extends `${infer L}->${infer R}` ? [L, R, true] : [Sp, "", false]) extends [infer Lhs extends string, infer Rhs extends string, infer Explicit extends boolean]
      ? SplitComma<Lhs> extends infer Subs extends string[]
        ? Subs["length"] extends Ops["length"]
          ? BindAll<Subs, Ops> extends infer B
            ? B extends { ok: infer E extends Env }
              ? Explicit extends true
                ? CheckLetters<Chars<Rhs>> extends false ? { err: `einsum: output '${Rhs}' must be letters` } : OutDims<E, Chars<Rhs>>
                : Implicit<E> extends infer I extends string[] ? OutDims<E, I> : never
              : B
            : never
          : { err: `einsum: spec "${Spec}" has ${Subs["length"]} operands but ${Ops["length"]} were given` }
        : never
      : never
    : never;

/** Result shape of an einsum (`"bi,ij->bj"`; without `->`, the letters used once, sorted). */
export type EinsumShape<Spec extends string, Ops extends readonly Shape[]> = EinsumR<Spec, Ops> extends { ok: infer S extends Shape } ? S : Dim[];
/** `never`, or why the spec does not fit the operands. */
export type EinsumError<Spec extends string, Ops extends readonly Shape[]> = EinsumR<Spec, Ops> extends { err: infer M } ? M : never;

// ---------------------------------------------------------------------------------------------
// Nested array literals

/**
 * Shape of a nested array literal: `NestedShape<[[1, 2, 3], [4, 5, 6]]>` is `[2, 3]`; `number[]` is `[number]`.
 * Data whose type says nothing about its depth (`any`, a recursive type, nesting deeper than the rank cap) gives
 * `Dim[]`: a shape known only at run time.
 */
export type NestedShape<T> = AsShape<IsAny<T> extends true ? Dim[] : NestedLoop<T>>;
type NestedLoop<T, Acc extends Dim[] = []> = Acc["length"] extends RankOk
  ? IsAny<T> extends true ? Dim[] : [T] extends [readonly unknown[]] ? NestedLoop<T[0], [...Acc, T["length"]]> : [Extract<T, readonly unknown[]>] extends [never] ? Acc : Dim[]
  : Dim[];
