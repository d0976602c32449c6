/**
 * The benchmark rows, runnable against any `BenchRunner` (peers here; tenfold later).
 */
import { loadavg } from "node:os";
import { peakRssMB as processPeakRssMB } from "./common.js";
import type { BenchRow, BenchRunner, Dataset, MatmulForm } from "./types.js";

export interface MatmulCase {
  id: string;
  m: number;
  k: number;
  n: number;
  form: MatmulForm;
  /** included in --quick */
  quick: boolean;
  big: boolean;
}

/** Shapes are given as they are multiplied: (m×k)·(k×n); the form says how operands are stored. */
export const MATMUL_CASES: MatmulCase[] = [
  { id: "matmul 256x784·784x10 nn (softmax fwd)", m: 256, k: 784, n: 10, form: "nn", quick: false, big: false },
  { id: "matmul 200x784·784x200 nn (mlp L1 fwd)", m: 200, k: 784, n: 200, form: "nn", quick: true, big: false },
  { id: "matmul 200x200·200x200 nn (mlp L2 fwd)", m: 200, k: 200, n: 200, form: "nn", quick: false, big: false },
  { id: "matmul 1024x1024·1024x1024 nn", m: 1024, k: 1024, n: 1024, form: "nn", quick: false, big: true },
  { id: "matmul dY·Wᵀ 200x200·200x784 nt (mlp L1 bwd dX)", m: 200, k: 200, n: 784, form: "nt", quick: true, big: false },
  { id: "matmul Xᵀ·dY 784x200·200x200 tn (mlp L1 bwd dW)", m: 784, k: 200, n: 200, form: "tn", quick: false, big: false },
];

export interface RowsConfig {
  quick: boolean;
  /** slow peer (tfjs cpu): fewer repetitions, fewer MLP epochs */
  slow: boolean;
  epochs: number;
  /** MLP epochs for slow peers in normal mode */
  slowMlpEpochs: number;
  seed: number;
}

/** Quick mode trains on a strided subset (every `stride`-th image; data is class-ordered). */
export function subsetDataset(d: Dataset, nTrain: number, nTest: number): Dataset {
  const pick = (X: Float32Array, Y: Int32Array, total: number, want: number) => {
    const stride = Math.max(1, Math.floor(total / want));
    const n = Math.min(want, Math.floor(total / stride));
    const x = new Float32Array(n * 784);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      x.set(X.subarray(i * stride * 784, (i * stride + 1) * 784), i * 784);
      y[i] = Y[i * stride]!;
    }
    return { x, y, n };
  };
  const tr = pick(d.trainX, d.trainY, d.nTrain, nTrain);
  const te = pick(d.testX, d.testY, d.nTest, nTest);
  return { trainX: tr.x, trainY: tr.y, testX: te.x, testY: te.y, nTrain: tr.n, nTest: te.n };
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Minimum warm-up time per matmul shape before the measured run. */
const WARMUP_MS = 300;

