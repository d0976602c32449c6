import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  backendInfo, gemmF32, gemmF32Mode, gemmF32Reference, gemmF64, warmupBackend, type BackendMode,
} from "../../src/backend/gemm.js";
import { createPool } from "../../src/backend/pool.js";
import { backendConfig, configure } from "../../src/backend/runtime.js";
import { wasmApi } from "../../src/backend/wasm/api.js";
import { defaultTuning, gemmLayout, gemmModuleBytes, RUN_BIAS, RUN_RELU } from "../../src/backend/wasm/gemm-kernel.js";

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
function random(len: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Naive triple loop in float64, straight from the definition. */
function naive(
  a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number,
  tA: boolean, tB: boolean, bias?: ArrayLike<number>, relu = false,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias === undefined ? 0 : bias[j]!;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i]! : a[i * k + p]!) * (tB ? b[j * k + p]! : b[p * n + j]!);
      out[i * n + j] = relu ? (s > 0 ? s : 0) : s;
    }
  return out;
}

/** Max |x − y| relative to max |y| (and at least 1e-3 of scale, for all-zero results). */
function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let e = 0;
  let s = 1e-3;
  for (let i = 0; i < x.length; i++) {
    e = Math.max(e, Math.abs(x[i]! - y[i]!));
    s = Math.max(s, Math.abs(y[i]!));
  }
  return e / s;
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [17, 33, 9], [4, 8, 8], [8, 16, 16], [5, 3, 9], [1, 300, 1], [33, 1, 70],
  [13, 260, 27], [2, 9, 1], [1, 7, 19], [64, 257, 24],
];
const modes: BackendMode[] = ["typescript", "wasm1", "wasm"];

describe("gemmF32", () => {
  it("reports its backend", () => {
    const info = backendInfo();
    expect(info.simd).toBe(true);
    expect(info.kind).toBe("wasm-simd");
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it("agrees with the definition on odd shapes, every transpose, bias and relu, every mode", () => {
    let seed = 1;
    for (const [m, k, n] of shapes)
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const [useBias, relu] of [[false, false], [true, false], [true, true], [false, true]] as const) {
            const a = random(m * k, seed++);
            const b = random(k * n, seed++);
            const bias = useBias ? random(n, seed++) : undefined;
            const want = naive(a, b, m, k, n, transA, transB, bias, relu);
            const opts = { transA, transB, relu, ...(bias === undefined ? {} : { bias }) };
            for (const mode of modes) {
              const got = gemmF32Mode(mode, a, b, m, k, n, opts);
              expect(got).toBeInstanceOf(Float32Array);
              expect(relErr(got, want), `${mode} ${m}×${k}×${n} tA=${transA} tB=${transB} bias=${useBias} relu=${relu}`).toBeLessThan(1e-4);
            }
            expect(relErr(gemmF32Reference(a, b, m, k, n, opts), want)).toBeLessThan(1e-6);
          }
  });

  it("is exact on small integers and handles k-blocking with tiny tiles", () => {
    const [m, k, n] = [11, 37, 21];
    const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const b = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const bias = Float32Array.from({ length: n }, (_, i) => i - 10);
    for (const transA of [false, true])
      for (const transB of [false, true]) {
        const opts = { transA, transB, bias, relu: true };
        const want = Array.from(naive(a, b, m, k, n, transA, transB, bias, true));
        for (const tuning of [{ kc: 8, mc: 4, unroll: 2 }, { kc: 9, mc: 8, unroll: 3 }, { kc: 40, mc: 12, unroll: 4 }, { kc: 40, mc: 12, unroll: 4, fma: true }])
          expect(Array.from(gemmF32Mode("wasm1", a, b, m, k, n, opts, tuning))).toEqual(want);
      }
  });

  it("narrow outputs (n ≤ 16, B read in place): exact on small integers for every width, row remainder, transposed A, bias and relu, threaded or not", async () => {
    await warmupBackend();
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 16])
      for (const [m, k] of [[11, 37], [301, 700]] as const)
        for (const transA of [false, true]) {
          const a = Float32Array.from({ length: m * k }, (_, i) => ((i * 7) % 9) - 4);
          const b = Float32Array.from({ length: k * n }, (_, i) => ((i * 5) % 7) - 3);
          const bias = Float32Array.from({ length: n }, (_, i) => i - 5);
          for (const opts of [{ transA }, { transA, bias, relu: true }]) {
            const want = Array.from(naive(a, b, m, k, n, transA, false, opts.bias, opts.relu === true));
            for (const mode of ["wasm1", "wasm"] as const)
              for (const fma of [true, false])
                expect(Array.from(gemmF32Mode(mode, a, b, m, k, n, opts, { ...defaultTuning({ m, k, n, transA, transB: false }), fma })), `${mode} ${m}×${k}×${n} tA=${transA} fma=${fma}`).toEqual(want);
          }
        }
  });

  it("agrees at 200×784×200 in all forms, threaded or not", async () => {
    await warmupBackend();
    const [m, k, n] = [200, 784, 200];
    const a = random(m * k, 99);
    const b = random(k * n, 98);
    const bias = random(n, 97);
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const opts = { transA, transB, bias, relu: true };
      const ref = gemmF32Reference(a, b, m, k, n, opts);
      for (const mode of ["wasm1", "wasm"] as const) expect(relErr(gemmF32Mode(mode, a, b, m, k, n, opts), ref)).toBeLessThan(1e-4);
    }
  });

  it("never mutates its inputs and returns a fresh array", () => {
    const [m, k, n] = [9, 13, 11];
    const a = random(m * k, 5);
    const b = random(k * n, 6);
    const bias = random(n, 7);
    const [a0, b0, bias0] = [a.slice(), b.slice(), bias.slice()];
    for (const mode of modes)
      for (const transB of [false, true]) {
        const out1 = gemmF32Mode(mode, a, b, m, k, n, { transB, bias, relu: true });
        const out2 = gemmF32Mode(mode, a, b, m, k, n, { transB, bias, relu: true });
        expect(out1).not.toBe(out2);
        expect(out1.buffer).not.toBe(out2.buffer);
        expect(out1).toEqual(out2);
      }
    expect(a).toEqual(a0);
    expect(b).toEqual(b0);
    expect(bias).toEqual(bias0);
  });

  it("handles empty dimensions", () => {
    expect(gemmF32(new Float32Array(0), new Float32Array(0), 0, 0, 3)).toEqual(new Float32Array(0));
    const bias = Float32Array.from([1, -2]);
    expect(Array.from(gemmF32(new Float32Array(0), new Float32Array(0), 2, 0, 2, { bias, relu: true }))).toEqual([1, 0, 1, 0]);
  });

  it("rejects mismatched buffers", () => {
    expect(() => gemmF32(new Float32Array(5), new Float32Array(6), 2, 3, 2)).toThrow(RangeError);
    expect(() => gemmF32(new Float32Array(6), new Float32Array(6), 2, 3, 2, { bias: new Float32Array(3) })).toThrow(RangeError);
  });

  it("follows configure", () => {
    const saved = backendConfig();
    try {
      configure({ backend: "typescript" });
      expect(backendInfo().kind).toBe("typescript");
      configure({ backend: "wasm1" });
      expect(backendInfo()).toMatchObject({ simd: true, threads: 1, kind: "wasm-simd" });
      // Node 20 has relaxed SIMD behind a flag the probe turns on; Node 22+ has it by default.
      expect(backendInfo().fma).toBe(!["0", "false", "off"].includes(process.env["TENFOLD_RELAXED_SIMD"]?.trim().toLowerCase() ?? ""));
      const a = random(12, 1);
      const b = random(20, 2);
      expect(relErr(gemmF32(a, b, 3, 4, 5), naive(a, b, 3, 4, 5, false, false))).toBeLessThan(1e-6);
      configure({ backend: "wasm", threads: 1 });
      expect(backendInfo().threads).toBe(1);
      const [m, k, n] = [300, 200, 100]; // above the threading threshold
      const a2 = random(m * k, 3);
      const b2 = random(k * n, 4);
      const one = gemmF32(a2, b2, m, k, n);
      configure({ threads: 2 });
      expect(gemmF32(a2, b2, m, k, n)).toEqual(one);
    } finally {
      configure(saved);
    }
  });
});

