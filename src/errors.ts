/** Errors thrown by tenfold: every one names the operation and, for shapes, both shapes. */

/** Formats a runtime shape like PyTorch does: `[2, 3]`. */
export const showShape = (shape: readonly (number | string)[]): string => `[${shape.join(", ")}]`;

/** A shape mismatch found at run time: names the operation and the shapes involved. */
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

/** A dtype the operation does not accept. */
export class DTypeError extends Error {
  override readonly name = "DTypeError";
  constructor(readonly op: string, detail: string) {
    super(`${op}: ${detail}`);
  }
}

/** A misuse of a function transformation (grad of a non-scalar, a leaked tracer, ...). */
export class TransformError extends Error {
  override readonly name = "TransformError";
  constructor(readonly op: string, detail: string) {
    super(`${op}: ${detail}`);
  }
}

/** Bad input from outside the program (a file, JSON, a flag). */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
  }
}
