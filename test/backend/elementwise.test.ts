import { describe, expect, it } from "vitest";
import { accessFor, elementwiseKernel, SIMD_MIN_ELEMENTS, type EwProgram } from "../../src/backend/elementwise.js";
import { getWasm, withBackend } from "../../src/backend/runtime.js";
import { sumRowsF32 } from "../../src/backend/reduce.js";
import { wasmApi } from "../../src/backend/wasm/api.js";
import { ewLayout, ewModuleBytes, ewSupported } from "../../src/backend/wasm/elementwise-kernel.js";
import * as T from "../../src/index.js";

/** Runs `f` with the SIMD kernels turned off (the TypeScript loops: the reference). */
const reference = <R>(f: () => R): R => withBackend("typescript", f);

/** Values with every special case (NaN, ±0, ±∞, ties) mixed into pseudo-random ones. */
function values(n: number, seed: number): number[] {
  const special = [Number.NaN, 0, -0, Infinity, -Infinity, 1, -1, 0.5, -2.5, 3];
  let s = seed >>> 0;
  return Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return i % 7 === 0 ? special[(s >>> 8) % special.length]! : Math.round(((s / 2 ** 32) * 8 - 4) * 4) / 4;
  });
}

/** Bitwise equality of two float arrays (NaN equals NaN; +0 differs from −0). */
function sameBits(got: ArrayLike<number>, want: ArrayLike<number>): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) return false;
  return true;
}

const big = (shape: string, seed: number) => T.fromArray(values(shape.split(" ").reduce((a, d) => a * Number(d), 1), seed), shape as any);

