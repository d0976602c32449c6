/** Conversions between tree leaves (numbers or tensors) and run-time tensors. */
import { impl, type TensorImpl } from "../tensor/tensor.js";
import type { Leaf } from "../core/pytree.js";
import { constant } from "../primitives/util.js";

/** A leaf as a run-time tensor: numbers become float64 scalars. */
export const toTensor = (x: Leaf): TensorImpl => (typeof x === "number" ? constant(x, "float64") : impl(x));
