/**
 * Transformations compose (JAX's "autodiff cookbook"): Hessians, Hessian-vector products without the
 * Hessian, derivatives of derivatives, and per-example gradients — each one line of `grad`, `jvp`,
 * `hessian` and `vmap` stacked on an ordinary function.
 *
 * Run: npx tsx examples/higher-order.ts      (TENFOLD_SMOKE=1 changes nothing: it runs instantly)
 */
import {
  type Tensor, pipe, add, cos, div, grad, hessian, jvp, linspace, matmul, mean, mul, neg, sin, square, sub, sum, tensor, vmap,
  random,
} from "../src/index.js";

const fmt = (xs: readonly number[]): string => `[${xs.map((v) => v.toFixed(4)).join(", ")}]`;
const show = (t: Tensor<any, any>): string => fmt(t.toFlat());
const showRows = (t: Tensor<[number, number]>): string => `[${(t.toArray() as number[][]).map(fmt).join(", ")}]`;

// ## The Hessian
//
// f(x) = Σ xᵢ³/3 + (Σ xᵢ)²/2 has gradient xᵢ² + Σ x and Hessian diag(2x) + 𝟙 (all ones). `hessian(f)`
// is forward-over-reverse, `jacfwd(jacrev(f))`; at x = [1, 2, 3] it is [[3, 1, 1], [1, 5, 1], [1, 1, 7]].
const f = (x: Tensor<[3]>) => add(div(sum(mul(x, square(x))), 3), div(square(sum(x)), 2));
const x = tensor([1, 2, 3]);
const H = hessian(f)(x);
console.log(`∇f([1, 2, 3]) = ${show(grad(f)(x))}`);
console.log(`hessian(f)([1, 2, 3]) = ${showRows(H)}`);
// ∇f([1, 2, 3]) = [7.0000, 10.0000, 15.0000]
// hessian(f)([1, 2, 3]) = [[3.0000, 1.0000, 1.0000], [1.0000, 5.0000, 1.0000], [1.0000, 1.0000, 7.0000]]

// ## Hessian-vector products without the Hessian
//
// H·v is the directional derivative of the gradient along v: `jvp(grad(f), [x], [v])` pushes the
// tangent v forward through the gradient computation, at the cost of about one more gradient, and
// never forms the n×n matrix. It agrees with `matmul(H, v)`.
const v = tensor([1, 0, -1]);
const [, hvp] = jvp(grad(f), [x], [v]);
console.log(`jvp(grad(f), [x], [v]) = ${show(hvp)}`);
console.log(`matmul(hessian(f)(x), v) = ${show(matmul(H, v))}`);
// jvp(grad(f), [x], [v]) = [2.0000, 0.0000, -6.0000]
// matmul(hessian(f)(x), v) = [2.0000, 0.0000, -6.0000]

// ## Derivatives of derivatives
//
// `grad` of a scalar function is again a scalar function of the same input, so it can be differentiated
// again: grad(grad(sin)) = −sin and grad(grad(grad(sin))) = −cos. `vmap` evaluates them at many points.
const sinScalar = (t: Tensor<[]>) => sin(t);
const d2sin = grad(grad(sinScalar));
const d3sin = grad(d2sin);
const points = linspace(-3, 3, 5);
console.log(`x                      ${show(points)}`);
console.log(`grad(grad(sin))(x)     ${show(vmap(d2sin)(points))}`);
console.log(`−sin(x)                ${show(neg(sin(points)))}`);
console.log(`grad(grad(grad(sin)))  ${show(vmap(d3sin)(points))}`);
console.log(`−cos(x)                ${show(neg(cos(points)))}`);
// x                      [-3.0000, -1.5000, 0.0000, 1.5000, 3.0000]
// grad(grad(sin))(x)     [0.1411, 0.9975, 0.0000, -0.9975, -0.1411]
// −sin(x)                [0.1411, 0.9975, 0.0000, -0.9975, -0.1411]
// grad(grad(grad(sin)))  [0.9900, -0.0707, -1.0000, -0.0707, 0.9900]
// −cos(x)                [0.9900, -0.0707, -1.0000, -0.0707, 0.9900]

// ## Per-example gradients
//
// Training averages the gradients of a batch; some methods (gradient clipping per example, differential
// privacy, influence estimates) need each example's own gradient. Write the loss for ONE example, take
// its `grad`, and `vmap` it over the batch — the parameters are shared (`inAxes` null), x and y mapped.
interface Params {
  readonly w: Tensor<[3]>;
  readonly b: Tensor<[]>;
}
const lossOne = (p: Params, xi: Tensor<[3]>, yi: Tensor<[]>) => pipe(sum(mul(xi, p.w)), add(p.b), sub(yi), square);

const key = random.key(3);
const X = random.normal(random.foldIn(key, 0), "4 3");
const Y = random.normal(random.foldIn(key, 1), "4");
const params: Params = { w: tensor([0.5, -1, 2]), b: tensor(0.1) };

const perExample = vmap(grad(lossOne), { inAxes: [null, 0, 0] })(params, X, Y); // { w: Tensor<[number, 3]>, b: Tensor<[number]> }
console.log(`per-example ∂ℓ/∂w (one row per example): ${showRows(perExample.w)}`);
console.log(`per-example ∂ℓ/∂b: ${show(perExample.b)}`);
// per-example ∂ℓ/∂w (one row per example): [[1.7225, -0.0743, -0.1559], [0.0231, 0.0707, -0.0765], [12.5296, 2.4591, 14.3244], [-0.4459, -0.6390, 0.0601]]
// per-example ∂ℓ/∂b: [2.0344, 0.8905, -7.3016, 0.6565]

// The third example dominates the batch's gradient: exactly what per-example clipping would tame.

// Their mean is the gradient of the mean loss over the batch.
const batchLoss = (p: Params) => mean(vmap(lossOne, { inAxes: [null, 0, 0] })(p, X, Y) as Tensor<[4]>);
console.log(`mean of per-example ∂ℓ/∂w: ${show(mean(perExample.w, { axis: 0 }))}`);
console.log(`∂(mean ℓ)/∂w:              ${show(grad(batchLoss)(params).w)}`);
// mean of per-example ∂ℓ/∂w: [3.4573, 0.4541, 3.5380]
// ∂(mean ℓ)/∂w:              [3.4573, 0.4541, 3.5380]
