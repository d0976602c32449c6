/**
 * fp-ts's composition helpers, re-exported from the library root with examples that run under Node's
 * ESM loader (fp-ts 2 has no exports map, so its own examples' `import … from "fp-ts/function"` fails there).
 */
import { flow as fpFlow, pipe as fpPipe } from "fp-ts/lib/function.js";

/**
 * Passes a value through functions from left to right: `pipe(x, f, g)` is `g(f(x))` (fp-ts's `pipe`).
 * Every op has a curried form for it.
 *
 * @function
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3]]);
 * const y: Tensor<[1, 2]> = pipe(x, matmul(ones("3 2")), add(tensor([1, -10])), relu); // [[7, 0]]
 * ```
 */
export const pipe: typeof fpPipe = fpPipe;

/**
 * Composes functions from left to right: `flow(f, g)` is `(x) => g(f(x))` (fp-ts's `flow`).
 *
 * @function
 * @example
 * ```ts
 * const layer = flow((x: Tensor<[number, 3]>) => matmul(x, ones("3 2")), relu);
 * const y = layer(zeros("4 3")); // Tensor<[number, 2]>
 * ```
 */
export const flow: typeof fpFlow = fpFlow;
