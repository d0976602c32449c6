import { describe, expect, it } from "vitest";
import { emitter, encodeModule, func, i32, sleb, uleb, v128 } from "../../src/backend/wasm/encoder.js";
import { wasmApi } from "../../src/backend/wasm/api.js";
import { getWasm } from "../../src/backend/runtime.js";
import { defaultTuning, gemmLayout, gemmModuleBytes, type GemmShape } from "../../src/backend/wasm/gemm-kernel.js";

const api = wasmApi!;

describe("LEB128", () => {
  it("encodes unsigned values", () => {
    const enc = (v: number): number[] => {
      const out: number[] = [];
      uleb(out, v);
      return out;
    };
    expect(enc(0)).toEqual([0]);
    expect(enc(127)).toEqual([0x7f]);
    expect(enc(128)).toEqual([0x80, 0x01]);
    expect(enc(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => enc(-1)).toThrow(RangeError);
  });
  it("encodes signed values", () => {
    const enc = (v: number): number[] => {
      const out: number[] = [];
      sleb(out, v);
      return out;
    };
    expect(enc(0)).toEqual([0]);
    expect(enc(63)).toEqual([0x3f]);
    expect(enc(64)).toEqual([0xc0, 0x00]);
    expect(enc(-1)).toEqual([0x7f]);
    expect(enc(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe("encoder", () => {
  const mem = { minPages: 1, maxPages: 1, shared: false };

  it("builds a module that validates and runs (i32 arithmetic, loops, branches)", () => {
    // sum(0..n-1) with a block/loop/br_if, exported as "sum".
    const f = func([i32], [i32], "sum");
    const [acc, i] = [f.local(i32), f.local(i32)];
    f.code.block().loop();
    f.code.get(i).get(0).i32("ge_s").brIf(1);
    f.code.get(acc).get(i).i32("add").set(acc);
    f.code.get(i).i32Const(1).i32("add").set(i).br(0).end().end();
    f.code.get(acc);
    const bytes = encodeModule(mem, [f.build()]);
    expect(api.validate(bytes)).toBe(true);
    const memory = new api.Memory({ initial: 1, maximum: 1 });
    const sum = new api.Instance(new api.Module(bytes), { env: { memory } }).exports["sum"] as (n: number) => number;
    expect(sum(10)).toBe(45);
    expect(sum(0)).toBe(0);
  });

  it("encodes SIMD loads, splats, arithmetic and stores with offsets", () => {
    // out[0..4] = a[0..4] * splat(s) + b[0..4], addresses as params, offsets baked in.
    const f = func([i32], [], "axpy");
    f.code.get(0).get(0).v128Load(16).get(0).v128Load32Splat(48).f32x4("mul").get(0).v128Load(32).f32x4("add").v128Store(0);
    const bytes = encodeModule(mem, [f.build()]);
    expect(api.validate(bytes)).toBe(true);
    const memory = new api.Memory({ initial: 1, maximum: 1 });
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 2, 3, 4], 4);
    heap.set([10, 20, 30, 40], 8);
    heap[12] = 3;
    (new api.Instance(new api.Module(bytes), { env: { memory } }).exports["axpy"] as (p: number) => void)(0);
    expect([...heap.subarray(0, 4)]).toEqual([13, 26, 39, 52]);
  });

  it("encodes shuffles, lane extraction, pmax and f32 constants", () => {
    const f = func([], [v128], "f");
    const lanes = [3, 2, 1, 0].flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]);
    f.code.v128ConstF32(-1, 2, Number.NaN, 4).v128ConstF32(0, 0, 0, 0).i8x16Shuffle(lanes);
    f.code.drop().v128ConstF32(0, 0, 0, 0).v128ConstF32(-1, 2, Number.NaN, 4).f32x4("pmax");
    const g = func([], [], "g");
    g.code.i32Const(0).v128ConstF32(1, 2, 3, 4).f32x4ExtractLane(2).f32Const(0.5).f32("mul").f32Store(0);
    expect(api.validate(encodeModule(mem, [f.build(), g.build()]))).toBe(true);
    expect(emitter().i32Const(-1).bytes).toEqual([0x41, 0x7f]);
  });

  it("rejects bad shuffle lanes", () => {
    expect(() => emitter().i8x16Shuffle([0, 1])).toThrow(RangeError);
  });
});

describe("generated GEMM modules", () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1], [3, 5, 7], [17, 33, 9], [4, 8, 8], [200, 784, 200], [256, 784, 10], [5, 1, 3], [1, 300, 1], [9, 600, 17],
  ];
  // Relaxed SIMD (fused multiply-add) validates once the runtime probe has enabled it where it can.
  const fmaAvailable = getWasm()?.fma === true;
  it("all validate, for every transpose combination, memory kind and tuning", () => {
    let count = 0;
    for (const [m, k, n] of shapes)
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const shared of [false, true]) {
            const s: GemmShape = { m, k, n, transA, transB };
            for (const tune of [defaultTuning(s), { kc: 8, mc: 4, unroll: 2, fma: fmaAvailable }, { kc: 12, mc: 8, unroll: 3 }]) {
              const bytes = gemmModuleBytes(s, gemmLayout(s), tune, shared, 16384);
              expect(api.validate(bytes), `${m}×${k}×${n} ${transA} ${transB} ${JSON.stringify(tune)}`).toBe(true);
              count++;
            }
          }
    expect(count).toBe(shapes.length * 8 * 3);
  });
});
