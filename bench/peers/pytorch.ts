/**
 * PyTorch peer: drives bench/peers/pytorch_bench.py (a persistent child process speaking
 * JSON lines over stdin/stdout). torch.set_num_threads(2) (override with
 * TENFOLD_BENCH_TORCH_THREADS); python is $TENFOLD_BENCH_PYTHON or /usr/bin/python3.
 * `init()` throws an Error whose message starts with "PyTorch not importable" when torch
 * (or numpy) cannot be imported; callers turn that into a skipped column.
 * Peak RSS reported by trainEpochs is the Python process's own ru_maxrss.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { serializeDataset } from "./data.js";
import type { Dataset, EpochEvent, MatmulForm, ModelKind, PeerRunner, TrainOpts, TrainResult } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(here, "pytorch_bench.py");

type Msg = Record<string, unknown>;

export class PytorchRunner implements PeerRunner {
  readonly name = "pytorch" as const;
  #proc: ChildProcessWithoutNullStreams | null = null;
  #lines: Interface | null = null;
  #queue: Msg[] = [];
  #waiters: ((m: Msg) => void)[] = [];
  #closed: string | null = null;
  #stderrTail = "";
  #tmpDir: string | null = null;
  #dataFiles = new WeakMap<Dataset, string>();
  info: { torch?: string; threads?: number; ompWaitPolicy?: string } = {};

  async init(): Promise<void> {
    const python = process.env["TENFOLD_BENCH_PYTHON"] ?? "/usr/bin/python3";
    let proc: ChildProcessWithoutNullStreams;
    try {
      // OMP_WAIT_POLICY=PASSIVE: on a busy (oversubscribed) machine libgomp's default
      // spin-waiting makes 2-thread torch 10-30x slower; on an idle machine it makes no
      // measurable difference. Set TENFOLD_BENCH_OMP_WAIT_POLICY to override ("" = unset).
      const env = { ...process.env };
      const policy = process.env["TENFOLD_BENCH_OMP_WAIT_POLICY"] ?? "PASSIVE";
      if (policy) env["OMP_WAIT_POLICY"] = policy;
      else delete env["OMP_WAIT_POLICY"];
      proc = spawn(python, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"], env });
    } catch (e) {
      throw new Error(`PyTorch not importable: cannot start ${python}: ${String(e)}`);
    }
    this.#proc = proc;
    proc.stderr.on("data", (d: Buffer) => {
      this.#stderrTail = (this.#stderrTail + d.toString()).slice(-2000);
    });
    const fail = (why: string): void => {
      this.#closed = why;
      for (const w of this.#waiters.splice(0)) w({ ok: false, error: why, closed: true });
    };
    proc.on("error", (e) => fail(`cannot start ${python}: ${e.message}`));
    proc.on("exit", (code) => fail(`python exited with code ${code}`));
    this.#lines = createInterface({ input: proc.stdout });
    this.#lines.on("line", (line) => {
      let msg: Msg;
      try {
        msg = JSON.parse(line) as Msg;
      } catch {
        process.stderr.write(`[pytorch] ${line}\n`);
        return;
      }
      const w = this.#waiters.shift();
      if (w) w(msg);
      else this.#queue.push(msg);
    });
    const hello = await this.#next();
    if (hello["ready"] !== true) {
      const err = typeof hello["error"] === "string" ? hello["error"] : `${this.#closed ?? "no handshake"} ${this.#stderrTail}`;
      await this.dispose();
      throw new Error(err.startsWith("PyTorch not importable") ? err : `PyTorch not importable: ${err}`);
    }
    this.info = {
      torch: String(hello["torch"]),
      threads: Number(hello["threads"]),
      ompWaitPolicy: String(hello["ompWaitPolicy"]),
    };
  }

  #next(): Promise<Msg> {
    const m = this.#queue.shift();
    if (m) return Promise.resolve(m);
    if (this.#closed) return Promise.resolve({ ok: false, error: this.#closed, closed: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async #request(req: Msg, onEvent?: (m: Msg) => void): Promise<Msg> {
    if (!this.#proc || this.#closed) throw new Error(`pytorch: not running (${this.#closed ?? "init() not called"})`);
    this.#proc.stdin.write(JSON.stringify(req) + "\n");
    for (;;) {
      const msg = await this.#next();
      if (msg["event"] !== undefined) {
        onEvent?.(msg);
        continue;
      }
      if (msg["ok"] !== true) {
        throw new Error(`pytorch: ${String(msg["error"])}${msg["closed"] ? `\n${this.#stderrTail}` : ""}`);
      }
      return msg;
    }
  }

  async matmulGflops(m: number, k: number, n: number, form: MatmulForm, reps: number): Promise<number> {
    return Number((await this.#request({ cmd: "matmul", m, k, n, form, reps }))["value"]);
  }

  async mlpStepMs(batch: number, reps: number): Promise<number> {
    return Number((await this.#request({ cmd: "mlpStep", batch, reps }))["value"]);
  }

  #dataFile(data: Dataset): string {
    const cached = this.#dataFiles.get(data);
    if (cached) return cached;
    this.#tmpDir ??= mkdtempSync(join(tmpdir(), "tenfold-bench-torch-"));
    const file = join(this.#tmpDir, `dataset-${Date.now()}.bin`);
    writeFileSync(file, serializeDataset(data));
    this.#dataFiles.set(data, file);
    return file;
  }

  async trainEpochs(model: ModelKind, data: Dataset, opts: TrainOpts): Promise<TrainResult> {
    const path = this.#dataFile(data);
    const { epochs, batchSize, lr, seed } = opts;
    const res = await this.#request({ cmd: "train", model, path, epochs, batchSize, lr, seed }, (ev) => {
      if (ev["event"] === "epoch") opts.onEpoch?.(ev as unknown as EpochEvent);
    });
    return res["result"] as TrainResult;
  }

  async dispose(): Promise<void> {
    const proc = this.#proc;
    if (proc && !this.#closed) {
      proc.stdin.end(JSON.stringify({ cmd: "quit" }) + "\n");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          proc.kill();
          resolve();
        }, 5000);
        proc.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#lines?.close();
    this.#proc = null;
    if (this.#tmpDir) rmSync(this.#tmpDir, { recursive: true, force: true });
    this.#tmpDir = null;
  }
}

export function createPytorchRunner(): PeerRunner {
  return new PytorchRunner();
}
