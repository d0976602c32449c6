/**
 * The primitive contract. Every primitive is defined once, in one file of `src/primitives/` (or, for the
 * primitives that hold programs — staged calls, custom rules, control flow — in `src/transforms/`), with
 * all of its rules side by side (JAX's Autodidax, tfjs's kernel + gradient registries): the shape rule,
 * the forward kernel, the forward-mode (JVP) rule, the reverse-mode (VJP) rule and the batching rule. The
 * interfaces have no optional rules, so a primitive that lacks one does not compile.
 */
import type { DType, Storage, StorageSource } from "../tensor/dtype.js";
import type { Concrete, TensorImpl } from "../tensor/tensor.js";

/** What a shape rule knows about a value: its shape, dtype and dim names. */
export interface Meta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly names: readonly (string | null)[];
}

/** A tangent or cotangent: `null` is the symbolic zero (nothing to propagate). */
export type Linear = TensorImpl | null;

/**
 * The scalar formula of an elementwise primitive, from which `jit` generates fused loops: `vars` names the
 * operands as `expr` uses them; `simd` is the SIMD kernel operation computing the same float32 bits, if any.
 */
export interface ElementwiseFormula {
  readonly vars: readonly string[];
  readonly expr: string;
  readonly simd?: string;
}

/** One primitive with all its rules. `P` is its static parameters (axes, shapes, flags). */
export interface Primitive<P> {
  readonly name: string;
  /** Validates inputs (throwing `ShapeError`) and gives the output's shape, dtype and names. */
  readonly abstract: (inputs: readonly Meta[], params: P) => Meta;
  /**
   * The kernel: output data from concrete inputs, its storage taken from `mem` (fresh arrays eagerly, the
   * program's planned buffers inside a staged run). Never writes into its inputs.
   */
  readonly impl: (inputs: readonly Concrete[], params: P, out: Meta, mem: StorageSource) => Storage;
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
  /** For elementwise primitives: the formula `jit` fuses chains of them with. */
  readonly formula?: ElementwiseFormula;
}

/**
 * A primitive with several outputs whose parameters hold programs (a staged call, a custom rule, a scan,
 * a conditional). Its rules work on whole lists of values: they are interpreters of the programs they hold,
 * written with `bind`, so they nest under every other transformation.
 */
export interface MultiPrimitive<P> {
  readonly name: string;
  readonly multi: true;
  /** The outputs' shapes and dtypes (validating the inputs). */
  readonly abstract: (inputs: readonly Meta[], params: P) => readonly Meta[];
  /** Runs on concrete inputs. */
  readonly impl: (inputs: readonly Concrete[], params: P) => readonly Concrete[];
  /** Forward mode: outputs and their tangents (`null` = zero), from inputs and their tangents. */
  readonly jvp: (primals: readonly TensorImpl[], tangents: readonly Linear[], params: P) => readonly [readonly TensorImpl[], readonly Linear[]];
  /**
   * Reverse mode: the outputs, and a pullback from their cotangents (`null` = zero) to the inputs'
   * (`needs[i]`: whether input i's is wanted).
   */
  readonly vjp: (primals: readonly TensorImpl[], params: P, needs: readonly boolean[]) => readonly [readonly TensorImpl[], (cts: readonly Linear[]) => readonly Linear[]];
  /** Batching: every output with its batch axis at 0. */
  readonly vmap: (args: readonly TensorImpl[], batched: readonly boolean[], params: P, size: number) => readonly TensorImpl[];
  /** How the printer shows the parameters: a short text and the programs to print nested under the equation. */
  readonly show: (params: P) => { readonly text: string; readonly programs: readonly (readonly [string, unknown])[] };
}

/** Any primitive, single- or multi-output. */
export type AnyPrimitive = Primitive<any> | MultiPrimitive<any>;

/** Whether a primitive has several outputs. */
export const isMulti = (p: AnyPrimitive): p is MultiPrimitive<any> => (p as MultiPrimitive<any>).multi === true;

/** Declares a primitive; the identity function, there for inference and for one place to look. */
export const definePrimitive = <P>(p: Primitive<P>): Primitive<P> => p;

/** Declares a multi-output primitive. */
export const defineMultiPrimitive = <P>(p: Omit<MultiPrimitive<P>, "multi">): MultiPrimitive<P> => ({ ...p, multi: true });
