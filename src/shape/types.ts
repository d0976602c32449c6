/**
 * Type-level shapes (placeholder: replaced by the full shape calculus).
 */

/** A dim: a size literal, a name, or `number` when the size is only known at run time. */
export type Dim = number | string;

/** A shape: a tuple of dims. */
export type Shape = readonly Dim[];
