/**
 * TensorFlow.js peers: `@tensorflow/tfjs` on its pure-JS `cpu` backend, and on
 * `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD). In Node tfjs-backend-wasm never uses
 * its threaded binary (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false under IS_NODE),
 * so the wasm backend is single-threaded here. tfjs has no jit: steps run eagerly.
 *
 * The wasm binaries are located with `setWasmPaths(<absolute dir path>/)`: in Node the
 * Emscripten loader reads the .wasm file with `fs`, so a plain file-system path prefix
 * (with trailing slash) works; a file:// URL does not.
 */
import { join } from "node:path";
import type * as TfNs from "@tensorflow/tfjs";
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
import { repoRoot } from "./data.js";
import type { Dataset, MatmulForm, ModelKind, PeerRunner, TrainOpts, TrainResult } from "./types.js";

type Tf = typeof TfNs;
type Tensor = TfNs.Tensor;
type Tensor2D = TfNs.Tensor2D;
type Variable = TfNs.Variable;

export class TfjsRunner implements PeerRunner {
  readonly name: "tfjsWasm" | "tfjsCpu";
  readonly backend: "wasm" | "cpu";
  #tf: Tf | null = null;

  constructor(backend: "wasm" | "cpu") {
    this.backend = backend;
    this.name = backend === "wasm" ? "tfjsWasm" : "tfjsCpu";
  }

  get tf(): Tf {
    if (!this.#tf) throw new Error(`${this.name}: init() not called`);
    return this.#tf;
  }

  async init(): Promise<void> {
    const tf = await import("@tensorflow/tfjs");
    if (this.backend === "wasm") {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      const dir = join(repoRoot, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist") + "/";
      wasm.setWasmPaths(dir);
    }
    const ok = await tf.setBackend(this.backend);
    await tf.ready();
    if (!ok || tf.getBackend() !== this.backend) {
      throw new Error(`tfjs: could not activate backend ${this.backend} (active: ${tf.getBackend()})`);
    }
    this.#tf = tf;
  }

  async matmulGflops(m: number, k: number, n: number, form: MatmulForm, reps: number): Promise<number> {
    const tf = this.tf;
    const a = tf.tensor2d(randomFloats(m * k, 1), form === "tn" ? [k, m] : [m, k]);
    const b = tf.tensor2d(randomFloats(k * n, 2), form === "nt" ? [n, k] : [k, n]);
    const once = (): number => {
      const t0 = nowMs();
      const c = tf.matMul(a, b, form === "tn", form === "nt");
      c.dataSync(); // read back: guarantees the product was computed
      const t = nowMs() - t0;
      c.dispose();
      return t;
    };
    const warm = Math.max(2, Math.min(5, reps >> 1));
    for (let i = 0; i < warm; i++) once();
    const times: number[] = [];
    for (let i = 0; i < reps; i++) times.push(once());
    a.dispose();
    b.dispose();
    return (2 * m * k * n) / (median(times) * 1e6);
  }

  #makeVars(model: ModelKind, seed: number): Variable[] {
    const tf = this.tf;
    const vars: Variable[] = [];
    initParams(model, seed).forEach((layer, l) => {
      vars.push(tf.variable(tf.tensor2d(layer.w, [layer.fanIn, layer.fanOut]), true, `w${l}_${model}`));
      vars.push(tf.variable(tf.tensor1d(layer.b), true, `b${l}_${model}`));
    });
    return vars;
  }

  #logits(vars: Variable[], x: Tensor2D): Tensor2D {
    const tf = this.tf;
    const L = vars.length / 2;
    let h: Tensor2D = x;
    for (let l = 0; l < L; l++) {
      h = tf.add(tf.matMul(h, vars[2 * l] as Tensor2D), vars[2 * l + 1]!);
      if (l < L - 1) h = tf.relu(h);
    }
    return h;
  }

  /** One SGD step (forward, backward, update) on an eager batch; all temporaries disposed. */
  #step(opt: TfNs.Optimizer, vars: Variable[], xData: Float32Array, yData: Int32Array, n: number): void {
    const tf = this.tf;
    tf.tidy(() => {
      const x = tf.tensor2d(xData, [n, 784]);
      const y = tf.oneHot(tf.tensor1d(yData, "int32"), 10).toFloat();
      opt.minimize(
        () => tf.losses.softmaxCrossEntropy(y, this.#logits(vars, x)) as TfNs.Scalar,
        false,
        vars,
      );
    });
  }

  #disposeAll(vars: Variable[], opt: TfNs.Optimizer): void {
    for (const v of vars) v.dispose();
    opt.dispose();
  }

  async mlpStepMs(batch: number, reps: number): Promise<number> {
    const tf = this.tf;
    const vars = this.#makeVars("mlp", 42);
    const opt = tf.train.sgd(0.1);
    const xData = randomFloats(batch * 784, 3).map((v) => (v + 1) / 2);
    const yData = randomLabels(batch, 4);
    const warm = STEP_WARMUP;
    const times: number[] = [];
    for (let i = 0; i < warm + reps; i++) {
      const t0 = nowMs();
      this.#step(opt, vars, xData, yData, batch);
      vars[0]!.dataSync(); // sync (cpu/wasm kernels run eagerly anyway)
      const t = nowMs() - t0;
      if (i >= warm) times.push(t);
    }
    this.#disposeAll(vars, opt);
    return median(times);
  }

  async trainEpochs(model: ModelKind, data: Dataset, opts: TrainOpts): Promise<TrainResult> {
    const tf = this.tf;
    const vars = this.#makeVars(model, opts.seed);
    const opt = tf.train.sgd(opts.lr);
    const secondsPerEpoch: number[] = [];
    const bs = opts.batchSize;
    const tensorsBefore = tf.memory().numTensors;
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const perm = epochPermutation(data.nTrain, opts.seed, epoch);
      const t0 = nowMs();
      for (let start = 0; start < data.nTrain; start += bs) {
        const end = Math.min(start + bs, data.nTrain); // last partial batch kept
        const { x, y, n } = gatherBatch(data.trainX, data.trainY, perm, start, end);
        this.#step(opt, vars, x, y, n);
      }
      await vars[0]!.data();
      const seconds = (nowMs() - t0) / 1000;
      secondsPerEpoch.push(seconds);
      opts.onEpoch?.({ epoch: epoch + 1, seconds, rssMB: rssMB() });
    }
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked > 0) process.stderr.write(`[${this.name}] warning: ${leaked} tensors leaked during training\n`);
    let correct = 0;
    const chunk = 2000;
    for (let start = 0; start < data.nTest; start += chunk) {
      const end = Math.min(start + chunk, data.nTest);
      const logits = tf.tidy(() => this.#logits(vars, tf.tensor2d(data.testX.subarray(start * 784, end * 784), [end - start, 784])));
      const vals = logits.dataSync();
      logits.dispose();
      correct += countCorrect(vals, data.testY.subarray(start, end));
    }
    this.#disposeAll(vars, opt);
    return { secondsPerEpoch, testAcc: correct / data.nTest, peakRssMB: peakRssMB() };
  }
}

export function createTfjsRunner(backend: "wasm" | "cpu"): PeerRunner {
  return new TfjsRunner(backend);
}

// Silence an unused-type lint in some setups.
export type { Tensor };
