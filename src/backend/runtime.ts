/**
 * The WebAssembly runtime shared by the generated kernels (GEMM, elementwise): feature probes, one
 * linear memory (shared between threads where the host allows), its growth, and the backend mode.
 *
 * Kernels are synchronous and never overlap, so they all use the same memory as scratch: a call copies
 * its operands in, runs, and copies its result out before returning. Nothing user-visible lives there.
 */
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
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
 * default from Node 22; Node 20's engine has it behind a flag, which is turned on here, before any module
 * using it is compiled. `TENFOLD_RELAXED_SIMD=0` opts out (plain multiply then add, as the reference does).
 */
function probeRelaxed(api: WasmApi): boolean {
  const v = process.env["TENFOLD_RELAXED_SIMD"]?.trim().toLowerCase();
  if (v === "0" || v === "false" || v === "off") return false;
  const bytes = relaxedProbe();
  if (api.validate(bytes)) return true;
  try {
    setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    return false;
  }
  return api.validate(bytes);
}

function probeWasm(): Wasm | null {
  try {
    const api = wasmApi;
    if (api === undefined || !api.validate(simdProbe())) return null;
    let memory: WasmMemory;
    let shared = true;
    try {
      memory = new api.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    } catch {
      shared = false;
      memory = new api.Memory({ initial: 64, maximum: MAX_PAGES });
    }
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

let modeSource: string | undefined;
let modeValue: BackendMode = "wasm";
let modeOverride: BackendMode | undefined;

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

/** The mode in force: a {@link withBackend} override, else `TENFOLD_BACKEND` (default `wasm`). */
export function requestedMode(): BackendMode {
  if (modeOverride !== undefined) return modeOverride;
  const raw = process.env["TENFOLD_BACKEND"];
  if (raw !== modeSource) {
    modeSource = raw;
    const v = raw?.trim().toLowerCase();
    modeValue = v === "typescript" || v === "ts" ? "typescript" : v === "wasm1" ? "wasm1" : "wasm";
  }
  return modeValue;
}

/** Threads the backend may use: at most two, and one where the host reports a single core. */
export function threadCount(): number {
  try {
    return Math.min(2, availableParallelism());
  } catch {
    return 1;
  }
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
