/**
 * The primitive contract. Every primitive is defined once, in one file of `src/primitives/`, with all of
 * its rules side by side (JAX's Autodidax, tfjs's kernel + gradient registries): the shape rule, the
 * forward kernel, the forward-mode (JVP) rule, the reverse-mode (VJP) rule and the batching rule. The
 * {@link Primitive} interface has no optional members, so a primitive that lacks a rule does not compile.
 */
import type { DType, Storage } from "../tensor/dtype.js";
import type { Concrete, TensorImpl } from "../tensor/tensor.js";

/** What a shape rule knows about a value: its shape, dtype and dim names. */
export interface Meta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly names: readonly (string | null)[];
}

/** A tangent or cotangent: `null` is the symbolic zero (nothing to propagate). */
export type Linear = TensorImpl | null;

/** One primitive with all its rules. `P` is its static parameters (axes, shapes, flags). */
export interface Primitive<P> {
  readonly name: string;
  /** Validates inputs (throwing `ShapeError`) and gives the output's shape, dtype and names. */
  readonly abstract: (inputs: readonly Meta[], params: P) => Meta;
  /** The kernel: output data from concrete inputs. Never writes into its inputs. */
  readonly impl: (inputs: readonly Concrete[], params: P, out: Meta) => Storage;
  /** Forward mode: the output tangent from input tangents (`null` = zero), written with ops so it nests. */
  readonly jvp: (primals: readonly TensorImpl[], tangents: readonly Linear[], out: TensorImpl, params: P) => Linear;
  /**
   * Reverse mode: input cotangents from the output cotangent, written with ops so it nests. `needs[i]`
   * says whether input i's cotangent is wanted at all (rules may skip work for the others).
   */
  readonly vjp: (ct: TensorImpl, primals: readonly TensorImpl[], out: TensorImpl, params: P, needs: readonly boolean[]) => readonly Linear[];
  /**
   * Batching: inputs whose batch axis (if `batched[i]`) is axis 0, of batch size `size`.
   * Returns the output with its batch axis at 0.
   */
  readonly vmap: (args: readonly TensorImpl[], batched: readonly boolean[], params: P, size: number) => TensorImpl;
}

/** Declares a primitive; the identity function, there for inference and for one place to look. */
export const definePrimitive = <P>(p: Primitive<P>): Primitive<P> => p;
