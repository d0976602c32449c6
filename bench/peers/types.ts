/**
 * Common interface for the side-by-side benchmark against peer libraries.
 *
 * Every runner (peer libraries here; tenfold itself is added by the lead)
 * implements `BenchRunner`; `rows.ts` drives any runner through the same rows.
 */

/** Fashion-MNIST in flat form: pixels in [0,1], rows of 784 floats; labels 0..9. */
export interface Dataset {
  trainX: Float32Array;
  trainY: Int32Array;
  testX: Float32Array;
  testY: Int32Array;
  nTrain: number;
  nTest: number;
}

export type PeerName = "jaxjs" | "tfjsWasm" | "tfjsCpu" | "pytorch";

export type MatmulForm = "nn" | "nt" | "tn";

/** `mlp-dropout`: the MLP with dropout(0.5) after each hidden layer (runners that list it in `extraModels`). */
export type ModelKind = "softmax" | "mlp" | "mlp-dropout";

export interface EpochEvent {
  epoch: number;
  seconds: number;
  rssMB: number;
}

export interface TrainOpts {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  onEpoch?: (e: EpochEvent) => void;
}

export interface TrainResult {
  secondsPerEpoch: number[];
  testAcc: number;
  peakRssMB: number;
}

/** Runner interface shared by peers and (later) tenfold itself. */
export interface BenchRunner {
  readonly name: string;
  init(): Promise<void>;
  /**
   * Median GFLOPS (2·m·k·n / s) of C = op(A)·op(B) with
   * nn = A·B (A m×k, B k×n), nt = A·Bᵀ (B stored n×k), tn = Aᵀ·B (A stored k×m).
   * Each repetition is synced/read back so the result is really computed.
   */
  matmulGflops(m: number, k: number, n: number, form: MatmulForm, reps: number): Promise<number>;
  /** Median ms of one forward+backward+SGD step of MLP 784-200-200-10 (jitted where supported). */
  mlpStepMs(batch: number, reps: number): Promise<number>;
  trainEpochs(model: ModelKind, data: Dataset, opts: TrainOpts): Promise<TrainResult>;
  /** Models beyond softmax and the MLP that this runner trains. */
  readonly extraModels?: readonly ModelKind[];
  /**
   * Optional: median ms of the MLP loss's gradient staged two ways, `grad(jit(loss))` (the staged call's
   * own reverse-mode rule) and `jit(grad(loss))`, replayed on same-shaped batches.
   */
  stagingMs?(batch: number, reps: number): Promise<{ gradOfJit: number; jitOfGrad: number }>;
  /** Optional: release resources (child processes, wasm state). */
  dispose?(): Promise<void>;
}

export interface PeerRunner extends BenchRunner {
  readonly name: PeerName;
}

/** One measured row, as printed (one JSON object per line) by `run-peers.ts --peer X --json`. */
export interface BenchRow {
  peer: string;
  /** Stable row id, e.g. "matmul 200x784·784x200 nn", "mlp step b200", "mlp epoch s". */
  row: string;
  value: number | null;
  unit: string;
  note?: string;
}
