/**
 * The side-by-side benchmark: tenfold, jax-js (wasm, jit), TensorFlow.js (wasm and cpu backends) and,
 * where `/usr/bin/python3` can import torch, PyTorch — the same rows on the same data, each runner in
 * its own child process so memory and wasm state do not mix.
 *
 *   npm run bench [-- --quick] [--json] [--peers tenfold,jaxjs,tfjsWasm,tfjsCpu,pytorch] [--epochs 5]
 *                 [--no-memory] [--memory-epochs 10] [--contended]
 *
 * --contended runs every runner beside a competing process that keeps one core busy, and adds tenfold
 * on one thread (`tenfold1`, default peers tenfold,tenfold1,jaxjs): on a busy machine tenfold must stay
 * at least as fast as its own one-thread mode (column `vs 1 thread`: tenfold's cost over tenfold1's).
 *
 * Prints a table with, per row, each runner's median and the ratio of tenfold's cost to the best
 * JavaScript peer's (lower is better; for GFLOPS rows the peer's GFLOPS over ours). With --json, one
 * object per row: {"row", "unit", "tenfold", "jaxjs", "tfjsWasm", "tfjsCpu", "pytorch", "ratio"}.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { peakRssMB as processPeakRssMB } from "./peers/common.js";
import { runRows } from "./peers/rows.js";
import type { BenchRow, BenchRunner, Dataset } from "./peers/types.js";
import { TenfoldRunner } from "./tenfold-runner.js";
import { data as tfData } from "../src/node.js";
import { impl } from "../src/tensor/tensor.js";

const JS_PEERS = ["jaxjs", "tfjsWasm", "tfjsCpu"] as const;

/** The peers' runners, imported lazily so that a child process loads only its own peer. */
const RUNNERS: Record<string, () => Promise<BenchRunner>> = {
  jaxjs: async () => new (await import("./peers/jaxjs.js")).JaxJsRunner(),
  tfjsWasm: async () => new (await import("./peers/tfjs.js")).TfjsRunner("wasm"),
  tfjsCpu: async () => new (await import("./peers/tfjs.js")).TfjsRunner("cpu"),
  pytorch: async () => new (await import("./peers/pytorch.js")).PytorchRunner(),
};
const ALL = ["tenfold", "tenfold1", ...JS_PEERS, "pytorch"] as const;
const DEFAULT_PEERS = ALL.filter((p) => p !== "tenfold1");
const CONTENDED_PEERS = ["tenfold", "tenfold1", "jaxjs"];

interface Options {
  quick: boolean;
  json: boolean;
  peers: string[];
  epochs: number;
  child?: string;
  memory: boolean;
  memoryRun: boolean;
  memoryEpochs: number;
  contended: boolean;
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

function parse(argv: string[]): Options {
  const cmd = new Command("bench")
    .option("--quick", "a small subset (smoke test)", false)
    .option("--json", "one JSON object per row", false)
    .option("--peers <list>", `runners to include (${ALL.join(",")}; default ${DEFAULT_PEERS.join(",")}, with --contended ${CONTENDED_PEERS.join(",")})`)
    .option("--epochs <n>", "training epochs per model (the epoch rows are the median of epochs 2..n)", positive, 5)
    .option("--no-memory", "skip the 10-epoch MLP memory runs (a fresh process per runner)")
    .option("--child <runner>", "(internal) run one runner and print JSON rows")
    .option("--memory-run", "(internal) with --child: only the MLP memory run", false)
    .option("--memory-epochs <n>", "epochs of the MLP memory runs", positive, 10)
    .option("--contended", "run beside a process that keeps one core busy; adds tenfold on one thread", false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv, { from: "user" });
  } catch (e) {
    process.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : 2);
  }
  const o = cmd.opts<{ quick: boolean; json: boolean; peers?: string; epochs: number; child?: string; memory: boolean; memoryRun: boolean; memoryEpochs: number; contended: boolean }>();
  const peers = (o.peers ?? (o.contended ? CONTENDED_PEERS : DEFAULT_PEERS).join(",")).split(",").map((s) => s.trim()).filter(Boolean);
  for (const p of peers) if (!(ALL as readonly string[]).includes(p)) {
    process.stderr.write(`bench: unknown runner '${p}' (expected ${ALL.join(", ")})\n`);
    process.exit(2);
  }
  return {
    quick: o.quick, json: o.json, peers, epochs: o.epochs, memory: o.memory && !o.quick && !o.contended, memoryRun: o.memoryRun, memoryEpochs: o.memoryEpochs,
    contended: o.contended,
    ...(o.child === undefined ? {} : { child: o.child }),
  };
}

