/**
 * Peer half of the side-by-side benchmark.
 *
 *   npx tsx bench/peers/run-peers.ts [--quick] [--peers jaxjs,tfjsWasm,tfjsCpu,pytorch]
 *                                    [--epochs 3] [--cpu-mlp-epochs 1] [--seed 0]
 *                                    [--out results.json] [--json]
 *   npx tsx bench/peers/run-peers.ts --peer jaxjs --json [--quick]   (child mode: one JSON row per line)
 *
 * The parent runs each peer in its own child process (separate RSS, separate wasm state),
 * collects the JSON rows and prints a rows × peers table.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { loadFashionMnistForBench } from "./data.js";
import { runRows, type RowsConfig } from "./rows.js";
import type { BenchRow, BenchRunner } from "./types.js";

export const PEERS = ["jaxjs", "tfjsWasm", "tfjsCpu", "pytorch"] as const;
export type PeerId = (typeof PEERS)[number];

/** Runner factories; the lead can add "tenfold" here. Imports are lazy so a child only loads its peer. */
export const RUNNERS: Record<string, () => Promise<BenchRunner>> = {
  jaxjs: async () => new (await import("./jaxjs.js")).JaxJsRunner(),
  tfjsWasm: async () => new (await import("./tfjs.js")).TfjsRunner("wasm"),
  tfjsCpu: async () => new (await import("./tfjs.js")).TfjsRunner("cpu"),
  pytorch: async () => new (await import("./pytorch.js")).PytorchRunner(),
};

interface Args {
  quick: boolean;
  json: boolean;
  peer: string | null;
  peers: string[];
  epochs: number;
  cpuMlpEpochs: number;
  seed: number;
  out: string | null;
  timeoutSec: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    quick: false,
    json: false,
    peer: null,
    peers: [...PEERS],
    epochs: 3,
    cpuMlpEpochs: 1,
    seed: 0,
    out: null,
    timeoutSec: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${k}`);
      return v;
    };
    if (k === "--quick") a.quick = true;
    else if (k === "--json") a.json = true;
    else if (k === "--peer") a.peer = val();
    else if (k === "--peers") a.peers = val().split(",").filter(Boolean);
    else if (k === "--epochs") a.epochs = Number(val());
    else if (k === "--cpu-mlp-epochs") a.cpuMlpEpochs = Number(val());
    else if (k === "--seed") a.seed = Number(val());
    else if (k === "--out") a.out = val();
    else if (k === "--timeout") a.timeoutSec = Number(val());
    else throw new Error(`unknown argument ${k}`);
  }
  for (const p of [...a.peers, ...(a.peer ? [a.peer] : [])]) {
    if (!(p in RUNNERS)) throw new Error(`unknown peer ${p} (known: ${Object.keys(RUNNERS).join(", ")})`);
  }
  return a;
}

/** Child mode: run one peer, print one JSON row per line on stdout; everything else to stderr. */
async function runChild(args: Args, peer: string): Promise<void> {
  const toErr = (...xs: unknown[]): void => {
    process.stderr.write(xs.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ") + "\n");
  };
  // Libraries (tfjs) print banners via console.*; keep stdout clean for JSON rows.
  console.log = toErr;
  console.info = toErr;
  console.warn = toErr;
  const emit = (r: BenchRow): void => {
    if (args.json) process.stdout.write(JSON.stringify(r) + "\n");
    else toErr(`${r.row}: ${r.value ?? "—"} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  };
  const log = (m: string): void => toErr(`[${peer}] ${m}`);
  const runner = await RUNNERS[peer]!();
  try {
    await runner.init();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    emit({ peer, row: "skipped", value: null, unit: "", note: msg.split("\n")[0] ?? msg });
    log(`skipped: ${msg}`);
    return;
  }
  const info = (runner as { info?: unknown }).info;
  emit({
    peer,
    row: "info",
    value: null,
    unit: "",
    note: `node ${process.version}, ${cpus().length} cpus, loadavg ${loadavg().map((x) => x.toFixed(2)).join("/")}${info ? `, ${JSON.stringify(info)}` : ""}`,
  });
  const cfg: RowsConfig = {
    quick: args.quick,
    slow: peer === "tfjsCpu",
    epochs: args.epochs,
    slowMlpEpochs: args.cpuMlpEpochs,
    seed: args.seed,
  };
  try {
    await runRows(runner, loadFashionMnistForBench, cfg, emit, log);
  } finally {
    await runner.dispose?.();
  }
}

