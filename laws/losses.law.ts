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

/** Rows of small integer logits (exact in float32 even after adding an integer below 2²⁴) and integer shifts. */
const arbIntRows = fc
  .record({ b: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 6 }) })
  .chain(({ b, c }) =>
    fc.record({
      x: fc.array(fc.integer({ min: -30, max: 30 }), { minLength: b * c, maxLength: b * c }).map((v) => T.fromArray(v, "B C", { B: b, C: c })),
      shift: fc.array(fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom(-1e6, 1e6, -9999, 1e4)), { minLength: b, maxLength: b }).map((v) =>
        T.fromArray(v, "B 1", { B: b }),
      ),
      y: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b }).map((v) => T.fromArray(v, "B", { B: b }, "int32")),
    }),
  );

describe("the softmax family in float32 at large magnitudes", () => {
  type F = T.Tensor<any, "float32">;
  it(lawTitle("logSoftmax, softmax and crossEntropy are unchanged by adding up to ±1e6 to a row (x − m is exact)"), () => {
    assertLaw(
      law("f(x + c) = f(x) in float32", arbIntRows, ({ x, shift, y }) => {
        const xs = T.add(x, shift) as F;
        assertClose(T.logSoftmax(xs).toFlat(), T.logSoftmax(x).toFlat(), { rtol: 1e-6, atol: 1e-7 });
        assertClose(T.softmax(xs).toFlat(), T.softmax(x).toFlat(), { rtol: 1e-6, atol: 1e-7 });
        const ce = (v: F): number => (nn.crossEntropy(v, y as never) as T.Tensor<[], "float32">).item();
        assertClose(ce(xs), ce(x), { rtol: 1e-6, atol: 1e-7 });
        const g = (v: F): number[] => T.grad((u: F) => nn.crossEntropy(u, y as never) as T.Tensor<[], "float32">)(v).toFlat();
        assertClose(g(xs), g(x), { rtol: 1e-6, atol: 1e-7 });
      }),
    );
  });
  it(lawTitle("softmax rows sum to 1 (float32, logits up to ±1e6)"), () => {
    assertLaw(
      law("Σ softmax(x + c) = 1", arbIntRows, ({ x, shift }) => {
        const rows = T.sum(T.softmax(T.add(x, shift) as F), { axis: -1 });
        assertClose(rows.toFlat(), rows.toFlat().map(() => 1), { rtol: 0, atol: 1e-6 });
      }),
    );
  });
  it(lawTitle("logsumexp(x + c) = logsumexp(x) + c, to c's float32 rounding"), () => {
    assertLaw(
      law("logsumexp shifts", arbIntRows, ({ x, shift }) => {
        const a = (T.logsumexp(T.add(x, shift) as F, { axis: -1 }) as F).toFlat();
        const b = (T.logsumexp(x, { axis: -1 }) as F).toFlat().map((v, i) => Math.fround(v + shift.toFlat()[i]!));
        a.forEach((v, i) => assertClose(v, b[i]!, { rtol: 2 ** -23, atol: 1e-6 }));
      }),
    );
  });
  it(lawTitle("variance is unchanged by adding up to ±1e6 (float32 integer data)"), () => {
    assertLaw(
      law("variance(x + c) = variance(x)", arbIntRows, ({ x, shift }) => {
        for (const correction of [0, 1]) {
          const a = (T.variance(T.add(x, shift) as F, { axis: -1, correction }) as F).toFlat();
          const b = (T.variance(x, { axis: -1, correction }) as F).toFlat();
          assertClose(a, b, { rtol: 1e-6, atol: 0 });
        }
      }),
    );
  });
});

describe("softplus and BCE with logits", () => {
  type P = T.Tensor<any, "float64">;
  const arbLogits = arbTensor("N", { dtype: "float64", min: -1e6, max: 1e6 });
  it(lawTitle("softplus(x) − softplus(−x) = x, and logSigmoid(x) = −softplus(−x)"), () => {
    assertLaw(
      law("softplus identities", arbLogits, (x) => {
        assertClose(T.sub(T.softplus(x), T.softplus(T.neg(x))).toFlat(), x.toFlat(), { rtol: 1e-15, atol: 1e-15 });
        assertClose(T.logSigmoid(x).toFlat(), T.neg(T.softplus(T.neg(x))).toFlat(), { rtol: 0, atol: 0 });
      }),
    );
  });
  it(lawTitle("is ≥ 0 and unchanged by (x, y) → (−x, 1 − y), for logits up to ±1e6"), () => {
    // Targets k/1024, so that 1 − y is exact.
    const arb = fc.tuple(arbLogits, fc.integer({ min: 0, max: 1024 }).map((k) => k / 1024));
    assertLaw(
      law("bce(x, y) = bce(−x, 1 − y) ≥ 0", arb, ([x, y0]) => {
        const y = T.full("N", y0, { N: x.shape[0] as number }, "float64") as P;
        const l = nn.binaryCrossEntropyWithLogits(x, y, { reduction: "none" }) as P;
        const m = nn.binaryCrossEntropyWithLogits(T.neg(x) as P, T.sub(1, y) as P, { reduction: "none" }) as P;
        for (const v of l.toFlat()) if (!(v >= 0)) return false;
        // The same two terms added in the other order: equal to the last bits.
        assertClose(l.toFlat(), m.toFlat(), { rtol: 1e-14, atol: 0 });
      }),
    );
  });
  it(lawTitle("equals binaryCrossEntropy(σ(x), y) where σ(x) is well inside (0, 1)"), () => {
    // |x| ≤ 10 keeps 1 − σ(x) ≥ 4.5e−5, which float64 still holds to 1e−11; beyond, the probability form rounds.
    const arb = fc.tuple(arbTensor("N", { dtype: "float64", min: -10, max: 10 }), fc.double({ min: 0, max: 1, noNaN: true }));
    assertLaw(
      law("bceWithLogits(x, y) = bce(σ(x), y)", arb, ([x, y0]) => {
        const y = T.full("N", y0, { N: x.shape[0] as number }, "float64") as P;
        const a = nn.binaryCrossEntropyWithLogits(x, y, { reduction: "none" }) as P;
        const b = nn.binaryCrossEntropy(T.sigmoid(x) as P, y, { reduction: "none" }) as P;
        assertClose(a.toFlat(), b.toFlat(), { rtol: 1e-9, atol: 1e-12 });
      }),
    );
  });
});
