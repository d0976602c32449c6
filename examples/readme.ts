/**
 * The README's example, type-checked by `npm test` and run by a test.
 * Run: npx tsx examples/readme.ts
 */
import { type Dim, type Tensor, add, grad, matmul, mean, pipe, relu, square, sub, tensor, zeros } from "../src/index.js";

// A layer generic in the batch dim: shapes are checked by the compiler.
const layer = <B extends Dim>(x: Tensor<[B, 3]>, w: Tensor<[3, 2]>, b: Tensor<[2]>): Tensor<[B, 2]> =>
  pipe(x, matmul(w), add(b), relu);

const x = tensor([[1, 2, 3], [4, 5, 6]]);           // Tensor<[2, 3]>
const y = tensor([[1, 0], [0, 1]]);                 // Tensor<[2, 2]>
const loss = (w: Tensor<[3, 2]>) => mean(square(sub(layer(x, w, zeros("2")), y)));

const w0 = tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]);
const g = grad(loss)(w0);                           // Tensor<[3, 2]>, like w0
console.log(String(g));
// matmul(x, zeros("4 2"))  ← does not compile: "matmul: inner dimensions 3 and 4 differ"
