/**
 * Generates threefry2x32-20 on i32x4 lanes: four cipher blocks per step, bit for bit the scalar cipher of
 * `primitives/threefry.ts` (JAX's `_threefry2x32_lowering`). Counters are JAX's "halves" layout over an
 * iota: block `i` hashes `(i, i + half)` and writes its two words at `out[i]` and `out[i + half]`.
 */
import { encodeModule, func, i32, v128, type Emitter } from "./encoder.js";

/** Rotation amounts of the five groups of four rounds (they alternate between two sets). */
const ROTATIONS = [[13, 15, 26, 6], [17, 29, 16, 24]] as const;

/**
 * The module exporting `run(ka, kb, blocks, half, out)`: hashes blocks `0 … blocks − 1` (a multiple of four)
 * under the key `(ka, kb)`, writing the words as uint32 at byte address `out`; and `unit(…)`, the same
 * writing each word's uniform float32 in [0, 1) instead, JAX's `(bits >>> 9) · 2⁻²³` (exact).
 */
export function threefryModuleBytes(shared: boolean, maxPages: number): Uint8Array {
  return encodeModule({ minPages: 1, maxPages, shared }, [threefryFunc("run", false), threefryFunc("unit", true)]);
}

function threefryFunc(exportName: string, unit: boolean) {
  const f = func([i32, i32, i32, i32, i32], [], exportName);
  const c = f.code;
  const [ka, kb, blocks, half, out] = [0, 1, 2, 3, 4].map((i) => f.param(i));
  const i = f.local(i32);
  const [x, y, lane, K0, K1, K2] = [f.local(v128), f.local(v128), f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const splat = (e: Emitter): Emitter => e.i32x4Splat();
  // Key schedule: ks = (ka, kb, ka ^ kb ^ 0x1bd11bda), each in all four lanes.
  splat(c.get(ka!)).set(K0);
  splat(c.get(kb!)).set(K1);
  splat(c.get(ka!).get(kb!).i32("xor").i32Const(0x1bd11bda).i32("xor")).set(K2);
  // Lane offsets 0, 1, 2, 3.
  c.raw(0xfd, 0x0c, ...new Uint8Array(new Int32Array([0, 1, 2, 3]).buffer)).set(lane);
  const mix = (r: number): void => {
    c.get(x).get(y).i32x4("add").set(x);
    c.get(y).i32Const(r).i32x4("shl").get(y).i32Const(32 - r).i32x4("shr_u").v128("or").get(x).v128("xor").set(y);
  };
  const ks = [K0, K1, K2];
  const inject = (a: number, b: number, n: number): void => {
    c.get(x).get(ks[a]!).i32x4("add").set(x);
    c.get(y).get(ks[b]!).i32x4("add").i32Const(n).i32x4Splat().i32x4("add").set(y);
  };
  c.i32Const(0).set(i).loop();
  // x = i + lane + ks0; y = i + half + lane + ks1.
  splat(c.get(i)).get(lane).i32x4("add").get(K0).i32x4("add").set(x);
  splat(c.get(i).get(half!).i32("add")).get(lane).i32x4("add").get(K1).i32x4("add").set(y);
  for (let g = 0; g < 5; g++) {
    for (const r of ROTATIONS[g % 2]!) mix(r);
    inject((g + 1) % 3, (g + 2) % 3, g + 1);
  }
  // Unit floats: the top 23 bits as an integer (exact in float32), times 2⁻²³.
  const asUnit = (v: number): void => {
    if (!unit) return void c.get(v);
    c.get(v).i32Const(9).i32x4("shr_u").raw(0xfd, 0xfa, 0x01).v128ConstF32(2 ** -23, 2 ** -23, 2 ** -23, 2 ** -23).f32x4("mul");
  };
  c.get(out!).get(i).i32Const(2).i32("shl").i32("add");
  asUnit(x);
  c.v128Store(0);
  c.get(out!).get(i).get(half!).i32("add").i32Const(2).i32("shl").i32("add");
  asUnit(y);
  c.v128Store(0);
  c.get(i).i32Const(4).i32("add").tee(i).get(blocks!).i32("lt_u").brIf(0);
  c.end();
  return f.build();
}