/** Fashion-MNIST through the library's own loader: identical data for every runner. */
async function loadData(): Promise<Dataset> {
  const fm = await tfData.loadFashionMnist();
  const f32 = (t: unknown) => impl(t as never).concrete().data as Float32Array;
  const i32 = (t: unknown) => impl(t as never).concrete().data as Int32Array;
  return {
    trainX: f32(fm.train.images), trainY: i32(fm.train.labels), testX: f32(fm.test.images), testY: i32(fm.test.labels),
    nTrain: fm.train.labels.shape[0], nTest: fm.test.labels.shape[0],
  };
}

async function child(name: string, opts: Options): Promise<void> {
  const emit = (r: BenchRow): void => void process.stdout.write(`${JSON.stringify(r)}\n`);
  const log = (m: string): void => void process.stderr.write(`  ${m}\n`);
  const runner: BenchRunner = name === "tenfold" || name === "tenfold1" ? new TenfoldRunner(name) : await RUNNERS[name]!();
  try {
    await runner.init();
  } catch (e) {
    emit({ peer: name, row: "init", value: null, unit: "", note: `skipped: ${(e as Error).message.split("\n")[0]}` });
    return;
  }
  if (opts.memoryRun) await memoryRun(runner, opts.memoryEpochs, emit);
  else await runRows(runner, loadData, { quick: opts.quick, slow: name === "tfjsCpu", epochs: opts.epochs, slowMlpEpochs: 1, seed: 0 }, emit, log);
  await runner.dispose?.();
}

/** Runners fast enough for ten MLP epochs in the memory run (tfjs takes 16 s and 95 s per epoch here). */
const MEMORY_RUNNERS = new Set(["tenfold", "jaxjs", "pytorch"]);

/**
 * The memory run, in a process of its own: load the data and train the MLP for ten epochs (by default), nothing else
 * before it. Rows: the process's peak resident memory (the Python process's for PyTorch), the resident
 * memory after each epoch, and its growth after the first epoch (flat means no leak; no dispose anywhere).
 */
async function memoryRun(runner: BenchRunner, epochs: number, emit: (r: BenchRow) => void): Promise<void> {
  const name = runner.name;
  const run = `mlp ${epochs}-epoch`;
  const rss: number[] = [];
  let res: Awaited<ReturnType<BenchRunner["trainEpochs"]>>;
  try {
    res = await runner.trainEpochs("mlp", await loadData(), {
      epochs, batchSize: 200, lr: 0.1, seed: 0, onEpoch: (e) => void rss.push(e.rssMB),
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    emit({ peer: name, row: `${run} peak RSS`, value: null, unit: "MB", note: `error: ${msg.split("\n")[0]}` });
    return;
  }
  const peak = name === "pytorch" ? res.peakRssMB : Math.max(res.peakRssMB, processPeakRssMB());
  const mb = (v: number): number => Number(v.toFixed(1));
  emit({ peer: name, row: `${run} peak RSS`, value: mb(peak), unit: "MB", note: `fresh process: data load + ${epochs} MLP epochs` });
  rss.forEach((r, i) => emit({ peer: name, row: `${run} RSS after epoch ${i + 1}`, value: mb(r), unit: "MB" }));
  if (rss.length > 1) {
    const growth = Math.max(...rss.slice(1)) / rss[0]! - 1;
    emit({ peer: name, row: `${run} RSS growth after epoch 1`, value: Number((100 * growth).toFixed(1)), unit: "%" });
  }
  emit({ peer: name, row: `${run} test acc`, value: Number(res.testAcc.toFixed(4)), unit: "" });
}

function runChild(name: string, opts: Options, memoryRun = false): Promise<BenchRow[]> {
  return new Promise((resolve) => {
    const args = ["--import", "tsx", fileURLToPath(import.meta.url), "--child", name, "--epochs", String(opts.epochs)];
    if (opts.quick) args.push("--quick");
    if (memoryRun) args.push("--memory-run", "--memory-epochs", String(opts.memoryEpochs));
    process.stderr.write(`bench: running ${name}${memoryRun ? " (memory run)" : ""}…\n`);
    const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", opts.json ? "ignore" : "inherit"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.on("close", (code) => {
      const rows = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as BenchRow);
      if (code !== 0 && rows.length === 0)
        rows.push({ peer: name, row: memoryRun ? "memory run" : "init", value: null, unit: "", note: `error: exited with code ${code}` });
      resolve(rows);
    });
  });
}