/** Runs every row for one runner, calling `emit` as each row is measured. Errors become rows with value null. */
export async function runRows(
  runner: BenchRunner,
  loadData: () => Promise<Dataset>,
  cfg: RowsConfig,
  emit: (row: BenchRow) => void,
  log: (msg: string) => void = () => {},
): Promise<void> {
  const peer = runner.name;
  const row = (r: string, value: number | null, unit: string, note?: string): void =>
    emit(note === undefined ? { peer, row: r, value, unit } : { peer, row: r, value, unit, note });
  const attempt = async (name: string, f: () => Promise<void>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log(`${peer}: ${name} failed: ${msg}`);
      row(name, null, "", `error: ${msg.split("\n")[0]}`);
    }
  };

  // 1. matmul GFLOPS
  for (const c of MATMUL_CASES) {
    if (cfg.quick && !c.quick) continue;
    const reps = cfg.quick ? (cfg.slow ? 2 : 5) : c.big ? (cfg.slow ? 3 : 10) : cfg.slow ? 7 : 30;
    await attempt(c.id, async () => {
      // Discarded runs per shape until WARMUP_MS have passed (every runner alike, at least one run): the
      // first calls of a new shape pay for compiling its kernels (and V8 tiers WebAssembly up from its
      // baseline compiler in the background, which takes a while for a product of a fraction of a ms),
      // and a process's first seconds for the engine's own background work.
      if (!cfg.quick) for (const t0 = performance.now(); ; ) {
        await runner.matmulGflops(c.m, c.k, c.n, c.form, reps);
        if (performance.now() - t0 >= WARMUP_MS) break;
      }
      const g = await runner.matmulGflops(c.m, c.k, c.n, c.form, reps);
      log(`${peer}: ${c.id}: ${g.toFixed(2)} GFLOPS`);
      row(c.id, round(g, 3), "GFLOPS", `median of ${reps}`);
    });
  }

  // 2. MLP step
  const stepReps = cfg.quick ? (cfg.slow ? 2 : 5) : cfg.slow ? 7 : 25;
  await attempt("mlp step b200", async () => {
    const ms = await runner.mlpStepMs(200, stepReps);
    log(`${peer}: mlp step b200: ${ms.toFixed(2)} ms`);
    row("mlp step b200", round(ms, 3), "ms", `median of ${stepReps}`);
  });

  if (runner.stagingMs !== undefined) {
    const staging = runner.stagingMs.bind(runner);
    await attempt("mlp grad(jit(loss)) b200", async () => {
      const { gradOfJit, jitOfGrad } = await staging(200, stepReps);
      log(`${peer}: grad(jit(loss)) ${gradOfJit.toFixed(2)} ms, jit(grad(loss)) ${jitOfGrad.toFixed(2)} ms`);
      row("mlp grad(jit(loss)) b200", round(gradOfJit, 3), "ms", `median of ${stepReps}; jit(grad(loss)): ${round(jitOfGrad, 3)} ms, ratio ${round(gradOfJit / jitOfGrad, 3)}`);
      row("mlp jit(grad(loss)) b200", round(jitOfGrad, 3), "ms", `median of ${stepReps}`);
    });
  }

  // 3. training epochs
  const full = await loadData();
  const data = cfg.quick ? subsetDataset(full, 2000, 1000) : full;
  const dataNote = cfg.quick ? ` (quick: ${data.nTrain} train / ${data.nTest} test subset)` : "";
  let peakRss = 0;
  for (const model of ["softmax", "mlp", ...(runner.extraModels ?? [])] as const) {
    const batchSize = model === "softmax" ? 256 : 200;
    const epochs = cfg.quick ? 1 : model !== "softmax" && cfg.slow ? cfg.slowMlpEpochs : cfg.epochs;
    await attempt(`${model} epoch b${batchSize}`, async () => {
      const res = await runner.trainEpochs(model, data, {
        epochs,
        batchSize,
        lr: 0.1,
        seed: cfg.seed,
        onEpoch: (e) => log(`${peer}: ${model} epoch ${e.epoch}: ${e.seconds.toFixed(3)} s, rss ${e.rssMB.toFixed(0)} MB`),
      });
      peakRss = Math.max(peakRss, res.peakRssMB);
      const secs = res.secondsPerEpoch;
      // Steady state: the median of the epochs after the first (the first row below has the warm-up).
      const steady = secs.length > 1 ? secs.slice(1) : secs;
      const sorted = [...steady].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      const med = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      const list = secs.map((s) => s.toFixed(3)).join(", ");
      row(`${model} epoch s (b${batchSize})`, round(med, 4), "s",
        `median of epoch(s) ${secs.length > 1 ? `2–${secs.length}` : "1"} of [${list}]${dataNote}`);
      row(`${model} epoch1 s (b${batchSize})`, round(secs[0] ?? NaN, 4), "s", `first epoch incl. compile/warm-up${dataNote}`);
      row(`${model} test acc`, round(res.testAcc, 4), "", `after ${epochs} epoch(s)${dataNote}`);
      row(`${model} peak RSS`, round(res.peakRssMB, 1), "MB", "process peak RSS after training");
    });
  }
  row("peak RSS", round(Math.max(peakRss, runner.name === "pytorch" ? 0 : processPeakRssMB()), 1), "MB",
    runner.name === "pytorch" ? "python process ru_maxrss" : "node process maxRSS");
  row("loadavg 1m at end", round(loadavg()[0] ?? NaN, 2), "", "machine load (2 vCPUs here); >cores ⇒ noisy timings");
}