describe("worker pool", () => {
  it("splits a product between threads by rows and by columns", async () => {
    const api = wasmApi!;
    const memory = new api.Memory({ initial: 64, maximum: 16384, shared: true });
    const pool = createPool(memory);
    expect(pool).toBeDefined();
    const start = Date.now();
    while (!pool!.ready() && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
    expect(pool!.ready()).toBe(true);
    const [m, k, n] = [37, 50, 45];
    for (const transB of [false, true]) {
      const shape = { m, k, n, transA: false, transB };
      const L = gemmLayout(shape);
      const module = new api.Module(gemmModuleBytes(shape, L, defaultTuning(shape), true, 16384));
      const run = new api.Instance(module, { env: { memory } }).exports["run"] as (...args: number[]) => void;
      const id = transB ? 2 : 1;
      pool!.share(id, module);
      const a = random(m * k, 3);
      const b = random(k * n, 4);
      const bias = random(n, 5);
      const heap = new Float32Array(memory.buffer);
      heap.set(a, L.offA >> 2);
      heap.set(b, L.offBRaw >> 2);
      heap.set(bias, L.offBias >> 2);
      const want = naive(a, b, m, k, n, false, transB, bias, true);
      // Column bands: each thread packs its own columns of B.
      heap.fill(0, L.offC >> 2, (L.offC >> 2) + m * n);
      expect(pool!.execute({ id, rows: false, size: 8, m, n, flags: RUN_BIAS | RUN_RELU, chunks: Math.ceil(n / 8) }, run)).toBe(true);
      expect(relErr(heap.subarray(L.offC >> 2, (L.offC >> 2) + m * n), want)).toBeLessThan(1e-5);
      // Row bands: pack once first (flag 4 = already packed).
      heap.fill(0, L.offC >> 2, (L.offC >> 2) + m * n);
      (new api.Instance(module, { env: { memory } }).exports["pack"] as (j0: number, j1: number) => void)(0, n);
      expect(pool!.execute({ id, rows: true, size: 4, m, n, flags: RUN_BIAS | RUN_RELU | 4, chunks: Math.ceil(m / 4) }, run)).toBe(true);
      expect(relErr(heap.subarray(L.offC >> 2, (L.offC >> 2) + m * n), want)).toBeLessThan(1e-5);
      pool!.drop(id);
    }
  });

  it("does not keep the process alive", () => {
    const script = fileURLToPath(new URL("./exit-fixture.ts", import.meta.url));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("ok true");
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});

describe("gemmF64", () => {
  it("agrees with the definition", () => {
    let seed = 500;
    for (const [m, k, n] of shapes)
      for (const transA of [false, true])
        for (const transB of [false, true]) {
          const a = Float64Array.from(random(m * k, seed++));
          const b = Float64Array.from(random(k * n, seed++));
          const bias = Float64Array.from(random(n, seed++));
          const got = gemmF64(a, b, m, k, n, { transA, transB, bias, relu: true });
          expect(got).toBeInstanceOf(Float64Array);
          expect(relErr(got, naive(a, b, m, k, n, transA, transB, bias, true))).toBeLessThan(1e-12);
        }
  });
});