const isCostRow = (unit: string): boolean => unit === "s" || unit === "ms" || unit === "MB";

/** A process that keeps one core busy until it is stopped (by its id). */
function startBusy(): { stop(): void } {
  const p = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
  const stop = (): void => {
    if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  };
  process.on("exit", stop);
  process.stderr.write(`bench: a competing process (pid ${p.pid}) keeps one core busy\n`);
  return { stop };
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  if (opts.child !== undefined) return child(opts.child, opts);
  const all: BenchRow[] = [];
  const busy = opts.contended ? startBusy() : undefined;
  try {
    for (const name of opts.peers) all.push(...(await runChild(name, opts)));
  } finally {
    busy?.stop();
  }
  // The memory runs, for the runners that could start at all (a failed start is reported once).
  const started = (name: string): boolean => !all.some((r) => r.peer === name && r.row === "init");
  if (opts.memory) for (const name of opts.peers.filter((p) => MEMORY_RUNNERS.has(p) && started(p))) all.push(...(await runChild(name, opts, true)));
  const rowNames = [...new Set(all.map((r) => r.row))];
  const get = (peer: string, row: string): BenchRow | undefined => all.find((r) => r.peer === peer && r.row === row);
  const table = rowNames.map((row) => {
    const unit = all.find((r) => r.row === row && r.unit !== "")?.unit ?? "";
    const vals = Object.fromEntries(ALL.map((p) => [p, get(p, row)?.value ?? null])) as Record<(typeof ALL)[number], number | null>;
    const peers = JS_PEERS.map((p) => vals[p]).filter((v): v is number => v !== null && Number.isFinite(v));
    let ratio: number | null = null;
    if (vals.tenfold !== null && peers.length > 0) {
      if (unit === "GFLOPS") ratio = Math.max(...peers) / vals.tenfold;
      else if (isCostRow(unit)) ratio = vals.tenfold / Math.min(...peers);
    }
    // Under contention: tenfold's cost over its own one-thread mode's (GFLOPS rows: theirs over ours).
    let vsOne: number | null = null;
    if (vals.tenfold !== null && vals.tenfold1 !== null && vals.tenfold > 0 && vals.tenfold1 > 0) {
      if (unit === "GFLOPS") vsOne = vals.tenfold1 / vals.tenfold;
      else if (isCostRow(unit)) vsOne = vals.tenfold / vals.tenfold1;
    }
    return {
      row, unit, ...vals, ratio: ratio === null ? null : Number(ratio.toFixed(3)),
      ...(opts.contended ? { "vs 1 thread": vsOne === null ? null : Number(vsOne.toFixed(3)) } : {}),
    };
  });
  if (opts.json) {
    for (const r of table) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const cols = ["row", "unit", ...ALL.filter((p) => p !== "tenfold1" || opts.peers.includes(p)), "ratio", ...(opts.contended ? ["vs 1 thread"] : [])];
  const fmt = (v: unknown): string => (v === null || v === undefined ? "—" : typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v));
  const cells = [cols.map(String), ...table.map((r) => cols.map((c) => fmt((r as Record<string, unknown>)[c])))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  for (const row of cells) process.stdout.write(`${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")}\n`);
  process.stdout.write("ratio = tenfold's cost / best JavaScript peer's (lower is better); GFLOPS rows: peer GFLOPS / ours.\n");
  if (opts.contended)
    process.stdout.write("contended: beside a process keeping one core busy; vs 1 thread = tenfold's cost / tenfold1's (at most 1 wanted).\n");
  const notes = all.filter((r) => r.note?.startsWith("skipped") || r.note?.startsWith("error"));
  for (const n of notes) process.stdout.write(`note: ${n.peer} ${n.row}: ${n.note}\n`);
}

await main();
