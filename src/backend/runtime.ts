/**
 * The WebAssembly runtime shared by the generated kernels (GEMM, elementwise): feature probes, one
 * linear memory (shared between threads where the host allows), its growth, and the backend mode.
 *
 * Kernels are synchronous and never overlap, so they all use the same memory as scratch: a call copies
 * its operands in, runs, and copies its result out before returning. Nothing user-visible lives there.
 */
import { InputError } from "../errors.js";
import { enableRelaxedSimd, envVar, hostCores, sharedMemoryAllowed } from "./host.js";
import type { Pool } from "./pool.js";
import { encodeModule, func, v128 } from "./wasm/encoder.js";
import { wasmApi, type WasmApi, type WasmMemory } from "./wasm/api.js";

/** Backend selection: `typescript` reference loops, `wasm1` single-threaded SIMD, `wasm` SIMD on all threads. */
export type BackendMode = "typescript" | "wasm1" | "wasm";

/** 1 GiB: a shared memory reserves its maximum up front, and larger problems go to the reference instead. */
export const MAX_PAGES = 16384;
const PAGE = 65536;

/** The probed runtime: the API, the memory and what the host supports. */
export interface Wasm {
  readonly api: WasmApi;
  readonly memory: WasmMemory;
  readonly shared: boolean;
  /** `f32x4.relaxed_madd` validates: multiply-adds may be fused (one rounding, FMA where the CPU has it). */
  readonly fma: boolean;
  heap: Float32Array;
  pool: Pool | undefined | null; // null: not tried yet
}

let wasmState: Wasm | null | undefined; // undefined: not probed yet; null: unavailable

/** A tiny module using f32x4 arithmetic: validates only where WebAssembly SIMD is supported. */
function simdProbe(): Uint8Array {
  const f = func([], [v128]);
  f.code.v128ConstF32(1, 2, 3, 4).v128ConstF32(1, 2, 3, 4).f32x4("add");
  return encodeModule({ minPages: 1, maxPages: 1, shared: false }, [f.build()]);
}

/** A tiny module using `f32x4.relaxed_madd`. */
function relaxedProbe(): Uint8Array {
  const f = func([], [v128]);
  f.code.v128ConstF32(1, 2, 3, 4).v128ConstF32(1, 2, 3, 4).v128ConstF32(1, 2, 3, 4).f32x4RelaxedMadd();
  return encodeModule({ minPages: 1, maxPages: 1, shared: false }, [f.build()]);
}

/**
 * Whether fused multiply-add kernels may be used. Relaxed SIMD is standard WebAssembly (2024) and on by
 * default in browsers and from Node 22; Node 20's engine has it behind a flag, which is turned on here,
 * before any module using it is compiled. In Node, `TENFOLD_RELAXED_SIMD=0` opts out (plain multiply
 * then add, as the reference does).
 */
function probeRelaxed(api: WasmApi): boolean {
  const v = envVar("TENFOLD_RELAXED_SIMD")?.trim().toLowerCase();
  if (v === "0" || v === "false" || v === "off") return false;
  const bytes = relaxedProbe();
  if (api.validate(bytes)) return true;
  return enableRelaxedSimd() && api.validate(bytes);
}

function probeWasm(): Wasm | null {
  try {
    const api = wasmApi;
    if (api === undefined || !api.validate(simdProbe())) return null;
    let memory: WasmMemory | undefined;
    let shared = sharedMemoryAllowed();
    try {
      if (shared) memory = new api.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    } catch {
      shared = false;
    }
    memory ??= new api.Memory({ initial: 64, maximum: MAX_PAGES });
    const fma = probeRelaxed(api);
    return { api, memory, shared, fma, heap: new Float32Array(memory.buffer), pool: shared ? null : undefined };
  } catch {
    return null;
  }
}

/** The runtime, probed on first use; null where WebAssembly SIMD is unavailable. */
export function getWasm(): Wasm | null {
  if (wasmState === undefined) wasmState = probeWasm();
  return wasmState;
}

/** The backend's settings (see {@link configure}). */
export interface BackendConfig {
  /** `typescript` reference loops, `wasm1` single-threaded SIMD, `wasm` SIMD on up to `threads` threads. */
  readonly backend: BackendMode;
  /** The most threads one product may use (the pool has one helper thread, so 1 or 2 in effect). */
  readonly threads: number;
}

const MODES: Readonly<Record<string, BackendMode>> = { typescript: "typescript", ts: "typescript", wasm1: "wasm1", wasm: "wasm" };

/** Checks a thread count (from `configure` or `TENFOLD_THREADS`); `source` names it in the error. */
function checkThreads(threads: unknown, source: string): number {
  if (typeof threads !== "number" || !Number.isSafeInteger(threads) || threads < 1)
    throw new InputError(source, `threads must be a positive integer, got ${String(threads)}`);
  return threads;
}

