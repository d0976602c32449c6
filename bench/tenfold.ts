/**
 * This library's half of the side-by-side benchmark: the same rows the peers run (bench/peers/), on the
 * same data, written with the public API as a user would write them.
 */
import { type Tensor, fromArray, grad, jit, random, nn, optim, train } from "../src/index.js";
import { matmul as rawMatmul } from "../src/primitives/matmul.js";
import { Concrete, impl, typed } from "../src/tensor/tensor.js";
import { STEP_WARMUP } from "./peers/common.js";

/** Pixels in [0, 1] (rows of 784) and int32 labels, shared with the peers. */
export interface BenchData {
  readonly trainX: Float32Array;
  readonly trainY: Int32Array;
  readonly testX: Float32Array;
  readonly testY: Int32Array;
  readonly nTrain: number;
  readonly nTest: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/**
 * Median GFLOPS of `op(A)·op(B)` for one of the three training forms, through the matmul primitive with
 * its transpose flags (what `matmul` and its backward pass run; no transposing copies).
 */
export function matmulGflops(m: number, k: number, n: number, form: "nn" | "nt" | "tn", reps: number): number {
  const [ka, kb] = random.split(random.key(0));
  const a = impl(random.normal(ka!, form === "tn" ? `${k} ${m}` : `${m} ${k}`));
  const b = impl(random.normal(kb!, form === "nt" ? `${n} ${k}` : `${k} ${n}`));
  const times: number[] = [];
  const warm = Math.max(2, Math.min(5, reps >> 1)); // as the peers do
  for (let i = 0; i < reps + warm; i++) {
    const t0 = performance.now();
    rawMatmul(a, b, form === "tn", form === "nt");
    const dt = performance.now() - t0;
    if (i >= warm) times.push(dt);
  }
  return (2 * m * n * k) / (median(times) / 1000) / 1e9;
}

type MlpParams = ReturnType<ReturnType<typeof mlpModel>["init"]>;
const mlpModel = (dropout = 0) =>
  nn.mlp([784, 200, 200, 10] as const, { activation: nn.relu, init: nn.init.kaimingNormal, biasInit: nn.init.zeros, ...(dropout > 0 ? { dropout } : {}) });

/**
 * Median milliseconds of the MLP loss's gradient staged two ways, `grad(jit(loss))` and `jit(grad(loss))`,
 * each replayed (after warm-up) on the same batch: the first differentiates a staged call by its own rule
 * (forward and backward programs), the second stages the whole gradient.
 */
export function stagingMs(batch: number, reps: number): { gradOfJit: number; jitOfGrad: number } {
  const model = mlpModel();
  const x = random.uniform(random.key(1), "B 784", { B: batch }) as unknown as Tensor<[number, 784]>;
  const y = fromArray(Array.from({ length: batch }, (_, i) => i % 10), "B", { B: batch }, "int32") as unknown as Tensor<[number], "int32">;
  const params = model.init(random.key(0));
  const loss = (p: MlpParams) => nn.crossEntropy(model.apply(p, x) as Tensor<[number, 10]>, y);
  const time = (f: (p: MlpParams) => unknown): number => {
    const times: number[] = [];
    for (let i = 0; i < reps + STEP_WARMUP; i++) {
      const t0 = performance.now();
      f(params);
      const dt = performance.now() - t0;
      if (i >= STEP_WARMUP) times.push(dt);
    }
    return median(times);
  };
  const a = grad(jit(loss));
  const b = jit(grad(loss));
  // Interleaved, so both see the same machine.
  const ga: number[] = [];
  const gb: number[] = [];
  for (let r = 0; r < 3; r++) {
    ga.push(time(a));
    gb.push(time(b));
  }
  return { gradOfJit: median(ga), jitOfGrad: median(gb) };
}

/**
 * Median milliseconds of one forward+backward+SGD step of the MLP 784-200-200-10, as `fit` takes it:
 * the library's `trainStep` (gradient and update staged together).
 */
export function mlpStepMs(batch: number, reps: number): number {
  const model = mlpModel();
  const x = random.uniform(random.key(1), "B 784", { B: batch }) as unknown as Tensor<[number, 784]>;
  const y = fromArray(Array.from({ length: batch }, (_, i) => i % 10), "B", { B: batch }, "int32") as unknown as Tensor<[number], "int32">;
  const opt = optim.sgd(0.1);
  const step = train.trainStep(
    (p: MlpParams, xx: Tensor<[number, 784]>) => model.apply(p, xx) as Tensor<[number, 10]>,
    (o: Tensor<[number, 10]>, yy: Tensor<[number], "int32">) => nn.crossEntropy(o, yy),
    opt,
  );
  let s = train.initTrainState(model.init(random.key(0)), opt);
  const times: number[] = [];
  for (let i = 0; i < reps + STEP_WARMUP; i++) {
    const t0 = performance.now();
    s = step(s, { x, y });
    const dt = performance.now() - t0;
    if (i >= STEP_WARMUP) times.push(dt);
  }
  return median(times);
}

/** Trains softmax regression or the MLP as the tutorial does; seconds per epoch and the final test accuracy. */
export function trainEpochs(
  model: "softmax" | "mlp" | "mlp-dropout", data: BenchData, opts: { epochs: number; batchSize: number; lr: number; seed: number; onEpoch?: (e: { epoch: number; seconds: number; rssMB: number }) => void },
): { secondsPerEpoch: number[]; testAcc: number; peakRssMB: number } {
  // The arrays are wrapped, not copied: the loaded dataset is the only copy in memory.
  const wrap = <S extends [number, 784] | [number], D extends "float32" | "int32">(arr: Float32Array | Int32Array, shape: number[], dtype: D) =>
    typed<S, D>(new Concrete(shape, dtype, arr));
  const trainX = wrap<[number, 784], "float32">(data.trainX, [data.nTrain, 784], "float32");
  const trainY = wrap<[number], "int32">(data.trainY, [data.nTrain], "int32");
  const testX = wrap<[number, 784], "float32">(data.testX, [data.nTest, 784], "float32");
  const testY = wrap<[number], "int32">(data.testY, [data.nTest], "int32");
  const key = random.key(opts.seed);
  const [initKey, shuffleKey] = random.split(key);
  const layer =
    model === "softmax"
      ? nn.linear(784, 10, { init: nn.init.normal(0.01), biasInit: nn.init.zeros })
      : mlpModel(model === "mlp-dropout" ? 0.5 : 0);
  const params = layer.init(initKey!);
  const apply = (p: typeof params, x: Tensor<[number, 784]>, o?: train.ModelOptions) => (layer.apply as (p: unknown, x: unknown, o?: unknown) => Tensor<[number, 10]>)(p, x, o);
  const optimizer = optim.sgd(opts.lr);
  // A stochastic model's key lives in the training state: each (staged) step splits it.
  const state = model === "mlp-dropout" ? { ...train.initTrainState(params, optimizer), key: random.foldIn(key, 7) } : undefined;
  const events = train.fit({
    model: apply,
    loss: (o: Tensor<[number, 10]>, y: Tensor<[number], "int32">) => nn.crossEntropy(o, y),
    optimizer,
    params,
    ...(state === undefined ? {} : { state }),
    epochs: opts.epochs,
    train: (e) => train.batches(random.foldIn(shuffleKey!, e), { x: trainX, y: trainY }, opts.batchSize),
    test: () => train.batches(null, { x: testX, y: testY }, 1000),
    metric: train.accuracyMetric,
    stepEvents: false,
  });
  const seconds: number[] = [];
  let peak = process.memoryUsage().rss;
  let testAcc = Number.NaN;
  for (const ev of events) {
    if (ev.kind !== "epoch") continue;
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    seconds.push(ev.seconds);
    testAcc = ev.testMetric ?? Number.NaN;
    opts.onEpoch?.({ epoch: ev.epoch, seconds: ev.seconds, rssMB: rss / 2 ** 20 });
  }
  return { secondsPerEpoch: seconds, testAcc, peakRssMB: peak / 2 ** 20 };
}