describe("SIMD elementwise kernels", () => {
  it("are available on this host (Node has WebAssembly SIMD)", () => {
    expect(getWasm()).not.toBeNull();
    const p: EwProgram = { total: 1000, inputs: [{ mode: "full" }], nodes: [{ op: "neg", args: [{ kind: "in", index: 0 }] }], outputs: [0] };
    expect(elementwiseKernel(p)).not.toBeNull();
  });

  it("compute every unary op bit for bit as the TypeScript loops, NaN and signed zeros included", () => {
    const x = big("37 29", 1);
    const ops = { neg: T.neg, abs: T.abs, sqrt: T.sqrt, sign: T.sign, relu: T.relu, floor: T.floor } as const;
    for (const [name, op] of Object.entries(ops)) {
      const got = (op as (t: T.Tensor<any>) => T.Tensor<any>)(x).toFlat();
      const want = reference(() => (op as (t: T.Tensor<any>) => T.Tensor<any>)(x).toFlat());
      expect(sameBits(got, want), name).toBe(true);
    }
  });

  it("compute every binary op bit for bit, with rows, columns and scalars broadcast", () => {
    const a = big("24 40", 2);
    const operands = { full: big("24 40", 3), row: big("40", 4), column: big("24 1", 5), scalar: T.scalar(-0.5) };
    const ops = { add: T.add, sub: T.sub, mul: T.mul, div: T.div, maximum: T.maximum, minimum: T.minimum } as const;
    for (const [bName, b] of Object.entries(operands))
      for (const [name, op] of Object.entries(ops)) {
        const f = op as unknown as (x: T.Tensor<any>, y: T.Tensor<any>) => T.Tensor<any>;
        expect(sameBits(f(a, b).toFlat(), reference(() => f(a, b).toFlat())), `${name} ${bName}`).toBe(true);
        expect(sameBits(f(b, a).toFlat(), reference(() => f(b, a).toFlat())), `${name} ${bName} swapped`).toBe(true);
      }
  });

  it("fall back to the loops where a broadcast does not fit the kernel, with the same results", () => {
    // A row of 10 (not a multiple of 4) and a middle-axis broadcast.
    const a = big("60 10", 6);
    const r = big("10", 7);
    expect(sameBits(T.add(a, r).toFlat(), reference(() => T.add(a, r).toFlat()))).toBe(true);
    const c = big("8 5 16", 8);
    const m = big("8 1 16", 9);
    expect(sameBits(T.mul(c, m).toFlat(), reference(() => T.mul(c, m).toFlat()))).toBe(true);
  });

  it("run jit's fused chains (comparisons as masks into where) bit for bit", () => {
    const f = (x: T.Tensor<any>, b: T.Tensor<any>, g: T.Tensor<any>) => {
      const h = T.relu(T.add(x, b));
      const back = T.where(T.greater(h, 0), g, T.scalar(0));
      return [h, T.sub(T.mul(back, 0.25), T.maximum(h, T.neg(g))), T.where(T.lessEqual(x, g), T.div(x, 3), T.sign(g))] as const;
    };
    const x = big("50 32", 10);
    const b = big("32", 11);
    const g = big("50 32", 12);
    const got = T.jit(f)(x, b, g);
    const want = reference(() => f(x, b, g));
    got.forEach((t, i) => expect(sameBits(t.toFlat(), want[i]!.toFlat()), `output ${i}`).toBe(true));
  });

  it("handle totals that do not fill the last vector, and column operands", () => {
    for (const total of [SIMD_MIN_ELEMENTS + 1, 1001, 1003]) {
      const x = T.fromArray(values(total, total), `${total}` as any);
      expect(sameBits(T.add(x, 1.5).toFlat(), reference(() => T.add(x, 1.5).toFlat())), `${total}`).toBe(true);
    }
    const p: EwProgram = {
      total: 24 * 8, inputs: [{ mode: "div", m: 8 }, { mode: "mod", m: 8 }], nodes: [{ op: "mul", args: [{ kind: "in", index: 0 }, { kind: "in", index: 1 }] }], outputs: [0],
    };
    const col = Float32Array.from({ length: 24 }, (_, i) => i + 1);
    const row = Float32Array.from({ length: 8 }, (_, j) => 10 ** (j % 3));
    const out = elementwiseKernel(p)!([col, row])[0]!;
    for (let i = 0; i < 24; i++) for (let j = 0; j < 8; j++) expect(out[i * 8 + j]).toBe(col[i]! * row[j]!);
  });

  it("expand broadcasts whose period is not a multiple of four (a bias of 10 classes, a column of 10-wide rows)", () => {
    const p: EwProgram = {
      total: 203 * 10, inputs: [{ mode: "div", m: 10 }, { mode: "mod", m: 10 }, { mode: "full" }],
      nodes: [{ op: "mul", args: [{ kind: "in", index: 0 }, { kind: "in", index: 1 }] }, { op: "sub", args: [{ kind: "node", index: 0 }, { kind: "in", index: 2 }] }], outputs: [1],
    };
    const col = Float32Array.from({ length: 203 }, (_, i) => i - 100.5);
    const row = Float32Array.from({ length: 10 }, (_, j) => 1.5 ** j);
    const full = Float32Array.from({ length: 2030 }, (_, i) => Math.fround(i / 7));
    const kernel = elementwiseKernel(p);
    expect(kernel).not.toBeNull();
    const out = kernel!([col, row, full])[0]!;
    for (let i = 0; i < 203; i++) for (let j = 0; j < 10; j++) expect(out[i * 10 + j]).toBe(Math.fround(Math.fround(col[i]! * row[j]!) - full[i * 10 + j]!));
    expect(elementwiseKernel({ ...p, total: 3 * 3, inputs: [{ mode: "div", m: 3 }, { mode: "mod", m: 3 }, { mode: "full" }] })).not.toBeNull();
  });

  it("are off under withBackend('typescript') and on again after it, also when its function throws", () => {
    const p: EwProgram = { total: 1000, inputs: [{ mode: "full" }], nodes: [{ op: "abs", args: [{ kind: "in", index: 0 }] }], outputs: [0] };
    expect(withBackend("typescript", () => elementwiseKernel(p))).toBeNull();
    expect(() => withBackend("typescript", () => { throw new Error("boom"); })).toThrow("boom");
    expect(elementwiseKernel(p)).not.toBeNull();
  });

  it("generate valid modules, refuse unsupported programs, and check their inputs", () => {
    const ok: EwProgram = { total: 12, inputs: [{ mode: "mod", m: 4 }, { mode: "scalar" }], nodes: [{ op: "where", args: [{ kind: "in", index: 0 }, { kind: "in", index: 1 }, { kind: "in", index: 0 }] }], outputs: [0] };
    expect(ewSupported(ok)).toBe(true);
    expect(wasmApi!.validate(ewModuleBytes(ok, ewLayout(ok), false, 1))).toBe(true);
    expect(ewSupported({ ...ok, inputs: [{ mode: "mod", m: 6 }, { mode: "scalar" }] })).toBe(false);
    expect(ewSupported({ ...ok, nodes: [{ op: "add", args: [{ kind: "in", index: 0 }] }] })).toBe(false);
    expect(ewSupported({ ...ok, nodes: [{ op: "lt", args: [{ kind: "in", index: 0 }, { kind: "in", index: 1 }] }] })).toBe(false);
    expect(() => elementwiseKernel(ok)!([new Float32Array(3), new Float32Array(1)])).toThrow(/lengths \[4, 1\]/);
  });

  it("classify broadcasts as full, scalar, row (mod) or column (div)", () => {
    expect(accessFor([3, 4], [3, 4])).toEqual({ mode: "full" });
    expect(accessFor([4], [3, 4])).toEqual({ mode: "mod", m: 4 });
    expect(accessFor([1], [3, 4])).toEqual({ mode: "scalar" });
    expect(accessFor([3, 1], [3, 4])).toEqual({ mode: "div", m: 4 });
    expect(accessFor([2, 1, 4], [2, 3, 4])).toBeNull();
  });
});

describe("SIMD column sums (bias gradients)", () => {
  it("equal the float64 TypeScript loop bit for bit, for every width remainder, and fall back where small", () => {
    for (const [r, k] of [[200, 200], [37, 29], [64, 10], [300, 1024], [5, 3]] as const) {
      const x = T.fromArray(values(r * k, r + k).map((v) => (Number.isFinite(v) ? v * 1.1 : v)), `${r} ${k}` as any);
      const got = T.sum(x, { axis: 0 }).toFlat();
      const want = reference(() => T.sum(x, { axis: 0 }).toFlat());
      expect(sameBits(got, want), `${r}×${k}`).toBe(true);
    }
    expect(sumRowsF32(new Float32Array(12), 3, 4)).toBeNull();
    const direct = sumRowsF32(Float32Array.from({ length: 64 * 33 }, (_, i) => (i % 33) + 0.5), 64, 33)!;
    expect(Array.from(direct)).toEqual(Array.from({ length: 33 }, (_, j) => 64 * (j + 0.5)));
  });
});
