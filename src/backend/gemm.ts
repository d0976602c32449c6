/**
 * Float32 GEMM entry point: `out = op(A)·op(B) (+ bias) (relu)`, row-major, synchronous, returning a new
 * array and never touching its inputs.
 *
 * Fast path: a generated WebAssembly SIMD kernel (see `wasm/gemm-kernel.ts`) per problem shape, cached,
 * running on one shared `WebAssembly.Memory` into which the inputs are copied. Large problems are split
 * between the main thread and one persistent worker. Fallbacks: one thread if no worker can be started,
 * the TypeScript reference if WebAssembly SIMD is unavailable. `configure({ backend, threads })` (in
 * Node also `TENFOLD_BACKEND=typescript|wasm1|wasm`, `TENFOLD_THREADS`) forces a mode (wasm1 =
 * single-threaded wasm) or one thread.
 */
import { FRESH, freshStorage, type StorageSource } from "../tensor/dtype.js";
import { createPool, type Pool } from "./pool.js";
import { checkGemmArgs, gemmF32Reference, type GemmOptions } from "./reference.js";
import { ARENA_BASE, getWasm, heapAddress, MAX_PAGES, requestedMode, reserve, threadCount, type BackendMode, type Wasm } from "./runtime.js";
import {
  defaultTuning, gemmLayout, gemmModuleBytes, gemmNarrowModuleBytes, isNarrow, narrowRows, RUN_BIAS, RUN_NO_PACK, RUN_RELU,
  type GemmLayout, type GemmShape, type GemmTuning,
} from "./wasm/gemm-kernel.js";
import type { WasmModule } from "./wasm/api.js";

export { gemmF32Reference, gemmF64, type GemmOptions } from "./reference.js";
export type { BackendMode } from "./runtime.js";

// Below this many multiply-adds the second thread's start/join overhead outweighs its help.
const THREAD_MIN_MACS = 2_000_000;
const CACHE_SIZE = 128;
// Bands per threaded product: small enough that a descheduled worker delays the join by little.
const CHUNKS = 8;

interface Plan {
  readonly id: number;
  readonly shape: GemmShape;
  readonly module: WasmModule;
  readonly run: (i0: number, i1: number, j0: number, j1: number, flags: number) => void;
  readonly pack: (j0: number, j1: number) => void;
  /** The narrow kernel (all columns at once; threads split rows only). */
  readonly narrow: boolean;
  /** Row split points must be multiples of this. */
  readonly rowStep: number;
  sharedWithWorker: boolean;
}

const plans = new Map<string, Plan>();
let nextPlanId = 1;

/** Starts the helper thread on a shared memory (idempotent); undefined if none can run here. */
function ensurePool(w: Wasm): Pool | undefined {
  if (w.pool === null) w.pool = createPool(w.memory);
  return w.pool;
}

/**
 * Compiles (or fetches from the bounded cache) the kernel for a shape and the operands' addresses: the
 * scratch layout, except for operands already in the kernels' memory (a jitted program's values).
 */
function getPlan(w: Wasm, shape: GemmShape, tuning: GemmTuning | undefined, layout: GemmLayout): Plan {
  const key = `${problemKey(shape, tuning)}@${addressKey(layout)}`;
  const hit = plans.get(key);
  if (hit !== undefined) {
    // Re-insert to keep the map in least-recently-used order.
    plans.delete(key);
    plans.set(key, hit);
    return hit;
  }
  const tune = tuning ?? defaultTuning(shape, w.fma);
  const narrow = isNarrow(shape) && tune.narrow !== false;
  const bytes = narrow
    ? gemmNarrowModuleBytes(shape, layout, tune.fma === true, w.shared, MAX_PAGES)
    : gemmModuleBytes(shape, layout, tune, w.shared, MAX_PAGES);
  const module = new w.api.Module(bytes);
  const exports = new w.api.Instance(module, { env: { memory: w.memory } }).exports;
  const plan: Plan = {
    id: nextPlanId++,
    shape,
    module,
    run: exports["run"] as Plan["run"],
    pack: exports["pack"] as Plan["pack"],
    narrow,
    rowStep: narrow ? narrowRows(shape.n) : 4,
    sharedWithWorker: false,
  };
  plans.set(key, plan);
  if (plans.size > CACHE_SIZE) {
    const oldest = plans.keys().next().value;
    if (oldest !== undefined) {
      const old = plans.get(oldest);
      plans.delete(oldest);
      if (old?.sharedWithWorker === true) w.pool?.drop(old.id);
    }
  }
  return plan;
}

