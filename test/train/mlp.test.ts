/**
 * End to end: a 2-16-2 MLP written inline with matmul/relu, initialised from a fixed key, trained with
 * Adam on shuffled minibatches by `fit`, separates points inside and outside a circle (not linearly
 * separable) to ≥ 95% accuracy — deterministically.
 */
import { describe, expect, it } from "vitest";
import { add, expandDims, fromArray, logSoftmax, matmul, mean, mul, neg, relu, takeAlongAxis, zeros, type Tensor } from "../../src/index.js";
import { key, foldIn } from "../../src/random/key.js";
import { normal, uniform } from "../../src/random/sample.js";
import { adam, cosineDecay } from "../../src/optim/index.js";
import { batches } from "../../src/train/batches.js";
import { fit, drain, type EpochEvent } from "../../src/train/fit.js";
import { accuracyMetric, evaluateModel } from "../../src/train/metric.js";

type Labels = Tensor<[number], "int32">;
interface Mlp {
  readonly w1: Tensor<[2, 16]>;
  readonly b1: Tensor<[16]>;
  readonly w2: Tensor<[16, 2]>;
  readonly b2: Tensor<[2]>;
}

const mlp = (p: Mlp, x: Tensor<[number, 2]>): Tensor<[number, 2]> =>
  add(matmul(relu(add(matmul(x, p.w1), p.b1) as Tensor<[number, 16]>), p.w2), p.b2) as Tensor<[number, 2]>;

const crossEntropy = (logits: Tensor<[number, 2]>, y: Labels) =>
  neg(mean(takeAlongAxis(logSoftmax(logits, -1), expandDims(y, 1) as Tensor<[number, 1], "int32">, 1))) as Tensor<[], "float32">;

/** Points uniform in [−1, 1]², labelled 1 inside the circle of radius 0.7. */
function circle(k: ReturnType<typeof key>, n: number) {
  const x = uniform(k, "n 2", { n }, { lo: -1, hi: 1 }) as unknown as Tensor<[number, 2]>;
  const v = x.toFlat();
  const y = fromArray(Array.from({ length: n }, (_, i) => (v[2 * i]! ** 2 + v[2 * i + 1]! ** 2 < 0.49 ? 1 : 0)), "n", { n }, "int32") as unknown as Labels;
  return { x, y };
}

describe("training a small MLP", () => {
  it("reaches ≥ 95% accuracy on a nonlinear 2-D problem, deterministically", () => {
    const k = key(0);
    const train = circle(foldIn(k, 1), 512);
    const test = circle(foldIn(k, 2), 512);
    const params: Mlp = {
      w1: normal(foldIn(k, 3), "2 16") as Tensor<[2, 16]>,
      b1: zeros("16"),
      w2: mul(normal(foldIn(k, 4), "16 2"), 0.25) as Tensor<[16, 2]>,
      b2: zeros("2"),
    };
    const run = () => {
      const epochs: EpochEvent<Mlp, unknown>[] = [];
      const final = drain(
        fit({
          model: mlp,
          loss: crossEntropy,
          optimizer: adam(cosineDecay(0.03, 40 * 16, 0.05)),
          params,
          epochs: 40,
          train: (e) => batches(foldIn(k, 100 + e), train, 32),
          test: () => batches(null, test, 256),
          metric: accuracyMetric,
          stepEvents: false,
        }),
        (e) => e.kind === "epoch" && epochs.push(e as EpochEvent<Mlp, unknown>),
      );
      return { final, epochs };
    };
    const t0 = performance.now();
    const a = run();
    const seconds = (performance.now() - t0) / 1000;
    const acc = evaluateModel(mlp, accuracyMetric)(a.final.params, batches(null, test, 512));
    expect(acc).toBeGreaterThanOrEqual(0.95);
    expect(a.epochs.at(-1)!.testMetric).toBe(acc);
    expect(a.epochs.at(-1)!.trainLoss).toBeLessThan(a.epochs[0]!.trainLoss);
    expect(seconds).toBeLessThan(5);
    // The same key gives the same run, bit for bit.
    const b = run();
    expect(b.final.params.w1.toFlat()).toEqual(a.final.params.w1.toFlat());
    expect(b.epochs.map((e) => e.trainLoss)).toEqual(a.epochs.map((e) => e.trainLoss));
  });
});
