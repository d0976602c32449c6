/**
 * Column sums of float32 matrices on WebAssembly SIMD (the bias gradient of dense layers), summed in
 * float64 in row order exactly like the TypeScript loop, so both give the same numbers.
 */
import { ARENA_BASE, getWasm, MAX_PAGES, requestedMode, reserve } from "./runtime.js";
import { sumRowsLayout, sumRowsModuleBytes } from "./wasm/reduce-kernel.js";

/** Below this many elements the TypeScript loop is as fast as copying in. */
const MIN_ELEMENTS = 1024;
const CACHE_SIZE = 64;
const cache = new Map<string, () => void>();

/**
 * `out[j] = Σ_r x[r·keep + j]` in float64, or null where the kernel is unavailable (no SIMD, reference
 * mode, small input). The result is a view of scratch memory: read it before the next kernel runs.
 */
export function sumRowsF32(x: Float32Array, reduce: number, keep: number): Float64Array | null {
  if (reduce * keep < MIN_ELEMENTS || x.length !== reduce * keep || requestedMode() === "typescript") return null;
  const w = getWasm();
  if (w === null) return null;
  const L = sumRowsLayout(reduce, keep);
  // Scratch stays below the arena, where a jitted program's live values are.
  if (L.bytes > ARENA_BASE || !reserve(w, L.bytes)) return null;
  const key = `${reduce},${keep}`;
  let run = cache.get(key);
  if (run === undefined) {
    const module = new w.api.Module(sumRowsModuleBytes(reduce, keep, L, w.shared, MAX_PAGES));
    run = new w.api.Instance(module, { env: { memory: w.memory } }).exports["run"] as () => void;
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  } else cache.delete(key);
  cache.set(key, run);
  w.heap.set(x, L.offIn >> 2);
  run();
  return new Float64Array(w.heap.buffer, L.offOut, keep);
}
