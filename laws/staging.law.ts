/**
 * Laws of staging: `jit` is the identity on values (`jit(f)(x) = f(x)`), and it commutes with the other
 * transformations (`grad(jit(f)) = grad(f) = jit(grad(f))`, `vmap(jit(f)) = vmap(f)`, `jvp(jit(f)) = jvp(f)`),
 * for a battery of functions over random shapes and float64 values — elementwise chains that fuse, reductions,
 * products, structure ops, a staged call inside a staged call — and `scan` equals its unrolled loop.
 */
import { describe, it } from "vitest";
import fc from "fast-check";
import * as T from "../src/index.js";
import { arbTensors, assertClose, law, lawTitle, assertLaw } from "../src/testing/index.js";
import * as O from "./ops.js";
import type { X } from "./ops.js";

type F = (x: X) => X;
const cases: readonly (readonly [string, F])[] = [
  ["fused elementwise chain", (x) => O.relu(O.sub(O.mul(O.add(x, 1), O.tanh(x)), 0.5))],
  ["broadcast row and column", (x) => O.div(O.add(x, O.sum(x, { axis: 0, keepdims: true })), O.add(O.mul(O.sum(x, { axis: 1, keepdims: true }), O.sum(x, { axis: 1, keepdims: true })), 1))],
  ["log-softmax", (x) => O.logSoftmax(x, -1)],
  ["product with its transpose", (x) => O.tanh(T.matmul(x as never, O.transpose(x) as never) as X)],
  ["structure", (x) => O.concat([O.slice(x, 1, 0, 1), O.expandDims(O.sum(x, { axis: 1 }), 1)], 1)],
  ["nested staged call", (x) => O.exp(T.jit((y: X) => O.mul(O.sin(y), y))(x) as X)],
];

const mats = arbTensors({ x: "B N" }, { dtype: "float64", min: -2, max: 2, maxDim: 4 }).map((r) => r.x as X);
const tol = { rtol: 1e-12, atol: 1e-12 };
const scalarOf = (f: F) => (x: X) => O.sum(f(x)) as T.Tensor<[], "float64">;

describe("staging", () => {
  for (const [name, f] of cases) {
    it(lawTitle(`${name}: jit(f) = f`), () => assertLaw(law("jitIsIdentity", mats, (x) => assertClose(T.jit(f)(x), f(x), tol))));
    it(lawTitle(`${name}: grad(jit(f)) = grad(f) = jit(grad(f))`), () =>
      assertLaw(
        law("jitCommutesWithGrad", mats, (x) => {
          const g = T.grad(scalarOf(f))(x);
          assertClose(T.grad(T.jit(scalarOf(f)))(x), g, tol);
          assertClose(T.jit(T.grad(scalarOf(f)))(x), g, tol);
        }),
      ));
    it(lawTitle(`${name}: vmap(jit(f)) = vmap(f), jvp(jit(f)) = jvp(f)`), () =>
      assertLaw(
        law("jitCommutesWithVmapAndJvp", mats, (x) => {
          const rows = (g: F) => T.vmap((r: X) => O.sum(g(O.expandDims(r, 0))))(x as never) as unknown as X;
          assertClose(rows(T.jit(f) as F), rows(f), tol);
          const t = O.cos(x);
          assertClose(T.jvp(T.jit(f), [x], [t])[1], T.jvp(f, [x], [t])[1], tol);
        }),
      ));
  }
  it(lawTitle("scan equals its unrolled loop, values and gradients"), () =>
    assertLaw(
      law("scanIsTheLoop", fc.tuple(mats, fc.double({ min: -1, max: 1, noNaN: true })), ([x, w]) => {
        const body = (c: X, row: X) => {
          const n = O.add(O.mul(c, w), O.sin(row));
          return [n, O.mul(n, row)] as const;
        };
        const viaScan = (xs: X) => {
          const [c, ys] = T.scan(body, O.sum(xs, { axis: 0 }), xs as never);
          return O.add(O.sum(c), O.sum(ys as X)) as T.Tensor<[], "float64">;
        };
        const unrolled = (xs: X) => {
          let c = O.sum(xs, { axis: 0 });
          let total = T.scalar(0, "float64") as X;
          for (let i = 0; i < xs.shape[0]!; i++) {
            const [n, y] = body(c, O.squeeze(O.slice(xs, 0, i, i + 1), 0));
            c = n;
            total = O.add(total, O.sum(y));
          }
          return O.add(O.sum(c), total) as T.Tensor<[], "float64">;
        };
        assertClose(viaScan(x), unrolled(x), tol);
        assertClose(T.grad(viaScan)(x), T.grad(unrolled)(x), { rtol: 1e-10, atol: 1e-10 });
      }),
    ));
});
