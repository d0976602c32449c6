/**
 * Run-time twins of the type-level shape rules: parsing shape strings, binding named dims,
 * broadcasting. Every check here throws a {@link ShapeError} naming the operation.
 */
import { ShapeError, showShape } from "../errors.js";

/** A dim as written by the user: a size or a name. */
export type DimSpec = number | string;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SIZE = /^(0|[1-9][0-9]*)$/;

/** Maximum rank accepted by the shape parser (the type-level parser has the same cap). */
export const MAX_RANK = 8;

/**
 * Parses `"B 784"` into `["B", 784]`; rejects tokens that are neither a size nor a name.
 *
 * @example
 * ```ts
 * parseShape("B 784"); // ["B", 784]
 * ```
 */
export function parseShape(spec: string, op = "shape"): DimSpec[] {
  const trimmed = spec.trim();
  if (trimmed === "") return [];
  const tokens = trimmed.split(/\s+/);
  if (tokens.length > MAX_RANK) throw new ShapeError(op, `rank ${tokens.length} exceeds the maximum rank ${MAX_RANK} in '${spec}'`);
  return tokens.map((tok) => {
    if (SIZE.test(tok)) return Number(tok);
    if (NAME.test(tok)) return tok;
    throw new ShapeError(op, `'${tok}' in '${spec}' is neither a size nor a dim name`);
  });
}

/** Shape given as a string or an array of dims. */
export type ShapeLike = string | readonly DimSpec[];

/** Named sizes for the named dims of a shape spec. */
export type DimSizes = Readonly<Record<string, number>>;

/** A concrete shape: sizes plus the names the user gave (null where none). */
export interface ResolvedShape {
  readonly sizes: number[];
  readonly names: (string | null)[];
}

/** Turns a shape spec into concrete sizes, looking named dims up in `sizes`. */
export function resolveShape(spec: ShapeLike, sizes: DimSizes = {}, op = "shape"): ResolvedShape {
  const dims = typeof spec === "string" ? parseShape(spec, op) : [...spec];
  const out: number[] = [];
  const names: (string | null)[] = [];
  for (const d of dims) {
    if (typeof d === "number") {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(op, `dim ${d} is not a non-negative integer`);
      out.push(d);
      names.push(null);
    } else {
      const n = sizes[d];
      if (n === undefined) throw new ShapeError(op, `named dim '${d}' has no size; pass { ${d}: size }`);
      if (!Number.isInteger(n) || n < 0) throw new ShapeError(op, `named dim '${d}' has size ${n}, not a non-negative integer`);
      out.push(n);
      names.push(d);
    }
  }
  return { sizes: out, names };
}

/** Number of elements of a shape. */
export const sizeOf = (shape: readonly number[]): number => {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
};

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * NumPy broadcasting of two shapes; throws naming the op, the axis and both shapes.
 *
 * @example
 * ```ts
 * broadcastShapes("add", [8, 1, 3], [4, 1]); // [8, 4, 3]
 * ```
 */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new ShapeError(op, `cannot broadcast dims ${da} and ${db} at axis ${i - n}`, [a, b]);
  }
  return out;
}

/** Normalises a possibly negative axis against a rank. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) throw new ShapeError(op, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Normalises a list of axes (or all axes when undefined); rejects duplicates. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new ShapeError(op, `repeated axis in [${list.join(", ")}]`);
  return out.sort((x, y) => x - y);
}

/** Equality of two concrete shapes. */
export const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Asserts two shapes are equal, naming the op. */
export function assertSameShape(op: string, a: readonly number[], b: readonly number[]): void {
  if (!sameShape(a, b)) throw new ShapeError(op, `shapes differ`, [a, b]);
}

export { showShape };
