/**
 * Generates the column-sum kernel: `out[j] = Σ_r x[r·keep + j]` over a row-major float32 [reduce, keep]
 * buffer, accumulated in float64 (as the TypeScript loop does, in the same order, so the sums are
 * identical), two f64x2 accumulators per four columns. This is the bias gradient of every dense layer.
 */
import { encodeModule, f64, func, i32, v128 } from "./encoder.js";

/** Byte addresses of the column-sum buffers. */
export interface SumRowsLayout {
  readonly offIn: number;
  readonly offOut: number;
  readonly bytes: number;
}

const align64 = (x: number): number => Math.ceil(x / 64) * 64;

/** Input (float32) then output (float64) from `base`. */
export function sumRowsLayout(reduce: number, keep: number, base = 64): SumRowsLayout {
  const offIn = align64(base);
  const offOut = align64(offIn + reduce * keep * 4 + 16);
  return { offIn, offOut, bytes: align64(offOut + keep * 8 + 16) };
}

/** The module exporting `run()` for a [reduce, keep] input. */
export function sumRowsModuleBytes(reduce: number, keep: number, L: SumRowsLayout, shared: boolean, maxPages: number): Uint8Array {
  if (reduce < 1 || keep < 1) throw new RangeError("sumRows kernel needs reduce, keep ≥ 1");
  const f = func([], [], "run");
  const c = f.code;
  const j = f.local(i32);
  const p = f.local(i32);
  const end = f.local(i32);
  const [lo, hi, v] = [f.local(v128), f.local(v128), f.local(v128)];
  const s = f.local(f64);
  const stride = keep * 4;
  const k4 = Math.floor(keep / 4) * 4;
  // High two lanes moved to the bottom, for the second promote.
  const high = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  if (k4 > 0) {
    c.i32Const(0).set(j).loop();
    c.v128ConstF32(0, 0, 0, 0).tee(lo).set(hi);
    c.get(j).i32Const(4).i32("mul").tee(p).i32Const(reduce * stride).i32("add").set(end);
    c.loop();
    c.get(p).v128Load(L.offIn).set(v);
    c.get(lo).get(v).f64x2PromoteLow().f64x2Add().set(lo);
    c.get(hi).get(v).get(v).i8x16Shuffle(high).f64x2PromoteLow().f64x2Add().set(hi);
    c.get(p).i32Const(stride).i32("add").tee(p).get(end).i32("ne").brIf(0);
    c.end();
    c.get(j).i32Const(8).i32("mul").get(lo).v128Store(L.offOut);
    c.get(j).i32Const(8).i32("mul").get(hi).v128Store(L.offOut + 16);
    c.get(j).i32Const(4).i32("add").tee(j).i32Const(k4).i32("ne").brIf(0);
    c.end();
  }
  for (let t = k4; t < keep; t++) {
    c.f64Const(0).set(s).i32Const(t * 4).set(p);
    c.loop();
    c.get(s).get(p).f32Load(L.offIn).f64PromoteF32().f64Add().set(s);
    c.get(p).i32Const(stride).i32("add").tee(p).i32Const(t * 4 + reduce * stride).i32("ne").brIf(0);
    c.end();
    c.i32Const(0).get(s).f64Store(L.offOut + t * 8);
  }
  return encodeModule({ minPages: 1, maxPages, shared }, [f.build()]);
}
