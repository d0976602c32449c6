/**
 * jax-js peer (`@jax-js/jax` on its `wasm` device, training step under `jit`).
 *
 * Ownership rules (jax-js is reference counted): every op/jit call consumes its array
 * arguments; `.ref` bumps the count to keep a value alive; `tree.ref` / `tree.dispose`
 * do the same for whole parameter lists. Every function below consumes each of its
 * arguments exactly once.
 *
 * Note: on Node there is no global `Worker`, so jax-js's wasm backend runs single-threaded
 * here (it only spawns its worker pool when `SharedArrayBuffer` and `Worker` both exist).
 */
import type * as JaxNs from "@jax-js/jax";
import {
  countCorrect,
  epochPermutation,
  gatherBatch,
  initParams,
  median,
  nowMs,
  peakRssMB,
  randomFloats,
  randomLabels,
  rssMB, STEP_WARMUP } from "./common.js";
import type { Dataset, MatmulForm, ModelKind, PeerRunner, TrainOpts, TrainResult } from "./types.js";

type Jax = typeof JaxNs;
type Arr = JaxNs.Array;
/** Flat parameter list [W0, b0, W1, b1, ...], W row-major [fanIn, fanOut]. */
type Params = Arr[];

export class JaxJsRunner implements PeerRunner {
  readonly name = "jaxjs" as const;
  #jax: Jax | null = null;

  get jax(): Jax {
    if (!this.#jax) throw new Error("jaxjs runner: init() not called");
    return this.#jax;
  }

  async init(): Promise<void> {
    // Node 20 has no global `navigator`; jax-js reads navigator.userAgent / hardwareConcurrency.
    const g = globalThis as unknown as { navigator?: object };
    g.navigator ??= {};
    const jax = await import("@jax-js/jax");
    const devices = await jax.init("wasm");
    if (!devices.includes("wasm")) throw new Error(`jax-js: wasm device unavailable (got ${devices.join(",")})`);
    jax.defaultDevice("wasm");
    this.#jax = jax;
  }

  async matmulGflops(m: number, k: number, n: number, form: MatmulForm, reps: number): Promise<number> {
    const { numpy: np } = this.jax;
    const aShape = form === "tn" ? [k, m] : [m, k];
    const bShape = form === "nt" ? [n, k] : [k, n];
    const a = np.array(randomFloats(m * k, 1), { shape: aShape });
    const b = np.array(randomFloats(k * n, 2), { shape: bShape });
    await a.blockUntilReady();
    await b.blockUntilReady();
    const once = async (): Promise<number> => {
      const t0 = nowMs();
      const lhs = form === "tn" ? a.ref.transpose() : a.ref;
      const rhs = form === "nt" ? b.ref.transpose() : b.ref;
      const c = np.matmul(lhs, rhs);
      await c.blockUntilReady();
      const t = nowMs() - t0;
      c.dispose();
      return t;
    };
    const warm = Math.max(2, Math.min(5, reps >> 1));
    for (let i = 0; i < warm; i++) await once();
    const times: number[] = [];
    for (let i = 0; i < reps; i++) times.push(await once());
    a.dispose();
    b.dispose();
    return (2 * m * k * n) / (median(times) * 1e6);
  }

  #logits(params: Params, x: Arr): Arr {
    const { numpy: np, nn } = this.jax;
    const L = params.length / 2;
    let h = x;
    for (let l = 0; l < L; l++) {
      h = np.dot(h, params[2 * l]!).add(params[2 * l + 1]!);
      if (l < L - 1) h = nn.relu(h);
    }
    return h;
  }

  /** Mean softmax cross-entropy; consumes params, x, y. */
  #loss(params: Params, x: Arr, y: Arr): Arr {
    const { nn } = this.jax;
    const batch = y.shape[0]!;
    return nn
      .logSoftmax(this.#logits(params, x), -1)
      .mul(nn.oneHot(y, 10))
      .sum()
      .mul(-1 / batch);
  }