function runPeerProcess(args: Args, peer: string): Promise<BenchRow[]> {
  const script = fileURLToPath(import.meta.url);
  const childArgs = [...process.execArgv, script, "--peer", peer, "--json", "--epochs", String(args.epochs),
    "--cpu-mlp-epochs", String(args.cpuMlpEpochs), "--seed", String(args.seed)];
  if (args.quick) childArgs.push("--quick");
  return new Promise((resolve) => {
    const rows: BenchRow[] = [];
    const child = spawn(process.execPath, childArgs, { stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          const r = JSON.parse(line) as BenchRow;
          if (typeof r.row === "string") rows.push(r);
        } catch {
          process.stderr.write(`[${peer} stdout] ${line}\n`);
        }
      }
    });
    const timeoutSec = args.timeoutSec || (args.quick ? 300 : 3600);
    const timer = setTimeout(() => {
      process.stderr.write(`[${peer}] timed out after ${timeoutSec}s, killing child ${child.pid}\n`);
      rows.push({ peer, row: "error", value: null, unit: "", note: `timed out after ${timeoutSec}s` });
      child.kill("SIGKILL");
    }, timeoutSec * 1000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) rows.push({ peer, row: "error", value: null, unit: "", note: `child exited ${code ?? signal}` });
      resolve(rows);
    });
  });
}

function fmt(v: number | null, unit: string): string {
  if (v === null) return "—";
  if (unit === "GFLOPS") return v.toFixed(2);
  if (unit === "ms") return v.toFixed(2);
  if (unit === "s") return v.toFixed(3);
  if (unit === "MB") return v.toFixed(0);
  return String(v);
}

function printTable(rows: BenchRow[], peers: string[]): void {
  const rowIds: string[] = [];
  for (const r of rows) if (!rowIds.includes(r.row) && r.row !== "info") rowIds.push(r.row);
  const cell = new Map(rows.map((r) => [`${r.peer}\u0000${r.row}`, r]));
  const header = ["row", ...peers];
  const lines: string[][] = [];
  for (const id of rowIds) {
    const unit = rows.find((r) => r.row === id)?.unit ?? "";
    lines.push([
      unit ? `${id} [${unit}]` : id,
      ...peers.map((p) => {
        const r = cell.get(`${p}\u0000${id}`);
        if (!r) return "";
        if (id === "skipped" || id === "error") return r.note ?? "yes";
        return fmt(r.value, r.unit) + (r.value === null && r.note ? ` (${r.note})` : "");
      }),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmtLine = (l: string[]): string => "| " + l.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
  console.log(fmtLine(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const l of lines) console.log(fmtLine(l));
  console.log("\nNotes:");
  for (const r of rows) {
    if (r.row === "info" || (r.note && (r.row.includes("epoch s") || r.row.includes("test acc")))) {
      console.log(`  ${r.peer} · ${r.row}: ${r.note}`);
    }
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.peer) {
    await runChild(args, args.peer);
    return;
  }
  const all: BenchRow[] = [];
  for (const peer of args.peers) {
    process.stderr.write(`\n=== ${peer}${args.quick ? " (quick)" : ""} ===\n`);
    const t0 = performance.now();
    const rows = await runPeerProcess(args, peer);
    process.stderr.write(`=== ${peer} done in ${((performance.now() - t0) / 1000).toFixed(1)} s ===\n`);
    all.push(...rows);
    if (args.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + "\n");
  }
  if (args.out) writeFileSync(args.out, JSON.stringify(all, null, 2));
  if (!args.json) {
    console.log(`\nPeer benchmark${args.quick ? " (--quick)" : ""}; tfjsCpu MLP trains ${args.quick ? 1 : args.cpuMlpEpochs} epoch(s), others ${args.quick ? 1 : args.epochs}.\n`);
    printTable(all, args.peers);
  }
  if (all.some((r) => r.row === "error")) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
