/**
 * threefry2x32 on WebAssembly SIMD (four blocks per step) for the random primitive's large draws; the
 * same words as the scalar cipher, which remains the reference and the path for small draws.
 */
import { ARENA_BASE, getWasm, MAX_PAGES, requestedMode, reserve } from "./runtime.js";
import { threefryModuleBytes } from "./wasm/threefry-kernel.js";

/** Below this many blocks the scalar loop costs less than the copy out. */
export const THREEFRY_MIN_BLOCKS = 256;
const OUT = 64;
type Kernel = (ka: number, kb: number, blocks: number, half: number, out: number) => void;
let kernels: { readonly run: Kernel; readonly unit: Kernel } | undefined;

/** The kernels, with `bytes` of scratch reserved; null where they are unavailable. */
function ready(blocks: number, half: number): { readonly heap: ArrayBufferLike; readonly k: NonNullable<typeof kernels> } | null {
  if (blocks % 4 !== 0 || blocks < THREEFRY_MIN_BLOCKS || requestedMode() === "typescript") return null;
  const w = getWasm();
  if (w === null) return null;
  const bytes = OUT + (half + blocks) * 4 + 64;
  if (bytes > ARENA_BASE || !reserve(w, bytes)) return null;
  if (kernels === undefined) {
    const module = new w.api.Module(threefryModuleBytes(w.shared, MAX_PAGES));
    const ex = new w.api.Instance(module, { env: { memory: w.memory } }).exports;
    kernels = { run: ex["run"] as Kernel, unit: ex["unit"] as Kernel };
  }
  return { heap: w.heap.buffer, k: kernels };
}

/**
 * Hashes blocks `0 … blocks − 1` (`blocks` a multiple of 4) of the halves layout over an iota under the key
 * `(ka, kb)` into `out[i]` and `out[i + half]`; false where the kernel is unavailable (then nothing is written).
 */
export function threefryHalvesSimd(ka: number, kb: number, blocks: number, half: number, out: Uint32Array): boolean {
  const r = ready(blocks, half);
  if (r === null) return false;
  r.k.run(ka | 0, kb | 0, blocks, half, OUT);
  const words = new Uint32Array(r.heap, OUT, half + blocks);
  out.set(words.subarray(0, blocks), 0);
  out.set(words.subarray(half, half + blocks), half);
  return true;
}

/**
 * The same blocks as {@link threefryHalvesSimd}, each word turned into its uniform float32 in [0, 1)
 * (`(bits >>> 9) · 2⁻²³`), written at `out[at + i]` and `out[at + i + half]`.
 */
export function threefryUnitSimd(ka: number, kb: number, blocks: number, half: number, out: Float32Array, at: number): boolean {
  const r = ready(blocks, half);
  if (r === null) return false;
  r.k.unit(ka | 0, kb | 0, blocks, half, OUT);
  const units = new Float32Array(r.heap, OUT, half + blocks);
  out.set(units.subarray(0, blocks), at);
  out.set(units.subarray(half, half + blocks), at + half);
  return true;
}
