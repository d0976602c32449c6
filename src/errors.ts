/** Errors thrown by tenfold: every one names the operation and, for shapes, both shapes. */

/** Formats a runtime shape like PyTorch does: `[2, 3]`. */
export const showShape = (shape: readonly (number | string)[]): string => `[${shape.join(", ")}]`;

/**
 * A shape mismatch found at run time: names the operation and the shapes involved.
 *
 * @example
 * ```ts
 * try {
 *   const x = zeros("2 3") as Tensor<number[]>; // a shape known only at run time
 *   reshape(x, "5 5");
 * } catch (e) {
 *   if (e instanceof ShapeError) console.log(e.op, e.message); // reshape …
 * }
 * ```
 */
export class ShapeError extends Error {
  override readonly name = "ShapeError";
  constructor(
    readonly op: string,
    readonly detail: string,
    readonly shapes: readonly (readonly (number | string)[])[] = [],
  ) {
    super(`${op}: ${detail}${shapes.length > 0 ? ` (shapes ${shapes.map(showShape).join(" and ")})` : ""}`);
  }
}

/**
 * A dtype the operation does not accept.
 *
 * @example
 * ```ts
 * try {
 *   const parts: Tensor<[2], DType>[] = [zeros("2"), zeros("2", "int32")];
 *   concat(parts);
 * } catch (e) {
 *   if (e instanceof DTypeError) console.log(e.message); // concat: dtypes differ: float32 and int32
 * }
 * ```
 */
export class DTypeError extends Error {
  override readonly name = "DTypeError";
  constructor(readonly op: string, detail: string) {
    super(`${op}: ${detail}`);
  }
}

/**
 * A misuse of a function transformation (grad of a non-scalar, a leaked tracer, ...).
 *
 * @example
 * ```ts
 * const e = new TransformError("grad", "the function must return a scalar");
 * e.message; // "grad: the function must return a scalar"
 * ```
 */
export class TransformError extends Error {
  override readonly name = "TransformError";
  constructor(readonly op: string, detail: string) {
    super(`${op}: ${detail}`);
  }
}

/**
 * Bad input from outside the program (a file, JSON, a flag).
 *
 * @example
 * ```ts
 * const e = new InputError("weights.json", "expected a JSON object");
 * e.message; // "weights.json: expected a JSON object"
 * e.source; // "weights.json"
 * ```
 */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
  }
}

/** Formats a byte count in decimal units, as memory is sold and `ls -h --si` prints it: `9.6 GB`. */
const showBytes = (b: number): string => {
  const units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
  let i = 0;
  let v = b;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${b} bytes` : `${Number(v.toPrecision(3))} ${units[i]}`;
};

/**
 * A tensor too large to allocate: names the operation, the dtype, the element count and the bytes it would
 * need, and the shape when the operation knows it (bare storage requests know only the count).
 *
 * @example
 * ```ts
 * try {
 *   zeros("100000 100000");
 * } catch (e) {
 *   if (e instanceof AllocationError) console.log(e.message); // zeros: a float32 tensor of shape [100000, 100000] would need 40 GB (40000000000 bytes), more than the 4 GiB one tensor may take
 * }
 * ```
 */
export class AllocationError extends Error {
  override readonly name = "AllocationError";
  constructor(
    readonly op: string,
    readonly dtype: string,
    readonly elements: number,
    readonly bytes: number,
    readonly limit: number,
    readonly shape?: readonly number[],
  ) {
    const what = shape === undefined ? `${elements} ${dtype} elements` : `a ${dtype} tensor of shape ${showShape(shape)}`;
    const size = Number.isFinite(bytes) && bytes >= 1000 ? `${showBytes(bytes)} (${bytes} bytes)` : `${bytes} bytes`;
    super(`${op}: ${what} would need ${size}, more than the ${limit / 2 ** 30} GiB one tensor may take`);
  }
}
