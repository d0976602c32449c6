/** Laws of the softmax family and the regression losses, from the kit. */
import fc from "fast-check";
import { describe, it } from "vitest";
import * as T from "../src/index.js";
import {
  arbTensor, arbTensors, assertClose, assertLaw, gradMatchesFiniteDifferences, jvpVjpAdjoint, law, lawTitle,
} from "../src/testing/index.js";

const { nn } = T;

describe("softmax", () => {
  it(lawTitle("rows sum to 1"), () => {
    assertLaw(
      law("softmax rows sum to 1", arbTensor("B C", { dtype: "float64", min: -50, max: 50 }), (x) => {
        const rows = T.sum(T.softmax(x), { axis: -1 });
        assertClose(rows.toFlat(), rows.toFlat().map(() => 1), { rtol: 1e-12, atol: 1e-12 });
      }),
    );
  });
  it(lawTitle("is invariant to adding a constant per row (even a huge one)"), () => {
    assertLaw(
      law(
        "softmax(x + c) = softmax(x)",
        fc.tuple(arbTensors({ x: "B C", c: "B 1" }, { dtype: "float64", min: -20, max: 20 }), fc.constantFrom(1, 1e4)),
        ([{ x, c }, scale]) => {
          const shifted = T.softmax(T.add(x, T.mul(c, scale)));
          assertClose(shifted.toFlat(), T.softmax(x).toFlat(), { rtol: 1e-9, atol: 1e-12 });
        },
      ),
    );
  });
  it(lawTitle("crossEntropy(o, y) = nllLoss(logSoftmax(o), y)"), () => {
    const arb = arbTensor("B 5", { dtype: "float64", min: -30, max: 30 }).chain((o) =>
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: o.shape[0], maxLength: o.shape[0] }).map((ys) => ({ o, y: T.fromArray(ys, "B", { B: ys.length }, "int32") })),
    );
    assertLaw(
      law("crossEntropy = nll ∘ logSoftmax", arb, ({ o, y }) => {
        for (const reduction of ["none", "mean", "sum"] as const) {
          const a = nn.crossEntropy(o as never, y as never, { reduction }) as T.Tensor<any, "float64">;
          const b = nn.nllLoss(T.logSoftmax(o) as never, y as never, { reduction }) as T.Tensor<any, "float64">;
          assertClose(a.toFlat(), b.toFlat(), { rtol: 1e-12, atol: 1e-12 });
        }
      }),
    );
  });
});

describe("huber", () => {
  const delta = 1.5;
  it(lawTitle("tends to mse/2 for small errors"), () => {
    assertLaw(
      law("huber ≈ ½·mse when |x − y| ≪ δ", arbTensors({ x: "N", e: "N" }, { dtype: "float64", min: -1e-3, max: 1e-3 }), ({ x, e }) => {
        const y = T.add(x, e);
        const h = nn.huber(x, y, { delta, reduction: "none" }) as T.Tensor<any, "float64">;
        const m = T.mul(nn.mse(x, y, { reduction: "none" }) as T.Tensor<any, "float64">, 0.5);
        assertClose(h.toFlat(), m.toFlat(), { rtol: 1e-12, atol: 1e-15 });
      }),
    );
  });
  it(lawTitle("tends to δ·(l1 − δ/2) for large errors (= l1 − δ/2 when δ = 1)"), () => {
    assertLaw(
      law("huber = δ·(|x − y| − δ/2) when |x − y| > δ", arbTensors({ x: "N", e: "N" }, { dtype: "float64", min: 2, max: 100 }), ({ x, e }) => {
        const y = T.sub(x, e);
        const h = nn.huber(x, y, { delta, reduction: "none" }) as T.Tensor<any, "float64">;
        const want = T.mul(T.sub(nn.l1(x, y, { reduction: "none" }) as T.Tensor<any, "float64">, delta / 2), delta);
        assertClose(h.toFlat(), want.toFlat(), { rtol: 1e-12, atol: 1e-12 });
        const h1 = nn.huber(x, y, { delta: 1, reduction: "none" }) as T.Tensor<any, "float64">;
        const l1 = T.sub(nn.l1(x, y, { reduction: "none" }) as T.Tensor<any, "float64">, 0.5);
        assertClose(h1.toFlat(), l1.toFlat(), { rtol: 1e-12, atol: 1e-12 });
      }),
    );
  });
});

describe("binaryCrossEntropy", () => {
  type P = T.Tensor<any, "float64">;
  const bce = (x: P, y: P): P => nn.binaryCrossEntropy(x, y) as P;
  it(lawTitle("inside (0, 1), its custom rules are the derivatives of the loss (input and target)"), () => {
    const arb = arbTensors({ x: { shape: "B N", min: 0.05, max: 0.95 }, y: { shape: "B N", min: 0, max: 1 } }, { dtype: "float64" });
    assertLaw(gradMatchesFiniteDifferences(({ x, y }: { x: P; y: P }) => bce(x, y), arb));
  });
  it(lawTitle("forward and reverse mode agree even at x ∈ {0, 1}, where both give PyTorch's ±1e12"), () => {
    const arb = fc
      .array(fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0.01, max: 0.99, noNaN: true })), { minLength: 1, maxLength: 6 })
      .map((vs) => T.fromArray(vs, "N", { N: vs.length }, "float64") as P);
    // A constant target derived from the shape alone, with hard and soft labels.
    const f = (x: P): P => {
      const n = x.shape[0] as number;
      const y = T.fromArray(Array.from({ length: n }, (_, i) => [1, 0, 0.5, 0.25][i % 4]!), "N", { N: n }, "float64") as P;
      return nn.binaryCrossEntropy(x, y, { reduction: "none" }) as P;
    };
    assertLaw(jvpVjpAdjoint(f, arb));
  });
});
