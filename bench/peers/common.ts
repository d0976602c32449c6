/** Small helpers shared by all peer runners (deterministic PRNG, init, batching, stats). */
import type { Dataset, ModelKind } from "./types.js";

/** mulberry32: tiny seeded PRNG returning floats in [0,1). Mirrored exactly in pytorch_bench.py. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates permutation of 0..n-1 for (seed, epoch); identical in pytorch_bench.py. */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  const rnd = mulberry32((seed * 1000003 + epoch * 7919 + 1) | 0);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Normal(0, std) samples via Box–Muller from mulberry32. */
export function normalArray(n: number, std: number, rnd: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - rnd(); // (0,1]
    const u2 = rnd();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = std * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = std * r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

export interface LayerInit {
  /** row-major [fanIn, fanOut] */
  w: Float32Array;
  b: Float32Array;
  fanIn: number;
  fanOut: number;
}

/** Layer sizes of the two models. */
export function modelDims(model: ModelKind): number[] {
  return model === "softmax" ? [784, 10] : [784, 200, 200, 10];
}

/**
 * Deterministic initial parameters, identical for every peer:
 * softmax: W ~ N(0, 0.01) (std 0.01), b = 0; mlp: Kaiming normal std = sqrt(2/fanIn), b = 0.
 */
export function initParams(model: ModelKind, seed: number): LayerInit[] {
  const dims = modelDims(model);
  const rnd = mulberry32(seed ^ 0x5eed);
  const layers: LayerInit[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const fanIn = dims[l]!;
    const fanOut = dims[l + 1]!;
    const std = model === "softmax" ? 0.01 : Math.sqrt(2 / fanIn);
    layers.push({ w: normalArray(fanIn * fanOut, std, rnd), b: new Float32Array(fanOut), fanIn, fanOut });
  }
  return layers;
}

/** Copy the rows perm[start..end) of X (rows of `width`) and their labels into fresh buffers. */
export function gatherBatch(
  X: Float32Array,
  Y: Int32Array,
  perm: Int32Array,
  start: number,
  end: number,
  width = 784,
): { x: Float32Array; y: Int32Array; n: number } {
  const n = end - start;
  const x = new Float32Array(n * width);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = perm[start + i]!;
    x.set(X.subarray(r * width, (r + 1) * width), i * width);
    y[i] = Y[r]!;
  }
  return { x, y, n };
}

/** Deterministic pseudo-random float data in [-1, 1) for matmul/step benchmarks. */
export function randomFloats(n: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rnd() * 2 - 1;
  return out;
}

export function randomLabels(n: number, seed: number): Int32Array {
  const rnd = mulberry32(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rnd() * 10);
  return out;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function rssMB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

/** Peak resident set size of this process so far (Linux: maxRSS is in KiB). */
export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function nowMs(): number {
  return performance.now();
}

/** Number of correct argmax predictions in `logits` (rows of 10) vs `labels`. */
export function countCorrect(logits: ArrayLike<number>, labels: Int32Array, classes = 10): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = logits[i * classes + c]!;
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct;
}

export type { Dataset };

/**
 * Training steps taken before the timed ones in the "mlp step" row, by every runner alike: enough for
 * each to reach its steady state (JavaScript and WebAssembly code optimised, caches warm).
 */
export const STEP_WARMUP = 100;