  /** jit-compiled SGD step: (params, x, y) -> new params (consumes all arguments). */
  #makeStep(lr: number): JaxNs.OwnedFunction<(params: Params, x: Arr, y: Arr) => Params> {
    const { jit, grad, tree } = this.jax;
    const lossFn = (p: Params, x: Arr, y: Arr): Arr => this.#loss(p, x, y);
    const step = jit((params: Params, x: Arr, y: Arr): Params => {
      const g = grad(lossFn)(tree.ref(params), x, y);
      return params.map((p, i) => p.sub(g[i]!.mul(lr)));
    });
    // jit's inferred signature maps Array params to ArrayLike; narrow back to the plain one.
    return step as unknown as JaxNs.OwnedFunction<(params: Params, x: Arr, y: Arr) => Params>;
  }

  #initParams(model: ModelKind, seed: number): Params {
    const { numpy: np } = this.jax;
    const out: Params = [];
    for (const layer of initParams(model, seed)) {
      out.push(np.array(layer.w, { shape: [layer.fanIn, layer.fanOut] }));
      out.push(np.array(layer.b, { shape: [layer.fanOut] }));
    }
    return out;
  }

  async mlpStepMs(batch: number, reps: number): Promise<number> {
    const { numpy: np, blockUntilReady } = this.jax;
    const step = this.#makeStep(0.1);
    let params = this.#initParams("mlp", 42);
    const xData = randomFloats(batch * 784, 3).map((v) => (v + 1) / 2);
    const yData = randomLabels(batch, 4);
    const times: number[] = [];
    const warm = STEP_WARMUP;
    for (let i = 0; i < warm + reps; i++) {
      const t0 = nowMs();
      const x = np.array(xData, { shape: [batch, 784] });
      const y = np.array(yData, { shape: [batch], dtype: np.int32 });
      params = step(params, x, y);
      await blockUntilReady(params);
      const t = nowMs() - t0;
      if (i >= warm) times.push(t);
    }
    this.jax.tree.dispose(params);
    step.dispose();
    return median(times);
  }

  async trainEpochs(model: ModelKind, data: Dataset, opts: TrainOpts): Promise<TrainResult> {
    const { numpy: np, blockUntilReady, tree, jit } = this.jax;
    const step = this.#makeStep(opts.lr);
    const predict = jit((params: Params, x: Arr): Arr => this.#logits(params, x));
    let params = this.#initParams(model, opts.seed);
    await blockUntilReady(params);
    const secondsPerEpoch: number[] = [];
    const bs = opts.batchSize;
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      // Permutation is generated outside the timed region (same for every peer).
      const perm = epochPermutation(data.nTrain, opts.seed, epoch);
      const t0 = nowMs();
      for (let start = 0; start < data.nTrain; start += bs) {
        const end = Math.min(start + bs, data.nTrain); // last partial batch kept
        const { x, y, n } = gatherBatch(data.trainX, data.trainY, perm, start, end);
        params = step(params, np.array(x, { shape: [n, 784] }), np.array(y, { shape: [n], dtype: np.int32 }));
        // Realize every step (as jax-js's own MNIST demo does): jax-js dispatch is lazy, and
        // without this the pending chain of all steps (and their buffers) piles up in memory.
        await blockUntilReady(params);
      }
      const seconds = (nowMs() - t0) / 1000;
      secondsPerEpoch.push(seconds);
      opts.onEpoch?.({ epoch: epoch + 1, seconds, rssMB: rssMB() });
    }
    // Test accuracy: logits for the whole test set in chunks, argmax on the JS side.
    let correct = 0;
    const chunk = 1000;
    for (let start = 0; start < data.nTest; start += chunk) {
      const end = Math.min(start + chunk, data.nTest);
      const x = np.array(data.testX.slice(start * 784, end * 784), { shape: [end - start, 784] });
      const logits = predict(tree.ref(params), x);
      const vals = await logits.data();
      correct += countCorrect(vals, data.testY.subarray(start, end));
    }
    tree.dispose(params);
    step.dispose();
    predict.dispose();
    return { secondsPerEpoch, testAcc: correct / data.nTest, peakRssMB: peakRssMB() };
  }
}

export function createJaxJsRunner(): PeerRunner {
  return new JaxJsRunner();
}
