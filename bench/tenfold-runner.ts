/** This library as a {@link BenchRunner}, so the same rows run against it and against the peers. */
import type { BenchRunner, Dataset, MatmulForm, ModelKind, TrainOpts, TrainResult } from "./peers/types.js";
import { matmulGflops, mlpStepMs, stagingMs, trainEpochs } from "./tenfold.js";
import { backendInfo, warmupBackend } from "../src/backend/gemm.js";
import { configure } from "../src/backend/runtime.js";

/**
 * Runs the benchmark rows on tenfold (WebAssembly SIMD matmul on both cores, jit-staged training steps);
 * `tenfold1` is the same on one thread (`configure({ threads: 1 })`), for the --contended comparison.
 */
export class TenfoldRunner implements BenchRunner {
  constructor(readonly name: "tenfold" | "tenfold1" = "tenfold") {}
  readonly extraModels = ["mlp-dropout"] as const;
  async init(): Promise<void> {
    if (this.name === "tenfold1") configure({ threads: 1 });
    else await warmupBackend();
  }
  /** The backend in use (kind and threads), for the report. */
  info(): string {
    const b = backendInfo();
    return `${b.kind}, ${b.threads} thread(s)`;
  }
  async matmulGflops(m: number, k: number, n: number, form: MatmulForm, reps: number): Promise<number> {
    return matmulGflops(m, k, n, form, reps);
  }
  async mlpStepMs(batch: number, reps: number): Promise<number> {
    return mlpStepMs(batch, reps);
  }
  async stagingMs(batch: number, reps: number): Promise<{ gradOfJit: number; jitOfGrad: number }> {
    return stagingMs(batch, reps);
  }
  async trainEpochs(model: ModelKind, data: Dataset, opts: TrainOpts): Promise<TrainResult> {
    return trainEpochs(model, data, opts);
  }
}
