/**
 * Micro-benchmark of the float32 GEMM backends: GFLOPS per backend mode and shape.
 * Run: `npx tsx bench/gemm-micro.ts [--quick]`. Prints the best and the median of timed runs (the best
 * is what the kernel can do; the median shows what a busy machine lets it do).
 */
import { gemmF32Mode, warmupBackend, type BackendMode } from "../src/backend/gemm.js";

interface Case {
  readonly label: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
}

const cases: readonly Case[] = [
  { label: "X·W      200×784·784×200", m: 200, k: 784, n: 200 },
  { label: "dY·Wᵀ    200×784·(200×784)ᵀ", m: 200, k: 784, n: 200, transB: true },
  { label: "Xᵀ·dY    (784×200)ᵀ·784×200", m: 200, k: 784, n: 200, transA: true },
  { label: "dY·Wᵀ    200×200·(784×200)ᵀ", m: 200, k: 200, n: 784, transB: true },
  { label: "Xᵀ·dY    (200×784)ᵀ·200×200", m: 784, k: 200, n: 200, transA: true },
  { label: "X·W      256×784·784×10", m: 256, k: 784, n: 10 },
  { label: "X·W      200×200·200×200", m: 200, k: 200, n: 200 },
  { label: "X·W      1024×1024·1024×1024", m: 1024, k: 1024, n: 1024 },
];

const modes: readonly BackendMode[] = ["typescript", "wasm1", "wasm"];
const quick = process.argv.includes("--quick");

function random(len: number): Float32Array {
  const a = new Float32Array(len);
  for (let i = 0; i < len; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** Times `f` for about `budgetMs`, returning the best and median milliseconds per call. */
function time(f: () => void, budgetMs: number, maxRuns: number): { best: number; median: number } {
  f();
  const runs: number[] = [];
  const start = performance.now();
  while (runs.length < maxRuns && (runs.length < 3 || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    f();
    runs.push(performance.now() - t0);
  }
  runs.sort((x, y) => x - y);
  return { best: runs[0]!, median: runs[runs.length >> 1]! };
}

const threaded = await warmupBackend();
console.log(`worker thread ready: ${threaded}`);
console.log(`${"shape".padEnd(34)} ${"mode".padEnd(10)} ${"best ms".padStart(9)} ${"GFLOPS".padStart(7)} ${"median ms".padStart(10)} ${"GFLOPS".padStart(7)}`);
for (const c of cases) {
  const a = random(c.m * c.k);
  const b = random(c.k * c.n);
  const opts = { transA: c.transA === true, transB: c.transB === true };
  const flops = 2 * c.m * c.n * c.k;
  for (const mode of modes) {
    const big = flops > 1e9;
    if (mode === "typescript" && big && quick) continue;
    // Warm up so the kernel is compiled by the optimising tier before timing.
    for (let i = 0; i < (mode === "typescript" ? 1 : big ? 3 : 30); i++) gemmF32Mode(mode, a, b, c.m, c.k, c.n, opts);
    const budget = quick ? 300 : 1500;
    const t = time(() => gemmF32Mode(mode, a, b, c.m, c.k, c.n, opts), budget, mode === "typescript" ? 20 : 100_000);
    const g = (ms: number): string => (flops / ms / 1e6).toFixed(1).padStart(7);
    console.log(
      `${c.label.padEnd(34)} ${mode.padEnd(10)} ${t.best.toFixed(3).padStart(9)} ${g(t.best)} ${t.median.toFixed(3).padStart(10)} ${g(t.median)}`,
    );
  }
}
