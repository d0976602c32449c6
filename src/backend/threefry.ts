/**
 * threefry2x32 on WebAssembly SIMD (four blocks per step) for the random primitive's large draws; the
 * same words as the scalar cipher, which remains the reference and the path for small draws.
 */
import { ARENA_BASE, getWasm, MAX_PAGES, requestedMode, reserve } from "./runtime.js";
import { threefryModuleBytes } from "./wasm/threefry-kernel.js";

/** Below this many blocks the scalar loop costs less than the copy out. */
export const THREEFRY_MIN_BLOCKS = 256;
const OUT = 64;
let run: ((ka: number, kb: number, blocks: number, half: number, out: number) => void) | null | undefined;

/**
 * Hashes blocks `0 … blocks − 1` (`blocks` a multiple of 4) of the halves layout over an iota under the key
 * `(ka, kb)` into `out[i]` and `out[i + half]`; false where the kernel is unavailable (then nothing is written).
 */
export function threefryHalvesSimd(ka: number, kb: number, blocks: number, half: number, out: Uint32Array): boolean {
  if (blocks % 4 !== 0 || blocks < THREEFRY_MIN_BLOCKS || requestedMode() === "typescript") return false;
  const w = getWasm();
  if (w === null) return false;
  const bytes = OUT + (half + blocks) * 4 + 64;
  if (bytes > ARENA_BASE || !reserve(w, bytes)) return false;
  if (run === undefined) {
    const module = new w.api.Module(threefryModuleBytes(w.shared, MAX_PAGES));
    run = new w.api.Instance(module, { env: { memory: w.memory } }).exports["run"] as typeof run;
  }
  run!(ka | 0, kb | 0, blocks, half, OUT);
  const words = new Uint32Array(w.heap.buffer, OUT, half + blocks);
  out.set(words.subarray(0, blocks), 0);
  out.set(words.subarray(half, half + blocks), half);
  return true;
}
