/** Glue between the typed public API and the run-time primitives. */
import { isTensor, impl, type AnyTensor, type TensorImpl } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { constant } from "../primitives/util.js";

/** A tensor or a plain number (a scalar that takes the other operand's dtype). */
export type Operand = AnyTensor | number;

/** Run-time view of an operand; numbers become scalars of the `like` operand's dtype (float32 if none). */
export function operand(x: Operand, like?: Operand): TensorImpl {
  if (typeof x !== "number") return impl(x);
  const dtype: DType = like !== undefined && typeof like !== "number" ? impl(like).dtype : "float32";
  if ((dtype === "int32" || dtype === "bool") && !Number.isInteger(x)) return constant(x, "float32");
  return constant(x, dtype === "bool" ? "int32" : dtype);
}

/** Whether the first argument of an overloaded op is its data (direct call) or the op is being curried. */
export const isData = (x: unknown): x is AnyTensor | number => isTensor(x) || typeof x === "number";

export { isTensor, impl };
