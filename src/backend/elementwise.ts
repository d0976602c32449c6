/**
 * Float32 elementwise programs on WebAssembly SIMD: one eager op, or a chain fused by `jit`. Operands in
 * ordinary typed arrays are copied into scratch and results copied out, so callers need dispose nothing;
 * operands and results that live in the kernels' memory (a jitted run's arena) are used in place.
 *
 * `elementwiseKernel` returns null where the program cannot run here (no SIMD, TENFOLD_BACKEND=typescript,
 * an unsupported broadcast); callers then use their TypeScript loops, which compute the same bits.
 */
import { FRESH, type StorageSource } from "../tensor/dtype.js";
import { ARENA_BASE, getWasm, heapAddress, MAX_PAGES, requestedMode, reserve } from "./runtime.js";
import { ewLayout, ewModuleBytes, ewSupported, type EwAccess, type EwLayout, type EwProgram } from "./wasm/elementwise-kernel.js";

export type { EwAccess, EwArg, EwNode, EwProgram, SimdOp } from "./wasm/elementwise-kernel.js";

/** A compiled program: runs on float32 inputs of the program's sizes and returns one new array per output. */
export type ElementwiseKernel = (inputs: readonly Float32Array[], mem?: StorageSource) => Float32Array[];

/** Below this many output elements the copies in and out cost more than a TypeScript loop. */
export const SIMD_MIN_ELEMENTS = 512;
const CACHE_SIZE = 256;
// Address variants (one module each) per program before further ones are copied through scratch.
const IN_PLACE_VARIANTS = 16;
const cache = new Map<string, ElementwiseKernel | null>();

/**
 * How an operand of shape `inShape`, broadcast to `outShape`, is read at flat output index `i`; null
 * when it is none of the four patterns (full, scalar, a row repeated, a column repeated).
 */
export function accessFor(inShape: readonly number[], outShape: readonly number[]): EwAccess | null {
  let n = 1;
  for (const d of inShape) n *= d;
  let total = 1;
  for (const d of outShape) total *= d;
  if (n === total && inShape.length <= outShape.length && inShape.every((d, i) => d === outShape[outShape.length - inShape.length + i]))
    return { mode: "full" };
  if (n === 1) return { mode: "scalar" };
  const off = outShape.length - inShape.length;
  if (off < 0) return null;
  const padded = [...new Array<number>(off).fill(1), ...inShape];
  // Trailing block equal, leading dims 1 → i % m (a bias row); leading equal, trailing 1 → i / m (a column).
  let k = padded.length;
  while (k > 0 && padded[k - 1] === outShape[k - 1]) k--;
  if (padded.slice(0, k).every((d) => d === 1)) return { mode: "mod", m: n };
  let j = 0;
  while (j < padded.length && padded[j] === outShape[j]) j++;
  if (padded.slice(j).every((d) => d === 1)) {
    let m = 1;
    for (const d of outShape.slice(j)) m *= d;
    return { mode: "div", m };
  }
  return null;
}

function inputLength(a: EwAccess, total: number): number {
  return a.mode === "full" ? total : a.mode === "scalar" ? 1 : a.mode === "mod" ? a.m : total / a.m;
}

/**
 * Whether an operand is a broadcast the kernel cannot stride through (a period that is not a multiple of
 * four, like a bias row of 10): it is then expanded to full length while being copied into scratch.
 */
const needsExpanding = (a: EwAccess, total: number): boolean =>
  (a.mode === "mod" || (a.mode === "div" && total % a.m === 0)) && (a.m % 4 !== 0 || a.m < 4);

/** Writes `x`, read with access `a`, expanded to `total` floats at `heap[at..]`. */
function expandInto(heap: Float32Array, at: number, x: Float32Array, a: EwAccess, total: number): void {
  if (a.mode === "mod") {
    // One period, then doubling copies.
    heap.set(x, at);
    for (let done = x.length; done < total; done *= 2) heap.copyWithin(at + done, at, at + Math.min(done, total - done));
  } else if (a.mode === "div") {
    for (let r = 0, o = at; r < x.length; r++) for (let j = 0; j < a.m; j++) heap[o++] = x[r]!;
  }
}

function compile(program: EwProgram): ElementwiseKernel | null {
  const w = getWasm();
  const expand = program.inputs.map((a) => needsExpanding(a, program.total));
  const p: EwProgram = { ...program, inputs: program.inputs.map((a, i) => (expand[i] ? { mode: "full" } : a)) };
  if (w === null || !ewSupported(p)) return null;
  const scratch = ewLayout(p);
  if (scratch.bytes > ARENA_BASE) return null;
  const lengths = program.inputs.map((a) => inputLength(a, p.total));
  // One module per set of addresses: operands already in the kernels' memory (a jitted program's values)
  // are read, and results written, where they are; the others are copied through scratch.
  const runs = new Map<string, () => void>();
  return (inputs, mem = FRESH) => {
    if (inputs.length !== lengths.length || inputs.some((x, i) => x.length !== lengths[i]))
      throw new RangeError(`elementwise kernel: expected inputs of lengths [${lengths.join(", ")}], got [${inputs.map((x) => x.length).join(", ")}]`);
    if (!reserve(w, scratch.bytes)) throw new RangeError("elementwise kernel: out of wasm memory");
    const outs = p.outputs.map(() => mem.take("float32", p.total, false) as Float32Array);
    let inAt = inputs.map((x, i) => (expand[i] ? null : heapAddress(x)));
    let outAt = outs.map((x) => heapAddress(x));
    let L: EwLayout = { ...scratch, offIn: scratch.offIn.map((o, i) => inAt[i] ?? o), offOut: scratch.offOut.map((o, k) => outAt[k] ?? o) };
    let key = `${L.offIn.join(",")}|${L.offOut.join(",")}`;
    let run = runs.get(key);
    if (run === undefined && runs.size >= IN_PLACE_VARIANTS) {
      // Many sites share this program: new addresses go through scratch (one more module at most).
      inAt = inAt.map(() => null);
      outAt = outAt.map(() => null);
      L = scratch;
      key = "scratch";
      run = runs.get(key);
    }
    if (run === undefined) {
      const module = new w.api.Module(ewModuleBytes(p, L, w.shared, MAX_PAGES));
      run = new w.api.Instance(module, { env: { memory: w.memory } }).exports["run"] as () => void;
      runs.set(key, run);
    }
    const heap = w.heap;
    inputs.forEach((x, i) => {
      if (expand[i]) expandInto(heap, L.offIn[i]! >> 2, x, program.inputs[i]!, p.total);
      else if (inAt[i] === null) heap.set(x, L.offIn[i]! >> 2);
    });
    run();
    outs.forEach((o, k) => outAt[k] === null && o.set(w.heap.subarray(L.offOut[k]! >> 2, (L.offOut[k]! >> 2) + p.total)));
    return outs;
  };
}

/**
 * The compiled kernel for a program (cached by its structure), or null if SIMD kernels are unavailable,
 * turned off, or the program is unsupported, or too big for the scratch memory.
 */
export function elementwiseKernel(p: EwProgram): ElementwiseKernel | null {
  if (requestedMode() === "typescript") return null;
  const w = getWasm();
  if (w === null) return null;
  const key = JSON.stringify(p);
  let k = cache.get(key);
  if (k === undefined) {
    k = compile(p);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  } else cache.delete(key);
  cache.set(key, k);
  return k;
}