// In-place plans (operands' own addresses baked in) per shape: a few sites of a jitted program each get
// theirs; beyond that, new addresses use the shape's scratch plan and copy.
const IN_PLACE_VARIANTS = 8;
const inPlaceVariants = new Map<string, Set<string>>();

/** A product's shape and tuning, as a cache key. */
const problemKey = (s: GemmShape, tuning: GemmTuning | undefined): string =>
  `${s.m},${s.k},${s.n},${s.transA ? 1 : 0}${s.transB ? 1 : 0}${tuning === undefined ? "" : JSON.stringify(tuning)}`;

/** The operand addresses a plan bakes in, as a cache key. */
const addressKey = (L: GemmLayout): string => `${L.offA},${L.offBRaw},${L.offC},${L.offBias}`;

function inPlaceAllowed(shape: GemmShape, tuning: GemmTuning | undefined, L: GemmLayout, scratch: GemmLayout): boolean {
  const at = addressKey(L);
  if (at === addressKey(scratch)) return true;
  const base = problemKey(shape, tuning);
  let seen = inPlaceVariants.get(base);
  if (seen === undefined) inPlaceVariants.set(base, (seen = new Set()));
  if (seen.has(at)) return true;
  if (seen.size >= IN_PLACE_VARIANTS) return false;
  seen.add(at);
  return true;
}

/** Whether to share a product between threads by row bands or column bands, or not at all. */
function split(s: GemmShape, plan: Plan): { readonly rows: boolean } | undefined {
  if (s.m * s.n * s.k < THREAD_MIN_MACS) return undefined;
  if (plan.narrow) return Math.ceil(s.m / plan.rowStep) >= 2 ? { rows: true } : undefined;
  // A transposed A is packed by each thread for its own rows, so such products split by rows.
  if (s.transA) return Math.ceil(s.m / 4) >= 2 ? { rows: true } : undefined;
  const colPanels = Math.ceil(s.n / 8);
  const rowBlocks = Math.ceil(s.m / 4);
  // Columns when there are enough of them: each thread then also transposes only its own part of Bᵀ.
  if (colPanels >= 2 && (s.n >= s.m || s.transB || rowBlocks < 2)) return { rows: false };
  if (rowBlocks >= 2) return { rows: true };
  return undefined;
}


/** Runs the whole product through the wasm kernel; returns undefined if it does not fit in memory. */
function gemmWasm(
  w: Wasm, threads: boolean, a: Float32Array, b: Float32Array, shape: GemmShape,
  bias: Float32Array | undefined, relu: boolean, tuning?: GemmTuning, mem: StorageSource = FRESH,
): Float32Array | undefined {
  const { m, n } = shape;
  // Operands already in the kernels' memory are read (and the result written) where they are.
  const scratch = gemmLayout(shape);
  if (scratch.bytes > ARENA_BASE || !reserve(w, scratch.bytes)) return undefined;
  const out = mem.take("float32", m * n, false) as Float32Array;
  let [aAt, bAt, cAt] = [heapAddress(a), heapAddress(b), heapAddress(out)];
  let biasAt = bias === undefined ? null : heapAddress(bias);
  let L: GemmLayout = { ...scratch, offA: aAt ?? scratch.offA, offBRaw: bAt ?? scratch.offBRaw, offC: cAt ?? scratch.offC, offBias: biasAt ?? scratch.offBias };
  if (!inPlaceAllowed(shape, tuning, L, scratch)) {
    // Too many address variants of this shape (e.g. the slices of a batched product): copy instead.
    [aAt, bAt, cAt, biasAt] = [null, null, null, null];
    L = scratch;
  }
  const plan = getPlan(w, shape, tuning, L);
  const heap = w.heap;
  if (aAt === null) heap.set(a, L.offA >> 2);
  if (bAt === null) heap.set(b, L.offBRaw >> 2);
  if (bias !== undefined && biasAt === null) heap.set(bias, L.offBias >> 2);
  const flags = (bias !== undefined ? RUN_BIAS : 0) | (relu ? RUN_RELU : 0);

  const parts = threads ? split(shape, plan) : undefined;
  const pool = parts !== undefined ? ensurePool(w) : undefined;
  if (parts === undefined || pool === undefined || !pool.ready()) {
    plan.run(0, m, 0, n, flags);
  } else {
    if (!plan.sharedWithWorker) {
      pool.share(plan.id, plan.module);
      plan.sharedWithWorker = true;
    }
    const units = parts.rows ? Math.ceil(m / plan.rowStep) : Math.ceil(n / 8);
    const size = Math.ceil(units / Math.min(units, CHUNKS)) * (parts.rows ? plan.rowStep : 8);
    const total = parts.rows ? m : n;
    let f = flags;
    if (parts.rows && !plan.narrow) {
      // Row bands all need the whole packed B: pack it once, before the worker starts.
      plan.pack(0, n);
      f |= RUN_NO_PACK;
    }
    const job = { id: plan.id, rows: parts.rows, size, m, n, flags: f, chunks: Math.ceil(total / size) };
    if (!pool.execute(job, plan.run)) plan.run(0, m, 0, n, flags);
  }
  if (cAt === null) out.set(w.heap.subarray(L.offC >> 2, (L.offC >> 2) + m * n));
  return out;
}

