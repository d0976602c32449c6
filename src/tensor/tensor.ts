/**
 * The Tensor type: an immutable buffer, a run-time shape, and the shape again in the type.
 *
 * Users only ever see the {@link Tensor} interface. At run time a tensor is a {@link TensorImpl}:
 * either a {@link Concrete} tensor owning an ordinary typed array (collected like any object, so
 * there is no `dispose`), or a tracer created by a transformation (see `core/trace.ts`).
 */
import type { DType, Storage } from "./dtype.js";
import { formatTensor, toNested, type Nested } from "./format.js";
import type { Dim, Shape } from "../shape/types.js";

declare const shapeBrand: unique symbol;
declare const dtypeBrand: unique symbol;

/** The run-time sizes of a shape `S`: one number per dim. */
export type Sizes<S extends Shape> = { readonly [K in keyof S]: number };

/**
 * An immutable tensor whose shape `S` (a tuple of sizes and dim names) and dtype `D` live in the type.
 * No public member writes into its buffer, and no operation mutates its inputs.
 */
export interface Tensor<S extends Shape = Shape, D extends DType = "float32"> {
  /** Concrete sizes of each dim. */
  readonly shape: Sizes<S>;
  /** The element type. */
  readonly dtype: D;
  /** Number of dims. */
  readonly rank: S["length"];
  /** Number of elements. */
  readonly size: number;
  /** Names given to dims at creation (`null` where none). */
  readonly names: readonly (string | null)[];
  /** PyTorch-style text: `tensor([[1., 2.]], shape=[1, 2], dtype=float32)`. */
  toString(): string;
  /** The values as nested arrays (booleans for `bool`). */
  toArray(): Nested<D extends "bool" ? boolean : number>;
  /** The single value of a tensor with one element. */
  item(): D extends "bool" ? boolean : number;
  /** A copy of the values as a flat array in row-major order. */
  toFlat(): number[];
  /** @internal phantom carrier of the shape type */
  readonly [shapeBrand]?: S;
  /** @internal phantom carrier of the dtype */
  readonly [dtypeBrand]?: D;
}

/** A tensor of any shape and dtype. */
export type AnyTensor = Tensor<Shape, DType>;

/** Run-time base of every tensor value, concrete or traced. */
export abstract class TensorImpl {
  declare readonly [shapeBrand]?: Shape;
  declare readonly [dtypeBrand]?: DType;
  readonly size: number;
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly names: readonly (string | null)[],
  ) {
    let n = 1;
    for (const d of shape) n *= d;
    this.size = n;
  }
  get rank(): number {
    return this.shape.length;
  }
  /** The concrete value underneath all transformations. */
  abstract concrete(): Concrete;
  /** The concrete value, or null while being staged by `jit` (values unknown until run time). */
  tryConcrete(): Concrete | null {
    return this.concrete();
  }
  toString(): string {
    return formatTensor(this.concrete());
  }
  toArray(): Nested<number | boolean> {
    const c = this.concrete();
    return toNested(c.data, c.shape, c.dtype === "bool");
  }
  item(): number | boolean {
    const c = this.concrete();
    if (c.size !== 1) throw new Error(`item: tensor of shape [${c.shape.join(", ")}] has ${c.size} elements, not 1`);
    const v = c.data[0]!;
    return c.dtype === "bool" ? v !== 0 : v;
  }
  toFlat(): number[] {
    return Array.from(this.concrete().data);
  }
}

/** A tensor with data: the leaves of every computation. Its buffer is never written after creation. */
export class Concrete extends TensorImpl {
  constructor(
    shape: readonly number[],
    dtype: DType,
    readonly data: Storage,
    names: readonly (string | null)[] = noNames(shape.length),
  ) {
    super(shape, dtype, names);
  }
  concrete(): Concrete {
    return this;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

const NO_NAMES: (string | null)[][] = [];
/** An all-null names array for a rank (shared, never mutated). */
export function noNames(rank: number): readonly (string | null)[] {
  return (NO_NAMES[rank] ??= Object.freeze(new Array<string | null>(rank).fill(null)) as (string | null)[]);
}

/** Views any public tensor as its run-time implementation. */
export const impl = (t: AnyTensor | Tensor<any, any>): TensorImpl => t as unknown as TensorImpl;

/** Views a run-time tensor as a public tensor of a chosen type. */
export const typed = <S extends Shape, D extends DType>(t: TensorImpl): Tensor<S, D> => t as unknown as Tensor<S, D>;

/**
 * Whether a value is a tensor (concrete or traced).
 *
 * @example
 * ```ts
 * isTensor(zeros("2")); // true
 * isTensor([1, 2]); // false
 * ```
 */
export const isTensor = (x: unknown): x is AnyTensor => x instanceof TensorImpl;

export type { Dim, Shape };