/**
 * The defaults from environment variables (Node's, or none): `TENFOLD_BACKEND` (`typescript`/`ts`,
 * `wasm1`, `wasm`; default `wasm`) and `TENFOLD_THREADS` (default: the host's cores, at most two).
 * An unknown value is an {@link InputError} naming the variable.
 */
export function configFromEnv(env: (name: string) => string | undefined, cores: number): BackendConfig {
  const raw = env("TENFOLD_BACKEND")?.trim().toLowerCase();
  const backend = raw === undefined || raw === "" ? "wasm" : MODES[raw];
  if (backend === undefined) throw new InputError("TENFOLD_BACKEND", `unknown backend '${raw}' (expected typescript, ts, wasm1 or wasm)`);
  const t = env("TENFOLD_THREADS")?.trim();
  const threads = t === undefined || t === "" ? Math.min(2, Math.max(1, cores)) : checkThreads(Number(t), "TENFOLD_THREADS");
  return { backend, threads };
}

let config: BackendConfig | undefined; // undefined: the defaults, not read yet
let modeOverride: BackendMode | undefined;

/**
 * The settings in force: those given to {@link configure}, else the host's defaults (read once).
 * @example backendConfig() // { backend: "wasm", threads: 2 } on a two-core machine
 */
export function backendConfig(): BackendConfig {
  return (config ??= configFromEnv(envVar, hostCores()));
}

/**
 * Sets the backend: `backend` (`typescript`, `wasm1` or `wasm`) and `threads` (the most threads one
 * product may use); options left out keep their value. Returns the settings now in force. In Node the
 * starting values come from `TENFOLD_BACKEND` and `TENFOLD_THREADS`; elsewhere they are `wasm` and the
 * reported cores (at most two), with threads only where shared memory is allowed.
 * @example configure({ threads: 1 }) // one thread from now on; { backend: "wasm", threads: 1 }
 */
export function configure(options: Partial<BackendConfig>): BackendConfig {
  const base = backendConfig();
  const backend = options.backend ?? base.backend;
  if (MODES[backend] !== backend)
    throw new InputError("configure", `unknown backend '${String(backend)}' (expected typescript, wasm1 or wasm)`);
  const threads = options.threads === undefined ? base.threads : checkThreads(options.threads, "configure");
  config = { backend, threads };
  return config;
}

/**
 * Runs `f` with the backend mode forced (e.g. `typescript`, the reference loops, to check a fast kernel
 * against), then restores the previous mode, also when `f` throws.
 */
export function withBackend<R>(mode: BackendMode, f: () => R): R {
  const saved = modeOverride;
  modeOverride = mode;
  try {
    return f();
  } finally {
    modeOverride = saved;
  }
}

/** The mode in force: a {@link withBackend} override, else the configured backend. */
export function requestedMode(): BackendMode {
  return modeOverride ?? backendConfig().backend;
}

/** Threads a product may use: the configured count, at most two (the pool has one helper). */
export function threadCount(): number {
  return Math.min(2, backendConfig().threads);
}

/** Makes sure the memory holds `bytes` and the heap view covers it; false if that exceeds the maximum. */
export function reserve(w: Wasm, bytes: number): boolean {
  const have = w.memory.buffer.byteLength;
  if (bytes > have) {
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    w.memory.grow(pages);
  }
  if (w.heap.byteLength < bytes) {
    w.heap = new Float32Array(w.memory.buffer);
    buffers.add(w.memory.buffer);
  }
  return true;
}

/**
 * Where a jitted program's intermediates live while it runs (see `transforms/jit.ts`): the upper half of
 * the memory. Kernels' scratch copies stay below it, so the two never meet.
 */
export const ARENA_BASE = (MAX_PAGES * PAGE) / 2;

// Every buffer object the memory has had (a shared memory hands out a new one after each growth; views
// of the old ones stay valid).
const buffers = new WeakSet<ArrayBufferLike>();

/** The byte address of an array that lives in the arena of the kernels' memory, or null. */
export function heapAddress(x: ArrayBufferView): number | null {
  return buffers.has(x.buffer) && x.byteOffset >= ARENA_BASE ? x.byteOffset : null;
}

/** A typed array over `n` elements of the kernels' memory at byte address `at` (growing it if needed), or null. */
export function arenaArray<T>(make: (buffer: ArrayBufferLike, at: number, n: number) => T, at: number, bytes: number, n: number): T | null {
  const w = getWasm();
  if (w === null || !w.shared || at < ARENA_BASE || !reserve(w, at + bytes)) return null;
  buffers.add(w.memory.buffer);
  return make(w.memory.buffer, at, n);
}