/** Result of a problem with an empty dimension: bias (or zero) rows, relu'd. */
function emptyProduct(m: number, n: number, bias: Float32Array | undefined, relu: boolean): Float32Array {
  const out = freshStorage("float32", m * n) as Float32Array;
  if (bias !== undefined)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = relu && !(bias[j]! > 0) ? 0 : bias[j]!;
  return out;
}

/** out[m×n] = op(A)·op(B) (+ bias[n]) (then relu if asked), all row-major float32; returns a new array. */
export function gemmF32(
  a: Float32Array, b: Float32Array, m: number, k: number, n: number, opts: GemmOptions<Float32Array> = {},
): Float32Array {
  return gemmF32Mode(requestedMode(), a, b, m, k, n, opts);
}

/** `gemmF32` with the backend mode given explicitly instead of the configured one. */
export function gemmF32Mode(
  mode: BackendMode, a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  opts: GemmOptions<Float32Array> = {}, tuning?: GemmTuning,
): Float32Array {
  checkGemmArgs(a, b, m, k, n, opts.bias);
  const relu = opts.relu === true;
  if (m === 0 || n === 0) return new Float32Array(0);
  if (k === 0) return emptyProduct(m, n, opts.bias, relu);
  const w = mode === "typescript" ? null : getWasm();
  if (w !== null) {
    const shape: GemmShape = { m, k, n, transA: opts.transA === true, transB: opts.transB === true };
    const out = gemmWasm(w, mode === "wasm" && threadCount() >= 2, a, b, shape, opts.bias, relu, tuning, opts.mem);
    if (out !== undefined) return out;
  }
  return gemmF32Reference(a, b, m, k, n, opts);
}

/**
 * What matrix products will use: SIMD availability, fused multiply-add, thread count and kernel kind.
 * @example backendInfo() // { simd: true, fma: true, threads: 2, kind: "wasm-simd" }
 */
export function backendInfo(): { simd: boolean; fma: boolean; threads: number; kind: "wasm-simd" | "typescript" } {
  const mode = requestedMode();
  const w = getWasm();
  if (mode === "typescript" || w === null) return { simd: w !== null, fma: false, threads: 1, kind: "typescript" };
  // One thread where memory cannot be shared or the helper could not start (w.pool undefined).
  const threads = mode === "wasm" && w.shared && w.pool !== undefined ? threadCount() : 1;
  return { simd: true, fma: w.fma, threads, kind: "wasm-simd" };
}

/**
 * Starts the helper thread now and resolves once it takes jobs (true) or cannot (false). Optional:
 * `gemmF32` starts it lazily and computes on one thread until it is ready.
 * @example await warmupBackend() // true once the second thread takes work
 */
export async function warmupBackend(timeoutMs = 5000): Promise<boolean> {
  const w = getWasm();
  if (w === null || !w.shared || threadCount() < 2) return false;
  const pool = ensurePool(w);
  if (pool === undefined) return false;
  for (const start = Date.now(); !pool.ready(); ) {
    if (Date.now() - start > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}
